/* proc_backend.c — see proc_backend.h. */
#include "config.h"

#include "ui/proc_backend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* a backend's start in pg_stat_activity and its process start differ by the
 * fork and the first steps of the backend: milliseconds, not seconds */
#define START_SLACK_S 2.0

bool proc_available(void)
{
    return access("/proc/self/stat", R_OK) == 0;
}

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The boot time (epoch seconds) from /proc/stat's btime; 0 when unknown. */
static double boot_time(void)
{
    static double btime; /* the UI thread alone calls this */
    if (btime > 0)
        return btime;
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return 0;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "btime ", 6) == 0) {
            btime = strtod(line + 6, NULL);
            break;
        }
    fclose(f);
    return btime;
}

static bool read_file(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t got = fread(buf, 1, n - 1, f);
    fclose(f);
    buf[got] = '\0';
    return got > 0;
}

bool proc_backend_read(int pid, double start_epoch, proc_sample *out)
{
    memset(out, 0, sizeof *out);
    if (pid <= 0 || isnan(start_epoch))
        return false;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (!read_file(path, buf, sizeof buf))
        return false;
    /* "pid (comm) state ppid ...": comm may hold spaces and ')' — the last ')' ends it */
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open)
        return false;
    if ((size_t)(close - open - 1) != strlen("postgres") || strncmp(open + 1, "postgres", 8) != 0)
        return false;
    /* the fields after comm, from field 3 (state): 14 utime, 15 stime, 22 starttime */
    unsigned long long utime = 0, stime = 0, starttime = 0;
    char *save = NULL;
    int field = 3;
    for (char *t = strtok_r(close + 1, " ", &save); t && field <= 22;
         t = strtok_r(NULL, " ", &save), field++) {
        if (field == 14)
            utime = strtoull(t, NULL, 10);
        else if (field == 15)
            stime = strtoull(t, NULL, 10);
        else if (field == 22)
            starttime = strtoull(t, NULL, 10);
    }
    if (field <= 22)
        return false;
    long tck = sysconf(_SC_CLK_TCK);
    double bt = boot_time();
    if (tck <= 0 || bt <= 0)
        return false;
    double started = bt + (double)starttime / (double)tck;
    if (fabs(started - start_epoch) > START_SLACK_S)
        return false;
    out->pid = pid;
    out->start_epoch = start_epoch;
    out->taken = monotonic_s();
    out->cpu_s = (double)(utime + stime) / (double)tck;
    snprintf(path, sizeof path, "/proc/%d/statm", pid);
    if (read_file(path, buf, sizeof buf)) {
        unsigned long size = 0, resident = 0;
        if (sscanf(buf, "%lu %lu", &size, &resident) == 2)
            out->rss_bytes = (double)resident * (double)sysconf(_SC_PAGESIZE);
    }
    snprintf(path, sizeof path, "/proc/%d/io", pid);
    if (read_file(path, buf, sizeof buf)) {
        char *r = strstr(buf, "\nread_bytes: "), *w = strstr(buf, "\nwrite_bytes: ");
        if (r && w) {
            out->read_bytes = strtod(r + 13, NULL);
            out->write_bytes = strtod(w + 14, NULL);
            out->io_ok = true;
        }
    }
    return true;
}

void proc_backend_rates(const proc_sample *prev, const proc_sample *cur, proc_rates *out)
{
    out->ok = true;
    out->rss_bytes = cur->rss_bytes;
    out->cpu_pct = out->read_s = out->write_s = NAN;
    double dt = prev ? cur->taken - prev->taken : 0;
    if (!prev || !(dt > 0))
        return;
    if (cur->cpu_s >= prev->cpu_s)
        out->cpu_pct = 100.0 * (cur->cpu_s - prev->cpu_s) / dt;
    if (cur->io_ok && prev->io_ok && cur->read_bytes >= prev->read_bytes &&
        cur->write_bytes >= prev->write_bytes) {
        out->read_s = (cur->read_bytes - prev->read_bytes) / dt;
        out->write_s = (cur->write_bytes - prev->write_bytes) / dt;
    }
}

const proc_sample *proc_sample_find(const proc_sample *s, size_t n, int pid, double start_epoch)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].pid == pid && s[i].start_epoch == start_epoch)
            return &s[i];
    return NULL;
}
