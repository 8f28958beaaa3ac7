/* sandbox.c — a throwaway PostgreSQL cluster for `pgdeck demo` and the tests.
 *
 * One temporary directory holds everything: the data directory itself (initdb
 * accepts an empty directory), the server log (server.log) and the unix
 * socket. Server programs run through fork + execve with argv arrays (never a
 * shell), in their own session, with every inherited descriptor closed; as
 * root they run as `postgres` (or `nobody`).
 *
 * A guardian process, forked before initdb, holds the read end of a pipe
 * whose write end only the owner has (close-on-exec). When the owner dies
 * without sandbox_stop, the guardian reads EOF, stops the server immediately
 * and removes the directory. sandbox_stop tells it to exit with one byte. */
#include "config.h"

#include "sandbox/sandbox.h"

#include "common/clock.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <libpq-fe.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <locale.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SANDBOX_USER "postgres"
#define SANDBOX_DB "postgres"
#define SANDBOX_HOST "127.0.0.1"
#define PG_CTL_WAIT_SECONDS "60"
/* Our own deadline for any server program (initdb on a slow disk included). */
#define CMD_DEADLINE_SECONDS 180
#define PORT_ATTEMPTS 8

/* Who server programs run as: ourselves, or an unprivileged user when root. */
typedef struct runas {
    bool drop;
    uid_t uid;
    gid_t gid;
    gid_t *groups;
    int ngroups;
} runas;

struct sandbox {
    char *bindir;
    char *datadir;
    char *logfile;
    char *conninfo;
    int port;
    int pg_major;
    void (*progress)(void *ctx, const char *line);
    void *progress_ctx;
    bool running;
    runas as;
    char **envp;    /* environment for server programs (no PG*, LC_ALL=C) */
    pid_t guardian; /* 0 when none */
    int guard_fd;   /* write end of the guardian's pipe; -1 when none */
};

/* ---- small helpers ------------------------------------------------------- */

static void set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(char **err, const char *fmt, ...)
{
    if (!err)
        return;
    strbuf sb;
    sb_init(&sb);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    free(*err);
    *err = sb_steal(&sb);
}

static void progress(const sandbox *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(const sandbox *sb, const char *fmt, ...)
{
    if (!sb->progress)
        return;
    strbuf line;
    sb_init(&line);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&line, fmt, ap);
    va_end(ap);
    sb->progress(sb->progress_ctx, line.data);
    sb_free(&line);
}

static bool is_executable(const char *dir, const char *prog)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, prog) >= (int)sizeof path)
        return false;
    return access(path, X_OK) == 0;
}

static bool has_server_programs(const char *dir)
{
    return is_executable(dir, "initdb") && is_executable(dir, "pg_ctl") &&
           is_executable(dir, "postgres");
}

/* Closes every descriptor from `from` up; close_range when the kernel has it. */
static void close_from(int from)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = from; fd < max; fd++)
        close(fd);
}

/* An argv of owned copies: execve wants char *const[], literals are const. */
typedef struct argvec {
    char *v[24];
    int n;
} argvec;

static void av_push(argvec *av, const char *s)
{
    if (av->n < (int)(sizeof av->v / sizeof av->v[0]) - 1) {
        av->v[av->n++] = xstrdup(s);
        av->v[av->n] = NULL;
    }
}

static void av_free(argvec *av)
{
    for (int i = 0; i < av->n; i++)
        free(av->v[i]);
    av->n = 0;
}

/* ---- finding the server ---------------------------------------------------- */

static char *pg_config_bindir(void)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return NULL;
    argvec av = {.n = 0};
    av_push(&av, "pg_config");
    av_push(&av, "--bindir");
    pid_t pid = fork();
    if (pid < 0) {
        av_free(&av);
        close(fds[0]);
        close(fds[1]);
        return NULL;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        dup2(fds[1], STDOUT_FILENO);
        close_from(3);
        execvp(av.v[0], av.v);
        _exit(127);
    }
    av_free(&av);
    close(fds[1]);
    char buf[PATH_MAX];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fds[0], buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf - 1)
            break;
    }
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    buf[len] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] ? xstrdup(buf) : NULL;
}

