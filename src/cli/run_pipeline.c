/* run_pipeline.c — `pgdeck run --pipeline`: the statements sent in libpq
 * pipeline mode through eng_pipeline, then one report line per statement in
 * order (outcome, time, rows, first line of SQL, its error), as a table, CSV
 * or JSON. A statement that did not commit is never reported ok. */
#include "config.h"

#include "common/json.h"
#include "cli/redact.h"
#include "cli/run.h"
#include "cli/sqlerror.h"
#include "common/strbuf.h"
#include "common/termsafe.h"
#include "common/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct pipe_row {
    eng_stmt_outcome outcome;
    bool seen;
    double ms;
    int64_t rows; /* -1: none */
    eng_error *error;
} pipe_row;

/* First line of a statement, for the report. */
static char *first_line(const char *sql, size_t max)
{
    size_t n = strcspn(sql, "\r\n");
    bool more = sql[n] != '\0';
    if (n > max) {
        n = max;
        more = true;
    }
    char *s = xstrndup(sql, n);
    if (more) {
        char *t = xasprintf("%s ...", s);
        free(s);
        s = t;
    }
    return s;
}

/* Outcomes whose error message is the statement's own (a rolled back or
 * aborted statement only suffers another one's error). */
static bool own_error(eng_stmt_outcome o)
{
    return o == ENG_OUT_ERROR || o == ENG_OUT_REFUSED || o == ENG_OUT_UNKNOWN;
}

/* The report is written row by row while the outcomes arrive (the engine
 * sends them in statement order), so formatting thousands of rows overlaps
 * the server's work instead of following it. */
typedef struct pipe_report {
    run_ctx *ctx;
    FILE *out;
    bool tty;
    int idx_w;
    size_t next; /* the next row to write */
    int counts[ENG_OUT_NOT_SENT + 1];
} pipe_report;

static void report_begin(pipe_report *rp, run_ctx *ctx)
{
    memset(rp, 0, sizeof *rp);
    rp->ctx = ctx;
    rp->out = stdout;
    if (ctx->o->fmt == OUT_JSON) {
        fputs("[", rp->out);
    } else if (ctx->o->fmt == OUT_CSV) {
        fputs("index,outcome,ms,rows,line,sql,sqlstate,error\n", rp->out);
        rp->tty = isatty(fileno(rp->out));
    } else {
        /* table: "  #  outcome      ms  rows  statement", errors indented below */
        rp->idx_w = snprintf(NULL, 0, "%zu", ctx->nstmts);
        if (rp->idx_w < 1)
            rp->idx_w = 1;
        fprintf(rp->out, "%*s  %-11s %10s %8s  %s\n", rp->idx_w, "#", "outcome", "ms", "rows",
                "statement");
    }
}

static void report_json_row(pipe_report *rp, size_t i, const pipe_row *r)
{
    const run_stmt *st = &rp->ctx->stmts[i];
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%s\n{\"index\":%zu,\"outcome\":", i ? "," : "", i + 1);
    const char *name = eng_stmt_outcome_name(r->outcome);
    json_append_string(&sb, name, strlen(name));
    sb_printf(&sb, ",\"ms\":%.3f,\"rows\":", r->ms);
    if (r->rows >= 0)
        sb_printf(&sb, "%lld", (long long)r->rows);
    else
        sb_append(&sb, "null");
    sb_append(&sb, ",\"line\":");
    sb_printf(&sb, "%d,\"sql\":", st->line);
    json_append_string(&sb, st->sql, strlen(st->sql));
    sb_append(&sb, ",\"error\":");
    if (r->error && r->error->message && own_error(r->outcome)) {
        char *msg = redact(r->error->message);
        json_append_string(&sb, msg, strlen(msg));
        free(msg);
        sb_append(&sb, ",\"sqlstate\":");
        if (r->error->sqlstate)
            json_append_string(&sb, r->error->sqlstate, strlen(r->error->sqlstate));
        else
            sb_append(&sb, "null");
    } else {
        sb_append(&sb, "null,\"sqlstate\":null");
    }
    sb_append(&sb, "}");
    fwrite(sb.data, 1, sb.len, rp->out);
    sb_free(&sb);
}

