/* testcluster.c — the sandbox for shell tests (tests/lib/cluster.sh).
 *
 *   testcluster start [--watch PID] [--timeout SECONDS] [--no-pg-stat-statements]
 *       Starts a sandbox held by a background daemon, prints shell
 *       assignments (PGHOST PGPORT PGUSER PGDATABASE PGDECK_TEST_DATADIR
 *       PGDECK_TEST_BINDIR PGDECK_TEST_PID) and returns. The daemon stops the
 *       cluster when told to, on SIGTERM/SIGINT/SIGHUP, when PID (default:
 *       our parent) is gone, or after SECONDS (default 3600: a forgotten
 *       cluster does not live for ever); if the daemon itself is killed, the
 *       sandbox's guardian removes the cluster. Exit 77 when PostgreSQL is
 *       missing.
 *   testcluster stop|restart|pause|resume DIR
 *       Asks the daemon holding data directory DIR; returns when it is done.
 *
 * The daemon listens on DIR/testcluster.sock: one line in ("stop"), one
 * line out ("ok" or "error: ..."). The start command forks the daemon and
 * waits on a pipe for its assignments, so `eval "$(testcluster start)"`
 * returns as soon as the cluster is up. */
#include "config.h"

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SOCKET_NAME "testcluster.sock"
#define EXIT_SKIP 77

__attribute__((noreturn)) static void usage(void)
{
    fputs("usage: testcluster start [--watch PID] [--timeout SECONDS] "
          "[--no-pg-stat-statements]\n"
          "       testcluster stop|restart|pause|resume DATADIR\n",
          stderr);
    exit(2);
}

static bool socket_path(struct sockaddr_un *a, const char *dir)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    return snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, SOCKET_NAME) <
           (int)sizeof a->sun_path;
}

/* A value in single quotes for `eval`. */
static void shell_quote(strbuf *b, const char *s)
{
    sb_append_c(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_append(b, "'\\''");
        else
            sb_append_c(b, *s);
    }
    sb_append_c(b, '\'');
}

static void write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

static bool watched_alive(pid_t pid)
{
    return pid <= 1 || kill(pid, 0) == 0 || errno != ESRCH;
}

static void serve(sandbox *sb, int listener, int sigfd, pid_t watch, long timeout)
{
    time_t end = time(NULL) + timeout;
    for (;;) {
        struct pollfd p[2] = {{.fd = listener, .events = POLLIN}, {.fd = sigfd, .events = POLLIN}};
        int r = poll(p, 2, 1000);
        if (r < 0 && errno != EINTR)
            break;
        if (p[1].revents & POLLIN)
            break; /* SIGTERM, SIGINT or SIGHUP */
        if (!watched_alive(watch) || time(NULL) >= end)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        int c = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        char line[64] = "";
        ssize_t n = read(c, line, sizeof line - 1);
        line[n > 0 ? n : 0] = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        char *err = NULL;
        bool ok;
        bool stop = false;
        if (strcmp(line, "stop") == 0) {
            sandbox_stop(sb);
            sb = NULL;
            ok = stop = true;
        } else if (strcmp(line, "restart") == 0) {
            ok = sandbox_restart(sb, &err);
        } else if (strcmp(line, "pause") == 0) {
            ok = sandbox_pause(sb, &err);
        } else if (strcmp(line, "resume") == 0) {
            ok = sandbox_resume(sb, &err);
        } else {
            ok = false;
            err = xasprintf("unknown command '%s'", line);
        }
        strbuf reply;
        sb_init(&reply);
        if (ok)
            sb_append(&reply, "ok\n");
        else
            sb_printf(&reply, "error: %s\n", err ? err : "failed");
        write_all(c, reply.data, reply.len);
        sb_free(&reply);
        free(err);
        close(c);
        if (stop)
            return;
    }
    sandbox_stop(sb);
}

