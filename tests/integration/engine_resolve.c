/* engine_resolve.c — host names are looked up off the engine thread.
 *
 * To control DNS, the test runs in a private mount namespace (unshare, then
 * a bind mount over /etc/resolv.conf that only this process and its children
 * see) pointing at a tiny DNS responder of its own on 127.77.x.y:53. The
 * responder answers NXDOMAIN when told to, and otherwise holds the queries
 * unanswered: a lookup then hangs until the test releases it. While one
 * hangs, a statement on an existing connection must complete — impossible if
 * the engine thread were inside getaddrinfo. Without the privileges for the
 * namespace, only the correctness cases run (system resolver).
 *
 * Cases: localhost resolves and serves; an unresolvable name fails with
 * libpq's "could not translate host name"; a multi-host list skips a name
 * that does not resolve; a unix-socket path and a user-given hostaddr are
 * kept as they are; connect_timeout bounds a hanging lookup. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tests/integration/engine_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mount.h>
#include <sys/socket.h>

static bool have_dns;          /* our responder serves this process's lookups */
static atomic_bool dns_answer; /* answer NXDOMAIN now (else hold the queries) */
static atomic_bool dns_stop;
static atomic_int dns_queries; /* queries received */
static int dns_fd = -1;
static pthread_t dns_thread;

typedef struct held {
    unsigned char buf[512];
    ssize_t len;
    struct sockaddr_in from;
} held;

/* NXDOMAIN for a query: header flags set, counts zeroed, question kept. */
static void reply_nxdomain(const held *q)
{
    if (q->len < 12)
        return;
    unsigned char r[512];
    size_t end = 12;
    while (end < (size_t)q->len && q->buf[end] != 0)
        end += (size_t)q->buf[end] + 1;
    end += 1 + 4; /* the root label, QTYPE, QCLASS */
    if (end > (size_t)q->len)
        return;
    memcpy(r, q->buf, end);
    r[2] = (unsigned char)(0x80 | (q->buf[2] & 0x01)); /* QR, RD copied */
    r[3] = 0x83;                                       /* RA, NXDOMAIN */
    memset(r + 6, 0, 6);                               /* no answers */
    r[4] = 0;
    r[5] = 1;
    sendto(dns_fd, r, end, 0, (const struct sockaddr *)&q->from, sizeof q->from);
}

static void *dns_main(void *arg)
{
    (void)arg;
    static held pending[256];
    int npending = 0;
    while (!atomic_load(&dns_stop)) {
        if (atomic_load(&dns_answer)) {
            for (int i = 0; i < npending; i++)
                reply_nxdomain(&pending[i]);
            npending = 0;
        }
        struct pollfd p = {.fd = dns_fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        held q;
        socklen_t fl = sizeof q.from;
        q.len = recvfrom(dns_fd, q.buf, sizeof q.buf, 0, (struct sockaddr *)&q.from, &fl);
        if (q.len <= 0)
            continue;
        atomic_fetch_add(&dns_queries, 1);
        if (atomic_load(&dns_answer))
            reply_nxdomain(&q);
        else if (npending < 256)
            pending[npending++] = q;
    }
    return NULL;
}

/* A loopback address of our own (127.77.x.y from the pid), so that two runs
 * of this test at the same time never answer each other's queries. */
static bool bind_responder(char *addr, size_t n)
{
    dns_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (dns_fd < 0)
        return false;
    unsigned pid = (unsigned)getpid();
    for (unsigned k = 0; k < 64; k++) {
        unsigned v = (pid + k * 7919u) % 65024u;
        snprintf(addr, n, "127.77.%u.%u", v / 254u, v % 254u + 1u);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
        inet_pton(AF_INET, addr, &a.sin_addr);
        if (bind(dns_fd, (struct sockaddr *)&a, sizeof a) == 0)
            return true;
    }
    diag("bind 127.77.x.y:53: %s: slow-DNS cases skipped", strerror(errno));
    close(dns_fd);
    dns_fd = -1;
    return false;
}

/* Before any thread exists: a private view of /etc/resolv.conf. */
static void setup_private_dns(void)
{
    if (unshare(CLONE_NEWNS) != 0) {
        diag("unshare(CLONE_NEWNS): %s: slow-DNS cases skipped", strerror(errno));
        return;
    }
    /* the type is ignored for these flags; "none" rather than NULL keeps
     * valgrind from flagging the syscall */
    if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0) {
        diag("mount --make-rprivate /: %s: slow-DNS cases skipped", strerror(errno));
        return;
    }
    char addr[32];
    if (!bind_responder(addr, sizeof addr))
        return;
    char path[] = "/tmp/pgdeck-resolv-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    char conf[128];
    snprintf(conf, sizeof conf, "nameserver %s\noptions timeout:30 attempts:1\n", addr);
    if (write(fd, conf, strlen(conf)) < 0) {
        close(fd);
        unlink(path);
        return;
    }
    close(fd);
    chmod(path, 0644);
    int rc = mount(path, "/etc/resolv.conf", "none", MS_BIND, NULL);
    unlink(path); /* the mount keeps the file alive */
    if (rc != 0) {
        diag("bind mount over /etc/resolv.conf: %s: slow-DNS cases skipped", strerror(errno));
        return;
    }
    have_dns = true;
}