static char *highest_debian_bindir(void)
{
    DIR *d = opendir("/usr/lib/postgresql");
    if (!d)
        return NULL;
    long best = -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long v = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || v <= best)
            continue;
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "/usr/lib/postgresql/%ld/bin", v);
        if (has_server_programs(dir))
            best = v;
    }
    closedir(d);
    if (best < 0)
        return NULL;
    return xasprintf("/usr/lib/postgresql/%ld/bin", best);
}

static char found_bindir[PATH_MAX];
static pthread_once_t bindir_once = PTHREAD_ONCE_INIT;

static void search_bindir(void)
{
    /* PGDECK_PG_BINDIR names another server build (the tests run every
     * supported major this way); taken as given, so that a wrong directory
     * fails with a clear error in sandbox_start instead of a silent fallback. */
    const char *override = getenv("PGDECK_PG_BINDIR");
    if (override && override[0]) {
        if (strlen(override) < sizeof found_bindir)
            strcpy(found_bindir, override);
        return;
    }
    char *dir = pg_config_bindir();
    if (!dir || !has_server_programs(dir)) {
        free(dir);
        dir = highest_debian_bindir();
    }
    if (dir && strlen(dir) < sizeof found_bindir)
        strcpy(found_bindir, dir);
    free(dir);
}

const char *sandbox_find_bindir(void)
{
    pthread_once(&bindir_once, search_bindir);
    return found_bindir[0] ? found_bindir : NULL;
}

/* ---- running server programs ---------------------------------------------- */

static bool runas_init(runas *as, char **err)
{
    memset(as, 0, sizeof *as);
    if (geteuid() != 0)
        return true;
    struct passwd *pw = getpwnam("postgres");
    if (!pw)
        pw = getpwnam("nobody");
    if (!pw) {
        set_err(err, "running as root, but neither user postgres nor nobody exists "
                     "(the server refuses to run as root)");
        return false;
    }
    as->drop = true;
    as->uid = pw->pw_uid;
    as->gid = pw->pw_gid;
    int n = 16;
    as->groups = xmalloc(sizeof(gid_t) * (size_t)n);
    if (getgrouplist(pw->pw_name, pw->pw_gid, as->groups, &n) < 0) {
        as->groups = xrealloc(as->groups, sizeof(gid_t) * (size_t)n);
        if (getgrouplist(pw->pw_name, pw->pw_gid, as->groups, &n) < 0)
            n = 0;
    }
    as->ngroups = n;
    return true;
}

/* In a forked child: become the unprivileged user. Async-signal-safe only. */
static void runas_apply(const runas *as)
{
    if (!as->drop)
        return;
    if (setgroups((size_t)as->ngroups, as->groups) < 0 || setgid(as->gid) < 0 ||
        setuid(as->uid) < 0)
        _exit(126);
}

/* The environment for server programs: ours without PG* and locale variables
 * (so messages are English and nothing overrides the sandbox's settings). */
static char **server_env(void)
{
    size_t n = 0;
    for (char **e = environ; *e; e++)
        n++;
    char **envp = xcalloc(n + 2, sizeof *envp);
    size_t k = 0;
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "PG", 2) == 0 || strncmp(*e, "LC_", 3) == 0 ||
            strncmp(*e, "LANG=", 5) == 0 || strncmp(*e, "LANGUAGE=", 9) == 0)
            continue;
        envp[k++] = xstrdup(*e);
    }
    envp[k++] = xstrdup("LC_ALL=C");
    envp[k] = NULL;
    return envp;
}

static void free_env(char **envp)
{
    if (!envp)
        return;
    for (char **e = envp; *e; e++)
        free(*e);
    free(envp);
}

/* In a forked child before exec: the signal state a fresh program expects
 * (ignored dispositions and the blocked mask survive exec). */
