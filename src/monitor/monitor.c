/* monitor.c — SQL and result interpretation for the server monitors
 * (pg_stat_statements, pg_stat_activity, pg_locks). See monitor.h. */
#include "monitor/monitor.h"

#include "common/fingerprint.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIDDEN_TEXT "<insufficient privilege>"

/* ---- small helpers -------------------------------------------------------- */

static int col_index(const eng_result *r, const char *name)
{
    int n = eng_result_ncols(r);
    for (int i = 0; i < n; i++)
        if (strcmp(eng_result_colname(r, i), name) == 0)
            return i;
    return -1;
}

static char *get_str(const eng_result *r, int row, int col)
{
    if (col < 0 || eng_result_isnull(r, row, col))
        return NULL;
    return xstrdup(eng_result_value(r, row, col));
}

static char *get_str0(const eng_result *r, int row, int col)
{
    char *s = get_str(r, row, col);
    return s ? s : xstrdup("");
}

static double get_num(const eng_result *r, int row, int col)
{
    if (col < 0 || eng_result_isnull(r, row, col))
        return NAN;
    return strtod(eng_result_value(r, row, col), NULL);
}

static bool get_bool(const eng_result *r, int row, int col)
{
    if (col < 0 || eng_result_isnull(r, row, col))
        return false;
    const char *v = eng_result_value(r, row, col);
    return v[0] == 't' || v[0] == 'T' || v[0] == '1';
}

static void set_str(char **dst, char *val)
{
    free(*dst);
    *dst = val;
}

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

/* ---- probe ---------------------------------------------------------------- */

const char *mon_probe_sql(void)
{
    /* shared_preload_libraries is readable only by superusers and
     * pg_read_all_settings: the CASE keeps the probe from failing otherwise.
     * The module defines pg_stat_statements.max only when preloaded, so that
     * setting tells whether the library is really loaded. */
    return "SELECT " MON_SQL_MARK " current_setting('server_version_num')::int AS version_num,"
           " current_database() AS database, current_user AS username,"
           " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,"
           " pg_has_role('pg_read_all_stats', 'USAGE') AS read_all_stats,"
           " CASE WHEN pg_has_role('pg_read_all_settings', 'USAGE')"
           " THEN current_setting('shared_preload_libraries') END AS preload,"
           " current_setting('pg_stat_statements.max', true) IS NOT NULL AS library_loaded,"
           " (SELECT default_version FROM pg_available_extensions"
           " WHERE name = 'pg_stat_statements') AS available_version,"
           " e.extversion AS installed_version,"
           " (SELECT format('%I.%I', n.nspname, v.relname) FROM pg_namespace n"
           " WHERE n.oid = v.relnamespace) AS relation,"
           " CASE WHEN v.oid IS NOT NULL THEN has_table_privilege(v.oid, 'SELECT') END AS "
           "can_select,"
           " (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
           " JOIN pg_namespace n ON n.oid = c.relnamespace"
           " WHERE c.relnamespace = e.extnamespace AND c.relname = 'pg_stat_statements_info')"
           " AS info_relation,"
           " (SELECT format('%I.%I', n.nspname, p.proname) FROM pg_proc p"
           " JOIN pg_namespace n ON n.oid = p.pronamespace"
           " WHERE p.pronamespace = e.extnamespace AND p.proname = 'pg_stat_statements_reset'"
           " LIMIT 1) AS reset_function,"
           " (SELECT format('%I.%I', n.nspname, p.proname) FROM pg_proc p"
           " JOIN pg_namespace n ON n.oid = p.pronamespace"
           " WHERE p.pronamespace = e.extnamespace AND p.proname = 'pg_stat_statements'"
           " AND p.pronargs = 1 AND has_function_privilege(p.oid, 'EXECUTE')"
           " LIMIT 1) AS function,"
           " (SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute"
           " WHERE attrelid = v.oid AND attnum > 0 AND NOT attisdropped) AS columns"
           " FROM (SELECT 1) AS one"
           " LEFT JOIN pg_extension e ON e.extname = 'pg_stat_statements'"
           " LEFT JOIN pg_class v ON v.relnamespace = e.extnamespace"
           " AND v.relname = 'pg_stat_statements'";
}

void mon_server_init(mon_server *s)
{
    memset(s, 0, sizeof *s);
    s->state = MON_PGSS_UNKNOWN;
    s->reason = xstrdup("");
    s->remedy = xstrdup("");
    s->visibility_note = xstrdup("");
}

void mon_server_free(mon_server *s)
{
    free(s->database);
    free(s->user);
    free(s->preload);
    free(s->available_version);
    free(s->installed_version);
    free(s->relation);
    free(s->info_relation);
    free(s->reset_function);
    free(s->function);
    free(s->columns);
    free(s->reason);
    free(s->remedy);
    free(s->visibility_note);
    memset(s, 0, sizeof *s);
}

const char *mon_pgss_state_name(mon_pgss_state st)
{
    switch (st) {
    case MON_PGSS_UNKNOWN:
        return "unknown";
    case MON_PGSS_OK:
        return "ok";
    case MON_PGSS_NOT_AVAILABLE:
        return "not_available";
    case MON_PGSS_NOT_PRELOADED:
        return "not_preloaded";
    case MON_PGSS_NOT_INSTALLED:
        return "not_installed";
    case MON_PGSS_NO_PRIVILEGE:
        return "no_privilege";
    case MON_PGSS_ERROR:
        return "error";
    }
    return "unknown";
}