static void report_csv_row(pipe_report *rp, size_t i, const pipe_row *r)
{
    const run_stmt *st = &rp->ctx->stmts[i];
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%zu,%s,%.3f,", i + 1, eng_stmt_outcome_name(r->outcome), r->ms);
    if (r->rows >= 0)
        sb_printf(&sb, "%lld", (long long)r->rows);
    sb_printf(&sb, ",%d,", st->line);
    const eng_error *re = own_error(r->outcome) ? r->error : NULL;
    const char *fields[3] = {st->sql, re && re->sqlstate ? re->sqlstate : NULL,
                             re ? re->message : NULL};
    for (int f = 0; f < 3; f++) {
        if (f)
            sb_append_c(&sb, ',');
        if (!fields[f])
            continue;
        char *v = redact(fields[f]);
        if (rp->tty) { /* byte-exact only off a terminal, as output.c */
            char *e = term_escape(v, TS_KEEP_NL | TS_KEEP_TAB);
            free(v);
            v = e;
        }
        sb_append_c(&sb, '"');
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                sb_append_c(&sb, '"');
            sb_append_c(&sb, *p);
        }
        sb_append_c(&sb, '"');
        free(v);
    }
    sb_append_c(&sb, '\n');
    fwrite(sb.data, 1, sb.len, rp->out);
    sb_free(&sb);
}

static void report_table_row(pipe_report *rp, size_t i, const pipe_row *r)
{
    FILE *out = rp->out;
    int idx_w = rp->idx_w;
    const run_stmt *st = &rp->ctx->stmts[i];
    char *sql = first_line(st->sql, 60);
    char rows_s[24] = "-";
    if (r->rows >= 0)
        snprintf(rows_s, sizeof rows_s, "%lld", (long long)r->rows);
    char ms_s[24] = "-";
    if (r->seen && r->outcome != ENG_OUT_NOT_SENT && r->outcome != ENG_OUT_REFUSED)
        snprintf(ms_s, sizeof ms_s, "%.3f", r->ms);
    char *masked = redact(sql);
    char *safe = term_escape(masked, TS_FLAT); /* termsafe.h */
    fprintf(out, "%*zu  %-11s %10s %8s  %s\n", idx_w, i + 1, eng_stmt_outcome_name(r->outcome),
            ms_s, rows_s, safe);
    free(safe);
    free(masked);
    free(sql);
    if (r->error && r->error->message && own_error(r->outcome)) {
        char *raw = redact(r->error->message);
        char *msg = term_escape(raw, TS_KEEP_NL | TS_KEEP_TAB);
        free(raw);
        int line = run_error_line(st, r->error);
        fprintf(out, "%*s  ", idx_w, "");
        if (st->source)
            fprintf(out, "%s:%d: ", st->source, line);
        fprintf(out, "%s:  ", r->error->severity ? r->error->severity : "ERROR");
        if (r->error->sqlstate)
            fprintf(out, "%s: ", r->error->sqlstate);
        fprintf(out, "%s\n", msg);
        free(msg);
    }
}

/* Writes the rows from the next unwritten one up to `upto` (exclusive). */
static void report_rows(pipe_report *rp, const pipe_row *rows, size_t upto)
{
    for (; rp->next < upto; rp->next++) {
        size_t i = rp->next;
        rp->counts[rows[i].outcome]++;
        if (rp->ctx->o->fmt == OUT_JSON)
            report_json_row(rp, i, &rows[i]);
        else if (rp->ctx->o->fmt == OUT_CSV)
            report_csv_row(rp, i, &rows[i]);
        else
            report_table_row(rp, i, &rows[i]);
    }
}

