/* monitor_server.c — the server health views: their columns, SQL, parsing,
 * rates and formatting (monitor_server.h). The SQL of each view is its
 * column table plus a FROM clause; doc/pgdeck.1 ("Server pane") says how
 * the figures are computed, the bloat estimate included. */
#include "monitor/monitor_server.h"

#include "common/fmt.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "monitor/monitor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The server's current WAL position, on a primary or a standby. */
#define CUR_LSN                                                                                    \
    "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END"

#define ALWAYS(e)                                                                                  \
    {                                                                                              \
        {                                                                                          \
            NULL, e                                                                                \
        }                                                                                          \
    }
#define K SRV_F_KEY
#define C SRV_F_COUNTER
#define CR (SRV_F_COUNTER | SRV_F_SHOW_RATE)
#define H SRV_F_HIDE

/* ---- Database: pg_stat_database, one row per database ---------------------- */
static const srv_col database_cols[] = {
    {"database", "database", SRV_TEXT, K, 16, 0, ALWAYS("d.datname"), NULL},
    {"backends", "conns", SRV_NUM, 0, 5, 0, ALWAYS("d.numbackends"), "d.numbackends"},
    {"commits", "commit/s", SRV_NUM, CR, 8, 0, ALWAYS("d.xact_commit"), "d.xact_commit"},
    {"rollbacks", "rollbk/s", SRV_NUM, CR, 8, 0, ALWAYS("d.xact_rollback"), "d.xact_rollback"},
    {"blks_read", "read/s", SRV_NUM, CR, 7, 5, ALWAYS("d.blks_read"), "d.blks_read"},
    {"blks_hit", "hit/s", SRV_NUM, CR | H, 7, 0, ALWAYS("d.blks_hit"), NULL},
    {"hit_pct", "hit%", SRV_PCT, 0, 5, 0,
     ALWAYS("round(100.0 * d.blks_hit / nullif(d.blks_hit + d.blks_read, 0), 1)"), NULL},
    {"temp_files", "tmpfiles", SRV_NUM, C, 8, 4, ALWAYS("d.temp_files"), "d.temp_files"},
    {"temp_bytes", "tmpbytes", SRV_BYTES, C, 9, 3, ALWAYS("d.temp_bytes"), "d.temp_bytes"},
    {"deadlocks", "deadlk", SRV_NUM, C, 6, 2, ALWAYS("d.deadlocks"), "d.deadlocks"},
    {"conflicts", "confl", SRV_NUM, C, 5, 6, ALWAYS("d.conflicts"), "d.conflicts"},
    {"checksum_failures",
     "cksum",
     SRV_NUM,
     C,
     5,
     7,
     {{"pg_stat_database.checksum_failures", "d.checksum_failures"}},
     NULL},
    {"sessions", "sess", SRV_NUM, C, 6, 8, {{"pg_stat_database.sessions", "d.sessions"}}, NULL},
    {"sessions_abandoned",
     "abandon",
     SRV_NUM,
     C | H,
     7,
     0,
     {{"pg_stat_database.sessions_abandoned", "d.sessions_abandoned"}},
     NULL},
    {"sessions_fatal",
     "fatal",
     SRV_NUM,
     C | H,
     5,
     0,
     {{"pg_stat_database.sessions_fatal", "d.sessions_fatal"}},
     NULL},
    {"sessions_killed",
     "killed",
     SRV_NUM,
     C | H,
     6,
     0,
     {{"pg_stat_database.sessions_killed", "d.sessions_killed"}},
     NULL},
    {"session_time_ms",
     "sess time",
     SRV_MS,
     C | H,
     8,
     0,
     {{"pg_stat_database.session_time", "d.session_time"}},
     NULL},
    {"active_time_ms",
     "active time",
     SRV_MS,
     C | H,
     8,
     0,
     {{"pg_stat_database.active_time", "d.active_time"}},
     NULL},
    {"idle_in_transaction_time_ms",
     "idle in xact",
     SRV_MS,
     C | H,
     8,
     0,
     {{"pg_stat_database.idle_in_transaction_time", "d.idle_in_transaction_time"}},
     NULL},
    {"stats_reset", "reset", SRV_EPOCH, H, 8, 0, ALWAYS("extract(epoch from d.stats_reset)"), NULL},
};

