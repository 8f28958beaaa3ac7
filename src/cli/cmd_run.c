/* cmd_run.c — `pgdeck run`: options, reading -c/-f into statements,
 * connecting, and the script mode (statements in order on one pooled
 * connection; the first error stops the run). The other modes live in
 * run_pipeline.c (--pipeline) and run_load.c (--clients/--repeat/--time);
 * --stats in statsjson.c. */
#include "config.h"

#include "cli/cliconf.h"
#include "cli/cmd_exit.h"
#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/output.h"
#include "cli/password.h"
#include "cli/redact.h"
#include "cli/run.h"
#include "cli/sqlerror.h"
#include "cli/statsjson.h"
#include "cli/usage.h"
#include "common/clock.h"
#include "common/filecap.h"
#include "common/numparse.h"
#include "common/sqlclass.h"
#include "common/sqlsplit.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum {
    OPT_FORMAT = 0x3001,
    OPT_PIPELINE,
    OPT_BINARY,
    OPT_SYNC,
    OPT_CLIENTS,
    OPT_JOBS,
    OPT_NO_PIN,
    OPT_REPEAT,
    OPT_TIME,
    OPT_STATS,
    OPT_MAX_SCRIPT,
    OPT_RETRY_RO,
    OPT_HELP,
};

/* The server's error for statement st (NULL: for the run as a whole). */
void run_print_error(const run_stmt *st, const eng_error *err)
{
    if (!st) {
        sqlerror_print(RUN_PROG, NULL, err);
        return;
    }
    sql_origin o = {st->sql, st->source, st->line};
    sqlerror_print(RUN_PROG, &o, err);
}

int run_error_line(const run_stmt *st, const eng_error *err)
{
    sql_origin o = {st->sql, st->source, st->line};
    return sqlerror_line(&o, err);
}

volatile sig_atomic_t run_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    run_interrupted = 1;
}

double run_now(void)
{
    return clock_mono_s();
}

/* ------------------------------------------------------------------------
 * Reading the statements. */

/* A script's default cap: far above any real script, far below what
 * /dev/zero or /dev/urandom would grow to before the machine runs out. */
#define RUN_MAX_SCRIPT_DEFAULT ((size_t)1 << 30)

/* Reads a -f script: a regular file or standard input (-), at most
 * o->max_script bytes. NULL (message printed) otherwise. */
static char *read_script(const run_opts *o, const char *path, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    char *err = NULL;
    FILE *f = stdin;
    if (!is_stdin) {
        /* as import does: a device, FIFO or directory is refused at once */
        int fd = filecap_open_regular(path, &err);
        bool special = fd < 0 && errno == EINVAL;
        f = fd >= 0 ? fdopen(fd, "rb") : NULL;
        if (!f) {
            if (fd >= 0)
                close(fd);
            cli_eprintf(RUN_PROG ": %s%s\n", err ? err : strerror(errno),
                        special ? " (-f - reads standard input)" : "");
            free(err);
            return NULL;
        }
    }
    char *text = filecap_read_stream(f, is_stdin ? "<stdin>" : path, o->max_script, len, &err);
    if (!is_stdin)
        fclose(f);
    if (!text) {
        cli_eprintf(RUN_PROG ": %s%s\n", err,
                    strstr(err, "larger than") ? " (--max-script-size=SIZE raises the cap)" : "");
        free(err);
    }
    return text;
}

/* psql's backslash meta-commands are not SQL and pgdeck does not run them:
 * say so, with the place, before anything runs (the server would only see
 * a syntax error in the middle of the script). */
static bool refuse_meta_command(const char *text, size_t len, const char *source)
{
    long at = sql_meta_command(text, len);
    if (at < 0)
        return false;
    size_t n = strcspn(text + at, " \t\r\n;");
    if (n > 32)
        n = 32;
    cli_eprintf(RUN_PROG ": %s:%d: %.*s is a psql meta-command; pgdeck run takes SQL only\n",
                source ? source : "-c", sql_line_of(text, (size_t)at), (int)n, text + at);
    return true;
}