static void reset_signals(void)
{
    static const int sigs[] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
                               SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Runs bindir/argv[0] with argv; its stdout+stderr are collected into *out
 * (when out is not NULL). Returns true when it exited with status 0. */
static bool run_program(const sandbox *sb, char *const argv[], char **out)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", sb->bindir, argv[0]);
    /* argv[0] is the full path: initdb and pg_ctl find postgres next to
     * argv[0], through PATH when it has no slash (another version's). */
    char *args[sizeof((argvec *)0)->v / sizeof(char *)];
    size_t nargs = 0;
    args[nargs++] = path;
    while (nargs < sizeof args / sizeof args[0] - 1 && argv[nargs]) {
        args[nargs] = argv[nargs];
        nargs++;
    }
    args[nargs] = NULL;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        if (out)
            *out = xasprintf("pipe: %s", strerror(errno));
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        if (out)
            *out = xasprintf("fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        /* Own session: a Ctrl-C meant for the owner must not reach the server. */
        setsid();
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close_from(3);
        reset_signals();
        runas_apply(&sb->as);
        if (chdir("/") < 0)
            _exit(126);
        execve(path, args, sb->envp);
        _exit(127);
    }
    close(fds[1]);
    strbuf buf;
    sb_init(&buf);
    double deadline = clock_mono_s() + CMD_DEADLINE_SECONDS;
    bool timed_out = false;
    for (;;) {
        int left = (int)((deadline - clock_mono_s()) * 1000);
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            timed_out = r == 0;
            break;
        }
        char chunk[4096];
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        sb_append_n(&buf, chunk, (size_t)n);
    }
    close(fds[0]);
    if (timed_out) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        sb_printf(&buf, "%s did not finish within %d s\n", argv[0], CMD_DEADLINE_SECONDS);
    }
    int status = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    bool ok = !timed_out && w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 126)
        sb_printf(&buf, "%s: cannot switch to the unprivileged user\n", argv[0]);
    else if (w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 127)
        sb_printf(&buf, "%s: cannot execute %s\n", argv[0], path);
    if (out)
        *out = sb_steal(&buf);
    sb_free(&buf);
    return ok;
}

static bool pg_ctl(const sandbox *sb, const char *action, const char *mode, char **out)
{
    argvec av = {.n = 0};
    av_push(&av, "pg_ctl");
    av_push(&av, action);
    av_push(&av, "-D");
    av_push(&av, sb->datadir);
    av_push(&av, "-w");
    av_push(&av, "-t");
    av_push(&av, PG_CTL_WAIT_SECONDS);
    av_push(&av, "-s");
    if (strcmp(action, "stop") != 0) {
        av_push(&av, "-l");
        av_push(&av, sb->logfile);
    }
    if (mode) {
        av_push(&av, "-m");
        av_push(&av, mode);
    }
    bool ok = run_program(sb, av.v, out);
    av_free(&av);
    return ok;
}

/* The last lines of the server log, for error messages. */
static char *log_tail(const sandbox *sb, size_t max_bytes)
{
    FILE *f = fopen(sb->logfile, "r");
    if (!f)
        return xstrdup("(no server log)");
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size > (long)max_bytes)
            fseek(f, size - (long)max_bytes, SEEK_SET);
        else
            fseek(f, 0, SEEK_SET);
    }
    strbuf buf;
    sb_init(&buf);
    char chunk[1024];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_append_n(&buf, chunk, n);
    fclose(f);
    while (buf.len > 0 && (buf.data[buf.len - 1] == '\n' || buf.data[buf.len - 1] == ' '))
        buf.data[--buf.len] = '\0';
    return sb_steal(&buf);
}

/* ---- the directory ----------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Every component of dir must be searchable by others for a dropped user. */
static bool world_searchable(const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return false;
    for (;;) {
        struct stat st;
        if (stat(path, &st) < 0 || !(st.st_mode & S_IXOTH))
            return false;
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            return true;
        *slash = '\0';
    }
}