static void report_end(pipe_report *rp, const pipe_row *rows, double total_ms)
{
    size_t n = rp->ctx->nstmts;
    report_rows(rp, rows, n); /* any the engine did not report */
    if (rp->ctx->o->fmt == OUT_JSON) {
        fputs(n ? "\n]\n" : "]\n", rp->out);
        return;
    }
    if (rp->ctx->o->fmt == OUT_CSV)
        return;
    const int *counts = rp->counts;
    fprintf(rp->out, "(%zu statement%s: %d ok, %d error, %d aborted, %d rolled back, %d unknown", n,
            n == 1 ? "" : "s", counts[ENG_OUT_OK], counts[ENG_OUT_ERROR], counts[ENG_OUT_ABORTED],
            counts[ENG_OUT_ROLLED_BACK], counts[ENG_OUT_UNKNOWN]);
    if (counts[ENG_OUT_REFUSED] || counts[ENG_OUT_NOT_SENT])
        fprintf(rp->out, ", %d refused, %d not sent", counts[ENG_OUT_REFUSED],
                counts[ENG_OUT_NOT_SENT]);
    fprintf(rp->out, "; %.3f ms)\n", total_ms);
}

int run_pipeline(run_ctx *ctx)
{
    engine *e = ctx->e;
    size_t n = ctx->nstmts;
    const char **sqls = xcalloc(n, sizeof *sqls);
    for (size_t i = 0; i < n; i++)
        sqls[i] = ctx->stmts[i].sql;
    pipe_row *rows = xcalloc(n, sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        rows[i].outcome = ENG_OUT_UNKNOWN;
        rows[i].rows = -1;
    }
    eng_pipeline_args a = {.nstmts = (int)n, .sqls = sqls, .sync = ctx->o->sync};
    double t0 = run_now();
    eng_id id = eng_pipeline(e, &a);
    pipe_report rp;
    report_begin(&rp, ctx);
    eng_done_status status = ENG_DONE_OK;
    eng_error *done_err = NULL;
    for (;;) {
        eng_event *ev = run_next_event(e, id);
        bool done = false;
        if (ev->kind == EV_NOTICE) {
            sqlerror_print_notice(ev->error);
        } else if (ev->kind == EV_PIPE_STMT && ev->id == id && ev->stmt_index >= 0 &&
                   (size_t)ev->stmt_index < n) {
            pipe_row *r = &rows[ev->stmt_index];
            r->seen = true;
            r->outcome = ev->outcome;
            r->ms = ev->elapsed_ms;
            eng_error_free(r->error);
            r->error = NULL;
            if (ev->error) {
                r->error = ev->error;
                ev->error = NULL;
            } else if (ev->result && eng_result_error(ev->result)) {
                r->error = eng_error_dup(eng_result_error(ev->result));
            }
            if (ev->result && ev->outcome == ENG_OUT_OK) {
                eng_res_status rs = eng_result_status(ev->result);
                if (rs == ENG_RES_TUPLES)
                    r->rows = eng_result_nrows(ev->result);
                else if (rs == ENG_RES_COMMAND)
                    r->rows = (int64_t)eng_result_cmdtuples(ev->result);
            }
            size_t upto = rp.next;
            while (upto < n && rows[upto].seen)
                upto++;
            report_rows(&rp, rows, upto);
        } else if (ev->kind == EV_DONE && ev->id == id) {
            status = ev->status;
            done_err = ev->error;
            ev->error = NULL;
            done = true;
        }
        eng_event_free(ev);
        if (done)
            break;
    }
    double total_ms = (run_now() - t0) * 1000.0;

    bool all_ok = true;
    for (size_t i = 0; i < n; i++)
        if (rows[i].outcome != ENG_OUT_OK)
            all_ok = false;
    report_end(&rp, rows, total_ms);
    /* 3 when the connection was lost (outcomes unknown), 1 when anything
     * did not succeed */
    int rc = run_exit_for(status);
    if (rc == EXIT_OK && !all_ok)
        rc = EXIT_SQL;
    if (done_err && status != ENG_DONE_OK) {
        /* The error of the whole request (refusal, lost connection) when no
         * statement carries it. */
        bool shown = false;
        for (size_t i = 0; i < n; i++)
            if (rows[i].error &&
                (rows[i].outcome == ENG_OUT_ERROR || rows[i].outcome == ENG_OUT_REFUSED))
                shown = true;
        if (!shown)
            run_print_error(NULL, done_err);
    }
    eng_error_free(done_err);
    for (size_t i = 0; i < n; i++)
        eng_error_free(rows[i].error);
    free(rows);
    free(sqls);
    return rc;
}