static void add_statements(run_ctx *ctx, const char *text, size_t len, const char *source)
{
    sql_stmt *parts = NULL;
    size_t n = sql_split(text, len, &parts, NULL);
    ctx->stmts = xrealloc(ctx->stmts, sizeof *ctx->stmts * (ctx->nstmts + n + 1));
    for (size_t i = 0; i < n; i++) {
        run_stmt *st = &ctx->stmts[ctx->nstmts++];
        st->sql = xstrndup(text + parts[i].start, parts[i].end - parts[i].start);
        st->source = source;
        st->line = parts[i].line;
    }
    free(parts);
}

/* SET [SESSION|LOCAL] standard_conforming_strings = on|off (or RESET):
 * 1 on, 0 off, -1 when the statement is not one of those. Only for reading
 * the script ahead (the meta-command check); the run itself follows what
 * the server reports. */
static int sets_std_strings(const char *sql, size_t len)
{
    sql_lexer lx;
    sql_lex_init(&lx, sql, len);
    sql_token t;
    sql_lex_next(&lx, &t);
    bool reset = sql_tok_is(sql, &t, "reset");
    if (!reset && !sql_tok_is(sql, &t, "set"))
        return -1;
    sql_lex_next(&lx, &t);
    if (!reset && (sql_tok_is(sql, &t, "session") || sql_tok_is(sql, &t, "local")))
        sql_lex_next(&lx, &t);
    if (!sql_tok_is(sql, &t, "standard_conforming_strings"))
        return -1;
    if (reset)
        return 1;
    sql_lex_next(&lx, &t);
    if (!sql_tok_is(sql, &t, "to") && !(t.kind == SQL_TOK_OP && sql[t.start] == '='))
        return -1;
    sql_lex_next(&lx, &t);
    size_t b = t.start, n = t.end - t.start;
    if (t.kind == SQL_TOK_STRING && n >= 2) {
        b++;
        n -= 2;
    }
    static const char *const offs[] = {"off", "false", "no", "0", "of", "f", "n"};
    for (size_t i = 0; i < sizeof offs / sizeof *offs; i++)
        if (strlen(offs[i]) == n && strncasecmp(sql + b, offs[i], n) == 0)
            return 0;
    return 1;
}

static void print_meta_refusal(const char *text, size_t at, int line, const char *source)
{
    size_t n = strcspn(text + at, " \t\r\n;");
    if (n > 32)
        n = 32;
    cli_eprintf(RUN_PROG ": %s:%d: %.*s is a psql meta-command; pgdeck run takes SQL only\n",
                source ? source : "-c", line, (int)n, text + at);
}

/* Reads a script ahead as the run will (statement by statement, inline COPY
 * data skipped, standard_conforming_strings followed from the SETs it
 * holds): a meta-command is refused before anything runs. Returns the
 * number of statements, or -1 (message printed). */
static long prescan_script(const char *text, size_t len, const char *source)
{
    sql_script sc;
    sql_script_init(&sc, text, len);
    long n = 0;
    for (;;) {
        sql_script_stmt st;
        sql_script_kind k = sql_script_next(&sc, &st);
        if (k == SQL_SCRIPT_END)
            return n;
        if (k == SQL_SCRIPT_META) {
            print_meta_refusal(text, st.meta_at, st.end_line, source);
            return -1;
        }
        n++;
        if (sql_is_copy_from_stdin(st.sql, st.len) && !source) {
            /* psql -c reads COPY data from its own standard input; run does
             * not, and loading nothing would be a silent difference */
            cli_eprintf(RUN_PROG ": COPY FROM STDIN in -c is not supported: put the data after "
                                 "the statement in a -f script, ended by a line \\., or use "
                                 "pgdeck import\n");
            sql_script_stmt_free(&st);
            return -1;
        }
        if (sql_is_copy_from_stdin(st.sql, st.len)) {
            size_t ds, dl;
            int dend;
            sql_script_copy_data(&sc, &st, &ds, &dl, &dend);
        }
        int on = sets_std_strings(st.sql, st.len);
        if (on >= 0)
            sql_script_set_std_strings(&sc, on == 1);
        sql_script_stmt_free(&st);
    }
}