bool mon_server_has_generic_plan(const mon_server *s)
{
    return s->version_num >= 160000;
}

static bool list_has(const char *list, const char *col, size_t len);

bool mon_server_has_toplevel(const mon_server *s)
{
    return s->state == MON_PGSS_OK && s->columns && list_has(s->columns, "toplevel", 8);
}

/* Does a shared_preload_libraries value name pg_stat_statements? Entries may
 * be quoted, carry $libdir/ or a .so suffix. */
static bool preload_lists_pgss(const char *list)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '"' || *p == '\'')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '"' || end[-1] == '\''))
            end--;
        const char *base = start;
        for (const char *q = start; q < end; q++)
            if (*q == '/')
                base = q + 1;
        size_t len = (size_t)(end - base);
        if (len >= 3 && strncmp(end - 3, ".so", 3) == 0)
            len -= 3;
        if (len == strlen("pg_stat_statements") && strncmp(base, "pg_stat_statements", len) == 0)
            return true;
    }
    return false;
}

/* When the library is listed but not loaded, a restart is all it takes. */
static char *preload_suggestion(const mon_server *s)
{
    if (s->preload_known && s->preload_has)
        return xstrdup("restart the server: shared_preload_libraries lists pg_stat_statements "
                       "but it is not loaded yet");
    return NULL;
}

