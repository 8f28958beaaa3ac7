/* cmd_explain.c — `pgdeck explain`: a statement's plan as a tree, and the
 * index advisor.
 *
 *   pgdeck explain [CONN] (-c SQL | -f FILE) [--analyze] [--format tree|json]
 *   pgdeck explain [CONN] (-c SQL | -f FILE) --advise [--json] [--create] [--readonly]
 *
 * The plan is EXPLAIN (FORMAT JSON), with --analyze (ANALYZE, BUFFERS) inside
 * BEGIN … ROLLBACK on one session: the statement runs, its writes never
 * stay. Names in the tree come from the server (other roles' objects):
 * escaped on a terminal and on a pipe alike (termsafe).
 *
 * --format json — one object; these keys are stable:
 *   analyzed        bool     ANALYZE figures present
 *   planning_ms, execution_ms  number or null
 *   total_cost      number   the plan's estimated total cost
 *   hottest         int      index in `nodes` of the node with the largest
 *                            self time (self cost without --analyze)
 *   nodes           array, depth first (the root first):
 *     depth int, parent int (index, -1 for the root), node_type string,
 *     relation, alias, index string or null, conditions string ("" none),
 *     sort_key string or null, startup_cost, total_cost, plan_rows number;
 *     with --analyze: actual_rows, loops, total_ms, self_ms number,
 *     never_executed bool, misestimate number (actual / estimated rows, both
 *     at least 1), misestimated bool (>= 10x either way); self_cost number,
 *     share number (0..1, of self time, or of self cost without --analyze);
 *     buffers: null or {shared_hit, shared_read, shared_dirtied,
 *     shared_written, local_hit, local_read, temp_read, temp_written}
 *
 * --advise needs the hypopg extension; it tries single- and two-column
 * indexes from the plan's filters, joins and sort keys as hypothetical
 * indexes and keeps those that lower the estimated total cost by >= 30 %.
 * --create creates the best of them for each table for real (refused with
 * --readonly) and measures the cost again. --json — one object; stable keys:
 *   cost            number   the statement's estimated total cost
 *   tried           int      candidates tried
 *   advice          array:   {create string (the CREATE INDEX statement),
 *                            relation string, columns string, cost_before,
 *                            cost_after number, gain number (0..1),
 *                            created bool}
 *   cost_after_create  number or null: the cost after --create
 *
 * Exit 0 ok, 1 SQL error or hypopg missing (the message says how to get
 * it), 2 usage, 3 cannot connect. */
#include "config.h"

#include "cli/cli_wait.h"
#include "cli/cliconf.h"
#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/output.h"
#include "cli/sqlerror.h"
#include "cli/usage.h"
#include "common/filecap.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/termsafe.h"
#include "common/xalloc.h"
#include "engine/engine.h"
#include "monitor/advisor.h"
#include "monitor/monitor.h"
#include "monitor/plan.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "pgdeck explain"
#define MAX_STATEMENT ((size_t)64 << 20)

enum { OPT_ANALYZE = 0x3101, OPT_FORMAT, OPT_ADVISE, OPT_JSON, OPT_CREATE, OPT_READONLY, OPT_HELP };

typedef struct explain_ctx {
    engine *e;
    eng_session s;
} explain_ctx;

/* Runs one statement on the session and waits; the last result, or NULL
 * with *msg (malloc'd) and *conn_lost. */
static eng_result *run(explain_ctx *x, const char *sql, int nparams, const char *const *params,
                       char **msg, bool *conn_lost)
{
    eng_exec_args args = {.sql = sql,
                          .nparams = nparams,
                          .params = params,
                          .session = x->s,
                          .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE,
                          .tag = "explain"};
    eng_result *res = cli_exec_wait(x->e, &args, msg, conn_lost);
    if (!res && !*msg)
        *msg = xstrdup("the statement returned no result");
    return res;
}

static int fail(const char *what, char *msg, bool conn_lost)
{
    char *safe = term_escape(msg ? msg : "?", TS_KEEP_NL);
    fprintf(stderr, PROG ": %s: %s\n", what, safe);
    free(safe);
    free(msg);
    return conn_lost ? EXIT_CONNECT : EXIT_SQL;
}

