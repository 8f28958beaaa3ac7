/* monitor_fleet.c — the fleet's per-server line and PgBouncer's pools. See
 * monitor_fleet.h. */
#include "monitor/monitor_fleet.h"
#include "monitor/monitor.h"
#include "monitor/monitor_int.h"

#include "common/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mon_fleet_sql(void)
{
    /* One statement, so a refresh costs one round trip per server. The lag of
     * a standby is 0 while it has replayed all it received (else an idle
     * primary would look like a growing lag); a primary's is the worst of
     * its standbys'. pg_current_wal_lsn() runs only on a primary (CASE). */
    return "SELECT " MON_SQL_MARK " current_setting('server_version_num')::int AS version_num,"
           " current_setting('server_version') AS version,"
           " pg_is_in_recovery() AS standby,"
           " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
           " AS connections,"
           " current_setting('max_connections')::int AS max_connections,"
           " (SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database) AS xacts,"
           " extract(epoch FROM clock_timestamp()) AS now_s,"
           " (SELECT extract(epoch FROM max(clock_timestamp() - xact_start))"
           " FROM pg_stat_activity WHERE xact_start IS NOT NULL"
           " AND backend_type = 'client backend' AND pid <> pg_backend_pid()) AS longest_xact_s,"
           " (SELECT count(*) FROM pg_stat_activity"
           " WHERE cardinality(pg_blocking_pids(pid)) > 0) AS blocked,"
           " CASE WHEN pg_is_in_recovery() THEN"
           " CASE WHEN pg_last_wal_receive_lsn() IS NULL"
           " OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
           " ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) END"
           " ELSE (SELECT CASE WHEN count(*) = 0 THEN NULL"
           " ELSE coalesce(extract(epoch FROM max(replay_lag)), 0) END"
           " FROM pg_stat_replication) END AS lag_s,"
           " CASE WHEN pg_is_in_recovery() THEN"
           " pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())"
           " ELSE (SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), min(replay_lsn))"
           " FROM pg_stat_replication) END AS lag_bytes,"
           " (SELECT count(*) FROM pg_stat_replication) AS standbys";
}

bool mon_fleet_parse(const eng_result *r, mon_fleet_sample *out, char **err)
{
    int c_vn = col_index(r, "version_num"), c_now = col_index(r, "now_s");
    if (eng_result_status(r) != ENG_RES_TUPLES || eng_result_nrows(r) != 1 || c_vn < 0 ||
        c_now < 0) {
        if (err)
            *err = xstrdup("unexpected fleet result");
        return false;
    }
    memset(out, 0, sizeof *out);
    out->version_num = (int)get_num(r, 0, c_vn);
    char *v = get_str0(r, 0, col_index(r, "version"));
    snprintf(out->version, sizeof out->version, "%s", v);
    free(v);
    /* "16.2 (Debian 16.2-1)": the number only */
    char *sp = strchr(out->version, ' ');
    if (sp)
        *sp = '\0';
    out->standby = get_bool(r, 0, col_index(r, "standby"));
    out->connections = get_num(r, 0, col_index(r, "connections"));
    out->max_conn = get_num(r, 0, col_index(r, "max_connections"));
    out->xacts = get_num(r, 0, col_index(r, "xacts"));
    out->now_s = get_num(r, 0, c_now);
    out->longest_xact = get_num(r, 0, col_index(r, "longest_xact_s"));
    out->blocked = get_num(r, 0, col_index(r, "blocked"));
    out->lag_s = get_num(r, 0, col_index(r, "lag_s"));
    out->lag_bytes = get_num(r, 0, col_index(r, "lag_bytes"));
    out->standbys = get_num(r, 0, col_index(r, "standbys"));
    return true;
}

double mon_fleet_tps(const mon_fleet_sample *prev, const mon_fleet_sample *cur)
{
    double dt = cur->now_s - prev->now_s;
    if (isnan(prev->xacts) || isnan(cur->xacts) || !(dt > 0) || cur->xacts < prev->xacts)
        return NAN; /* a stats reset gives no rate, never a negative one */
    return (cur->xacts - prev->xacts) / dt;
}

bool mon_bouncer_pools_parse(const eng_result *r, mon_bouncer_pool **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    int c_db = col_index(r, "database"), c_user = col_index(r, "user");
    if (eng_result_status(r) != ENG_RES_TUPLES || c_db < 0 || c_user < 0) {
        if (err)
            *err = xstrdup("unexpected SHOW POOLS result");
        return false;
    }
    int c_ca = col_index(r, "cl_active"), c_cw = col_index(r, "cl_waiting");
    int c_sa = col_index(r, "sv_active"), c_si = col_index(r, "sv_idle");
    int c_mw = col_index(r, "maxwait");
    int rows = eng_result_nrows(r);
    mon_bouncer_pool *p = xcalloc(rows > 0 ? (size_t)rows : 1, sizeof *p);
    for (int i = 0; i < rows; i++) {
        p[i].database = get_str0(r, i, c_db);
        p[i].user = get_str0(r, i, c_user);
        p[i].cl_active = get_num(r, i, c_ca);
        p[i].cl_waiting = get_num(r, i, c_cw);
        p[i].sv_active = get_num(r, i, c_sa);
        p[i].sv_idle = get_num(r, i, c_si);
        p[i].maxwait = get_num(r, i, c_mw);
    }
    *out = p;
    *n = (size_t)rows;
    return true;
}