/* Reads every -c and -f in order: kept whole for the script mode (read as
 * psql reads them while they run), split up front for the other modes.
 * Returns false (message printed) when a file cannot be read or holds a
 * psql meta-command; *count: the statements found. */
static bool load_statements(run_ctx *ctx, size_t *count)
{
    bool script = !ctx->o->pipeline && !ctx->o->load;
    *count = 0;
    for (int i = 0; i < ctx->o->ninputs; i++) {
        const char *in = ctx->o->inputs[i];
        char *text;
        size_t len;
        const char *source = NULL;
        if (in[0] == 'c') {
            text = xstrdup(in + 2);
            len = strlen(text);
        } else {
            const char *path = in + 2;
            text = read_script(ctx->o, path, &len);
            if (!text)
                return false;
            source = strcmp(path, "-") == 0 ? "<stdin>" : path;
        }
        if (script) {
            long n = prescan_script(text, len, source);
            if (n < 0) {
                free(text);
                return false;
            }
            *count += (size_t)n;
            ctx->texts = xrealloc(ctx->texts, sizeof *ctx->texts * (ctx->ntexts + 1));
            ctx->texts[ctx->ntexts++] = (run_input){text, len, source};
            continue;
        }
        if (refuse_meta_command(text, len, source)) {
            free(text);
            return false;
        }
        add_statements(ctx, text, len, source);
        *count = ctx->nstmts;
        free(text);
    }
    return true;
}

static void free_statements(run_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nstmts; i++)
        free(ctx->stmts[i].sql);
    free(ctx->stmts);
    for (size_t i = 0; i < ctx->ntexts; i++)
        free(ctx->texts[i].text);
    free(ctx->texts);
    ctx->texts = NULL;
    ctx->ntexts = 0;
    ctx->stmts = NULL;
    ctx->nstmts = 0;
}

/* ------------------------------------------------------------------------
 * Waiting for events, with Ctrl-C turned into a cancel. */

/* Next event of any kind; on Ctrl-C cancels `id` once. */
eng_event *run_next_event(engine *e, eng_id id)
{
    static bool cancel_sent;
    for (;;) {
        eng_event *ev = eng_event_wait(e, 200);
        if (ev)
            return ev;
        if (run_interrupted && !cancel_sent && id) {
            eng_cancel(e, id);
            cancel_sent = true;
        }
    }
}

/* Exit code for a request that did not end well. */
int run_exit_for(eng_done_status s)
{
    switch (s) {
    case ENG_DONE_OK:
        return EXIT_OK;
    case ENG_DONE_CONN:
    case ENG_DONE_TIMEOUT:
        return EXIT_CONNECT;
    case ENG_DONE_ERROR:
    case ENG_DONE_CANCELED:
    case ENG_DONE_REFUSED:
    default:
        return EXIT_SQL;
    }
}

/* ------------------------------------------------------------------------
 * Script mode: one statement at a time on one session, read as psql -f
 * reads a script and printed as psql prints it. */

/* What EV_DONE of a script's statement said. */
typedef struct stmt_outcome {
    int rc;
    bool std_strings_off;
    bool known; /* a session's EV_DONE arrived */
    char txn;   /* its transaction status ('I', 'T', 'E', 'U') */
} stmt_outcome;

/* Waits for request id's events: notices and results printed as they come,
 * the first error kept and printed at the end. */
/* --binary: parts sent as one query (`\;`) stay in the simple protocol. */
static bool one_statement(const char *sql, size_t len)
{
    sql_stmt *parts = NULL;
    size_t n = sql_split(sql, len, &parts, NULL);
    free(parts);
    return n == 1;
}