/* The daemon: owns the sandbox; reports through `report` then detaches. */
static void daemon_main(int report, pid_t watch, long timeout, bool pgss)
{
    /* Keep no descriptor of the caller's (a test driver's pipe, make's
     * jobserver): whoever waits for their EOF must not wait for us. */
    if (report != 3) {
        if (dup2(report, 3) < 0)
            _exit(1);
        report = 3;
    }
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 4U, ~0U, 0) < 0)
#endif
        for (int fd = 4; fd < max; fd++)
            close(fd);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    signal(SIGPIPE, SIG_IGN);

    sandbox_opts o;
    sandbox_opts_defaults(&o);
    o.pg_stat_statements = pgss;
    char *err = NULL;
    sandbox *sb = sigfd >= 0 ? sandbox_start(&o, &err) : NULL;
    strbuf out;
    sb_init(&out);
    int listener = -1;
    if (sb) {
        struct sockaddr_un a;
        listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listener < 0 || !socket_path(&a, sandbox_datadir(sb)) ||
            bind(listener, (struct sockaddr *)&a, sizeof a) < 0 || listen(listener, 4) < 0) {
            err = xasprintf("control socket in %s: %s", sandbox_datadir(sb), strerror(errno));
            sandbox_stop(sb);
            sb = NULL;
        }
    }
    if (!sb) {
        sb_printf(&out, "error: %s\n", err ? err : "cannot start");
        write_all(report, out.data, out.len);
        _exit(1);
    }
    sb_printf(&out,
              "PGHOST=%s PGPORT=%d PGUSER=%s PGDATABASE=%s PGDECK_TEST_DATADIR=", sandbox_host(sb),
              sandbox_port(sb), sandbox_user(sb), sandbox_dbname(sb));
    shell_quote(&out, sandbox_datadir(sb));
    sb_append(&out, " PGDECK_TEST_BINDIR=");
    shell_quote(&out, sandbox_bindir(sb));
    sb_printf(&out, " PGDECK_TEST_PID=%ld\n", (long)getpid());
    write_all(report, out.data, out.len);
    sb_free(&out);
    close(report);
    /* Hold no terminal or pipe of the caller: `$(...)` waits for EOF. */
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        if (devnull > STDERR_FILENO)
            close(devnull);
    }
    serve(sb, listener, sigfd, watch, timeout);
    close(listener);
    close(sigfd);
    exit(0);
}

static int cmd_start(int argc, char **argv)
{
    pid_t watch = getppid();
    bool pgss = true;
    long timeout = 3600;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--watch") == 0 && i + 1 < argc)
            watch = (pid_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc && atol(argv[i + 1]) > 0)
            timeout = atol(argv[++i]);
        else if (strcmp(argv[i], "--no-pg-stat-statements") == 0)
            pgss = false;
        else
            usage();
    }
    if (!sandbox_find_bindir()) {
        fputs("testcluster: no PostgreSQL server programs (initdb, pg_ctl, postgres)\n", stderr);
        return EXIT_SKIP;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        perror("testcluster: pipe");
        return 1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("testcluster: fork");
        return 1;
    }
    if (pid == 0) {
        close(fds[0]);
        daemon_main(fds[1], watch, timeout, pgss);
    }
    close(fds[1]);
    strbuf in;
    sb_init(&in);
    char chunk[1024];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        sb_append_n(&in, chunk, (size_t)n);
    }
    close(fds[0]);
    int rc = 0;
    if (strncmp(in.data, "PGHOST=", 7) == 0) {
        fputs(in.data, stdout);
    } else {
        fprintf(stderr, "testcluster: %s", in.len ? in.data : "the daemon died\n");
        rc = 1;
    }
    sb_free(&in);
    return rc;
}

static int cmd_control(const char *command, const char *dir)
{
    struct sockaddr_un a;
    if (!socket_path(&a, dir)) {
        fprintf(stderr, "testcluster: path too long: %s\n", dir);
        return 1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        struct stat st;
        if (strcmp(command, "stop") == 0 && stat(dir, &st) < 0)
            return 0; /* already gone */
        fprintf(stderr, "testcluster: no cluster daemon for %s: %s\n", dir, strerror(e));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    char line[32];
    int len = snprintf(line, sizeof line, "%s\n", command);
    write_all(fd, line, (size_t)len);
    strbuf in;
    sb_init(&in);
    char chunk[1024];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        sb_append_n(&in, chunk, (size_t)n);
    }
    close(fd);
    int rc = strcmp(in.data, "ok\n") == 0 ? 0 : 1;
    if (rc)
        fprintf(stderr, "testcluster %s: %s", command, in.len ? in.data : "no answer\n");
    sb_free(&in);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    if (strcmp(argv[1], "start") == 0)
        return cmd_start(argc, argv);
    if (argc == 3 && (strcmp(argv[1], "stop") == 0 || strcmp(argv[1], "restart") == 0 ||
                      strcmp(argv[1], "pause") == 0 || strcmp(argv[1], "resume") == 0))
        return cmd_control(argv[1], argv[2]);
    usage();
}