static char *make_tempdir(const runas *as, char **err)
{
    const char *base = getenv("TMPDIR");
    /* The unix socket path must stay short (108 bytes) and, as root, the
     * unprivileged server user must be able to reach the directory. */
    if (!base || !*base || base[0] != '/' || strlen(base) > 60 ||
        (as->drop && !world_searchable(base)))
        base = "/tmp";
    char *dir = xasprintf("%s/pgdeck-sandbox-XXXXXX", base);
    if (!mkdtemp(dir)) {
        set_err(err, "cannot create a temporary directory in %s: %s", base, strerror(errno));
        free(dir);
        return NULL;
    }
    if (as->drop && chown(dir, as->uid, as->gid) < 0) {
        set_err(err, "cannot give %s to the server user: %s", dir, strerror(errno));
        rmdir(dir);
        free(dir);
        return NULL;
    }
    return dir;
}

/* Writes a file in the data directory, owned by the server user. */
static bool write_file(const sandbox *sb, const char *name, const char *text, bool append,
                       char **err)
{
    char *path = xasprintf("%s/%s", sb->datadir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0600);
    bool ok = fd >= 0;
    if (ok) {
        size_t len = strlen(text), off = 0;
        while (ok && off < len) {
            ssize_t n = write(fd, text + off, len - off);
            if (n < 0 && errno == EINTR)
                continue;
            ok = n > 0;
            if (ok)
                off += (size_t)n;
        }
        if (sb->as.drop && fchown(fd, sb->as.uid, sb->as.gid) < 0)
            ok = false;
        if (close(fd) < 0)
            ok = false;
    }
    if (!ok)
        set_err(err, "cannot write %s: %s", path, strerror(errno));
    free(path);
    return ok;
}

/* ---- the guardian ------------------------------------------------------------- */

static void guardian_main(sandbox *sb, int rfd)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    setsid();
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
    }
    if (rfd != 3) {
        dup2(rfd, 3);
        rfd = 3;
    }
    close_from(4);
    char c = 0;
    ssize_t n;
    while ((n = read(rfd, &c, 1)) < 0 && errno == EINTR) {
    }
    if (n == 1 && c == 'q')
        _exit(0); /* the owner cleaned up itself */
    /* The owner is gone: stop the server if it runs, remove everything. */
    char *pidfile = xasprintf("%s/postmaster.pid", sb->datadir);
    if (access(pidfile, F_OK) == 0) {
        sb->progress = NULL;
        pg_ctl(sb, "stop", "immediate", NULL);
    }
    free(pidfile);
    remove_tree(sb->datadir);
    _exit(0);
}

static bool start_guardian(sandbox *sb, char **err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        set_err(err, "pipe: %s", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        set_err(err, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        close(fds[1]);
        guardian_main(sb, fds[0]);
    }
    close(fds[0]);
    sb->guardian = pid;
    sb->guard_fd = fds[1];
    return true;
}

static void stop_guardian(sandbox *sb)
{
    if (sb->guard_fd >= 0) {
        ssize_t n;
        while ((n = write(sb->guard_fd, "q", 1)) < 0 && errno == EINTR) {
        }
        close(sb->guard_fd);
        sb->guard_fd = -1;
    }
    if (sb->guardian > 0) {
        while (waitpid(sb->guardian, NULL, 0) < 0 && errno == EINTR) {
        }
        sb->guardian = 0;
    }
}

/* ---- configuration ------------------------------------------------------------ */

static void conf_quoted(strbuf *b, const char *key, const char *value)
{
    sb_printf(b, "%s = '", key);
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\')
            sb_append_c(b, *p);
        sb_append_c(b, *p);
    }
    sb_append(b, "'\n");
}