/* ---- Tables: the statistics functions, evaluated for the LIMIT rows only --- */
/* read once per row in the FROM subquery: dead_pct and bloat use them again */
#define T_LIVE "t.live"
#define T_DEAD "t.dead"
static const srv_col tables_cols[] = {
    {"schema", "schema", SRV_TEXT, K, 10, 5, ALWAYS("t.nspname"), NULL},
    {"table", "table", SRV_TEXT, K, 0, 0, ALWAYS("t.relname"), NULL},
    {"seq_scan", "seq/s", SRV_NUM, CR, 6, 0, ALWAYS("pg_stat_get_numscans(t.oid)"),
     "pg_stat_get_numscans(c.oid)"},
    {"idx_scan", "idx/s", SRV_NUM, CR, 6, 0, ALWAYS("t.idx_scan"), NULL},
    {"n_live_tup", "live", SRV_NUM, 0, 6, 0, ALWAYS(T_LIVE), "pg_stat_get_live_tuples(c.oid)"},
    {"n_dead_tup", "dead", SRV_NUM, 0, 6, 0, ALWAYS(T_DEAD), "pg_stat_get_dead_tuples(c.oid)"},
    {"dead_pct", "dead%", SRV_PCT, 0, 5, 0,
     ALWAYS("round(100.0 * " T_DEAD " / nullif(" T_LIVE " + " T_DEAD ", 0), 1)"), NULL},
    {"n_mod_since_analyze", "mod", SRV_NUM, 0, 6, 4, ALWAYS("pg_stat_get_mod_since_analyze(t.oid)"),
     "pg_stat_get_mod_since_analyze(c.oid)"},
    {"last_vacuum", "vacuum", SRV_EPOCH, H, 8, 0,
     ALWAYS("extract(epoch from pg_stat_get_last_vacuum_time(t.oid))"), NULL},
    {"last_autovacuum", "autovac", SRV_EPOCH, 0, 8, 3,
     ALWAYS("extract(epoch from pg_stat_get_last_autovacuum_time(t.oid))"), NULL},
    {"last_analyze", "analyze", SRV_EPOCH, H, 8, 0,
     ALWAYS("extract(epoch from pg_stat_get_last_analyze_time(t.oid))"), NULL},
    {"last_autoanalyze", "autoanl", SRV_EPOCH, 0, 8, 6,
     ALWAYS("extract(epoch from pg_stat_get_last_autoanalyze_time(t.oid))"), NULL},
    {"vacuum_count", "vacuums", SRV_NUM, C | H, 6, 0, ALWAYS("pg_stat_get_vacuum_count(t.oid)"),
     NULL},
    {"autovacuum_count", "autovacs", SRV_NUM, C | H, 6, 0,
     ALWAYS("pg_stat_get_autovacuum_count(t.oid)"), NULL},
    /* sizes are catalog facts: read with the rows' choice (srv_view_sql), then
     * carried over by srv_view_sql_rows */
    {"table_bytes", "heap", SRV_BYTES, H, 8, 0, ALWAYS("t.table_bytes"), NULL},
    {"toast_bytes", "toast", SRV_BYTES, H, 8, 0, ALWAYS("t.toast_bytes"), NULL},
    {"index_bytes", "indexes", SRV_BYTES, H, 8, 0, ALWAYS("t.index_bytes"), NULL},
    {"total_bytes", "size", SRV_BYTES, 0, 8, 2, ALWAYS("t.total_bytes"), "c.relpages"},
    /* see doc/pgdeck.1 ("Server pane"): the space the dead tuples hold in the heap */
    {"bloat_bytes", "bloat", SRV_BYTES, 0, 8, 1,
     ALWAYS("round(t.table_bytes::numeric * " T_DEAD " / nullif(" T_LIVE " + " T_DEAD ", 0))"),
     NULL},
    {"oid", "oid", SRV_INT, H, 10, 0, ALWAYS("t.oid"), NULL},
};

/* ---- Indexes: invalid, duplicate and unused first, then by size ----------- */
static const srv_col indexes_cols[] = {
    {"schema", "schema", SRV_TEXT, K, 10, 4, ALWAYS("t.nspname"), NULL},
    {"table", "table", SRV_TEXT, 0, 16, 3, ALWAYS("t.tablename"), NULL},
    {"index", "index", SRV_TEXT, K, 0, 0, ALWAYS("t.indexname"), NULL},
    {"idx_scan", "scans/s", SRV_NUM, CR, 7, 0, ALWAYS("t.scans"), NULL},
    {"idx_tup_read", "read/s", SRV_NUM, CR | H, 7, 0,
     ALWAYS("pg_stat_get_tuples_returned(t.indexrelid)"), NULL},
    {"index_bytes", "size", SRV_BYTES, 0, 8, 0, ALWAYS("t.index_bytes"), "x.relpages"},
    {"unused", "unused", SRV_BOOL, 0, 6, 0, ALWAYS("t.unused"), NULL},
    {"duplicate_of", "duplicate of", SRV_TEXT, 0, 14, 1, ALWAYS("t.duplicate_of"), NULL},
    {"duplicate", "dup", SRV_BOOL, H, 3, 0, ALWAYS("t.duplicate_of IS NOT NULL"), NULL},
    {"invalid", "invalid", SRV_BOOL, 0, 7, 2, ALWAYS("NOT t.indisvalid"), NULL},
    {"unique", "unique", SRV_BOOL, H, 6, 0, ALWAYS("t.indisunique"), NULL},
    /* a catalog fact as the size: carried between reads (monitor_slices.c) */
    {"definition", "definition", SRV_TEXT, H, 0, 0, ALWAYS("t.definition"), NULL},
    {"oid", "oid", SRV_INT, H, 10, 0, ALWAYS("t.indexrelid"), NULL},
};

/* ---- Replication: standbys (pg_stat_replication) and slots --------------- */
static const srv_col replication_cols[] = {
    {"kind", "kind", SRV_TEXT, K, 7, 0, ALWAYS("t.kind"), NULL},
    {"name", "name", SRV_TEXT, K, 0, 0, ALWAYS("t.name"), NULL},
    {"pid", "pid", SRV_INT, K, 7, 5, ALWAYS("t.pid"), NULL},
    {"client", "client", SRV_TEXT, 0, 15, 4, ALWAYS("t.client"), NULL},
    {"state", "state", SRV_TEXT, 0, 9, 0, ALWAYS("t.state"), NULL},
    {"sync_state", "sync", SRV_TEXT, 0, 5, 6, ALWAYS("t.sync_state"), NULL},
    {"sent_lag_bytes", "sent", SRV_BYTES, 0, 8, 7, ALWAYS("t.sent_lag"), NULL},
    {"write_lag_bytes", "write", SRV_BYTES, 0, 8, 8, ALWAYS("t.write_lag"), NULL},
    {"flush_lag_bytes", "flush", SRV_BYTES, 0, 8, 9, ALWAYS("t.flush_lag"), NULL},
    {"replay_lag_bytes", "replay", SRV_BYTES, 0, 8, 0, ALWAYS("t.replay_lag"), NULL},
    {"write_lag_s", "write t", SRV_SECONDS, H, 7, 0, ALWAYS("t.write_lag_s"), NULL},
    {"flush_lag_s", "flush t", SRV_SECONDS, H, 7, 0, ALWAYS("t.flush_lag_s"), NULL},
    {"replay_lag_s", "replay t", SRV_SECONDS, 0, 8, 3, ALWAYS("t.replay_lag_s"), NULL},
    {"active", "active", SRV_BOOL, 0, 6, 2, ALWAYS("t.active"), NULL},
    {"retained_bytes", "retained", SRV_BYTES, 0, 8, 1, ALWAYS("t.retained"), NULL},
    {"wal_status", "wal status", SRV_TEXT, H, 8, 0, ALWAYS("t.wal_status"), NULL},
};