static void script_wait(run_ctx *ctx, eng_id id, const sql_origin *o, bool copy_in,
                        stmt_outcome *out)
{
    engine *e = ctx->e;
    eng_error *err = NULL;
    bool copy_out = false; /* psql prints no "COPY n" after COPY TO STDOUT */
    out->rc = EXIT_OK;
    out->known = false;
    for (;;) {
        eng_event *ev = run_next_event(e, id);
        bool done = false;
        switch (ev->kind) {
        case EV_NOTICE:
            sqlerror_print_notice_at(RUN_PROG, o, ev->error);
            break;
        case EV_RESULT:
            if (!ev->result)
                break;
            if (eng_result_status(ev->result) == ENG_RES_ERROR) {
                if (!err && eng_result_error(ev->result))
                    err = eng_error_dup(eng_result_error(ev->result));
            } else if (eng_result_is_copy_out(ev->result)) {
                copy_out = true;
                output_result(stdout, ctx->o->fmt, ev->result);
            } else if (copy_out && eng_result_status(ev->result) == ENG_RES_COMMAND &&
                       strncmp(eng_result_cmdstatus(ev->result), "COPY", 4) == 0) {
                copy_out = false;
            } else {
                output_result(stdout, ctx->o->fmt, ev->result);
            }
            break;
        case EV_DONE:
            if (ev->id != id)
                break;
            done = true;
            out->known = ev->txn_status != 'U';
            out->txn = ev->txn_status;
            out->std_strings_off = ev->std_strings_off;
            if (ev->status != ENG_DONE_OK) {
                out->rc = run_exit_for(ev->status);
                if (ev->error) {
                    eng_error_free(err);
                    err = ev->error;
                    ev->error = NULL;
                }
                if (!err)
                    err = eng_error_new(NULL, "%s", eng_done_status_name(ev->status));
            } else if (copy_in && ctx->o->fmt == OUT_TABLE) {
                printf("COPY %llu\n", (unsigned long long)ev->rows);
            }
            break;
        case EV_PIPE_STMT:
        case EV_POOL:
            break;
        }
        eng_event_free(ev);
        if (done)
            break;
    }
    if (out->rc != EXIT_OK && err)
        sqlerror_print(RUN_PROG, o, err);
    eng_error_free(err);
}

static int run_script(run_ctx *ctx)
{
    engine *e = ctx->e;
    eng_session s = eng_session_open(e);
    int rc = EXIT_OK;
    bool in_txn = false;
    bool std_strings = true; /* the server's default; then what it reports */
    for (size_t t = 0; t < ctx->ntexts && rc == EXIT_OK; t++) {
        const run_input *in = &ctx->texts[t];
        sql_script sc;
        sql_script_init(&sc, in->text, in->len);
        sc.lx.std_strings = std_strings;
        while (rc == EXIT_OK) {
            if (run_interrupted) {
                rc = EXIT_SQL;
                cli_eprintf(RUN_PROG ": run_interrupted\n");
                break;
            }
            sql_script_stmt st;
            sql_script_kind k = sql_script_next(&sc, &st);
            if (k == SQL_SCRIPT_END)
                break;
            if (k == SQL_SCRIPT_META) {
                /* only when the server's setting differs from the read-ahead */
                print_meta_refusal(in->text, st.meta_at, st.end_line, in->source);
                rc = EXIT_SQL;
                break;
            }
            sql_origin o = {st.sql,   in->source, st.nlines ? st.lines[0] : st.end_line,
                            st.lines, st.nlines,  st.end_line};
            stmt_outcome out;
            if (sql_is_copy_from_stdin(st.sql, st.len)) {
                /* the data follows in the script, up to a line "\." */
                size_t ds, dl;
                sql_script_copy_data(&sc, &st, &ds, &dl, &o.end_line);
                eng_id id = eng_copy_begin(e, s, st.sql, NULL);
                if (dl) {
                    char *buf = xmalloc(dl);
                    memcpy(buf, in->text + ds, dl);
                    eng_copy_data(e, id, buf, dl);
                }
                eng_copy_end(e, id, NULL);
                script_wait(ctx, id, &o, true, &out);
            } else {
                /* The simple query protocol, as psql -f: one message per
                 * statement (scripts rarely repeat a text, so prepared
                 * statements seldom pay). */
                eng_exec_args a = {
                    .sql = st.sql, .session = s, .flags = ENG_EXEC_SIMPLE | ENG_EXEC_COPY_RAW};
                if (ctx->o->binary && one_statement(st.sql, st.len))
                    /* the extended protocol takes one statement, described first */
                    a.flags = ENG_EXEC_BINARY | ENG_EXEC_NOPREPARE | ENG_EXEC_COPY_RAW;
                eng_id id = eng_exec(e, &a);
                script_wait(ctx, id, &o, false, &out);
            }
            rc = out.rc;
            if (out.known)
                in_txn = out.txn == 'T' || out.txn == 'E';
            if (out.known && std_strings != !out.std_strings_off) {
                std_strings = !out.std_strings_off;
                sql_script_set_std_strings(&sc, std_strings);
            }
            sql_script_stmt_free(&st);
        }
    }
    /* A transaction still open: psql's session just ends and the server
     * rolls it back. Leaving the session to engine_stop does the same (the
     * connection is closed), where closing it now would send a ROLLBACK. */
    if (!in_txn)
        eng_session_close(e, s);
    return rc;
}