static void diagnose(mon_server *s)
{
    const char *preload = s->preload;
    strbuf why, todo;
    sb_init(&why);
    sb_init(&todo);
    s->offer_create = false;
    const char *db = s->database ? s->database : "this database";
    char *add;
    if (preload && preload[0])
        add = xasprintf("ALTER SYSTEM SET shared_preload_libraries = '%s,pg_stat_statements'",
                        preload);
    else
        add = xstrdup("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
    char *restart = preload_suggestion(s);

    if (s->installed_version) {
        if (!s->library_loaded) {
            s->state = MON_PGSS_NOT_PRELOADED;
            if (restart) {
                sb_printf(&why,
                          "pg_stat_statements is installed in %s but its library is not "
                          "loaded",
                          db);
                sb_append(&todo, restart);
            } else {
                sb_printf(&why,
                          "pg_stat_statements is installed in %s but the library is not in "
                          "shared_preload_libraries",
                          db);
                sb_printf(&todo, "as a superuser: %s; then restart the server", add);
            }
        } else if (!s->can_select) {
            s->state = MON_PGSS_NO_PRIVILEGE;
            sb_printf(&why, "role %s may not read %s (no privilege)", s->user ? s->user : "?",
                      s->relation ? s->relation : "pg_stat_statements");
            sb_printf(&todo, "as a superuser: GRANT SELECT ON %s TO %s",
                      s->relation ? s->relation : "pg_stat_statements", s->user ? s->user : "?");
        } else {
            s->state = MON_PGSS_OK;
        }
    } else if (!s->available_version) {
        s->state = MON_PGSS_NOT_AVAILABLE;
        sb_append(&why, "the pg_stat_statements extension is not available on the server");
        sb_append(&todo, "install the server's contrib package (Debian: postgresql-contrib), "
                         "then preload and create it");
    } else if (s->library_loaded) {
        s->state = MON_PGSS_NOT_INSTALLED;
        s->offer_create = true;
        sb_printf(&why, "pg_stat_statements is loaded but not installed in database %s", db);
        sb_printf(&todo,
                  "CREATE EXTENSION pg_stat_statements in database %s%s (the Slow pane "
                  "offers it: key c)",
                  db, s->superuser ? "" : ", as a superuser");
    } else {
        s->state = MON_PGSS_NOT_PRELOADED;
        if (restart) {
            sb_printf(&why,
                      "pg_stat_statements is in shared_preload_libraries but not loaded, "
                      "and not installed in %s",
                      db);
            sb_printf(&todo, "restart the server, then CREATE EXTENSION pg_stat_statements in %s",
                      db);
        } else {
            sb_printf(&why,
                      "pg_stat_statements is not in shared_preload_libraries%s "
                      "(and not installed in %s)",
                      s->preload_known ? "" : " (or not loaded)", db);
            sb_printf(&todo,
                      "as a superuser: %s; restart the server; CREATE EXTENSION "
                      "pg_stat_statements in %s",
                      add, db);
        }
    }
    free(add);
    free(restart);
    set_str(&s->reason, sb_steal(&why));
    set_str(&s->remedy, sb_steal(&todo));
    sb_free(&why);
    sb_free(&todo);
    if (!s->superuser && !s->read_all_stats)
        set_str(&s->visibility_note,
                xasprintf("other roles' statements show as %s: GRANT pg_read_all_stats TO %s",
                          HIDDEN_TEXT, s->user ? s->user : "?"));
    else
        set_str(&s->visibility_note, xstrdup(""));
}

bool mon_probe_parse(const eng_result *r, mon_server *s, char **err)
{
    if (eng_result_status(r) != ENG_RES_TUPLES || eng_result_nrows(r) != 1 ||
        col_index(r, "version_num") < 0 || col_index(r, "columns") < 0) {
        if (err)
            *err = xstrdup("unexpected probe result");
        return false;
    }
    mon_server_free(s);
    mon_server_init(s);
    s->version_num = (int)get_num(r, 0, col_index(r, "version_num"));
    s->database = get_str(r, 0, col_index(r, "database"));
    s->user = get_str(r, 0, col_index(r, "username"));
    s->superuser = get_bool(r, 0, col_index(r, "superuser"));
    s->read_all_stats = get_bool(r, 0, col_index(r, "read_all_stats"));
    char *preload = get_str(r, 0, col_index(r, "preload"));
    s->preload_known = preload != NULL;
    s->preload_has = preload && preload_lists_pgss(preload);
    s->library_loaded = get_bool(r, 0, col_index(r, "library_loaded"));
    if (s->preload_known && !s->preload_has)
        s->library_loaded = false; /* a stray pg_stat_statements.* placeholder in the config */
    s->available_version = get_str(r, 0, col_index(r, "available_version"));
    s->installed_version = get_str(r, 0, col_index(r, "installed_version"));
    s->relation = get_str(r, 0, col_index(r, "relation"));
    s->can_select = get_bool(r, 0, col_index(r, "can_select"));
    s->info_relation = get_str(r, 0, col_index(r, "info_relation"));
    s->reset_function = get_str(r, 0, col_index(r, "reset_function"));
    s->function = get_str(r, 0, col_index(r, "function"));
    s->columns = get_str(r, 0, col_index(r, "columns"));
    if (s->installed_version && !s->relation) {
        /* the extension is there but its view was dropped */
        free(s->installed_version);
        s->installed_version = NULL;
    }
    s->preload = preload;
    diagnose(s);
    return true;
}

void mon_server_diagnose_error(mon_server *s, const eng_error *err)
{
    const char *code = err && err->sqlstate ? err->sqlstate : "";
    const char *msg = err && err->message ? err->message : "unknown error";
    if (strcmp(code, "55000") == 0 && strstr(msg, "shared_preload_libraries")) {
        s->library_loaded = false;
        s->preload_has = s->preload_known ? s->preload_has : false;
        diagnose(s);
        return;
    }
    if (strcmp(code, "42501") == 0) {
        s->can_select = false;
        diagnose(s);
        return;
    }
    if (strcmp(code, "42P01") == 0 || strcmp(code, "42883") == 0) {
        /* dropped since the probe: probe again later */
        s->state = MON_PGSS_UNKNOWN;
        set_str(&s->reason, xasprintf("pg_stat_statements changed: %s", msg));
        set_str(&s->remedy, xstrdup("probing again"));
        return;
    }
    s->state = MON_PGSS_ERROR;
    set_str(&s->reason, xasprintf("pg_stat_statements query failed: %s", msg));
    set_str(&s->remedy, xstrdup(err && err->hint ? err->hint : ""));
}

/* ---- pg_stat_statements ------------------------------------------------- */

typedef struct col_def {
    const char *name, *candidates;
} col_def;

static const col_def counter_defs[MC_COUNT] = {
#define MON_DEF(id, name, cols) {name, cols},
    MON_COUNTERS(MON_DEF)
#undef MON_DEF
};

static const col_def gauge_defs[MG_COUNT] = {
#define MON_DEF(id, name, cols) {name, cols},
    MON_GAUGES(MON_DEF)
#undef MON_DEF
};

const char *mon_counter_name(mon_counter c)
{
    return c < MC_COUNT ? counter_defs[c].name : "?";
}

const char *mon_gauge_name(mon_gauge g)
{
    return g < MG_COUNT ? gauge_defs[g].name : "?";
}

static const char *const sort_names[MON_SORT_COUNT] = {"total", "mean", "calls",
                                                       "rows",  "read", "temp"};

const char *mon_sort_name(mon_sort s)
{
    return s < MON_SORT_COUNT ? sort_names[s] : "?";
}

bool mon_sort_parse(const char *name, mon_sort *out)
{
    for (int i = 0; i < MON_SORT_COUNT; i++)
        if (strcmp(name, sort_names[i]) == 0) {
            *out = (mon_sort)i;
            return true;
        }
    return false;
}

/* Is `col` one of the comma-separated names in `list`? */
static bool list_has(const char *list, const char *col, size_t len)
{
    const char *p = list;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == len && strncmp(p, col, len) == 0)
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* The first candidate column the server's view has, into buf; false if none. */
static bool resolve_column(const mon_server *s, const char *candidates, char *buf, size_t n)
{
    const char *p = candidates;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (s->columns && list_has(s->columns, p, l) && l < n) {
            memcpy(buf, p, l);
            buf[l] = '\0';
            return true;
        }
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* The inner query's column, raw: no cast per entry. */
static void append_column(strbuf *sql, const mon_server *s, const col_def *d)
{
    char col[64];
    if (resolve_column(s, d->candidates, col, sizeof col))
        sb_printf(sql, ", s.%s AS %s", col, d->name);
    else
        sb_printf(sql, ", NULL::float8 AS %s", d->name);
}

char *mon_pgss_sql(const mon_server *s, mon_sort sort, int limit, const mon_filter *f)
{
    if (s->state != MON_PGSS_OK || !s->relation)
        return NULL;
    /* without a text filter, counters only: the texts are fetched apart */
    bool texts = (f && f->text && f->text[0]) || !s->function;
    if (limit <= 0)
        limit = MON_DEFAULT_LIMIT;
    const col_def *key;
    switch (sort) {
    case MON_SORT_MEAN:
        key = &gauge_defs[MG_MEAN_MS];
        break;
    case MON_SORT_CALLS:
        key = &counter_defs[MC_CALLS];
        break;
    case MON_SORT_ROWS:
        key = &counter_defs[MC_ROWS];
        break;
    case MON_SORT_READ:
        key = &counter_defs[MC_SHARED_READ];
        break;
    case MON_SORT_TEMP:
        key = &counter_defs[MC_TEMP_WRITTEN];
        break;
    default:
        key = &counter_defs[MC_TOTAL_MS];
        break;
    }
    char col[64];
    if (!resolve_column(s, key->candidates, col, sizeof col))
        strcpy(col, "calls");

    /* The inner query sorts and cuts the entries; names are joined to the
     * rows kept only. No count(*) OVER (): a window over every entry cost
     * more than the rest together; one row beyond the limit says "more". */
    strbuf sql;
    sb_init(&sql);
    sb_append(&sql, "SELECT " MON_SQL_MARK " s.userid, s.dbid, s.queryid, s.toplevel, s.query,"
                    " d.datname, r.rolname");
    /* as the server sends them (text): strtod() reads int8, float8 and numeric
     * alike, and a numeric -> float8 cast per row is not free */
    for (int i = 0; i < MC_COUNT; i++)
        sb_printf(&sql, ", s.%s", counter_defs[i].name);
    for (int i = 0; i < MG_COUNT; i++)
        sb_printf(&sql, ", s.%s", gauge_defs[i].name);
    if (s->info_relation)
        sb_append(&sql, ", extract(epoch FROM i.stats_reset) AS stats_reset, i.dealloc");
    else
        sb_append(&sql, ", NULL::float8 AS stats_reset, NULL::bigint AS dealloc");
    sb_printf(&sql, ", %d AS fetch_limit FROM (SELECT s.userid, s.dbid, s.queryid", limit);
    sb_append(&sql, list_has(s->columns, "toplevel", 8) ? ", s.toplevel" : ", true AS toplevel");
    for (int i = 0; i < MC_COUNT; i++)
        append_column(&sql, s, &counter_defs[i]);
    for (int i = 0; i < MG_COUNT; i++)
        append_column(&sql, s, &gauge_defs[i]);
    if (texts)
        sb_printf(&sql,
                  ", s.query FROM %s s WHERE s.query NOT LIKE 'SELECT " MON_SQL_MARK
                  "%%' AND ($3::text IS NULL OR strpos(lower(s.query), lower($3)) > 0)",
                  s->relation);
    else
        sb_printf(&sql, ", NULL::text AS query FROM %s(false) s WHERE $3::text IS NULL",
                  s->function);
    sb_printf(&sql,
              " AND ($1::text IS NULL OR s.dbid = (SELECT oid FROM pg_database WHERE datname = $1))"
              " AND ($2::text IS NULL OR s.userid = (SELECT oid FROM pg_roles WHERE rolname = $2))"
              " ORDER BY s.%s DESC NULLS LAST, s.queryid LIMIT %d) s",
              col, limit + 1);
    if (s->info_relation)
        sb_printf(&sql, " CROSS JOIN %s i", s->info_relation);
    sb_printf(&sql,
              " LEFT JOIN pg_database d ON d.oid = s.dbid LEFT JOIN pg_roles r ON r.oid = s.userid"
              " ORDER BY s.%s DESC NULLS LAST, s.queryid",
              key->name);
    return sb_steal(&sql);
}

void mon_pgss_params(const mon_filter *f, const char *params[3])
{
    params[0] = f && f->database && f->database[0] ? f->database : NULL;
    params[1] = f && f->user && f->user[0] ? f->user : NULL;
    params[2] = f && f->text && f->text[0] ? f->text : NULL;
}

void mon_filter_free(mon_filter *f)
{
    free(f->database);
    free(f->user);
    free(f->text);
    f->database = f->user = f->text = NULL;
}

void mon_filter_parse(mon_filter *f, const char *input)
{
    mon_filter_free(f);
    if (!input)
        return;
    strbuf text;
    sb_init(&text);
    const char *p = input;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        size_t len = (size_t)(p - start);
        if (len > 3 && strncmp(start, "db:", 3) == 0)
            set_str(&f->database, xstrndup(start + 3, len - 3));
        else if (len > 9 && strncmp(start, "database:", 9) == 0)
            set_str(&f->database, xstrndup(start + 9, len - 9));
        else if (len > 5 && strncmp(start, "user:", 5) == 0)
            set_str(&f->user, xstrndup(start + 5, len - 5));
        else {
            if (text.len)
                sb_append_c(&text, ' ');
            sb_append_n(&text, start, len);
        }
    }
    if (text.len)
        f->text = sb_steal(&text);
    sb_free(&text);
}

char *mon_filter_format(const mon_filter *f)
{
    strbuf sb;
    sb_init(&sb);
    if (f->database)
        sb_printf(&sb, "db:%s", f->database);
    if (f->user)
        sb_printf(&sb, "%suser:%s", sb.len ? " " : "", f->user);
    if (f->text)
        sb_printf(&sb, "%s%s", sb.len ? " " : "", f->text);
    return sb_steal(&sb);
}

mon_pgss_snap *mon_pgss_parse(const eng_result *r, double taken_at, char **err)
{
    int c_query = col_index(r, "query"), c_user = col_index(r, "userid");
    if (eng_result_status(r) != ENG_RES_TUPLES || c_query < 0 || c_user < 0) {
        if (err)
            *err = xstrdup("unexpected pg_stat_statements result");
        return NULL;
    }
    int c_db = col_index(r, "dbid"), c_qid = col_index(r, "queryid");
    int c_top = col_index(r, "toplevel"), c_datname = col_index(r, "datname");
    int c_rolname = col_index(r, "rolname"), c_reset = col_index(r, "stats_reset");
    int c_dealloc = col_index(r, "dealloc"), c_limit = col_index(r, "fetch_limit");
    int cc[MC_COUNT], cg[MG_COUNT];
    for (int i = 0; i < MC_COUNT; i++)
        cc[i] = col_index(r, counter_defs[i].name);
    for (int i = 0; i < MG_COUNT; i++)
        cg[i] = col_index(r, gauge_defs[i].name);

    mon_pgss_snap *snap = xcalloc(1, sizeof *snap);
    snap->taken_at = taken_at;
    snap->stats_reset = NAN;
    snap->dealloc = NAN;
    int n = eng_result_nrows(r);
    snap->n = (size_t)n;
    snap->rows = n ? xcalloc((size_t)n, sizeof *snap->rows) : NULL;
    for (int i = 0; i < n; i++) {
        mon_stmt *m = &snap->rows[i];
        m->userid = (uint32_t)strtoul(eng_result_value(r, i, c_user), NULL, 10);
        m->dbid = c_db >= 0 ? (uint32_t)strtoul(eng_result_value(r, i, c_db), NULL, 10) : 0;
        m->has_queryid = c_qid >= 0 && !eng_result_isnull(r, i, c_qid);
        m->queryid = m->has_queryid ? strtoll(eng_result_value(r, i, c_qid), NULL, 10) : 0;
        m->toplevel = c_top < 0 || get_bool(r, i, c_top);
        m->database = get_str(r, i, c_datname);
        if (!m->database)
            m->database = xasprintf("%u", m->dbid);
        m->user = get_str(r, i, c_rolname);
        if (!m->user)
            m->user = xasprintf("%u", m->userid);
        m->query = get_str(r, i, c_query);
        if (!m->has_queryid) {
            /* another role's statement: pg_stat_statements hides id and text */
            free(m->query);
            m->query = xstrdup(HIDDEN_TEXT);
        }
        m->has_text = m->query != NULL;
        if (!m->query)
            m->query = xstrdup("");
        m->hidden_text = strcmp(m->query, HIDDEN_TEXT) == 0 || !m->has_queryid;
        m->fingerprint = m->hidden_text || !m->has_text ? 0 : sql_fingerprint(m->query, NULL);
        for (int k = 0; k < MC_COUNT; k++)
            m->c[k] = get_num(r, i, cc[k]);
        for (int k = 0; k < MG_COUNT; k++)
            m->g[k] = get_num(r, i, cg[k]);
        m->interval_mean_ms = NAN;
        if (i == 0) {
            snap->stats_reset = get_num(r, 0, c_reset);
            snap->dealloc = get_num(r, 0, c_dealloc);
        }
    }
    /* one row beyond the limit was asked for: its presence says "more" */
    long limit = n ? (long)get_num(r, 0, c_limit) : 0;
    if (limit > 0 && n > limit) {
        mon_stmt *extra = &snap->rows[n - 1];
        free(extra->database);
        free(extra->user);
        free(extra->query);
        snap->n = (size_t)limit;
        snap->truncated = true;
    }
    snap->total_entries = (long)snap->n;
    return snap;
}

void mon_pgss_snap_free(mon_pgss_snap *snap)
{
    if (!snap)
        return;
    for (size_t i = 0; i < snap->n; i++) {
        free(snap->rows[i].database);
        free(snap->rows[i].user);
        free(snap->rows[i].query);
    }
    free(snap->rows);
    free(snap);
}

/* ---- query texts ---------------------------------------------------------- */

typedef struct text_entry {
    uint32_t userid, dbid;
    int64_t queryid;
    char *query;
    unsigned gen; /* last apply that used it */
} text_entry;

struct mon_text_cache {
    text_entry *v;
    size_t n, cap;
    bool sorted;
    unsigned gen;
};

mon_text_cache *mon_text_cache_new(void)
{
    mon_text_cache *c = xcalloc(1, sizeof *c);
    c->sorted = true;
    return c;
}

void mon_text_cache_free(mon_text_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].query);
    free(c->v);
    free(c);
}