/* EXPLAIN sql → a plan (NULL: *rc set, message printed). */
static plan *explain(explain_ctx *x, const char *sql, int *rc)
{
    char *msg;
    bool lost;
    eng_result *r = run(x, sql, 0, NULL, &msg, &lost);
    if (!r) {
        *rc = fail("EXPLAIN failed", msg, lost);
        return NULL;
    }
    plan *p = NULL;
    if (eng_result_nrows(r) == 1 && eng_result_ncols(r) == 1) {
        const char *v = eng_result_value(r, 0, 0);
        p = plan_parse(v, strlen(v), &msg);
    } else {
        msg = xstrdup("not one row of EXPLAIN output");
    }
    eng_result_free(r);
    if (!p)
        *rc = fail("cannot read the plan", msg, false);
    return p;
}

static void json_num(strbuf *sb, double v)
{
    if (isnan(v) || isinf(v))
        sb_append(sb, "null");
    else
        sb_printf(sb, "%.6g", v);
}

static void kv_num(strbuf *sb, const char *k, double v)
{
    sb_printf(sb, ",\"%s\":", k);
    json_num(sb, v);
}

static void kv_str(strbuf *sb, const char *k, const char *v)
{
    sb_printf(sb, ",\"%s\":", k);
    json_append_cstr(sb, v);
}

static void print_plan_json(const plan *p)
{
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "{\"analyzed\":%s", p->analyzed ? "true" : "false");
    kv_num(&sb, "planning_ms", p->planning_ms);
    kv_num(&sb, "execution_ms", p->execution_ms);
    kv_num(&sb, "total_cost", p->total_cost);
    sb_printf(&sb, ",\"hottest\":%zu,\"nodes\":[", p->hottest->pos);
    for (size_t i = 0; i < p->nnodes; i++) {
        const plan_node *n = p->nodes[i];
        long parent = n->parent ? (long)n->parent->pos : -1;
        sb_printf(&sb, "%s{\"depth\":%d,\"parent\":%ld", i ? "," : "", n->depth, parent);
        kv_str(&sb, "node_type", n->type);
        kv_str(&sb, "relation", n->relation);
        kv_str(&sb, "alias", n->alias);
        kv_str(&sb, "index", n->index);
        kv_str(&sb, "conditions", n->conds);
        kv_str(&sb, "sort_key", n->sort_key);
        kv_num(&sb, "startup_cost", n->startup_cost);
        kv_num(&sb, "total_cost", n->total_cost);
        kv_num(&sb, "plan_rows", n->plan_rows);
        if (p->analyzed) {
            kv_num(&sb, "actual_rows", n->actual_rows);
            kv_num(&sb, "loops", n->loops);
            kv_num(&sb, "total_ms", n->total_ms);
            kv_num(&sb, "self_ms", n->self_ms);
            sb_printf(&sb, ",\"never_executed\":%s", n->never_executed ? "true" : "false");
            kv_num(&sb, "misestimate", n->misestimate);
            sb_printf(&sb, ",\"misestimated\":%s", n->misestimated ? "true" : "false");
        }
        kv_num(&sb, "self_cost", n->self_cost);
        kv_num(&sb, "share", n->share);
        if (n->has_buffers) {
            sb_printf(&sb,
                      ",\"buffers\":{\"shared_hit\":%.0f,\"shared_read\":%.0f,"
                      "\"shared_dirtied\":%.0f,\"shared_written\":%.0f,\"local_hit\":%.0f,"
                      "\"local_read\":%.0f,\"temp_read\":%.0f,\"temp_written\":%.0f}",
                      n->shared_hit, n->shared_read, n->shared_dirtied, n->shared_written,
                      n->local_hit, n->local_read, n->temp_read, n->temp_written);
        } else {
            sb_append(&sb, ",\"buffers\":null");
        }
        sb_append_c(&sb, '}');
    }
    sb_append(&sb, "]}\n");
    fwrite(sb.data, 1, sb.len, stdout);
    sb_free(&sb);
}