static engine *start_hosts(sandbox *sb, const char *host, const char *hostaddr, const char *port,
                           const eng_pool_config *cfg, char **err)
{
    eng_conninfo *ci = eng_conninfo_new();
    eng_conninfo_set(ci, "host", host);
    if (hostaddr)
        eng_conninfo_set(ci, "hostaddr", hostaddr);
    eng_conninfo_set(ci, "port", port);
    eng_conninfo_set(ci, "dbname", sandbox_dbname(sb));
    eng_conninfo_set(ci, "user", sandbox_user(sb));
    engine *e = engine_start(ci, cfg, err);
    eng_conninfo_free(ci);
    return e;
}

static void test_correctness(sandbox *sb)
{
    char port[16], ports[40];
    snprintf(port, sizeof port, "%d", sandbox_port(sb));
    snprintf(ports, sizeof ports, "%d,%d", sandbox_port(sb), sandbox_port(sb));
    char *err = NULL;

    engine *e = start_hosts(sb, "localhost", NULL, port, NULL, &err);
    ok(e && engine_wait_ready(e, 30000, &err), "host=localhost connects (%s)", err ? err : "");
    free(err);
    err = NULL;
    if (e) {
        is_int(tu_long(e, 0, "select 31"), 31, "and serves");
        eng_stats st;
        eng_stats_get(e, &st);
        ok(strstr(st.conn_display, "localhost") != NULL, "the display keeps the name: %s",
           st.conn_display);
        tu_stop(e);
    }

    e = start_hosts(sb, "no-such-host.pgdeck-test.invalid", NULL, port, NULL, &err);
    ok(e && !engine_wait_ready(e, 90000, &err), "an unresolvable name: engine_wait_ready fails");
    ok(err && strstr(err, "could not translate host name \"no-such-host.pgdeck-test.invalid\" "
                          "to address"),
       "with libpq's message: %s", err ? err : "");
    free(err);
    err = NULL;
    if (e)
        tu_stop(e);

    e = start_hosts(sb, "no-such-host.pgdeck-test.invalid,localhost", NULL, ports, NULL, &err);
    ok(e && engine_wait_ready(e, 90000, &err),
       "a multi-host list skips a name that does not resolve (%s)", err ? err : "");
    free(err);
    err = NULL;
    if (e) {
        is_int(tu_long(e, 0, "select 32"), 32, "and serves through the next host");
        tu_stop(e);
    }

    /* a unix-socket directory in the list is kept as it is */
    char hosts[1200];
    snprintf(hosts, sizeof hosts, "no-such-host.pgdeck-test.invalid,%s", sandbox_datadir(sb));
    e = start_hosts(sb, hosts, NULL, ports, NULL, &err);
    ok(e && engine_wait_ready(e, 90000, &err), "a name, then a unix-socket path (%s)",
       err ? err : "");
    free(err);
    err = NULL;
    if (e) {
        char *v = tu_value(e, 0, "select coalesce(inet_client_addr()::text, 'unix')");
        is_str(v, "unix", "connected through the socket");
        free(v);
        tu_stop(e);
    }

    /* the user's hostaddr wins: the name is never looked up */
    int q0 = atomic_load(&dns_queries);
    e = start_hosts(sb, "never-looked-up.pgdeck-test.invalid", "127.0.0.1", port, NULL, &err);
    ok(e && engine_wait_ready(e, 30000, &err), "a user-given hostaddr is used as is (%s)",
       err ? err : "");
    free(err);
    err = NULL;
    if (e) {
        is_int(tu_long(e, 0, "select 33"), 33, "and serves");
        tu_stop(e);
    }
    if (have_dns)
        is_int(atomic_load(&dns_queries), q0, "no DNS query was made for it");
}