static int text_key_cmp(const void *pa, const void *pb)
{
    const text_entry *a = pa, *b = pb;
    if (a->userid != b->userid)
        return a->userid < b->userid ? -1 : 1;
    if (a->dbid != b->dbid)
        return a->dbid < b->dbid ? -1 : 1;
    if (a->queryid != b->queryid)
        return a->queryid < b->queryid ? -1 : 1;
    return 0;
}

static text_entry *text_find(mon_text_cache *c, uint32_t userid, uint32_t dbid, int64_t queryid)
{
    if (!c->sorted) {
        qsort(c->v, c->n, sizeof *c->v, text_key_cmp);
        /* a key added twice keeps one entry (the first after sorting) */
        size_t w = 0;
        for (size_t i = 0; i < c->n; i++) {
            if (w && text_key_cmp(&c->v[w - 1], &c->v[i]) == 0) {
                free(c->v[i].query);
                continue;
            }
            c->v[w++] = c->v[i];
        }
        c->n = w;
        c->sorted = true;
    }
    text_entry key = {.userid = userid, .dbid = dbid, .queryid = queryid};
    return c->n ? bsearch(&key, c->v, c->n, sizeof *c->v, text_key_cmp) : NULL;
}

static void text_add(mon_text_cache *c, uint32_t userid, uint32_t dbid, int64_t queryid,
                     const char *query)
{
    text_entry *e = text_find(c, userid, dbid, queryid);
    if (e) {
        e->gen = c->gen;
        return;
    }
    c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof *c->v);
    c->v[c->n++] = (text_entry){userid, dbid, queryid, xstrdup(query), c->gen};
    c->sorted = false;
}