static bool utf8_locale(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* --create makes one index per table: the kept candidate with the lowest
 * cost (the first of equals), not every overlapping one. */
static bool best_for_relation(const advisor *a, size_t i)
{
    for (size_t j = 0; j < a->n; j++)
        if (j != i && a->c[j].kept && strcmp(a->c[j].relation, a->c[i].relation) == 0 &&
            (a->c[j].cost_after < a->c[i].cost_after ||
             (a->c[j].cost_after == a->c[i].cost_after && j < i)))
            return false;
    return true;
}

/* The advisor: candidates from the VERBOSE plan, each tried through hypopg
 * on this session. */
static int advise(explain_ctx *x, const char *stmt, bool json, bool create, bool readonly)
{
    char *msg;
    bool lost;
    eng_result *r = run(x, advisor_probe_sql(), 0, NULL, &msg, &lost);
    if (!r)
        return fail("cannot look for hypopg", msg, lost);
    char *missing = advisor_missing_message(r);
    char *schema = advisor_schema(r);
    eng_result_free(r);
    if (missing || !schema) {
        fprintf(stderr, PROG ": %s\n", missing ? missing : "hypopg's schema is unknown");
        free(missing);
        free(schema);
        return EXIT_SQL;
    }
    char *reset_sql = advisor_reset_sql(schema);
    int rc = EXIT_OK;
    char *sql = advisor_explain_sql(stmt);
    plan *base = explain(x, sql, &rc);
    if (!base) {
        free(sql);
        return rc;
    }
    advisor adv;
    advisor_candidates(base, &adv);
    size_t tried = 0;
    for (size_t i = 0; i < adv.n && rc == EXIT_OK; i++) {
        advisor_candidate *c = &adv.c[i];
        c->cost_before = base->total_cost;
        char *hypo = advisor_hypo_sql(schema, c->create_sql);
        msg = NULL;
        lost = false;
        r = hypo ? run(x, hypo, 0, NULL, &msg, &lost) : NULL;
        free(hypo);
        if (!r) { /* e.g. a type without a btree operator class: not a candidate */
            free(msg);
            if (lost)
                rc = EXIT_CONNECT;
            continue;
        }
        eng_result_free(r);
        int erc = EXIT_OK;
        plan *after = explain(x, sql, &erc);
        if (after) {
            c->tried = true;
            tried++;
            c->cost_after = after->total_cost;
            c->kept = advisor_keep(c->cost_before, c->cost_after);
            plan_free(after);
        }
        r = run(x, reset_sql, 0, NULL, &msg, &lost);
        if (!r)
            rc = fail("hypopg_reset failed", msg, lost);
        eng_result_free(r);
    }
    double cost_created = NAN;
    bool any = false;
    for (size_t i = 0; i < adv.n; i++)
        any = any || adv.c[i].kept;
    if (rc == EXIT_OK && create && any && readonly) {
        fprintf(stderr, PROG ": --create refused: --readonly\n");
        rc = EXIT_USAGE;
    } else if (rc == EXIT_OK && create && any) {
        for (size_t i = 0; i < adv.n && rc == EXIT_OK; i++) {
            if (!adv.c[i].kept || !best_for_relation(&adv, i))
                continue;
            r = run(x, adv.c[i].create_sql, 0, NULL, &msg, &lost);
            if (!r)
                rc = fail("CREATE INDEX failed", msg, lost);
            else
                adv.c[i].created = true;
            eng_result_free(r);
        }
        if (rc == EXIT_OK) {
            plan *after = explain(x, sql, &rc);
            if (after)
                cost_created = after->total_cost;
            plan_free(after);
        }
    }
    if (rc == EXIT_OK || rc == EXIT_USAGE) {
        strbuf sb;
        sb_init(&sb);
        if (json) {
            sb_append(&sb, "{\"cost\":");
            json_num(&sb, base->total_cost);
            sb_printf(&sb, ",\"tried\":%zu,\"advice\":[", tried);
            bool first = true;
            for (size_t i = 0; i < adv.n; i++) {
                const advisor_candidate *c = &adv.c[i];
                if (!c->kept)
                    continue;
                sb_append(&sb, first ? "{\"create\":" : ",{\"create\":");
                first = false;
                json_append_cstr(&sb, c->create_sql);
                kv_str(&sb, "relation", c->relation);
                kv_str(&sb, "columns", c->columns);
                kv_num(&sb, "cost_before", c->cost_before);
                kv_num(&sb, "cost_after", c->cost_after);
                kv_num(&sb, "gain", 1 - c->cost_after / c->cost_before);
                sb_printf(&sb, ",\"created\":%s}", c->created ? "true" : "false");
            }
            sb_append(&sb, "],\"cost_after_create\":");
            json_num(&sb, cost_created);
            sb_append(&sb, "}\n");
        } else {
            sb_printf(&sb, "Estimated cost: %.2f; %zu candidate index%s tried\n", base->total_cost,
                      tried, tried == 1 ? "" : "es");
            if (!any)
                sb_printf(&sb, "No index lowers the cost by %.0f %% or more.\n",
                          ADVISOR_MIN_GAIN * 100);
            for (size_t i = 0; i < adv.n; i++) {
                const advisor_candidate *c = &adv.c[i];
                if (!c->kept)
                    continue;
                sb_append_term_safe(&sb, c->create_sql, strlen(c->create_sql), TS_FLAT);
                sb_printf(&sb, ";\n    cost %.2f -> %.2f (-%.0f %%)%s\n", c->cost_before,
                          c->cost_after, (1 - c->cost_after / c->cost_before) * 100,
                          c->created ? "  created" : "");
            }
            if (!isnan(cost_created))
                sb_printf(&sb, "Created; estimated cost now %.2f\n", cost_created);
            else if (any && !create)
                sb_append(&sb, "Nothing was created (--create creates them).\n");
        }
        fwrite(sb.data, 1, sb.len, stdout);
        sb_free(&sb);
    }
    advisor_free(&adv);
    plan_free(base);
    free(sql);
    free(reset_sql);
    free(schema);
    return rc;
}

/* On a terminal (and without NO_COLOR): the hottest node bold, each
 * MISESTIMATE flag red. Every byte from the server was escaped before, so
 * the only escape sequences are these. Never on a pipe. */
static void print_tree(const char *text, bool colour)
{
    if (!colour) {
        fputs(text, stdout);
        return;
    }
    strbuf sb;
    sb_init(&sb);
    for (const char *l = text; *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
        bool hot = strncmp(l, "\xe2\x96\xb6 ", 4) == 0 || strncmp(l, "> ", 2) == 0;
        if (hot)
            sb_append(&sb, "\033[1m");
        const char *end = l + len;
        for (const char *c = l; c < end;) {
            const char *m = strstr(c, "MISESTIMATE ");
            if (!m || m >= end) {
                sb_append_n(&sb, c, (size_t)(end - c));
                break;
            }
            const char *stop = strstr(m, "  ");
            if (!stop || stop > end)
                stop = end;
            sb_append_n(&sb, c, (size_t)(m - c));
            sb_append(&sb, "\033[31m");
            sb_append_n(&sb, m, (size_t)(stop - m));
            sb_append(&sb, hot ? "\033[39m" : "\033[0m");
            c = stop;
        }
        if (hot) {
            if (sb.len && sb.data[sb.len - 1] == '\n')
                sb.len--;
            sb_append(&sb, "\033[0m\n");
        }
        l = end;
    }
    fputs(sb.data, stdout);
    sb_free(&sb);
}

static int explain_one(explain_ctx *x, const char *stmt, bool analyze, bool json_out)
{
    int rc = EXIT_OK;
    char *msg;
    bool lost;
    if (analyze) {
        /* the statement runs: its writes are rolled back, whatever happens */
        eng_result *r = run(x, "BEGIN", 0, NULL, &msg, &lost);
        if (!r)
            return fail("BEGIN failed", msg, lost);
        eng_result_free(r);
    }
    char *sql = xasprintf("EXPLAIN (%sFORMAT JSON) %s", analyze ? "ANALYZE, BUFFERS, " : "", stmt);
    plan *p = explain(x, sql, &rc);
    free(sql);
    if (analyze) {
        eng_result *r = run(x, "ROLLBACK", 0, NULL, &msg, &lost);
        if (!r) {
            int frc = fail("ROLLBACK failed", msg, lost);
            if (rc == EXIT_OK)
                rc = frc;
        }
        eng_result_free(r);
    }
    if (!p)
        return rc;
    if (json_out) {
        print_plan_json(p);
    } else {
        strbuf sb;
        sb_init(&sb);
        plan_format_tree(p, !utf8_locale(), &sb);
        const char *term = getenv("TERM");
        print_tree(sb.data, isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && term &&
                                strcmp(term, "dumb") != 0);
        sb_free(&sb);
    }
    plan_free(p);
    return rc;
}

/* -f FILE: a regular file or - (standard input), at most MAX_STATEMENT. */
static char *read_statement(const char *path)
{
    char *err = NULL;
    size_t len;
    char *text;
    if (strcmp(path, "-") == 0) {
        text = filecap_read_stream(stdin, "<stdin>", MAX_STATEMENT, &len, &err);
    } else {
        text = filecap_read_file(path, MAX_STATEMENT, &len, &err);
    }
    if (!text) {
        char *safe = term_escape(err ? err : strerror(errno), 0);
        fprintf(stderr, PROG ": %s\n", safe);
        free(safe);
        free(err);
        return NULL;
    }
    if (memchr(text, '\0', len)) {
        fprintf(stderr, PROG ": %s holds a NUL byte\n", strcmp(path, "-") == 0 ? "<stdin>" : "-f");
        free(text);
        return NULL;
    }
    return text;
}

int cmd_explain_main(int argc, char **argv)
{
    static const struct option opts[] = {CONNARGS_LONGOPTS,
                                         CLICONF_LONGOPTS,
                                         {"command", required_argument, NULL, 'c'},
                                         {"file", required_argument, NULL, 'f'},
                                         {"analyze", no_argument, NULL, OPT_ANALYZE},
                                         {"format", required_argument, NULL, OPT_FORMAT},
                                         {"advise", no_argument, NULL, OPT_ADVISE},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"create", no_argument, NULL, OPT_CREATE},
                                         {"readonly", no_argument, NULL, OPT_READONLY},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {NULL, 0, NULL, 0}};
    connargs ca;
    cliconf cc;
    connargs_init(&ca);
    cliconf_init(&cc);
    const char *command = NULL, *file = NULL;
    bool analyze = false, json = false, adv = false, create = false, readonly = false;
    int c, rc = EXIT_OK;
    char *stmt = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":" CONNARGS_SHORTOPTS "c:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
        case 'f':
            if (command || file) {
                rc = usage_error("explain", "give one statement: -c SQL or -f FILE, once");
                goto out;
            }
            *(c == 'c' ? &command : &file) = optarg;
            break;
        case OPT_ANALYZE:
            analyze = true;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "tree") == 0) {
                json = false;
            } else if (strcmp(optarg, "json") == 0) {
                json = true;
            } else {
                rc = usage_error("explain", "--format takes tree or json, not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_ADVISE:
            adv = true;
            break;
        case OPT_JSON:
            json = true;
            break;
        case OPT_CREATE:
            create = true;
            break;
        case OPT_READONLY:
            readonly = true;
            break;
        case OPT_HELP:
            usage_print(stdout, "explain");
            goto out;
        case ':':
            rc = usage_error("explain", "option '%s' needs a value", argv[optind - 1]);
            goto out;
        default:
            if (connargs_option(&ca, c, optarg) || cliconf_option(&cc, c, optarg))
                break;
            rc = usage_error("explain", "unknown option '%s'", argv[optind - 1]);
            goto out;
        }
    }
    int used = connargs_positional(&ca, argc - optind, argv + optind);
    if (optind + used < argc) {
        rc = usage_error("explain", "unexpected argument '%s'", argv[optind + used]);
        goto out;
    }
    if (!command && !file) {
        rc = usage_error("explain", "a statement is needed: -c SQL or -f FILE");
        goto out;
    }
    if (create && !adv) {
        rc = usage_error("explain", "--create goes with --advise");
        goto out;
    }
    if (adv && analyze) {
        rc = usage_error("explain", "--advise compares estimated costs: no --analyze");
        goto out;
    }
    stmt = command ? xstrdup(command) : read_statement(file);
    if (!stmt) {
        rc = EXIT_SQL; /* as run -f: an unreadable file is a data error */
        goto out;
    }

    pgdeck_config cfg;
    char *err = NULL;
    if (!cliconf_load(&cc, &cfg, &err)) { /* config bytes: escaped */
        cli_eprintf(PROG ": %s\n", err);
        free(err);
        config_free(&cfg);
        rc = EXIT_USAGE;
        goto out;
    }
    if (!connargs_finish(&ca, &err)) {
        rc = connargs_fail(&ca, "explain", err);
        config_free(&cfg);
        goto out;
    }
    readonly = readonly || cfg.readonly;
    eng_pool_config pool;
    connargs_pool_config(&cfg, &pool);
    pool.min_size = 1;
    pool.max_size = 1;
    config_free(&cfg);
    engine *e = engine_start(ca.ci, &pool, &err);
    if (!e) {
        cli_eprintf(PROG ": %s\n", err ? err : "cannot start");
        free(err);
        rc = EXIT_CONNECT;
        goto out;
    }
    if (!engine_wait_ready(e, (int)(pool.connect_timeout * 1000) + 1000, &err)) {
        char *safe = term_escape(err ? err : "?", TS_KEEP_NL);
        fprintf(stderr, PROG ": cannot connect: %s\n", safe);
        free(safe);
        rc = connargs_connect_exit(err);
        free(err);
        engine_stop(e);
        goto out;
    }
    explain_ctx x = {.e = e, .s = eng_session_open(e)};
    rc = adv ? advise(&x, stmt, json, create, readonly) : explain_one(&x, stmt, analyze, json);
    /* the session ran the statement (ANALYZE) or made hypothetical indexes:
     * its connection is closed, not pooled */
    eng_session_discard(e, x.s);
    engine_stop(e);
out:
    free(stmt);
    cliconf_free(&cc);
    connargs_free(&ca);
    return rc;
}
