/* monitor_explain.c — EXPLAIN of a statement another role wrote, with no
 * more rights than that role (doc/security.md, "EXPLAIN of another role's
 * statement"). Pure code, as the rest of monitor.h: SQL text and the
 * interpretation of results; the Slow pane runs them on an engine session
 * that is discarded afterwards.
 *
 * Why not just SET ROLE: the session user stays the DBA, and code running
 * under SET ROLE may RESET ROLE (or SET SESSION AUTHORIZATION DEFAULT) and
 * be superuser again. PostgreSQL refuses both inside a SECURITY DEFINER
 * function ("cannot set parameter "role" within security-definer
 * function"), so the statement runs through a temporary SECURITY DEFINER
 * function owned by its author, inside a transaction that is always rolled
 * back. */
#include "monitor/monitor.h"

#include "common/sqllex.h"
#include "common/sqlquote.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *mon_explain_inline_params(const char *query, int nvalues, const char *const *values)
{
    size_t len = strlen(query);
    strbuf sb;
    sb_init(&sb);
    sql_lexer lx;
    sql_lex_init(&lx, query, len);
    size_t copied = 0;
    for (;;) {
        sql_token t;
        sql_lex_next(&lx, &t);
        if (t.kind == SQL_TOK_EOF)
            break;
        if (t.kind != SQL_TOK_PARAM)
            continue;
        long n = strtol(query + t.start + 1, NULL, 10);
        if (n < 1 || n > nvalues)
            continue; /* left as it is: the server says which value is missing */
        sb_append_n(&sb, query + copied, t.start - copied);
        if (values[n - 1])
            sql_append_quoted(
                &sb, values[n - 1],
                '\''); /* unknown-typed; the sandbox sets standard_conforming_strings */
        else
            sb_append(&sb, "NULL");
        copied = t.end;
    }
    sb_append_n(&sb, query + copied, len - copied);
    return sb_steal(&sb);
}

/* {"a","b"}: a text[] literal (elements double-quoted, '"' and '\' escaped). */
static void array_add(strbuf *sb, const char *s, size_t n)
{
    if (sb->len > 1)
        sb_append_c(sb, ',');
    sb_append_c(sb, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            sb_append_c(sb, '\\');
        sb_append_c(sb, s[i]);
    }
    sb_append_c(sb, '"');
}

static bool punctuation(const char *s, size_t n)
{
    static const char *const marks[] = {"(", ")", "[", "]", ",", ";", ":", "::", ".", NULL};
    for (int i = 0; marks[i]; i++)
        if (strlen(marks[i]) == n && memcmp(marks[i], s, n) == 0)
            return true;
    return false;
}

void mon_explain_candidates(const char *query, char **functions, char **operators)
{
    size_t len = strlen(query);
    strbuf f, o;
    sb_init(&f);
    sb_init(&o);
    sb_append_c(&f, '{');
    sb_append_c(&o, '{');
    sql_lexer lx;
    sql_lex_init(&lx, query, len);
    sql_token prev = {.kind = SQL_TOK_EOF};
    for (;;) {
        sql_token t;
        sql_lex_next(&lx, &t);
        if (t.kind == SQL_TOK_EOF)
            break;
        if (t.kind == SQL_TOK_OP && t.end - t.start == 1 && query[t.start] == '(') {
            /* name( : a function call (or a keyword such as IN: no such
             * function outside pg_catalog, so it never matches) */
            if (prev.kind == SQL_TOK_WORD) {
                char *w = xstrndup(query + prev.start, prev.end - prev.start);
                for (char *c = w; *c; c++)
                    *c = (char)tolower((unsigned char)*c);
                array_add(&f, w, strlen(w));
                free(w);
            } else if (prev.kind == SQL_TOK_QIDENT && prev.end - prev.start >= 2 &&
                       query[prev.start] == '"') {
                strbuf q;
                sb_init(&q);
                for (size_t i = prev.start + 1; i + 1 < prev.end; i++) {
                    sb_append_c(&q, query[i]);
                    if (query[i] == '"' && query[i + 1] == '"')
                        i++;
                }
                array_add(&f, q.data, q.len);
                sb_free(&q);
            }
        } else if (t.kind == SQL_TOK_OP && !punctuation(query + t.start, t.end - t.start)) {
            array_add(&o, query + t.start, t.end - t.start);
        }
        prev = t;
    }
    sb_append_c(&f, '}');
    sb_append_c(&o, '}');
    *functions = sb_steal(&f);
    *operators = sb_steal(&o);
}

/* The author and what the DBA may do about them, the author's search_path
 * (their role/database settings as a new connection would apply them, or the
 * server's default), and the non-builtin functions (oid >= 16384, i.e. not
 * created by initdb) the text names, directly or as operators. Catalog reads
 * only: nothing of the statement runs here. */
