/* tests/integration/sandbox.c — the throwaway cluster every other test stands on:
 * it starts, serves pg_stat_statements, restarts, pauses, stops without a
 * trace, and its guardian cleans up after an owner killed with SIGKILL. */
#include "config.h"

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "sandbox/sandbox.h"
#include "tests/lib/tap.h"

#include <libpq-fe.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Each line of a multi-line message as its own TAP comment. */
static void diag_lines(const char *text)
{
    for (const char *p = text ? text : "(no error text)"; *p;) {
        int n = (int)strcspn(p, "\n");
        diag("%.*s", n, p);
        p += n + (p[n] == '\n');
    }
}

static char *query_one(const char *conninfo, const char *sql)
{
    PGconn *c = PQconnectdb(conninfo);
    char *value = NULL;
    if (PQstatus(c) != CONNECTION_OK) {
        diag("connect: %s", PQerrorMessage(c));
    } else {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
            value = xstrdup(PQgetvalue(r, 0, 0));
        else
            diag("%s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    }
    PQfinish(c);
    return value;
}

static bool dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static long postmaster_pid(const char *datadir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/postmaster.pid", datadir);
    FILE *f = fopen(path, "r");
    long pid = -1;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = -1;
        fclose(f);
    }
    return pid;
}

static bool pid_alive(long pid)
{
    if (pid <= 0)
        return false;
    if (kill((pid_t)pid, 0) < 0)
        return errno != ESRCH;
    /* A zombie we happen to parent does not count as running. */
    char path[64], state = 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
            state = 0;
        fclose(f);
    }
    return state != 'Z';
}

/* Counts live processes whose command line mentions the data directory. */
static int processes_using(const char *datadir)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == getpid())
            continue;
        char path[64], buf[8192];
        snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        for (size_t i = 0; i < n; i++)
            if (buf[i] == '\0')
                buf[i] = ' ';
        buf[n] = '\0';
        if (strstr(buf, datadir) && pid_alive(pid))
            count++;
    }
    closedir(d);
    return count;
}

