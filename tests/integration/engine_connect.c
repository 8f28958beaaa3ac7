/* engine_connect.c — connecting for good or not: a wrong password (28P01)
 * stops retrying and says so, an unreachable port fails engine_wait_ready
 * with libpq's message (the CLI's exit 3), an outage longer than
 * reconnect_timeout gives up and the next demand retries, a server that
 * accepts but never answers is bounded by connect_timeout, and
 * application_name defaults to pgdeck without overriding the user's. */
#include "tests/integration/engine_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static engine *start_with(sandbox *sb, const char *user, const char *password, int port,
                          const eng_pool_config *cfg)
{
    eng_conninfo *ci = eng_conninfo_new();
    char portbuf[16];
    snprintf(portbuf, sizeof portbuf, "%d", port ? port : sandbox_port(sb));
    eng_conninfo_set(ci, "host", "127.0.0.1");
    eng_conninfo_set(ci, "port", portbuf);
    eng_conninfo_set(ci, "dbname", sandbox_dbname(sb));
    eng_conninfo_set(ci, "user", user);
    if (password)
        eng_conninfo_set(ci, "password", password);
    char *err = NULL;
    engine *e = engine_start(ci, cfg, &err);
    eng_conninfo_free(ci);
    if (!e)
        diag("engine_start: %s", err ? err : "?");
    free(err);
    return e;
}

static void test_wrong_password(sandbox *sb)
{
    PGconn *side = tu_side(sb);
    ok(tu_side_ok(side, "create role pw_bob login password 'right-one' in role pw_users"),
       "a role with a password (scram over TCP)");
    PQfinish(side);
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 2;
    engine *e = start_with(sb, "pw_bob", "Wr0ngPassw0rd", 0, &cfg);
    char *err = NULL;
    ok(!engine_wait_ready(e, 15000, &err), "wrong password: engine_wait_ready fails");
    ok(err && strstr(err, "password authentication failed"), "with libpq's message: %s",
       err ? err : "");
    ok(err && !strstr(err, "Wr0ngPassw0rd"), "the message never shows the password");
    free(err);
    usleep(2500000);
    eng_stats st;
    eng_stats_get(e, &st);
    ok(st.connections_num <= 2, "it stopped retrying (%llu attempts in 2.5 s)",
       (unsigned long long)st.connections_num);
    ok(strstr(st.last_error, "password authentication failed") != NULL, "stats last_error says so");
    ok(!st.connected, "not connected");
    ev_list l = tu_run(e, 0, "select 1");
    ok(l.done && l.done->status == ENG_DONE_CONN,
       "a request gets CONN (the next demand retried once)");
    ok(l.done && l.done->error && strstr(l.done->error->message, "password authentication failed"),
       "with the reason: %s", l.done && l.done->error ? l.done->error->message : "");
    tu_free_list(&l);
    tu_stop(e);

    e = start_with(sb, "pw_bob", "right-one", 0, &cfg);
    err = NULL;
    ok(engine_wait_ready(e, 15000, &err), "the right password connects");
    free(err);
    char *who = tu_value(e, 0, "select current_user");
    is_str(who, "pw_bob", "as that role");
    free(who);
    tu_stop(e);
}

static int closed_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(s, (struct sockaddr *)&a, sizeof a);
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s); /* nothing listens there now */
    return ntohs(a.sin_port);
}

