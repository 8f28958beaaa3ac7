/* monitor_activity.c — pg_stat_activity, pg_locks, blockers and the
 * signals (cancel, terminate) sent to one exact backend. See monitor.h. */
#include "monitor/monitor.h"
#include "monitor/monitor_int.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int *mon_parse_int_array(const char *s, int *n)
{
    *n = 0;
    if (!s || s[0] != '{')
        return NULL;
    int *v = NULL;
    size_t cap = 0;
    const char *p = s + 1;
    while (*p && *p != '}') {
        char *end;
        long x = strtol(p, &end, 10);
        if (end == p)
            break;
        v = xgrow(v, &cap, (size_t)*n + 1, sizeof *v);
        v[(*n)++] = (int)x;
        p = end;
        if (*p == ',')
            p++;
    }
    return v;
}

/* A backend's identity with its pid: the start time as text in a fixed form
 * (UTC, microseconds), whatever DateStyle and TimeZone the session has, so
 * it compares equal in a later statement on any pool connection. */
#define BACKEND_START_TEXT "to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
/* length of "SELECT " MON_SQL_MARK, the start of every monitor statement */
#define MON_MARK_LEN "27"

#define ACTIVITY_COLUMNS                                                                           \
    "SELECT " MON_SQL_MARK " a.pid, a.datname, a.usename, a.application_name,"                     \
    " CASE WHEN a.client_addr IS NOT NULL THEN host(a.client_addr)"                                \
    " WHEN a.client_port = -1 THEN 'local' ELSE '' END AS client,"                                 \
    " a.state, a.wait_event_type, a.wait_event, a.backend_type,"                                   \
    " extract(epoch FROM now() - a.xact_start) AS xact_s,"                                         \
    " extract(epoch FROM now() - a.query_start) AS query_s,"                                       \
    " extract(epoch FROM now() - a.state_change) AS state_s,"                                      \
    " CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocked_by,"        \
    " " BACKEND_START_TEXT " AS backend_start,"                                                    \
    " extract(epoch FROM a.backend_start) AS backend_start_epoch,"                                 \
    " (a.pid = pg_backend_pid() OR left(a.query, " MON_MARK_LEN ") = 'SELECT " MON_SQL_MARK "')"   \
    " AS own,"                                                                                     \
    " a.query"                                                                                     \
    " FROM pg_stat_activity a"                                                                     \
    " WHERE a.backend_type IN ('client backend', 'autovacuum worker')"

const char *mon_activity_sql(void)
{
    /* pg_blocking_pids() takes the lock manager's locks: only lock waiters can
     * be blocked, so it is called for them alone. */
    return ACTIVITY_COLUMNS " ORDER BY a.query_start NULLS LAST, a.pid";
}

const char *mon_now_sql(void)
{
    return ACTIVITY_COLUMNS " AND a.pid <> pg_backend_pid() AND a.state = 'active' AND "
                            "a.query_start < now() - $1::float8 * interval '1 ms'"
                            " ORDER BY a.query_start, a.pid";
}

mon_activity *mon_activity_parse(const eng_result *r, char **err)
{
    int c_pid = col_index(r, "pid"), c_query = col_index(r, "query");
    if (eng_result_status(r) != ENG_RES_TUPLES || c_pid < 0 || c_query < 0) {
        if (err)
            *err = xstrdup("unexpected pg_stat_activity result");
        return NULL;
    }
    int c_db = col_index(r, "datname"), c_user = col_index(r, "usename");
    int c_app = col_index(r, "application_name"), c_client = col_index(r, "client");
    int c_state = col_index(r, "state"), c_wt = col_index(r, "wait_event_type");
    int c_we = col_index(r, "wait_event"), c_bt = col_index(r, "backend_type");
    int c_xact = col_index(r, "xact_s"), c_qs = col_index(r, "query_s");
    int c_ss = col_index(r, "state_s"), c_blk = col_index(r, "blocked_by");
    int c_bs = col_index(r, "backend_start"), c_bse = col_index(r, "backend_start_epoch");
    int c_own = col_index(r, "own");
    mon_activity *a = xcalloc(1, sizeof *a);
    int n = eng_result_nrows(r);
    a->n = (size_t)n;
    a->rows = n ? xcalloc((size_t)n, sizeof *a->rows) : NULL;
    for (int i = 0; i < n; i++) {
        mon_backend *b = &a->rows[i];
        b->pid = atoi(eng_result_value(r, i, c_pid));
        b->database = get_str0(r, i, c_db);
        b->user = get_str0(r, i, c_user);
        b->application = get_str0(r, i, c_app);
        b->client = get_str0(r, i, c_client);
        b->state = get_str0(r, i, c_state);
        b->wait_type = get_str0(r, i, c_wt);
        b->wait_event = get_str0(r, i, c_we);
        b->backend_type = get_str0(r, i, c_bt);
        b->query = get_str0(r, i, c_query);
        b->xact_s = get_num(r, i, c_xact);
        b->query_s = get_num(r, i, c_qs);
        b->state_s = get_num(r, i, c_ss);
        b->backend_start = get_str0(r, i, c_bs);
        b->start_epoch = get_num(r, i, c_bse);
        b->own = get_bool(r, i, c_own);
        if (c_blk >= 0 && !eng_result_isnull(r, i, c_blk))
            b->blocked_by = mon_parse_int_array(eng_result_value(r, i, c_blk), &b->nblocked_by);
    }
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < a->n; j++)
            for (int k = 0; k < a->rows[j].nblocked_by; k++)
                if (a->rows[j].blocked_by[k] == a->rows[i].pid) {
                    a->rows[i].nblocking++;
                    break;
                }
    return a;
}