char *mon_pgss_text_sql(const mon_server *s)
{
    if (s->state != MON_PGSS_OK || !s->relation)
        return NULL;
    return xasprintf("SELECT " MON_SQL_MARK " s.userid, s.dbid, s.queryid, s.query FROM %s s"
                     " WHERE s.queryid = ANY ($1::int8[])",
                     s->function ? s->function : s->relation);
}

void mon_text_cache_add_result(mon_text_cache *c, const eng_result *r)
{
    int cu = col_index(r, "userid"), cd = col_index(r, "dbid");
    int cq = col_index(r, "queryid"), ct = col_index(r, "query");
    if (eng_result_status(r) != ENG_RES_TUPLES || cu < 0 || cd < 0 || cq < 0 || ct < 0)
        return;
    for (int i = 0; i < eng_result_nrows(r); i++) {
        if (eng_result_isnull(r, i, cq) || eng_result_isnull(r, i, ct))
            continue;
        text_add(c, (uint32_t)strtoul(eng_result_value(r, i, cu), NULL, 10),
                 (uint32_t)strtoul(eng_result_value(r, i, cd), NULL, 10),
                 strtoll(eng_result_value(r, i, cq), NULL, 10), eng_result_value(r, i, ct));
    }
}

static bool is_monitor_text(const char *q)
{
    return strncmp(q, "SELECT " MON_SQL_MARK, strlen("SELECT " MON_SQL_MARK)) == 0;
}