/* ---- Progress: every pg_stat_progress_* view as done / total -------------- */
static const srv_col progress_cols[] = {
    {"command", "command", SRV_TEXT, K, 25, 0, ALWAYS("t.command"), NULL},
    {"pid", "pid", SRV_INT, K, 7, 0, ALWAYS("t.pid"), NULL},
    {"database", "database", SRV_TEXT, 0, 10, 4, ALWAYS("t.datname"), NULL},
    {"relation", "relation", SRV_TEXT, 0, 0, 0, ALWAYS("t.relation"), NULL},
    {"phase", "phase", SRV_TEXT, 0, 20, 1, ALWAYS("t.phase"), NULL},
    {"done", "done", SRV_NUM, C, 7, 0, ALWAYS("t.done"), NULL},
    {"total", "total", SRV_NUM, 0, 7, 5, ALWAYS("t.total"), NULL},
    {"percent", "%", SRV_PCT, 0, 5, 0,
     ALWAYS("round((100.0 * t.done / nullif(t.total, 0))::numeric, 1)"), NULL},
    {"unit", "unit", SRV_TEXT, 0, 6, 6, ALWAYS("t.unit"), NULL},
    {"done_rate", "rate/s", SRV_NUM, 0, 7, 3, ALWAYS("NULL::float8"), NULL}, /* from done */
};
#define PROGRESS_DONE 5
#define PROGRESS_RATE 9

/* ---- WAL, checkpointer and bgwriter: one row ------------------------------- */
static const srv_col wal_cols[] = {
    {"lsn", "WAL position", SRV_TEXT, 0, 16, 0, ALWAYS("l.lsn::text"), NULL},
    {"in_recovery", "standby", SRV_BOOL, 0, 3, 0, ALWAYS("l.standby"), NULL},
    {"wal_lsn_bytes", "WAL bytes (LSN)", SRV_BYTES, CR, 9, 0,
     ALWAYS("pg_wal_lsn_diff(l.lsn, '0/0')"), NULL},
    {"wal_records",
     "WAL records",
     SRV_NUM,
     CR,
     9,
     0,
     {{"pg_stat_wal.wal_records", "w.wal_records"}},
     NULL},
    {"wal_fpi",
     "full page images",
     SRV_NUM,
     CR,
     9,
     0,
     {{"pg_stat_wal.wal_fpi", "w.wal_fpi"}},
     NULL},
    {"wal_bytes",
     "WAL bytes (pg_stat_wal)",
     SRV_BYTES,
     CR,
     9,
     0,
     {{"pg_stat_wal.wal_bytes", "w.wal_bytes"}},
     NULL},
    {"wal_buffers_full",
     "WAL buffers full",
     SRV_NUM,
     CR,
     9,
     0,
     {{"pg_stat_wal.wal_buffers_full", "w.wal_buffers_full"}},
     NULL},
    {"wal_write",
     "WAL writes",
     SRV_NUM,
     CR,
     9,
     0,
     {{"pg_stat_wal.wal_write", "w.wal_write"}},
     NULL},
    {"wal_sync", "WAL syncs", SRV_NUM, CR, 9, 0, {{"pg_stat_wal.wal_sync", "w.wal_sync"}}, NULL},
    {"checkpoints_timed",
     "checkpoints timed",
     SRV_NUM,
     C,
     9,
     0,
     {{"pg_stat_checkpointer.num_timed", "cp.num_timed"},
      {"pg_stat_bgwriter.checkpoints_timed", "bg.checkpoints_timed"}},
     NULL},
    {"checkpoints_req",
     "checkpoints requested",
     SRV_NUM,
     C,
     9,
     0,
     {{"pg_stat_checkpointer.num_requested", "cp.num_requested"},
      {"pg_stat_bgwriter.checkpoints_req", "bg.checkpoints_req"}},
     NULL},
    {"checkpoint_write_ms",
     "checkpoint write time",
     SRV_MS,
     C,
     9,
     0,
     {{"pg_stat_checkpointer.write_time", "cp.write_time"},
      {"pg_stat_bgwriter.checkpoint_write_time", "bg.checkpoint_write_time"}},
     NULL},
    {"checkpoint_sync_ms",
     "checkpoint sync time",
     SRV_MS,
     C,
     9,
     0,
     {{"pg_stat_checkpointer.sync_time", "cp.sync_time"},
      {"pg_stat_bgwriter.checkpoint_sync_time", "bg.checkpoint_sync_time"}},
     NULL},
    {"buffers_checkpoint",
     "buffers by checkpoints",
     SRV_NUM,
     CR,
     9,
     0,
     {{"pg_stat_checkpointer.buffers_written", "cp.buffers_written"},
      {"pg_stat_bgwriter.buffers_checkpoint", "bg.buffers_checkpoint"}},
     NULL},
    {"buffers_clean",
     "buffers by bgwriter",
     SRV_NUM,
     CR,
     9,
     0,
     {{"pg_stat_bgwriter.buffers_clean", "bg.buffers_clean"}},
     NULL},
    {"maxwritten_clean",
     "bgwriter stops (max)",
     SRV_NUM,
     C,
     9,
     0,
     {{"pg_stat_bgwriter.maxwritten_clean", "bg.maxwritten_clean"}},
     NULL},
    {"buffers_backend",
     "buffers by backends",
     SRV_NUM,
     CR,
     9,
     0,
     {{"pg_stat_bgwriter.buffers_backend", "bg.buffers_backend"}},
     NULL},
    {"buffers_alloc",
     "buffers allocated",
     SRV_NUM,
     CR,
     9,
     0,
     {{"pg_stat_bgwriter.buffers_alloc", "bg.buffers_alloc"}},
     NULL},
    {"bgwriter_stats_reset", "bgwriter reset", SRV_EPOCH, 0, 9, 0,
     ALWAYS("extract(epoch from bg.stats_reset)"), NULL},
};

#define VIEW(id, name, title, key, cols, single, sort, every)                                      \
    {                                                                                              \
        id, name, title, key, cols, (int)(sizeof cols / sizeof cols[0]), single, sort, every       \
    }
