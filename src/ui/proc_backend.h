/* proc_backend.h — CPU, memory and I/O of a PostgreSQL backend read from
 * /proc (Linux, same host only, read-only), as pg_activity shows them.
 *
 * A pid is trusted only when /proc says it is a "postgres" process that
 * started when pg_stat_activity says the backend started (within two
 * seconds): a server on another host, in another pid namespace, or a pid
 * reused by something else is never read as the backend. */
#ifndef PGDECK_PROC_BACKEND_H
#define PGDECK_PROC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

typedef struct proc_sample {
    int pid;
    double start_epoch; /* the backend's start (pg_stat_activity), the key with pid */
    double taken;       /* CLOCK_MONOTONIC seconds */
    double cpu_s;       /* user + system CPU seconds so far */
    double rss_bytes;   /* resident memory (shared buffers it touched included) */
    bool io_ok;         /* /proc/PID/io was readable (same user or root) */
    double read_bytes, write_bytes;
} proc_sample;

typedef struct proc_rates {
    bool ok;                /* the backend was found in /proc */
    double cpu_pct;         /* of one CPU over the interval; NAN on the first sample */
    double rss_bytes;       /* now */
    double read_s, write_s; /* bytes per second; NAN without io or a first sample */
} proc_rates;

/* True when /proc exists (a Linux host). */
bool proc_available(void);
/* Reads pid's figures when it is the postgres process that started at
 * start_epoch. */
bool proc_backend_read(int pid, double start_epoch, proc_sample *out);
/* Rates of cur against prev (NULL: the first sample). */
void proc_backend_rates(const proc_sample *prev, const proc_sample *cur, proc_rates *out);
/* The sample in s[0..n) for the same backend (pid and start), or NULL. */
const proc_sample *proc_sample_find(const proc_sample *s, size_t n, int pid, double start_epoch);

#endif