size_t mon_pgss_apply_texts(mon_pgss_snap *snap, mon_text_cache *c, size_t upto, bool give_up,
                            char **param)
{
    if (param)
        *param = NULL;
    c->gen++;
    strbuf ids;
    sb_init(&ids);
    size_t missing = 0, w = 0, dropped = 0;
    for (size_t i = 0; i < snap->n; i++) {
        mon_stmt *m = &snap->rows[i];
        if (m->has_queryid && m->has_text && !m->hidden_text)
            text_add(c, m->userid, m->dbid, m->queryid, m->query);
        if (m->has_queryid && !m->has_text) {
            text_entry *e = text_find(c, m->userid, m->dbid, m->queryid);
            if (e) {
                e->gen = c->gen;
                free(m->query);
                m->query = xstrdup(e->query);
                m->has_text = true;
                m->hidden_text = strcmp(m->query, HIDDEN_TEXT) == 0;
                m->fingerprint = m->hidden_text ? 0 : sql_fingerprint(m->query, NULL);
            } else if (give_up) {
                free(m->query);
                m->query = xstrdup("<text not available>");
                m->has_text = true;
            } else if (w < upto) {
                sb_printf(&ids, "%s%lld", missing ? "," : "{", (long long)m->queryid);
                missing++;
            }
        }
        if (m->has_text && is_monitor_text(m->query)) {
            free(m->database);
            free(m->user);
            free(m->query);
            dropped++;
            continue;
        }
        snap->rows[w++] = *m;
    }
    snap->n = w;
    /* truncated: the count is a lower bound on the server's entries, kept */
    if (dropped && !snap->truncated && snap->total_entries >= (long)dropped)
        snap->total_entries -= (long)dropped;
    if (missing && param) {
        sb_append_c(&ids, '}');
        *param = sb_steal(&ids);
    }
    sb_free(&ids);
    /* forget texts unused for a while, so the cache follows the server */
    if (c->n > 4096 && c->n > 4 * snap->n) {
        size_t k = 0;
        for (size_t i = 0; i < c->n; i++) {
            if (c->gen - c->v[i].gen > 60) {
                free(c->v[i].query);
                continue;
            }
            c->v[k++] = c->v[i];
        }
        c->n = k;
    }
    return missing;
}