/* pgdeck_sandbox.conf is included from postgresql.conf; rewritten on a port change. */
static bool write_settings(const sandbox *sb, const sandbox_opts *o, char **err)
{
    strbuf b;
    sb_init(&b);
    sb_append(&b, "# written by pgdeck's sandbox; rewritten when the port changes\n");
    conf_quoted(&b, "listen_addresses", SANDBOX_HOST);
    sb_printf(&b, "port = %d\n", sb->port);
    conf_quoted(&b, "unix_socket_directories", sb->datadir);
    sb_append(&b, "max_connections = 100\n"
                  "max_prepared_transactions = 10\n"
                  "shared_buffers = 32MB\n"
                  "fsync = off\n"
                  "synchronous_commit = off\n"
                  "full_page_writes = off\n"
                  "password_encryption = 'scram-sha-256'\n"
                  "logging_collector = off\n"
                  "log_min_messages = warning\n"
                  "log_line_prefix = '%m [%p] %q%u@%d '\n");
    if (o->pg_stat_statements)
        sb_append(&b, "shared_preload_libraries = 'pg_stat_statements'\n"
                      "pg_stat_statements.track = all\n");
    if (o->extra_conf)
        sb_printf(&b, "%s\n", o->extra_conf);
    bool ok = write_file(sb, "pgdeck_sandbox.conf", b.data, false, err);
    sb_free(&b);
    return ok;
}