static bool wait_until_gone(const char *datadir, long pid, int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        if (!dir_exists(datadir) && !pid_alive(pid) && processes_using(datadir) == 0)
            return true;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

/* The sandbox's progress lines reach the caller's callback, never stderr. */
static void collect_progress(void *ctx, const char *line)
{
    strbuf *lines = ctx;
    sb_append(lines, line);
    sb_append(lines, "\n");
}

static void test_lifecycle(void)
{
    strbuf progress;
    sb_init(&progress);
    sandbox_opts o;
    sandbox_opts_defaults(&o);
    ok(o.port == 0 && o.pg_stat_statements && !o.progress, "defaults: any port, pg_stat_statements, silent");
    o.progress = collect_progress;
    o.progress_ctx = &progress;
    o.extra_conf = "work_mem = '7MB'";
    char *err = NULL;
    sandbox *sb = sandbox_start(&o, &err);
    if (!ok(sb != NULL, "sandbox starts")) {
        diag_lines(err);
        free(err);
        return;
    }
    char *datadir = xstrdup(sandbox_datadir(sb));
    is_str(sandbox_host(sb), "127.0.0.1", "host is the loopback address");
    ok(sandbox_port(sb) > 0 && sandbox_port(sb) < 65536, "a real port (%d)", sandbox_port(sb));
    ok(strstr(progress.data, "initdb in ") && strstr(progress.data, "server on "),
       "progress lines reach the caller's callback");
    sb_free(&progress);
    is_str(sandbox_user(sb), "postgres", "superuser role postgres");
    is_str(sandbox_dbname(sb), "postgres", "database postgres");
    ok(sandbox_bindir(sb) && strcmp(sandbox_bindir(sb), sandbox_find_bindir()) == 0,
       "bindir is the one found (%s)", sandbox_bindir(sb));
    char expect[256];
    snprintf(expect, sizeof expect, "host=127.0.0.1 port=%d user=postgres dbname=postgres",
             sandbox_port(sb));
    is_str(sandbox_conninfo(sb), expect, "conninfo names host, port, user, dbname");

    char *v = query_one(sandbox_conninfo(sb), "select 1");
    is_str(v, "1", "select 1 over TCP");
    free(v);
    v = query_one(sandbox_conninfo(sb), "show shared_preload_libraries");
    is_str(v, "pg_stat_statements", "pg_stat_statements preloaded");
    free(v);
    v = query_one(sandbox_conninfo(sb),
                  "select count(*) > 0 from pg_stat_statements where query like 'show%'");
    is_str(v, "t", "pg_stat_statements extension created and recording");
    free(v);
    v = query_one(sandbox_conninfo(sb), "show max_prepared_transactions");
    is_str(v, "10", "two-phase commit enabled");
    v = (free(v), query_one(sandbox_conninfo(sb), "show work_mem"));
    is_str(v, "7MB", "extra_conf applied");
    free(v);
    v = query_one(sandbox_conninfo(sb), "show server_encoding");
    is_str(v, "UTF8", "UTF8 database");
    free(v);
    if (geteuid() == 0) {
        v = query_one(sandbox_conninfo(sb), "select pg_catalog.current_setting('data_directory')");
        struct stat st;
        ok(stat(datadir, &st) == 0 && st.st_uid != 0, "as root, the data dir is not root's");
        free(v);
    }

    /* Passwords: pw_users members must authenticate over TCP, others are trusted. */
    PGconn *c = PQconnectdb(sandbox_conninfo(sb));
    PGresult *r = PQexec(c, "create role pw_alice login password 'right' in role pw_users;"
                            "create role plain_bob login");
    ok(PQresultStatus(r) == PGRES_COMMAND_OK, "roles created");
    PQclear(r);
    PQfinish(c);
    char ci[512];
    snprintf(ci, sizeof ci, "%s user=pw_alice password=wrong", sandbox_conninfo(sb));
    /* conninfo keywords repeat: the last user= wins. */
    c = PQconnectdb(ci);
    ok(PQstatus(c) == CONNECTION_BAD && strstr(PQerrorMessage(c), "password authentication failed"),
       "pw_users member with a wrong password is refused");
    PQfinish(c);
    snprintf(ci, sizeof ci, "%s user=pw_alice password=right", sandbox_conninfo(sb));
    c = PQconnectdb(ci);
    ok(PQstatus(c) == CONNECTION_OK, "pw_users member with the right password gets in");
    PQfinish(c);
    snprintf(ci, sizeof ci, "%s user=plain_bob", sandbox_conninfo(sb));
    c = PQconnectdb(ci);
    ok(PQstatus(c) == CONNECTION_OK, "other roles are trusted");
    PQfinish(c);

    long pid1 = postmaster_pid(datadir);
    ok(pid_alive(pid1), "postmaster %ld runs", pid1);
    err = NULL;
    if (!ok(sandbox_restart(sb, &err), "restart"))
        diag_lines(err);
    free(err);
    long pid2 = postmaster_pid(datadir);
    ok(pid2 > 0 && pid2 != pid1 && !pid_alive(pid1), "restart brought a new postmaster");
    v = query_one(sandbox_conninfo(sb), "select count(*) from pg_stat_statements");
    ok(v != NULL, "pg_stat_statements usable after restart");
    free(v);

    err = NULL;
    ok(sandbox_pause(sb, &err), "pause");
    free(err);
    PGconn *down = PQconnectdb(sandbox_conninfo(sb));
    ok(PQstatus(down) == CONNECTION_BAD, "paused: connections refused");
    PQfinish(down);
    ok(dir_exists(datadir), "paused: data kept");
    err = NULL;
    ok(sandbox_resume(sb, &err), "resume");
    free(err);
    v = query_one(sandbox_conninfo(sb), "select rolname from pg_roles where rolname = 'pw_alice'");
    is_str(v, "pw_alice", "resumed with the same data");
    free(v);

    long pid3 = postmaster_pid(datadir);
    sandbox_stop(sb);
    ok(!dir_exists(datadir), "stop removes the directory");
    ok(!pid_alive(pid3), "stop ends the postmaster");
    is_int(processes_using(datadir), 0, "no process of that data dir remains");
    sandbox_stop(NULL);
    ok(1, "sandbox_stop(NULL) is harmless");
    free(datadir);
}

/* A child starts a sandbox, reports it, and is killed: the guardian cleans up. */
static void test_guardian(void)
{
    int fds[2];
    if (pipe(fds) < 0) {
        ok(0, "pipe");
        return;
    }
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        sandbox_opts o;
        sandbox_opts_defaults(&o);
        char *err = NULL;
        sandbox *sb = sandbox_start(&o, &err);
        char line[4096];
        int n = snprintf(line, sizeof line, "%s\n", sb ? sandbox_datadir(sb) : "");
        if (write(fds[1], line, (size_t)n) < 0)
            _exit(1);
        close(fds[1]);
        for (;;)
            pause();
    }
    close(fds[1]);
    char datadir[4096] = "";
    FILE *f = fdopen(fds[0], "r");
    if (!f || !fgets(datadir, sizeof datadir, f))
        datadir[0] = '\0';
    if (f)
        fclose(f);
    datadir[strcspn(datadir, "\n")] = '\0';
    if (!ok(datadir[0] != '\0', "child started a sandbox")) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        return;
    }
    long pid = postmaster_pid(datadir);
    ok(pid_alive(pid), "child's server runs");
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    ok(wait_until_gone(datadir, pid, 90),
       "after SIGKILL of the owner the guardian stops the server "
       "and removes %s",
       datadir);
}

static void test_fixed_port(void)
{
    sandbox_opts o;
    sandbox_opts_defaults(&o);
    o.pg_stat_statements = false;
    char *err = NULL;
    sandbox *a = sandbox_start(&o, &err);
    if (!ok(a != NULL, "a second sandbox without pg_stat_statements")) {
        diag_lines(err);
        free(err);
        return;
    }
    char *v = query_one(sandbox_conninfo(a), "show shared_preload_libraries");
    is_str(v, "", "nothing preloaded when not asked");
    free(v);
    /* Asking for a port in use: a clear error, nothing left behind. */
    o.port = sandbox_port(a);
    err = NULL;
    sandbox *b = sandbox_start(&o, &err);
    ok(b == NULL && err && strstr(err, "did not start"), "a taken fixed port is an error");
    diag_lines(err);
    free(err);
    sandbox_stop(b);
    sandbox_stop(a);
}

int main(void)
{
    plan_no_plan();
    if (!sandbox_find_bindir())
        skip_all("no PostgreSQL server programs");
    test_lifecycle();
    test_guardian();
    test_fixed_port();
    return done_testing();
}