void mon_bouncer_pools_free(mon_bouncer_pool *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].database);
        free(p[i].user);
    }
    free(p);
}

/* ---- a member ---------------------------------------------------------- */

void mon_fleet_member_init(mon_fleet_member *m, const char *name, engine *e, engine *bouncer)
{
    memset(m, 0, sizeof *m);
    m->name = xstrdup(name);
    m->e = e;
    m->bouncer = bouncer;
    m->tag = xasprintf("fleet:%s", name);
    m->bouncer_tag = xasprintf("fleet:pgb:%s", name);
    m->tps = NAN;
}

void mon_fleet_member_reset(mon_fleet_member *m)
{
    m->have = m->have_prev = m->asked = m->up = false;
    m->tps = NAN;
    m->req = m->pools_req = 0;
    free(m->error);
    m->error = NULL;
    free(m->pools_error);
    m->pools_error = NULL;
    mon_bouncer_pools_free(m->pools, m->npools);
    m->pools = NULL;
    m->npools = 0;
}

void mon_fleet_member_free(mon_fleet_member *m)
{
    mon_fleet_member_reset(m);
    free(m->name);
    free(m->tag);
    free(m->bouncer_tag);
    memset(m, 0, sizeof *m);
}

void mon_fleet_refresh(mon_fleet_member *m)
{
    eng_exec_args a = {0};
    a.tag = m->tag;
    if (!m->req) {
        a.sql = mon_fleet_sql();
        a.flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE;
        m->req = eng_exec(m->e, &a);
    }
    if (m->bouncer && !m->pools_req) {
        /* the admin console speaks only the simple query protocol */
        a.tag = m->bouncer_tag;
        a.sql = "SHOW POOLS";
        a.flags = ENG_EXEC_SIMPLE | ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE;
        m->pools_req = eng_exec(m->bouncer, &a);
    }
}

static void set_error(char **slot, const char *msg)
{
    free(*slot);
    *slot = msg ? xstrdup(msg) : NULL;
}

bool mon_fleet_on_event(mon_fleet_member *m, const eng_event *ev)
{
    if (!ev->id || ev->id != m->req)
        return false;
    if (ev->kind == EV_RESULT && ev->result) {
        mon_fleet_sample s;
        char *err = NULL;
        if (mon_fleet_parse(ev->result, &s, &err)) {
            if (m->have) {
                m->prev = m->cur;
                m->have_prev = true;
            }
            m->cur = s;
            m->have = true;
            m->tps = m->have_prev ? mon_fleet_tps(&m->prev, &m->cur) : NAN;
        } else if (eng_result_error(ev->result)) {
            set_error(&m->error, eng_result_error(ev->result)->message);
        } else {
            set_error(&m->error, err);
        }
        free(err);
    } else if (ev->kind == EV_DONE) {
        m->req = 0;
        m->asked = true;
        m->up = ev->status == ENG_DONE_OK;
        if (m->up)
            set_error(&m->error, NULL);
        else
            set_error(&m->error, ev->error ? ev->error->message : eng_done_status_name(ev->status));
        if (ev->status == ENG_DONE_CONN || ev->status == ENG_DONE_TIMEOUT) {
            m->have = m->have_prev = false; /* a down server shows no old figures */
            m->tps = NAN;
        }
    }
    return true;
}

bool mon_fleet_on_bouncer_event(mon_fleet_member *m, const eng_event *ev)
{
    if (!ev->id || ev->id != m->pools_req)
        return false;
    if (ev->kind == EV_RESULT && ev->result) {
        mon_bouncer_pool *p;
        size_t n;
        char *err = NULL;
        if (mon_bouncer_pools_parse(ev->result, &p, &n, &err)) {
            mon_bouncer_pools_free(m->pools, m->npools);
            m->pools = p;
            m->npools = n;
        } else if (eng_result_error(ev->result)) {
            set_error(&m->pools_error, eng_result_error(ev->result)->message);
        } else {
            set_error(&m->pools_error, err);
        }
        free(err);
    } else if (ev->kind == EV_DONE) {
        m->pools_req = 0;
        if (ev->status == ENG_DONE_OK) {
            set_error(&m->pools_error, NULL);
        } else {
            set_error(&m->pools_error,
                      ev->error ? ev->error->message : eng_done_status_name(ev->status));
            mon_bouncer_pools_free(m->pools, m->npools);
            m->pools = NULL;
            m->npools = 0;
        }
    }
    return true;
}

void mon_fleet_pool_state(mon_fleet_member *m, bool connected, const char *last_error)
{
    if (connected || !last_error || !last_error[0])
        return;
    m->asked = true;
    m->up = false;
    m->have = m->have_prev = false;
    m->tps = NAN;
    set_error(&m->error, last_error);
}

bool mon_fleet_busy(const mon_fleet_member *m)
{
    return m->req || m->pools_req;
}