static const srv_view views[SRV_VIEW_COUNT] = {
    VIEW(SRV_DATABASE, "database", "Database", 'd', database_cols, false, 2, 0),
    VIEW(SRV_TABLES, "tables", "Tables", 't', tables_cols, false, 5, 0),
    VIEW(SRV_INDEXES, "indexes", "Indexes", 'x', indexes_cols, false, 5, 0),
    VIEW(SRV_REPLICATION, "replication", "Replication", 'r', replication_cols, false, 9, 0),
    VIEW(SRV_PROGRESS, "progress", "Progress", 'o', progress_cols, false, 7, 0),
    VIEW(SRV_WAL, "wal", "WAL", 'w', wal_cols, true, 2, 0),
};

const srv_view *srv_view_get(srv_view_id id)
{
    return id >= 0 && id < SRV_VIEW_COUNT ? &views[id] : NULL;
}

const srv_view *srv_view_by_name(const char *name)
{
    for (int i = 0; name && i < SRV_VIEW_COUNT; i++)
        if (strcmp(views[i].name, name) == 0)
            return &views[i];
    return NULL;
}

/* ---- probe ---------------------------------------------------------------- */

struct srv_catalog {
    int version;
    char *columns; /* ",view.col,view.col," */
};

const char *srv_probe_sql(void)
{
    return "SELECT " MON_SQL_MARK " current_setting('server_version_num')::int AS version,"
           " string_agg(c.relname || '.' || a.attname, ',') AS columns"
           " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
           " WHERE c.relnamespace = 'pg_catalog'::regnamespace AND a.attnum > 0"
           " AND NOT a.attisdropped AND c.relname IN ('pg_stat_database', 'pg_stat_bgwriter',"
           " 'pg_stat_checkpointer', 'pg_stat_wal', 'pg_stat_replication',"
           " 'pg_replication_slots', 'pg_stat_progress_vacuum', 'pg_stat_progress_analyze',"
           " 'pg_stat_progress_create_index', 'pg_stat_progress_cluster',"
           " 'pg_stat_progress_copy', 'pg_stat_progress_basebackup')";
}

srv_catalog *srv_catalog_parse(const eng_result *r, char **err)
{
    if (!r || eng_result_status(r) != ENG_RES_TUPLES || eng_result_nrows(r) != 1 ||
        eng_result_ncols(r) != 2 || strcmp(eng_result_colname(r, 1), "columns") != 0) {
        if (err)
            *err = xstrdup("not the server views' probe result");
        return NULL;
    }
    return srv_catalog_new(atoi(eng_result_value(r, 0, 0)), eng_result_value(r, 0, 1));
}

srv_catalog *srv_catalog_new(int version, const char *columns)
{
    srv_catalog *c = xcalloc(1, sizeof *c);
    c->version = version;
    c->columns = xasprintf(",%s,", columns ? columns : "");
    return c;
}

const char *srv_catalog_columns(const srv_catalog *c)
{
    return c ? c->columns + 1 : "";
}

void srv_catalog_free(srv_catalog *c)
{
    if (!c)
        return;
    free(c->columns);
    free(c);
}

int srv_catalog_version(const srv_catalog *c)
{
    return c ? c->version : 0;
}

bool srv_catalog_has(const srv_catalog *c, const char *what)
{
    if (!c || !what)
        return false;
    char pat[128];
    /* a view: some "view.<col>"; a column: exactly ",view.col," */
    snprintf(pat, sizeof pat, strchr(what, '.') ? ",%s," : ",%s.", what);
    return strstr(c->columns, pat) != NULL;
}

static const char *col_expr(const srv_catalog *c, const srv_col *col)
{
    for (int i = 0; i < 2; i++) {
        if (!col->alt[i].expr)
            break;
        if (!col->alt[i].needs || srv_catalog_has(c, col->alt[i].needs))
            return col->alt[i].expr;
    }
    return NULL;
}

bool srv_col_absent(const srv_catalog *c, const srv_col *col)
{
    return col_expr(c, col) == NULL;
}

/* ---- FROM clauses ---------------------------------------------------------- */

static void from_database(strbuf *sb, const srv_catalog *c, const char *order, int limit)
{
    (void)c;
    sb_printf(sb,
              " FROM pg_catalog.pg_stat_database d WHERE d.datname IS NOT NULL"
              " ORDER BY %s DESC NULLS LAST, d.datname LIMIT %d",
              order ? order : "d.xact_commit + d.xact_rollback", limit);
}

/* The tables that make the limit are chosen on one cheap key over pg_class
 * (a statistics function or relpages); the other functions run for those
 * rows only. idx_scan is summed over the chosen tables' indexes. */
static void from_tables(strbuf *sb, const srv_catalog *c, const char *order, int limit)
{
    (void)c;
    sb_printf(sb,
              " FROM (SELECT s.oid, s.relname, s.nspname, s.reltoastrelid,"
              " sum(pg_stat_get_numscans(i.indexrelid)) AS idx_scan,"
              " pg_relation_size(s.oid) AS table_bytes,"
              " CASE WHEN s.reltoastrelid <> 0 THEN pg_total_relation_size(s.reltoastrelid)"
              " ELSE 0 END AS toast_bytes,"
              " pg_indexes_size(s.oid) AS index_bytes,"
              " pg_total_relation_size(s.oid) AS total_bytes,"
              " pg_stat_get_live_tuples(s.oid) AS live, pg_stat_get_dead_tuples(s.oid) AS dead"
              " FROM (SELECT c.oid, c.relname, n.nspname, c.reltoastrelid"
              " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
              " WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', "
              "'information_schema')"
              " AND n.nspname !~ '^pg_toast'"
              " ORDER BY %s DESC NULLS LAST, c.oid LIMIT %d) s"
              " LEFT JOIN pg_catalog.pg_index i ON i.indrelid = s.oid"
              " GROUP BY s.oid, s.relname, s.nspname, s.reltoastrelid) t",
              order ? order : "pg_stat_get_dead_tuples(c.oid)", limit);
}