/* ------------------------------------------------------------------------
 * Connecting. */

/* libpq's message when the server wants a password we do not have. */
static bool needs_password(const char *msg)
{
    return msg && strstr(msg, "no password supplied") != NULL;
}

static int connect_engine(run_ctx *ctx, const eng_pool_config *pool)
{
    connargs *ca = &ctx->o->ca;
    for (int attempt = 0;; attempt++) {
        char *err = NULL;
        ctx->e = engine_start(ca->ci, pool, &err);
        if (!ctx->e) {
            cli_eprintf(RUN_PROG ": %s\n", err ? err : "cannot start the engine");
            free(err);
            return EXIT_CONNECT;
        }
        int timeout_ms = (int)(pool->connect_timeout > 0 ? pool->connect_timeout * 1000 : 10000);
        if (engine_wait_ready(ctx->e, timeout_ms + 1000, &err))
            return EXIT_OK;
        /* As psql: prompt once when the server asks for a password we do not
         * have, unless -w, and only on a terminal. */
        bool prompt = attempt == 0 && needs_password(err) && !ca->no_password &&
                      !eng_conninfo_get(ca->ci, "password") && isatty(STDIN_FILENO);
        if (!prompt) {
            cli_eprintf(RUN_PROG ": cannot connect: %s\n", err ? err : "connection failed");
            int rc = connargs_connect_exit(err);
            free(err);
            engine_stop(ctx->e);
            ctx->e = NULL;
            return rc;
        }
        free(err);
        engine_stop(ctx->e);
        ctx->e = NULL;
        const char *user = eng_conninfo_get(ca->ci, "user");
        char *msg = user ? xasprintf("Password for user %s: ", user) : xstrdup("Password: ");
        char *pw = password_prompt(msg);
        free(msg);
        if (!pw) {
            cli_eprintf(RUN_PROG ": cannot connect: no password supplied\n");
            return EXIT_CONNECT;
        }
        redact_add(pw);
        eng_conninfo_set(ca->ci, "password", pw);
        password_free(pw);
    }
}

/* ------------------------------------------------------------------------
 * --retry-read-only: a statement lost with its connection is sent again,
 * which is safe only when it cannot have written. The server guarantees
 * that: every connection of the run starts read-only
 * (default_transaction_read_only, sent at connect as a [session] setting),
 * and a script that could turn read-write on again is refused here. */

static int read_only_run(run_ctx *ctx, pgdeck_config *cfg)
{
    for (size_t i = 0; i < ctx->nstmts; i++)
        if (sql_leaves_read_only(ctx->stmts[i].sql))
            return usage_error("run",
                               "--retry-read-only: statement %zu would make the session "
                               "read-write (READ WRITE, SET transaction_read_only, RESET ALL...); "
                               "retries are only safe for read-only statements",
                               i + 1);
    char *err = NULL;
    if (!config_set(cfg, "session.default_transaction_read_only", "on", &err)) {
        int rc = usage_error("run", "--retry-read-only: %s", err ? err : "bad setting");
        free(err);
        return rc;
    }
    return -1;
}

/* ------------------------------------------------------------------------
 * Options. */

static bool parse_long(const char *s, long min, long max, long *out)
{
    return parse_long_in(s, min, max, out);
}

static bool parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0) || v > 1e7)
        return false;
    *out = v;
    return true;
}