static bool wait_queries(int n)
{
    double until = tu_now() + 20;
    while (atomic_load(&dns_queries) < n && tu_now() < until)
        usleep(10000);
    return atomic_load(&dns_queries) >= n;
}

/* A lookup that hangs must not stall the engine. */
static void test_slow_dns(sandbox *sb)
{
    char ports[40];
    snprintf(ports, sizeof ports, "%d,%d", sandbox_port(sb), sandbox_port(sb));
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 2;
    cfg.connect_timeout = 60;
    char *err = NULL;
    /* every attempt looks up the first name, then goes on to 127.0.0.1 */
    atomic_store(&dns_answer, true);
    engine *e = start_hosts(sb, "slow.pgdeck-test,127.0.0.1", NULL, ports, &cfg, &err);
    ok(e && engine_wait_ready(e, 30000, &err), "connected while DNS answers (%s)", err ? err : "");
    free(err);
    if (!e)
        return;
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    ok(pid > 0, "a session holds the one connection");

    /* DNS stops answering; a pooled request needs a second connection */
    atomic_store(&dns_answer, false);
    int q0 = atomic_load(&dns_queries);
    eng_id pooled = tu_exec(e, 0, 0, "select 'second connection'");
    ok(wait_queries(q0 + 1), "the second connection's lookup is pending on our DNS");
    ev_list l = tu_collect(e, tu_exec(e, s, 0, "select 34"), 20000);
    ok(l.done && l.done->status == ENG_DONE_OK,
       "meanwhile a statement on the existing connection completes");
    tu_free_list(&l);
    ev_list lp = tu_collect(e, pooled, 0);
    ok(lp.done == NULL, "while the lookup is still pending");
    tu_free_list(&lp);
    atomic_store(&dns_answer, true);
    lp = tu_collect(e, pooled, 30000);
    ok(lp.done && lp.done->status == ENG_DONE_OK,
       "once DNS answers, the request gets its connection (%s)",
       lp.done ? eng_done_status_name(lp.done->status) : "no answer");
    tu_free_list(&lp);
    eng_session_close(e, s);
    tu_stop(e);

    /* connect_timeout bounds a lookup that never ends */
    atomic_store(&dns_answer, false);
    cfg.connect_timeout = 2;
    cfg.min_size = 1;
    err = NULL;
    e = start_hosts(sb, "hang.pgdeck-test", NULL, ports + strcspn(ports, ",") + 1, &cfg, &err);
    ok(e && !engine_wait_ready(e, 30000, &err), "a lookup that hangs: engine_wait_ready fails");
    ok(err && strstr(err, "timeout expired") && strstr(err, "hang.pgdeck-test"),
       "connect_timeout bounds it, naming the host: %s", err ? err : "");
    free(err);
    double t0 = tu_now();
    tu_stop(e);
    ok(tu_now() - t0 < 10, "engine_stop does not wait for the hung lookup (%.2f s)", tu_now() - t0);
    atomic_store(&dns_answer, true); /* let the leftover worker finish */
}

int main(void)
{
    plan_no_plan();
    setup_private_dns(); /* before any thread */
    if (have_dns) {
        atomic_store(&dns_answer, true);
        pthread_create(&dns_thread, NULL, dns_main, NULL);
    }
    sandbox *sb = tu_sandbox();
    test_correctness(sb);
    if (have_dns)
        test_slow_dns(sb);
    else
        ok(1, "# SKIP no private DNS (needs CAP_SYS_ADMIN for a mount namespace)");
    sandbox_stop(sb);
    if (have_dns) {
        usleep(300000);
        atomic_store(&dns_stop, true);
        pthread_join(dns_thread, NULL);
        close(dns_fd);
    }
    return done_testing();
}