static bool write_hba(const sandbox *sb, char **err)
{
    strbuf b;
    sb_init(&b);
    sb_append(&b, "# pgdeck sandbox: trust, except roles that test passwords\n"
                  "local all all trust\n"
                  "host all +pw_users 127.0.0.1/32 scram-sha-256\n");
    if (sb->pg_major >= 16)
        sb_append(&b, "host all /^pw_ 127.0.0.1/32 scram-sha-256\n");
    sb_append(&b, "host all all 127.0.0.1/32 trust\n");
    bool ok = write_file(sb, "pg_hba.conf", b.data, false, err);
    sb_free(&b);
    return ok;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static int read_pg_major(const sandbox *sb)
{
    char *path = xasprintf("%s/PG_VERSION", sb->datadir);
    FILE *f = fopen(path, "r");
    free(path);
    int v = 0;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v;
}

static bool locale_available(const char *name)
{
    locale_t l = newlocale(LC_ALL_MASK, name, (locale_t)0);
    if (!l)
        return false;
    freelocale(l);
    return true;
}

/* Inside the new cluster: the extension and the role group whose members must
 * give a password over TCP (PostgreSQL < 16 has no regular expressions in
 * pg_hba.conf, so `pw_*` roles join pw_users: CREATE ROLE pw_x ... IN ROLE pw_users). */
static bool prepare_database(const sandbox *sb, const sandbox_opts *o, char **err)
{
    PGconn *conn = PQconnectdb(sb->conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        set_err(err, "cannot connect to the sandbox: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return false;
    }
    strbuf sql;
    sb_init(&sql);
    /* Setup statements stay out of the statistics the tests look at. */
    sb_append(&sql, "SET client_min_messages = warning;");
    if (o->pg_stat_statements)
        sb_append(&sql, "SET pg_stat_statements.track = none;");
    sb_append(&sql, "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pw_users') "
                    "THEN CREATE ROLE pw_users NOLOGIN; END IF; END$$;");
    if (o->pg_stat_statements)
        sb_append(&sql, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;");
    /* the index advisor's hypothetical indexes, when the server has hypopg */
    sb_append(&sql, "DO $$BEGIN IF EXISTS (SELECT FROM pg_available_extensions"
                    " WHERE name = 'hypopg') THEN CREATE EXTENSION IF NOT EXISTS hypopg;"
                    " END IF; END$$;");
    PGresult *res = PQexec(conn, sql.data);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        set_err(err, "preparing the sandbox: %s", PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(conn);
    sb_free(&sql);
    return ok;
}

/* ---- lifecycle ------------------------------------------------------------------- */

void sandbox_opts_defaults(sandbox_opts *o)
{
    memset(o, 0, sizeof *o);
    o->port = 0;
    o->pg_stat_statements = true;
    o->extra_conf = NULL;
    o->progress = NULL;
    o->progress_ctx = NULL;
}

static void sandbox_free(sandbox *sb)
{
    free(sb->bindir);
    free(sb->datadir);
    free(sb->logfile);
    free(sb->conninfo);
    free(sb->as.groups);
    free_env(sb->envp);
    free(sb);
}

static void set_port(sandbox *sb, int port)
{
    sb->port = port;
    free(sb->conninfo);
    sb->conninfo = xasprintf("host=%s port=%d user=%s dbname=%s", SANDBOX_HOST, port, SANDBOX_USER,
                             SANDBOX_DB);
}

static bool log_says_port_taken(const sandbox *sb)
{
    char *tail = log_tail(sb, 4096);
    bool taken = strstr(tail, "Address already in use") != NULL ||
                 strstr(tail, "could not bind") != NULL ||
                 strstr(tail, "could not create any TCP/IP sockets") != NULL;
    free(tail);
    return taken;
}

/* The major version of the bin directory's initdb ("initdb (PostgreSQL) 13.23"); 0 if unknown. */
static int initdb_major(const sandbox *sb)
{
    argvec av = {.n = 0};
    av_push(&av, "initdb");
    av_push(&av, "--version");
    char *out = NULL;
    int major = 0;
    if (run_program(sb, av.v, &out) && out) {
        const char *p = strstr(out, ") ");
        if (p)
            major = atoi(p + 2);
    }
    free(out);
    av_free(&av);
    return major;
}

static bool initdb(sandbox *sb, char **err)
{
    const char *locale = locale_available("C.UTF-8") ? "C.UTF-8" : "C";
    argvec av = {.n = 0};
    const char *args[] = {"initdb", "-D", sb->datadir, "-U",       SANDBOX_USER, "-A",
                          "trust",  "-E", "UTF8",      "--locale", locale,       "--no-sync"};
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        av_push(&av, args[i]);
    /* --no-instructions is new in PostgreSQL 14 (13's initdb refuses it). */
    if (initdb_major(sb) >= 14)
        av_push(&av, "--no-instructions");
    char *out = NULL;
    bool ok = run_program(sb, av.v, &out);
    av_free(&av);
    if (!ok)
        set_err(err, "initdb failed in %s:\n%s", sb->datadir, out ? out : "");
    free(out);
    return ok;
}

static bool start_server(sandbox *sb, const sandbox_opts *o, char **err)
{
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        if (attempt > 0 || o->port == 0) {
            int port = o->port ? o->port : free_port();
            if (port <= 0) {
                set_err(err, "cannot find a free TCP port: %s", strerror(errno));
                return false;
            }
            set_port(sb, port);
            if (!write_settings(sb, o, err))
                return false;
        }
        char *out = NULL;
        bool ok = pg_ctl(sb, "start", NULL, &out);
        if (ok) {
            free(out);
            sb->running = true;
            return true;
        }
        bool retry = o->port == 0 && log_says_port_taken(sb);
        if (!retry) {
            char *tail = log_tail(sb, 2048);
            set_err(err, "the sandbox server did not start on port %d; server log %s:\n%s",
                    sb->port, sb->logfile, tail);
            free(tail);
            free(out);
            /* pg_ctl may give up while the postmaster still comes up. */
            pg_ctl(sb, "stop", "immediate", NULL);
            return false;
        }
        free(out);
        /* Someone took the port between our probe and the server's bind. */
        if (truncate(sb->logfile, 0) < 0) {
            /* a stale bind error would only cost one more attempt */
        }
    }
    set_err(err, "the sandbox server found no free port after %d attempts", PORT_ATTEMPTS);
    return false;
}

sandbox *sandbox_start(const sandbox_opts *opts, char **err)
{
    sandbox_opts defaults;
    if (!opts) {
        sandbox_opts_defaults(&defaults);
        opts = &defaults;
    }
    const char *bindir = sandbox_find_bindir();
    if (!bindir) {
        set_err(err, "PostgreSQL server programs (initdb, pg_ctl, postgres) not found: "
                     "pg_config --bindir has none and /usr/lib/postgresql/*/bin is missing; "
                     "install the Debian package postgresql");
        return NULL;
    }
    if (!has_server_programs(bindir)) {
        set_err(err,
                "PGDECK_PG_BINDIR=%s has no PostgreSQL server programs (initdb, pg_ctl, "
                "postgres)",
                bindir);
        return NULL;
    }
    sandbox *sb = xcalloc(1, sizeof *sb);
    sb->guard_fd = -1;
    sb->progress = opts->progress;
    sb->progress_ctx = opts->progress_ctx;
    sb->bindir = xstrdup(bindir);
    if (!runas_init(&sb->as, err)) {
        sandbox_free(sb);
        return NULL;
    }
    sb->envp = server_env();
    sb->datadir = make_tempdir(&sb->as, err);
    if (!sb->datadir) {
        sandbox_free(sb);
        return NULL;
    }
    sb->logfile = xasprintf("%s/server.log", sb->datadir);
    set_port(sb, opts->port);
    if (!start_guardian(sb, err)) {
        remove_tree(sb->datadir);
        sandbox_free(sb);
        return NULL;
    }
    progress(sb, "initdb in %s (%s)", sb->datadir, sb->bindir);
    if (!initdb(sb, err))
        goto fail;
    sb->pg_major = read_pg_major(sb);
    if (!write_file(sb, "postgresql.conf", "\ninclude 'pgdeck_sandbox.conf'\n", true, err) ||
        !write_hba(sb, err))
        goto fail;
    if (opts->port != 0 && !write_settings(sb, opts, err))
        goto fail;
    if (!start_server(sb, opts, err))
        goto fail;
    if (!prepare_database(sb, opts, err))
        goto fail;
    progress(sb, "server on %s:%d", SANDBOX_HOST, sb->port);
    return sb;
fail:
    sandbox_stop(sb);
    return NULL;
}

void sandbox_stop(sandbox *sb)
{
    if (!sb)
        return;
    if (sb->running) {
        char *out = NULL;
        if (!pg_ctl(sb, "stop", "fast", &out)) {
            free(out);
            out = NULL;
            pg_ctl(sb, "stop", "immediate", &out);
        }
        free(out);
        sb->running = false;
    }
    remove_tree(sb->datadir);
    stop_guardian(sb);
    sandbox_free(sb);
}

/* ---- accessors and outage controls ------------------------------------------------ */

const char *sandbox_host(const sandbox *sb)
{
    (void)sb;
    return SANDBOX_HOST;
}

int sandbox_port(const sandbox *sb)
{
    return sb->port;
}

const char *sandbox_user(const sandbox *sb)
{
    (void)sb;
    return SANDBOX_USER;
}

const char *sandbox_dbname(const sandbox *sb)
{
    (void)sb;
    return SANDBOX_DB;
}

const char *sandbox_datadir(const sandbox *sb)
{
    return sb->datadir;
}

const char *sandbox_bindir(const sandbox *sb)
{
    return sb->bindir;
}

const char *sandbox_conninfo(const sandbox *sb)
{
    return sb->conninfo;
}

static bool control(sandbox *sb, const char *action, const char *mode, char **err)
{
    char *out = NULL;
    bool ok = pg_ctl(sb, action, mode, &out);
    if (!ok) {
        char *tail = log_tail(sb, 2048);
        size_t len = out ? strlen(out) : 0;
        while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
            out[--len] = '\0';
        set_err(err, "pg_ctl %s failed: %s; server log %s:\n%s", action, len ? out : "(no output)",
                sb->logfile, tail);
        free(tail);
    }
    free(out);
    return ok;
}

bool sandbox_restart(sandbox *sb, char **err)
{
    bool ok = control(sb, sb->running ? "restart" : "start", sb->running ? "fast" : NULL, err);
    sb->running = ok;
    return ok;
}

bool sandbox_pause(sandbox *sb, char **err)
{
    if (!sb->running)
        return true;
    bool ok = control(sb, "stop", "fast", err);
    if (ok)
        sb->running = false;
    return ok;
}

bool sandbox_resume(sandbox *sb, char **err)
{
    if (sb->running)
        return true;
    bool ok = control(sb, "start", NULL, err);
    sb->running = ok;
    return ok;
}