/* Returns -1 when the options are fine, else the exit code. */
static int parse_options(run_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        CONNARGS_LONGOPTS,
        CLICONF_LONGOPTS,
        {"command", required_argument, NULL, 'c'},
        {"file", required_argument, NULL, 'f'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"pipeline", no_argument, NULL, OPT_PIPELINE},
        {"binary", no_argument, NULL, OPT_BINARY},
        {"sync", required_argument, NULL, OPT_SYNC},
        {"clients", required_argument, NULL, OPT_CLIENTS},
        {"jobs", required_argument, NULL, OPT_JOBS},
        {"no-pin", no_argument, NULL, OPT_NO_PIN},
        {"repeat", required_argument, NULL, OPT_REPEAT},
        {"time", required_argument, NULL, OPT_TIME},
        {"stats", optional_argument, NULL, OPT_STATS},
        {"max-script-size", required_argument, NULL, OPT_MAX_SCRIPT},
        {"retry-read-only", required_argument, NULL, OPT_RETRY_RO},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    bool sync_given = false, pin_given = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, CONNARGS_SHORTOPTS "c:f:", longopts, NULL)) != -1) {
        long v;
        switch (c) {
        case 'c':
        case 'f':
            o->inputs = xrealloc(o->inputs, sizeof *o->inputs * (size_t)(o->ninputs + 1));
            o->inputs[o->ninputs++] = xasprintf("%c:%s", c, optarg);
            break;
        case OPT_FORMAT:
            if (!output_parse_format(optarg, &o->fmt))
                return usage_error("run", "--format must be table, csv or json, not \"%s\"",
                                   optarg);
            break;
        case OPT_PIPELINE:
            o->pipeline = true;
            break;
        case OPT_BINARY:
            o->binary = true;
            break;
        case OPT_SYNC:
            sync_given = true;
            if (strcmp(optarg, "end") == 0)
                o->sync = ENG_SYNC_END;
            else if (strcmp(optarg, "each") == 0)
                o->sync = ENG_SYNC_EACH;
            else
                return usage_error("run", "--sync must be end or each, not \"%s\"", optarg);
            break;
        case OPT_CLIENTS:
            if (!parse_long(optarg, 1, 1000, &v))
                return usage_error("run", "--clients must be a number from 1 to 1000");
            o->clients = (int)v;
            o->load = true;
            break;
        case OPT_JOBS:
            if (!parse_long(optarg, 1, RUN_MAX_JOBS, &v))
                return usage_error("run", "--jobs must be a number from 1 to %d", RUN_MAX_JOBS);
            o->jobs = (int)v;
            break;
        case OPT_NO_PIN:
            o->pin = false;
            pin_given = true;
            break;
        case OPT_REPEAT:
            if (!parse_long(optarg, 1, LONG_MAX, &v))
                return usage_error("run", "--repeat must be a positive number");
            o->repeat = v;
            o->load = true;
            break;
        case OPT_TIME:
            if (!parse_seconds(optarg, &o->seconds))
                return usage_error("run", "--time must be a positive number of seconds");
            o->load = true;
            break;
        case OPT_STATS:
            if (!optarg || strcmp(optarg, "stderr") == 0)
                o->stats = STATS_STDERR;
            else if (strcmp(optarg, "stdout") == 0)
                o->stats = STATS_STDOUT;
            else
                return usage_error("run", "--stats takes stderr or stdout, not \"%s\"", optarg);
            break;
        case OPT_MAX_SCRIPT:
            if (!filecap_parse_size(optarg, &o->max_script))
                return usage_error("run",
                                   "--max-script-size takes a size in bytes, with k, M or G "
                                   "(e.g. 4G), not \"%s\"",
                                   optarg);
            break;
        case OPT_RETRY_RO:
            if (!parse_long(optarg, 1, 100, &v))
                return usage_error("run", "--retry-read-only must be a number from 1 to 100");
            o->retry_read_only = (int)v;
            break;
        case OPT_HELP:
            usage_print(stdout, "run");
            return EXIT_OK;
        case '?':
            return usage_bad_option("run", CONNARGS_SHORTOPTS "c:f:", argv);
        default:
            if (connargs_option(&o->ca, c, optarg) || cliconf_option(&o->cc, c, optarg))
                break;
            return usage_error("run", "unknown option");
        }
    }
    int used = connargs_positional(&o->ca, argc - optind, argv + optind);
    if (optind + used < argc)
        return usage_error("run", "unexpected argument \"%s\"", argv[optind + used]);
    if (o->ninputs == 0)
        return usage_error("run", "nothing to run: give -c SQL or -f FILE");
    if (o->pipeline && o->load)
        return usage_error("run", "--pipeline cannot be combined with --clients/--repeat/--time");
    if (sync_given && !o->pipeline)
        return usage_error("run", "--sync needs --pipeline");
    if (o->retry_read_only && !o->load)
        return usage_error("run", "--retry-read-only needs --clients/--repeat/--time");
    if ((o->jobs || pin_given) && !o->load)
        return usage_error("run", "%s needs --clients/--repeat/--time",
                           o->jobs ? "--jobs" : "--no-pin");
    if (o->load) {
        if (o->clients == 0)
            o->clients = 1;
        if (o->repeat == 0 && o->seconds == 0)
            o->repeat = 1;
        o->jobs = run_load_jobs(o->jobs, o->clients);
    }
    return -1;
}