void mon_activity_free(mon_activity *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        mon_backend *b = &a->rows[i];
        free(b->database);
        free(b->user);
        free(b->application);
        free(b->client);
        free(b->state);
        free(b->wait_type);
        free(b->wait_event);
        free(b->backend_type);
        free(b->query);
        free(b->backend_start);
        free(b->blocked_by);
    }
    free(a->rows);
    free(a);
}

const mon_backend *mon_activity_find(const mon_activity *a, int pid)
{
    for (size_t i = 0; a && i < a->n; i++)
        if (a->rows[i].pid == pid)
            return &a->rows[i];
    return NULL;
}

const char *mon_view_name(mon_view v)
{
    switch (v) {
    case MON_VIEW_RUNNING:
        return "running";
    case MON_VIEW_WAITING:
        return "waiting";
    case MON_VIEW_BLOCKING:
        return "blocking";
    default:
        return "all";
    }
}

static bool is_idle(const mon_backend *b)
{
    return strcmp(b->state, "idle") == 0 || b->state[0] == '\0';
}

bool mon_backend_idle_in_xact(const mon_backend *b)
{
    return strncmp(b->state, "idle in transaction", 19) == 0;
}

bool mon_backend_in_view(const mon_backend *b, mon_view v, bool show_idle)
{
    switch (v) {
    case MON_VIEW_RUNNING:
        return strcmp(b->state, "active") == 0;
    case MON_VIEW_WAITING:
        return b->nblocked_by > 0 || strcmp(b->wait_type, "Lock") == 0;
    case MON_VIEW_BLOCKING:
        return b->nblocking > 0;
    default:
        return show_idle || !is_idle(b);
    }
}

const char *mon_locks_sql(void)
{
    return "SELECT " MON_SQL_MARK " l.granted, l.mode, l.locktype,"
           " concat_ws(' ', CASE WHEN l.relation IS NOT NULL THEN l.relation::regclass::text END,"
           " CASE l.locktype WHEN 'transactionid' THEN 'xid ' || l.transactionid"
           " WHEN 'virtualxid' THEN 'vxid ' || l.virtualxid"
           " WHEN 'tuple' THEN '(' || l.page || ',' || l.tuple || ')'"
           " WHEN 'page' THEN 'page ' || l.page"
           " WHEN 'advisory' THEN 'advisory ' || l.classid || ':' || l.objid"
           " WHEN 'object' THEN l.classid::regclass::text || ' ' || l.objid END) AS object,"
           " CASE WHEN NOT l.granted THEN pg_blocking_pids(l.pid) END AS holders"
           " FROM pg_locks l WHERE l.pid = $1::int"
           " ORDER BY l.granted, l.locktype, l.mode";
}

mon_locks *mon_locks_parse(const eng_result *r, char **err)
{
    int c_granted = col_index(r, "granted"), c_mode = col_index(r, "mode");
    if (eng_result_status(r) != ENG_RES_TUPLES || c_granted < 0 || c_mode < 0) {
        if (err)
            *err = xstrdup("unexpected pg_locks result");
        return NULL;
    }
    int c_type = col_index(r, "locktype"), c_obj = col_index(r, "object");
    int c_hold = col_index(r, "holders");
    mon_locks *l = xcalloc(1, sizeof *l);
    int n = eng_result_nrows(r);
    l->n = (size_t)n;
    l->rows = n ? xcalloc((size_t)n, sizeof *l->rows) : NULL;
    for (int i = 0; i < n; i++) {
        mon_lock *k = &l->rows[i];
        k->granted = get_bool(r, i, c_granted);
        k->mode = get_str0(r, i, c_mode);
        k->locktype = get_str0(r, i, c_type);
        k->object = get_str0(r, i, c_obj);
        if (c_hold >= 0 && !eng_result_isnull(r, i, c_hold))
            k->holders = mon_parse_int_array(eng_result_value(r, i, c_hold), &k->nholders);
    }
    return l;
}

void mon_locks_free(mon_locks *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->rows[i].mode);
        free(l->rows[i].locktype);
        free(l->rows[i].object);
        free(l->rows[i].holders);
    }
    free(l->rows);
    free(l);
}

const char *mon_signal_sql(bool terminate)
{
    return terminate ? "SELECT " MON_SQL_MARK " pg_terminate_backend($1::int)"
                     : "SELECT " MON_SQL_MARK " pg_cancel_backend($1::int)";
}

const char *mon_signal_backend_sql(bool terminate)
{
    /* the pid alone could name a new session that got a finished one's pid */
#define SIGNAL_WHERE                                                                               \
    " FROM pg_stat_activity a WHERE a.pid = $1::int AND " BACKEND_START_TEXT " = $2"
    return terminate ? "SELECT " MON_SQL_MARK " pg_terminate_backend(a.pid)" SIGNAL_WHERE
                     : "SELECT " MON_SQL_MARK " pg_cancel_backend(a.pid)" SIGNAL_WHERE;
#undef SIGNAL_WHERE
}