static void test_unreachable(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.timeout = 1;
    cfg.reconnect_timeout = 2;
    int port = closed_port();
    double t0 = tu_now();
    engine *e = start_with(sb, sandbox_user(sb), NULL, port, &cfg);
    char *err = NULL;
    ok(!engine_wait_ready(e, 15000, &err), "nothing listens: engine_wait_ready fails");
    ok(tu_now() - t0 < 3, "at once, not after reconnect_timeout (%.2f s)", tu_now() - t0);
    ok(err && strstr(err, "refused"), "libpq's message: %s", err ? err : "");
    free(err);
    /* the pool keeps trying with back-off until reconnect_timeout, then gives up */
    usleep(4500000);
    eng_stats st;
    eng_stats_get(e, &st);
    ok(st.connections_errors >= 2 && st.connections_errors <= 4,
       "reconnect with back-off from 1 s, not a tight loop (%llu attempts)",
       (unsigned long long)st.connections_errors);
    unsigned long long attempts = st.connections_errors;
    usleep(2000000);
    eng_stats_get(e, &st);
    is_int(st.connections_errors, attempts, "after reconnect_timeout it stopped trying");
    ev_list l = tu_run(e, 0, "select 1");
    ok(l.done && l.done->status == ENG_DONE_CONN && l.done->error &&
           strstr(l.done->error->message, "refused"),
       "a request after giving up retries once and fails with the reason (%s: %s)",
       l.done ? eng_done_status_name(l.done->status) : "no answer",
       l.done && l.done->error ? l.done->error->message : "");
    tu_free_list(&l);
    eng_stats_get(e, &st);
    ok(st.connections_errors > attempts, "the next demand tried again");
    tu_stop(e);

    /* a server that accepts but never answers: connect_timeout bounds it */
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(ls, (struct sockaddr *)&a, sizeof a);
    listen(ls, 16);
    socklen_t len = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &len);
    cfg.connect_timeout = 1;
    t0 = tu_now();
    e = start_with(sb, sandbox_user(sb), NULL, ntohs(a.sin_port), &cfg);
    err = NULL;
    ok(!engine_wait_ready(e, 15000, &err), "a black-hole server: wait_ready fails");
    double took = tu_now() - t0;
    ok(took >= 0.9 && took < 4, "after connect_timeout (%.2f s)", took);
    ok(err && strstr(err, "timeout"), "says timeout: %s", err ? err : "");
    free(err);
    tu_stop(e);
    close(ls);

    char *serr = NULL;
    eng_conninfo *ci = eng_conninfo_new();
    eng_conninfo_set(ci, "no_such_keyword", "x");
    ok(engine_start(ci, NULL, &serr) == NULL && serr, "a bad conninfo: engine_start refuses: %s",
       serr ? serr : "");
    free(serr);
    eng_conninfo_free(ci);
}

static void test_application_name(sandbox *sb)
{
    engine *e = tu_engine(sb, NULL);
    char *v = tu_value(e, 0, "select current_setting('application_name')");
    is_str(v, "pgdeck", "application_name defaults to pgdeck");
    free(v);
    tu_stop(e);
    eng_conninfo *ci = tu_conninfo(sb);
    eng_conninfo_set(ci, "application_name", "mine");
    char *err = NULL;
    e = engine_start(ci, NULL, &err);
    eng_conninfo_free(ci);
    engine_wait_ready(e, 10000, &err);
    v = tu_value(e, 0, "select current_setting('application_name')");
    is_str(v, "mine", "the user's application_name wins");
    free(v);
    tu_stop(e);
}

static void test_multi_host(sandbox *sb)
{
    int dead = closed_port();
    eng_conninfo *ci = eng_conninfo_new();
    char hosts[64], ports[64];
    snprintf(hosts, sizeof hosts, "127.0.0.1,127.0.0.1");
    snprintf(ports, sizeof ports, "%d,%d", dead, sandbox_port(sb));
    eng_conninfo_set(ci, "host", hosts);
    eng_conninfo_set(ci, "port", ports);
    eng_conninfo_set(ci, "dbname", sandbox_dbname(sb));
    eng_conninfo_set(ci, "user", sandbox_user(sb));
    eng_conninfo_set(ci, "target_session_attrs", "read-write");
    char *err = NULL;
    engine *e = engine_start(ci, NULL, &err);
    eng_conninfo_free(ci);
    ok(e && engine_wait_ready(e, 15000, &err), "multi-host conninfo survives a dead first host");
    free(err);
    if (e) {
        is_int(tu_long(e, 0, "select 18"), 18, "and serves");
        tu_stop(e);
    }
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    test_application_name(sb);
    test_wrong_password(sb);
    test_unreachable(sb);
    test_multi_host(sb);
    sandbox_stop(sb);
    return done_testing();
}