static int key_cmp(const mon_stmt *a, const mon_stmt *b)
{
    if (a->userid != b->userid)
        return a->userid < b->userid ? -1 : 1;
    if (a->dbid != b->dbid)
        return a->dbid < b->dbid ? -1 : 1;
    if (a->queryid != b->queryid)
        return a->queryid < b->queryid ? -1 : 1;
    if (a->toplevel != b->toplevel)
        return a->toplevel ? 1 : -1;
    return 0;
}

static int key_cmp_ptr(const void *a, const void *b)
{
    return key_cmp(*(const mon_stmt *const *)a, *(const mon_stmt *const *)b);
}

static bool same_num(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

void mon_pgss_rates(const mon_pgss_snap *prev, mon_pgss_snap *cur)
{
    cur->interval_s = 0;
    cur->reset_seen = false;
    for (size_t i = 0; i < cur->n; i++) {
        cur->rows[i].has_rate = false;
        cur->rows[i].interval_mean_ms = NAN;
        for (int k = 0; k < MC_COUNT; k++)
            cur->rows[i].d[k] = cur->rows[i].r[k] = NAN;
    }
    if (!prev)
        return;
    double dt = cur->taken_at - prev->taken_at;
    if (!(dt > 0))
        return;
    if (!isnan(prev->stats_reset) && !isnan(cur->stats_reset) &&
        prev->stats_reset != cur->stats_reset) {
        cur->reset_seen = true; /* pg_stat_statements_reset(): a new baseline */
        return;
    }
    cur->interval_s = dt;
    /* A row absent before started in the interval only if prev listed every
     * entry and nothing was evicted (dealloc) or reset in between. */
    bool prev_complete = !prev->truncated && !isnan(prev->dealloc) &&
                         same_num(prev->dealloc, cur->dealloc) && !isnan(prev->stats_reset) &&
                         !isnan(cur->stats_reset);
    const mon_stmt **idx = prev->n ? xmalloc(prev->n * sizeof *idx) : NULL;
    size_t nidx = 0;
    for (size_t i = 0; i < prev->n; i++)
        if (prev->rows[i].has_queryid)
            idx[nidx++] = &prev->rows[i];
    if (nidx)
        qsort(idx, nidx, sizeof *idx, key_cmp_ptr);
    for (size_t i = 0; i < cur->n; i++) {
        mon_stmt *m = &cur->rows[i];
        if (!m->has_queryid)
            continue;
        const mon_stmt *key = m;
        const mon_stmt **hit = nidx ? bsearch(&key, idx, nidx, sizeof *idx, key_cmp_ptr) : NULL;
        const mon_stmt *old = hit ? *hit : NULL;
        if (!old && !prev_complete)
            continue;
        bool backwards = false;
        for (int k = 0; k < MC_COUNT && old; k++)
            if (!isnan(m->c[k]) && !isnan(old->c[k]) && m->c[k] < old->c[k])
                backwards = true;
        if (backwards) {
            cur->reset_seen = true; /* this entry was reset or evicted and re-created */
            continue;
        }
        m->has_rate = true;
        for (int k = 0; k < MC_COUNT; k++) {
            if (isnan(m->c[k]))
                continue;
            double before = old && !isnan(old->c[k]) ? old->c[k] : 0;
            m->d[k] = m->c[k] - before;
            m->r[k] = m->d[k] / dt;
        }
        if (m->d[MC_CALLS] > 0)
            m->interval_mean_ms = m->d[MC_TOTAL_MS] / m->d[MC_CALLS];
    }
    free(idx);
}

static double sort_value(const mon_stmt *m, mon_sort sort, bool by_rate)
{
    const double *v = by_rate ? m->r : m->c;
    if (by_rate && !m->has_rate)
        return NAN;
    switch (sort) {
    case MON_SORT_MEAN:
        return by_rate ? m->interval_mean_ms : m->g[MG_MEAN_MS];
    case MON_SORT_CALLS:
        return v[MC_CALLS];
    case MON_SORT_ROWS:
        return v[MC_ROWS];
    case MON_SORT_READ:
        return v[MC_SHARED_READ];
    case MON_SORT_TEMP:
        return v[MC_TEMP_WRITTEN];
    default:
        return v[MC_TOTAL_MS];
    }
}

static mon_sort g_sort_key; /* qsort has no context argument; set just before sorting */
static bool g_sort_rate;

static int stmt_cmp(const void *pa, const void *pb)
{
    const mon_stmt *a = pa, *b = pb;
    double x = sort_value(a, g_sort_key, g_sort_rate), y = sort_value(b, g_sort_key, g_sort_rate);
    if (isnan(x) != isnan(y))
        return isnan(x) ? 1 : -1;
    if (!isnan(x) && x != y)
        return x > y ? -1 : 1;
    return key_cmp(a, b);
}

void mon_pgss_sort(mon_pgss_snap *snap, mon_sort sort, bool by_rate)
{
    if (!snap || snap->n < 2)
        return;
    /* qsort_r is a GNU extension with a BSD twin of another signature; the
     * file-scope key is only touched here, on the caller's thread. */
    g_sort_key = sort;
    g_sort_rate = by_rate;
    qsort(snap->rows, snap->n, sizeof *snap->rows, stmt_cmp);
}

char *mon_reset_sql(const mon_server *s)
{
    if (!s->reset_function)
        return NULL;
    return xasprintf("SELECT " MON_SQL_MARK " %s()", s->reset_function);
}

const char *mon_create_sql(void)
{
    return "CREATE EXTENSION IF NOT EXISTS pg_stat_statements";
}

char *mon_explain_sql(const char *query, bool analyze, bool generic)
{
    const char *opts = analyze ? "(ANALYZE, BUFFERS) " : generic ? "(GENERIC_PLAN) " : "";
    return xasprintf("EXPLAIN %s%s", opts, query);
}

/* ---- pg_stat_activity ------------------------------------------------- */

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

const char *mon_dbstat_sql(void)
{
    /* inet_server_addr() is NULL over a unix socket */
    return "SELECT " MON_SQL_MARK " extract(epoch FROM clock_timestamp()) AS now_s,"
           " sum(xact_commit + xact_rollback) AS xacts, sum(blks_hit) AS blks_hit,"
           " sum(blks_read) AS blks_read, sum(temp_files) AS temp_files,"
           " sum(temp_bytes) AS temp_bytes,"
           " (inet_server_addr() IS NULL OR inet_server_addr() <<= inet '127.0.0.0/8'"
           " OR inet_server_addr() = inet '::1') AS local_conn"
           " FROM pg_stat_database";
}

bool mon_dbstat_parse(const eng_result *r, mon_dbstat *out, char **err)
{
    int c_now = col_index(r, "now_s"), c_x = col_index(r, "xacts");
    if (eng_result_status(r) != ENG_RES_TUPLES || eng_result_nrows(r) != 1 || c_now < 0 ||
        c_x < 0) {
        if (err)
            *err = xstrdup("unexpected pg_stat_database result");
        return false;
    }
    out->now_s = get_num(r, 0, c_now);
    out->xacts = get_num(r, 0, c_x);
    out->blks_hit = get_num(r, 0, col_index(r, "blks_hit"));
    out->blks_read = get_num(r, 0, col_index(r, "blks_read"));
    out->temp_files = get_num(r, 0, col_index(r, "temp_files"));
    out->temp_bytes = get_num(r, 0, col_index(r, "temp_bytes"));
    out->local_conn = get_bool(r, 0, col_index(r, "local_conn"));
    return true;
}

/* A counter's rate, NAN when the interval is unusable or the counter went
 * backwards (a stats reset): never a negative rate. */
static double counter_rate(double prev, double cur, double dt)
{
    if (isnan(prev) || isnan(cur) || !(dt > 0) || cur < prev)
        return NAN;
    return (cur - prev) / dt;
}

void mon_dbstat_rates(const mon_dbstat *prev, const mon_dbstat *cur, mon_dbrates *out)
{
    double dt = prev ? cur->now_s - prev->now_s : NAN;
    out->tps = prev ? counter_rate(prev->xacts, cur->xacts, dt) : NAN;
    out->temp_files_s = prev ? counter_rate(prev->temp_files, cur->temp_files, dt) : NAN;
    out->temp_bytes_s = prev ? counter_rate(prev->temp_bytes, cur->temp_bytes, dt) : NAN;
    /* the hit ratio of the interval when blocks were read in it, else since the
     * statistics were reset */
    double hit = cur->blks_hit, read = cur->blks_read;
    if (prev && !isnan(counter_rate(prev->blks_hit, hit, dt)) &&
        !isnan(counter_rate(prev->blks_read, read, dt)) &&
        (hit - prev->blks_hit) + (read - prev->blks_read) > 0) {
        hit -= prev->blks_hit;
        read -= prev->blks_read;
    }
    out->hit_ratio = hit + read > 0 ? 100.0 * hit / (hit + read) : NAN;
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

/* ---- formatting ------------------------------------------------------- */

void mon_fmt_duration(double s, char *buf, size_t n)
{
    if (isnan(s) || s < 0) {
        snprintf(buf, n, "%s", isnan(s) ? "" : "0.0s");
        return;
    }
    if (s < 60)
        snprintf(buf, n, "%.1fs", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else if (s < 86400 * 10)
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else
        snprintf(buf, n, "%dd", (int)(s / 86400));
}

void mon_fmt_count(double v, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "-");
        return;
    }
    double a = fabs(v);
    if (a < 10 && v != floor(v))
        snprintf(buf, n, "%.2f", v);
    else if (a < 1000)
        snprintf(buf, n, "%.0f", v);
    else if (a < 1e6)
        snprintf(buf, n, "%.1fk", v / 1e3);
    else if (a < 1e9)
        snprintf(buf, n, "%.1fM", v / 1e6);
    else
        snprintf(buf, n, "%.1fG", v / 1e9);
}

void mon_fmt_ms(double ms, char *buf, size_t n)
{
    if (isnan(ms)) {
        snprintf(buf, n, "-");
        return;
    }
    if (ms < 1)
        snprintf(buf, n, "%.3f", ms);
    else if (ms < 100)
        snprintf(buf, n, "%.1f", ms);
    else if (ms < 10000)
        snprintf(buf, n, "%.0f", ms);
    else if (ms < 600000)
        snprintf(buf, n, "%.1fs", ms / 1000);
    else if (ms < 36000000)
        snprintf(buf, n, "%.1fm", ms / 60000);
    else
        snprintf(buf, n, "%.1fh", ms / 3600000);
}