/* Duplicates: same table, same key columns, expressions and predicate; the
 * one with the lowest oid is the original, the others name it. Unused: never
 * scanned and not enforcing a constraint (unique, primary key, exclusion). */
static void from_indexes(strbuf *sb, const srv_catalog *c, const char *order, int limit)
{
    (void)c;
    /* an index lives in its table's schema: one pg_class scan (the index's),
     * the table's name looked up for the LIMIT rows only (sorted again: the
     * join may not keep the order); the scan count is read once per index */
    char keys[512];
    snprintf(keys, sizeof keys,
             "NOT x.indisvalid DESC, (x.first_oid <> x.indexrelid) DESC,"
             " (x.scans = 0 AND NOT x.indisunique AND NOT x.indisprimary AND NOT x.isexcl)"
             " DESC, %s DESC NULLS LAST, x.indexrelid",
             order ? order : "x.relpages");
    sb_printf(sb,
              " FROM (SELECT x.*, ct.relname AS tablename,"
              " pg_relation_size(x.indexrelid) AS index_bytes,"
              " pg_get_indexdef(x.indexrelid) AS definition,"
              " CASE WHEN x.first_oid <> x.indexrelid THEN x.first_oid::regclass::text END"
              " AS duplicate_of,"
              " x.scans = 0 AND NOT x.indisunique AND NOT x.indisprimary AND NOT x.isexcl"
              " AS unused"
              " FROM (SELECT x.* FROM (SELECT i.indexrelid, i.indrelid, i.indisvalid,"
              " i.indisunique, i.indisprimary, i.indisexclusion AS isexcl, n.nspname,"
              " ci.relname AS indexname, ci.relpages,"
              " pg_stat_get_numscans(i.indexrelid) AS scans,"
              " min(i.indexrelid::int8) OVER (PARTITION BY i.indrelid, i.indkey::text,"
              " coalesce(i.indexprs::text, ''), coalesce(i.indpred::text, ''))::oid AS first_oid"
              " FROM pg_catalog.pg_index i"
              " JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid"
              " JOIN pg_catalog.pg_namespace n ON n.oid = ci.relnamespace"
              " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
              " AND n.nspname !~ '^pg_toast') x"
              " ORDER BY %s LIMIT %d) x JOIN pg_catalog.pg_class ct ON ct.oid = x.indrelid"
              " ORDER BY %s) t",
              keys, limit, keys);
}

static void from_replication(strbuf *sb, const srv_catalog *c, const char *order, int limit)
{
    (void)c;
    (void)order;
    sb_printf(sb,
              " FROM (SELECT 'standby'::text AS kind, r.application_name::text AS name, r.pid,"
              " host(r.client_addr) AS client, r.state::text AS state, r.sync_state::text AS "
              "sync_state,"
              " pg_wal_lsn_diff(cur.lsn, r.sent_lsn) AS sent_lag,"
              " pg_wal_lsn_diff(cur.lsn, r.write_lsn) AS write_lag,"
              " pg_wal_lsn_diff(cur.lsn, r.flush_lsn) AS flush_lag,"
              " pg_wal_lsn_diff(cur.lsn, r.replay_lsn) AS replay_lag,"
              " extract(epoch from r.write_lag) AS write_lag_s,"
              " extract(epoch from r.flush_lag) AS flush_lag_s,"
              " extract(epoch from r.replay_lag) AS replay_lag_s,"
              " NULL::bool AS active, NULL::numeric AS retained, NULL::text AS wal_status"
              " FROM pg_catalog.pg_stat_replication r, (SELECT " CUR_LSN " AS lsn) cur"
              " UNION ALL"
              " SELECT 'slot', s.slot_name::text, s.active_pid, NULL, CASE WHEN s.active THEN "
              "'active' ELSE 'inactive' END,"
              " s.slot_type, NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.active,"
              " pg_wal_lsn_diff(cur.lsn, s.restart_lsn), s.wal_status"
              " FROM pg_catalog.pg_replication_slots s, (SELECT " CUR_LSN " AS lsn) cur"
              " ORDER BY 1 DESC, 10 DESC NULLS LAST, 2 LIMIT %d) t",
              limit);
}

static void progress_arm(strbuf *sb, const srv_catalog *c, const char *view, const char *body)
{
    if (!srv_catalog_has(c, view))
        return;
    if (sb->len && sb->data[sb->len - 1] != '(')
        sb_append(sb, " UNION ALL ");
    sb_append(sb, body);
}

static void from_progress(strbuf *sb, const srv_catalog *c, const char *order, int limit)
{
    (void)order;
    sb_append(sb, " FROM (");
    size_t start = sb->len;
    progress_arm(sb, c, "pg_stat_progress_vacuum",
                 "SELECT 'vacuum'::text AS command, p.pid, p.datname::text AS datname,"
                 " p.relid::regclass::text AS relation, p.phase::text AS phase,"
                 " p.heap_blks_scanned::float8 AS done, p.heap_blks_total::float8 AS total,"
                 " 'blocks'::text AS unit FROM pg_catalog.pg_stat_progress_vacuum p");
    progress_arm(sb, c, "pg_stat_progress_analyze",
                 "SELECT 'analyze', p.pid, p.datname, p.relid::regclass::text, p.phase,"
                 " p.sample_blks_scanned, p.sample_blks_total, 'blocks'"
                 " FROM pg_catalog.pg_stat_progress_analyze p");
    progress_arm(sb, c, "pg_stat_progress_create_index",
                 "SELECT lower(p.command), p.pid, p.datname, p.relid::regclass::text, p.phase,"
                 " CASE WHEN p.blocks_total > 0 THEN p.blocks_done ELSE p.tuples_done END,"
                 " CASE WHEN p.blocks_total > 0 THEN p.blocks_total ELSE p.tuples_total END,"
                 " CASE WHEN p.blocks_total > 0 THEN 'blocks' ELSE 'tuples' END"
                 " FROM pg_catalog.pg_stat_progress_create_index p");
    progress_arm(sb, c, "pg_stat_progress_cluster",
                 "SELECT lower(p.command), p.pid, p.datname, p.relid::regclass::text, p.phase,"
                 " p.heap_blks_scanned, p.heap_blks_total, 'blocks'"
                 " FROM pg_catalog.pg_stat_progress_cluster p");
    progress_arm(sb, c, "pg_stat_progress_copy",
                 "SELECT lower('copy ' || p.command), p.pid, p.datname, p.relid::regclass::text,"
                 " p.type,"
                 " CASE WHEN p.bytes_total > 0 THEN p.bytes_processed ELSE p.tuples_processed END,"
                 " nullif(p.bytes_total, 0),"
                 " CASE WHEN p.bytes_total > 0 THEN 'bytes' ELSE 'tuples' END"
                 " FROM pg_catalog.pg_stat_progress_copy p");
    progress_arm(sb, c, "pg_stat_progress_basebackup",
                 "SELECT 'base backup', p.pid, NULL, NULL, p.phase, p.backup_streamed,"
                 " p.backup_total, 'bytes' FROM pg_catalog.pg_stat_progress_basebackup p");
    if (sb->len == start) /* none (cannot happen on 13+): an empty set of the right shape */
        sb_append(sb, "SELECT NULL::text AS command, NULL::int AS pid, NULL::text AS datname,"
                      " NULL::text AS relation, NULL::text AS phase, NULL::float8 AS done,"
                      " NULL::float8 AS total, NULL::text AS unit WHERE false");
    sb_printf(sb, " ORDER BY 2 LIMIT %d) t", limit);
}