int cmd_run_main(int argc, char **argv)
{
    run_opts o = {
        .fmt = OUT_TABLE, .sync = ENG_SYNC_END, .pin = true, .max_script = RUN_MAX_SCRIPT_DEFAULT};
    run_ctx ctx = {.o = &o};
    connargs_init(&o.ca);
    cliconf_init(&o.cc);
    int rc = parse_options(&o, argc, argv);
    pgdeck_config cfg;
    bool have_cfg = false;
    if (rc >= 0)
        goto out;

    char *err = NULL;
    if (!cliconf_load(&o.cc, &cfg, &err)) {
        have_cfg = true;
        rc = usage_error("run", "%s", err ? err : "bad settings");
        free(err);
        goto out;
    }
    have_cfg = true;
    size_t nstmts = 0;
    if (!load_statements(&ctx, &nstmts)) {
        rc = EXIT_SQL;
        goto out;
    }
    if (!connargs_finish(&o.ca, &err)) {
        rc = connargs_fail(&o.ca, "run", err);
        goto out;
    }
    if (nstmts == 0) {
        rc = EXIT_OK; /* an empty script, as psql: nothing to do */
        goto out;
    }
    if (o.retry_read_only && (rc = read_only_run(&ctx, &cfg)) >= 0)
        goto out;

    eng_pool_config pool;
    connargs_pool_config(&cfg, &pool);
    ctx.pool = pool;
    if (o.load) {
        run_load_pool(&o, 0, &pool); /* the first job's share */
    } else if (pool.min_size > 1) {
        pool.min_size = 1; /* a script or a pipeline uses one connection */
    }

    /* Ctrl-C while connecting ends the program as usual; once connected it
     * cancels the running statement on the server instead. */
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    struct sigaction old_int;
    rc = connect_engine(&ctx, &pool);
    if (rc == EXIT_OK) {
        ctx.es[0] = ctx.e;
        ctx.nes = 1;
        sigaction(SIGINT, &sa, &old_int);
        ctx.start_time = run_now();
        if (o.load) {
            rc = run_load(&ctx);
        } else if (o.pipeline) {
            rc = run_pipeline(&ctx);
        } else {
            rc = run_script(&ctx);
        }
        fflush(stdout);
        if (o.stats != STATS_OFF)
            statsjson_print(ctx.es, ctx.nes, o.stats == STATS_STDOUT ? stdout : stderr,
                            ctx.start_time, run_now());
        for (int i = ctx.nes - 1; i >= 0; i--)
            engine_stop(ctx.es[i]);
        sigaction(SIGINT, &old_int, NULL);
    }

out:
    if (fflush(stdout) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "pgdeck run: cannot write the output: %s\n", strerror(errno));
        rc = EXIT_SQL;
    }
    free_statements(&ctx);
    for (int i = 0; i < o.ninputs; i++)
        free(o.inputs[i]);
    free(o.inputs);
    return cmd_exit(rc, have_cfg ? &cfg : NULL, &o.cc, &o.ca);
}
