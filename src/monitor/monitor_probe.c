/* monitor_probe.c — what the server offers: its version, the role's rights,
 * pg_stat_statements' state, version and columns, and a precise diagnosis
 * when it is missing. See monitor.h. */
#include "monitor/monitor.h"
#include "monitor/monitor_int.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