static void from_wal(strbuf *sb, const srv_catalog *c, const char *order, int limit)
{
    (void)order;
    (void)limit;
    sb_append(sb, " FROM (SELECT " CUR_LSN " AS lsn, pg_is_in_recovery() AS standby) l"
                  " CROSS JOIN pg_catalog.pg_stat_bgwriter bg");
    if (srv_catalog_has(c, "pg_stat_checkpointer"))
        sb_append(sb, " CROSS JOIN pg_catalog.pg_stat_checkpointer cp");
    if (srv_catalog_has(c, "pg_stat_wal"))
        sb_append(sb, " CROSS JOIN pg_catalog.pg_stat_wal w");
}

typedef void (*from_fn)(strbuf *, const srv_catalog *, const char *, int);
static const from_fn from_of[SRV_VIEW_COUNT] = {from_database,    from_tables,   from_indexes,
                                                from_replication, from_progress, from_wal};

char *srv_view_sql(const srv_view *v, const srv_catalog *c, int sort_col, int limit)
{
    if (limit <= 0)
        limit = 100;
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "SELECT " MON_SQL_MARK " extract(epoch from now()) AS _now");
    for (int i = 0; i < v->ncols; i++) {
        const char *e = col_expr(c, &v->cols[i]);
        sb_printf(&sb, ", %s AS %s", e ? e : "NULL", v->cols[i].key);
    }
    const char *order = sort_col >= 0 && sort_col < v->ncols ? v->cols[sort_col].order : NULL;
    from_of[v->id](&sb, c, order, limit);
    return sb_steal(&sb);
}

/* ---- the cheap refresh of tables and indexes ------------------------------------ */

static int col_of(const srv_view *v, const char *key)
{
    for (int i = 0; i < v->ncols; i++)
        if (strcmp(v->cols[i].key, key) == 0)
            return i;
    return -1;
}

/* One array literal of a snapshot column, '{a,b,NULL}'::type[], inside a SQL
 * string literal: elements double-quoted (\ and " escaped), ' doubled. */
static void array_literal(strbuf *sb, const srv_snap *s, int col, const char *type)
{
    sb_append(sb, "'{");
    for (size_t j = 0; j < s->n; j++) {
        const char *t = s->rows[j].text[col];
        if (j)
            sb_append(sb, ",");
        if (!t[0]) {
            sb_append(sb, "NULL");
            continue;
        }
        sb_append(sb, "\"");
        for (; *t; t++) {
            if (*t == '\\' || *t == '"')
                sb_append(sb, "\\");
            sb_printf(sb, "%c%s", *t, *t == '\'' ? "'" : "");
        }
        sb_append(sb, "\"");
    }
    sb_printf(sb, "}'::%s[]", type);
}

/* The per-row "read the sizes now" flags, '{t,f}'::bool[] (all false without). */
static void sizes_literal(strbuf *sb, const srv_snap *s, const bool *sizes_now)
{
    sb_append(sb, "'{");
    for (size_t j = 0; j < s->n; j++)
        sb_append(sb, j ? (sizes_now && sizes_now[j] ? ",t" : ",f")
                        : (sizes_now && sizes_now[j] ? "t" : "f"));
    sb_append(sb, "}'::bool[]");
}

/* A catalog fact carried from the rows' previous read (f.<key>), or read
 * now for the rows flagged: the file lookups behind a size cost the
 * server, so a few rows a time. */
static void carried(strbuf *sb, const char *now, const char *key)
{
    sb_printf(sb, " CASE WHEN f.read_size THEN %s ELSE f.%s END AS %s,", now, key, key);
}