const char *mon_explain_author_sql(void)
{
    return "SELECT " MON_SQL_MARK " r.rolname, r.rolsuper, current_user AS dba,"
           " (SELECT u.rolsuper FROM pg_roles u WHERE u.rolname = current_user)"
           "   OR pg_has_role(current_user, r.oid, 'MEMBER') AS may,"
           " coalesce("
           "  (SELECT substr(c, 13) FROM pg_db_role_setting s, unnest(s.setconfig) c"
           "    WHERE s.setrole = r.oid AND c LIKE 'search_path=%'"
           "      AND s.setdatabase IN (0, (SELECT oid FROM pg_database"
           "                                WHERE datname = current_database()))"
           "    ORDER BY s.setdatabase DESC LIMIT 1),"
           "  (SELECT substr(c, 13) FROM pg_db_role_setting s, unnest(s.setconfig) c"
           "    WHERE s.setrole = 0 AND c LIKE 'search_path=%'"
           "      AND s.setdatabase = (SELECT oid FROM pg_database"
           "                           WHERE datname = current_database()) LIMIT 1),"
           "  (SELECT boot_val FROM pg_settings WHERE name = 'search_path')) AS search_path,"
           " (SELECT string_agg(f, ', ' ORDER BY f) FROM ("
           "   SELECT DISTINCT p.oid::regprocedure::text AS f FROM pg_proc p"
           "    WHERE p.oid >= 16384 AND p.proname = ANY ($3::text[])"
           "   UNION SELECT DISTINCT o.oprcode::regprocedure::text FROM pg_operator o"
           "    WHERE o.oid >= 16384 AND o.oprname = ANY ($4::text[])) fs) AS functions"
           " FROM pg_roles r"
           " WHERE r.oid = coalesce($1::oid,"
           "   (SELECT oid FROM pg_roles WHERE rolname = coalesce($2, current_user)))";
}

void mon_explain_author_free(mon_explain_author *a)
{
    free(a->role);
    free(a->dba);
    free(a->search_path);
    free(a->functions);
    memset(a, 0, sizeof *a);
}

bool mon_explain_author_parse(const eng_result *r, mon_explain_author *a, char **err)
{
    mon_explain_author_free(a);
    if (eng_result_ncols(r) != 6) {
        *err = xstrdup("not the author lookup's result");
        return false;
    }
    if (eng_result_nrows(r) == 0)
        return true; /* the role no longer exists: a->role stays NULL */
    a->role = xstrdup(eng_result_value(r, 0, 0));
    a->role_super = strcmp(eng_result_value(r, 0, 1), "t") == 0;
    a->dba = xstrdup(eng_result_value(r, 0, 2));
    a->may_become = strcmp(eng_result_value(r, 0, 3), "t") == 0;
    /* pg_catalog first: the author's schemas cannot shadow built-in
     * functions and operators; pg_temp last: no temporary relation of this
     * connection is found before the author's own */
    a->search_path = xasprintf("pg_catalog, %s, pg_temp", eng_result_value(r, 0, 4));
    a->functions = xstrdup(eng_result_value(r, 0, 5));
    return true;
}

char *mon_explain_setup_sql(const char *role, bool readonly, int timeout_ms)
{
    char *who = sql_quote_ident(role);
    char *sql = xasprintf(
        "BEGIN;"
        " SET LOCAL search_path = pg_catalog, pg_temp;"
        " SET LOCAL statement_timeout = %d;"
        " SET LOCAL standard_conforming_strings = on;"
        " CREATE FUNCTION pg_temp.pgdeck_explain_as(q pg_catalog.text, sp pg_catalog.text)"
        " RETURNS SETOF pg_catalog.text LANGUAGE plpgsql SECURITY DEFINER AS"
        " $pgdeck$ DECLARE l pg_catalog.text;"
        " BEGIN PERFORM pg_catalog.set_config('search_path', sp, true);"
        /* row by row: EXPLAIN (FORMAT JSON) returns json, RETURN QUERY
         * would refuse it for SETOF text */
        " FOR l IN EXECUTE q LOOP RETURN NEXT l; END LOOP; END $pgdeck$;"
        " ALTER FUNCTION pg_temp.pgdeck_explain_as(pg_catalog.text, pg_catalog.text) OWNER TO %s;"
        "%s",
        timeout_ms, who, readonly ? " SET LOCAL transaction_read_only = on;" : "");
    free(who);
    return sql;
}

const char *mon_explain_run_sql(void)
{
    return "SELECT " MON_SQL_MARK " pg_temp.pgdeck_explain_as($1, $2) AS \"QUERY PLAN\"";
}

char *mon_explain_json_sql(const char *query, bool analyze, bool generic)
{
    const char *opts = analyze   ? "(ANALYZE, BUFFERS, FORMAT JSON) "
                       : generic ? "(GENERIC_PLAN, FORMAT JSON) "
                                 : "(FORMAT JSON) ";
    return xasprintf("EXPLAIN %s%s", opts, query);
}