static void rows_tables(strbuf *sb, const srv_snap *s, const bool *sizes_now)
{
    const srv_view *v = s->view;
    sb_append(sb, " FROM (SELECT c.oid, c.relname, n.nspname, c.reltoastrelid,");
    carried(sb, "pg_relation_size(c.oid)", "table_bytes");
    carried(sb,
            "CASE WHEN c.reltoastrelid <> 0 THEN pg_total_relation_size(c.reltoastrelid)"
            " ELSE 0 END",
            "toast_bytes");
    carried(sb, "pg_indexes_size(c.oid)", "index_bytes");
    carried(sb, "pg_total_relation_size(c.oid)", "total_bytes");
    sb_append(sb, " (SELECT sum(pg_stat_get_numscans(i.indexrelid)) FROM pg_catalog.pg_index i"
                  " WHERE i.indrelid = c.oid) AS idx_scan, pg_stat_get_live_tuples(c.oid) AS live,"
                  " pg_stat_get_dead_tuples(c.oid) AS dead, f.ord FROM unnest(");
    array_literal(sb, s, col_of(v, "oid"), "oid");
    const char *sizes[] = {"table_bytes", "toast_bytes", "index_bytes", "total_bytes"};
    for (int i = 0; i < 4; i++) {
        sb_append(sb, ", ");
        array_literal(sb, s, col_of(v, sizes[i]), "int8");
    }
    sb_append(sb, ", ");
    sizes_literal(sb, s, sizes_now);
    /* in the order given: the pass's order, which the CLI prints; OFFSET 0
     * keeps t a subquery, so live and dead are not copied into each use */
    sb_append(sb, ") WITH ORDINALITY f(oid, table_bytes, toast_bytes, index_bytes, total_bytes,"
                  " read_size, ord) JOIN pg_catalog.pg_class c ON c.oid = f.oid"
                  " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                  " OFFSET 0) t ORDER BY t.ord");
}

static void rows_indexes(strbuf *sb, const srv_snap *s, const bool *sizes_now)
{
    const srv_view *v = s->view;
    sb_append(sb, " FROM (SELECT x.*, x.scans = 0 AND NOT x.indisunique AND NOT x.indisprimary"
                  " AND NOT x.isexcl AS unused FROM (SELECT i.indexrelid, i.indisvalid,"
                  " i.indisunique, i.indisprimary, i.indisexclusion AS isexcl, n.nspname,"
                  " ci.relname AS indexname, ct.relname AS tablename,"
                  " pg_stat_get_numscans(i.indexrelid) AS scans,");
    carried(sb, "pg_relation_size(i.indexrelid)", "index_bytes");
    carried(sb, "pg_get_indexdef(i.indexrelid)", "definition");
    sb_append(sb, " f.duplicate_of, f.ord FROM unnest(");
    array_literal(sb, s, col_of(v, "oid"), "oid");
    sb_append(sb, ", ");
    array_literal(sb, s, col_of(v, "index_bytes"), "int8");
    sb_append(sb, ", ");
    array_literal(sb, s, col_of(v, "duplicate_of"), "text");
    sb_append(sb, ", ");
    array_literal(sb, s, col_of(v, "definition"), "text");
    sb_append(sb, ", ");
    sizes_literal(sb, s, sizes_now);
    sb_append(sb, ") WITH ORDINALITY f(indexrelid, index_bytes, duplicate_of, definition,"
                  " read_size, ord) JOIN pg_catalog.pg_index i ON i.indexrelid = f.indexrelid"
                  " JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid"
                  " JOIN pg_catalog.pg_class ct ON ct.oid = i.indrelid"
                  " JOIN pg_catalog.pg_namespace n ON n.oid = ci.relnamespace) x) t"
                  " ORDER BY t.ord");
}

bool srv_view_cached(const srv_view *v)
{
    return v && (v->id == SRV_TABLES || v->id == SRV_INDEXES);
}

char *srv_view_sql_rows(const srv_view *v, const srv_catalog *c, const srv_snap *prev,
                        const bool *sizes_now)
{
    if (!srv_view_cached(v) || !prev || prev->view != v)
        return NULL;
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "SELECT " MON_SQL_MARK " extract(epoch from now()) AS _now");
    for (int i = 0; i < v->ncols; i++) {
        const char *e = col_expr(c, &v->cols[i]);
        sb_printf(&sb, ", %s AS %s", e ? e : "NULL", v->cols[i].key);
    }
    if (v->id == SRV_TABLES)
        rows_tables(&sb, prev, sizes_now);
    else
        rows_indexes(&sb, prev, sizes_now);
    return sb_steal(&sb);
}

/* ---- snapshots ---------------------------------------------------------------- */

srv_snap *srv_parse(const srv_view *v, const srv_catalog *c, const eng_result *r, double taken_at,
                    char **err)
{
    if (!r || eng_result_status(r) != ENG_RES_TUPLES || eng_result_ncols(r) != v->ncols + 1 ||
        strcmp(eng_result_colname(r, 0), "_now") != 0) {
        if (err)
            *err = xasprintf("not the %s view's result", v->name);
        return NULL;
    }
    int map[64];
    for (int i = 0; i < v->ncols && i < 64; i++) {
        map[i] = -1;
        for (int k = 1; k < eng_result_ncols(r); k++)
            if (strcmp(eng_result_colname(r, k), v->cols[i].key) == 0)
                map[i] = k;
        if (map[i] < 0) {
            if (err)
                *err = xasprintf("the %s view's result lacks %s", v->name, v->cols[i].key);
            return NULL;
        }
    }
    srv_snap *s = xcalloc(1, sizeof *s);
    s->view = v;
    s->taken_at = taken_at;
    s->version = srv_catalog_version(c);
    s->absent = xcalloc((size_t)v->ncols, sizeof *s->absent);
    for (int i = 0; i < v->ncols; i++)
        s->absent[i] = srv_col_absent(c, &v->cols[i]);
    if (v->id == SRV_PROGRESS && !srv_catalog_has(c, "pg_stat_progress_copy"))
        s->note = xasprintf("copy progress: not on PostgreSQL %d", s->version / 10000);
    else
        s->note = xstrdup("");
    s->n = (size_t)eng_result_nrows(r);
    s->rows = xcalloc(s->n ? s->n : 1, sizeof *s->rows);
    s->now_s = s->n ? strtod(eng_result_value(r, 0, 0), NULL) : NAN;
    for (size_t j = 0; j < s->n; j++) {
        srv_row *row = &s->rows[j];
        row->text = xcalloc((size_t)v->ncols, sizeof *row->text);
        row->num = xcalloc((size_t)v->ncols, sizeof *row->num);
        row->rate = xcalloc((size_t)v->ncols, sizeof *row->rate);
        for (int i = 0; i < v->ncols; i++) {
            int k = map[i];
            row->text[i] = xstrdup(eng_result_value(r, (int)j, k));
            row->rate[i] = NAN;
            if (eng_result_isnull(r, (int)j, k) || v->cols[i].kind == SRV_TEXT)
                row->num[i] = NAN;
            else if (v->cols[i].kind == SRV_BOOL)
                row->num[i] = row->text[i][0] == 't' ? 1 : 0;
            else
                row->num[i] = strtod(row->text[i], NULL);
        }
    }
    return s;
}

void srv_snap_free(srv_snap *s)
{
    if (!s)
        return;
    for (size_t j = 0; j < s->n; j++) {
        for (int i = 0; i < s->view->ncols; i++)
            free(s->rows[j].text[i]);
        free(s->rows[j].text);
        free(s->rows[j].num);
        free(s->rows[j].rate);
    }
    free(s->rows);
    free(s->absent);
    free(s->note);
    free(s);
}

static bool same_row(const srv_view *v, const srv_row *a, const srv_row *b)
{
    for (int i = 0; i < v->ncols; i++)
        if ((v->cols[i].flags & SRV_F_KEY) && strcmp(a->text[i], b->text[i]) != 0)
            return false;
    return true;
}

void srv_rates(const srv_snap *prev, srv_snap *cur)
{
    const srv_view *v = cur->view;
    cur->interval_s = 0;
    if (!prev || prev->view != v || !(cur->taken_at > prev->taken_at))
        return;
    cur->interval_s = cur->taken_at - prev->taken_at;
    for (size_t j = 0; j < cur->n; j++) {
        srv_row *row = &cur->rows[j];
        const srv_row *old = NULL;
        /* rows keep their order between refreshes: try the same index first */
        if (j < prev->n && same_row(v, &prev->rows[j], row))
            old = &prev->rows[j];
        for (size_t k = 0; !old && k < prev->n; k++)
            if (same_row(v, &prev->rows[k], row))
                old = &prev->rows[k];
        if (!old)
            continue;
        for (int i = 0; i < v->ncols; i++) {
            if (!(v->cols[i].flags & SRV_F_COUNTER) || isnan(row->num[i]) || isnan(old->num[i]))
                continue;
            double d = row->num[i] - old->num[i];
            if (d < 0) {
                cur->reset_seen = true; /* a reset: the baseline restarts here */
                continue;
            }
            row->rate[i] = d / cur->interval_s;
        }
        if (v->id == SRV_PROGRESS) {
            row->num[PROGRESS_RATE] = row->rate[PROGRESS_DONE];
            row->rate[PROGRESS_RATE] = row->rate[PROGRESS_DONE];
        }
    }
}

static const srv_snap *g_sort_snap; /* qsort context (one thread at a time) */
static int g_sort_col;

static double sort_value(const srv_row *r)
{
    const srv_col *c = &g_sort_snap->view->cols[g_sort_col];
    if ((c->flags & SRV_F_SHOW_RATE) && g_sort_snap->interval_s > 0)
        return r->rate[g_sort_col];
    return r->num[g_sort_col];
}

static int row_cmp(const void *pa, const void *pb)
{
    const srv_row *a = pa, *b = pb;
    if (g_sort_snap->view->cols[g_sort_col].kind == SRV_TEXT)
        return strcmp(a->text[g_sort_col], b->text[g_sort_col]);
    double x = sort_value(a), y = sort_value(b);
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return x < y ? 1 : x > y ? -1 : 0;
}

void srv_sort(srv_snap *s, int col)
{
    if (!s || col < 0 || col >= s->view->ncols || s->n < 2)
        return;
    g_sort_snap = s;
    g_sort_col = col;
    /* stable enough: equal rows keep the server's order through the index tie */
    qsort(s->rows, s->n, sizeof *s->rows, row_cmp);
    g_sort_snap = NULL;
}

/* ---- formatting ----------------------------------------------------------------- */

const char *srv_title(const srv_snap *s, int col, char *buf, size_t n)
{
    const srv_col *c = &s->view->cols[col];
    size_t len = strlen(c->title);
    if (!(c->flags & SRV_F_SHOW_RATE) || s->interval_s > 0 || len < 2 ||
        strcmp(c->title + len - 2, "/s") != 0)
        return c->title;
    snprintf(buf, n, "%.*s", (int)(len - 2), c->title);
    return buf;
}

const char *srv_absent_text(const srv_snap *s, int col, char *buf, size_t n)
{
    if (!s->absent[col])
        return NULL;
    snprintf(buf, n, "not on PostgreSQL %d", s->version / 10000);
    return buf;
}

const char *srv_format(const srv_snap *s, size_t row, int col, bool show_rate, char *buf, size_t n)
{
    const srv_col *c = &s->view->cols[col];
    const srv_row *r = &s->rows[row];
    if (s->absent[col])
        return "n/a";
    double v = r->num[col];
    /* before a second snapshot, the total (srv_title says which) */
    show_rate = show_rate && (c->flags & SRV_F_SHOW_RATE) && s->interval_s > 0;
    if (show_rate)
        v = r->rate[col];
    switch (c->kind) {
    case SRV_TEXT:
        return r->text[col];
    case SRV_BOOL:
        return isnan(v) ? "" : v ? "yes" : "no";
    case SRV_BYTES:
        if (isnan(v))
            return "";
        fmt_bytes(v, buf, n);
        if (show_rate && strlen(buf) + 3 < n)
            strcat(buf, "/s");
        return buf;
    case SRV_PCT:
        if (isnan(v))
            return "";
        snprintf(buf, n, "%.1f", v);
        return buf;
    case SRV_SECONDS:
        fmt_duration(v, buf, n);
        return buf;
    case SRV_MS:
        fmt_ms(v, buf, n);
        return buf;
    case SRV_EPOCH:
        if (isnan(v))
            return "never";
        fmt_duration(s->now_s - v, buf, n);
        if (strlen(buf) + 5 < n)
            strcat(buf, " ago");
        return buf;
    case SRV_INT:
        if (isnan(v))
            return "";
        snprintf(buf, n, "%.0f", v);
        return buf;
    case SRV_NUM:
    default:
        if (isnan(v))
            return "";
        fmt_count(v, buf, n);
        return buf;
    }
}
