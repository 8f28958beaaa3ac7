/* pipeline.c — statements sent in libpq pipeline mode on one connection,
 * non-blocking: input is read before anything is written, output stops when
 * the socket is full, so neither side can block the other.
 *
 * Outcomes follow the transaction each statement belongs to: a statement's
 * result makes it "ran"; it becomes "ok" only when its transaction committed
 * (a sync with the connection idle, or an explicit COMMIT whose result
 * arrived) or stays open at the end; an error rolls back every ran
 * statement of its transaction; a lost connection leaves every undecided
 * statement "unknown". Statements that cannot run inside a pipeline are
 * refused before anything is sent. */
#include "engine/engine_int.h"

#include "common/sqlclass.h"
#include "common/sqlsplit.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- refusals ---- */

char *pipeline_refusal(const request *r, int *bad_index)
{
    for (int i = 0; i < r->nstmts; i++) {
        const char *sql = r->sqls[i];
        size_t len = strlen(sql);
        *bad_index = i;
        if (sql_starts_with(sql, len, "COPY"))
            return xstrdup("COPY cannot run in a pipeline; use the import");
        /* only a ';' can end a statement early: most texts skip the lexer */
        size_t nparts = 1;
        if (memchr(sql, ';', len)) {
            sql_stmt *parts = NULL;
            nparts = sql_split(sql, len, &parts, NULL);
            free(parts);
        }
        if (nparts > 1)
            return xasprintf("this text holds %zu statements; a pipeline sends one statement "
                             "per entry",
                             nparts);
        const char *what = sql_no_txn_block(sql, len);
        if (what && r->sync == ENG_SYNC_END && r->nstmts > 1)
            return xasprintf("%s cannot run inside a transaction block: run it alone, or with a "
                             "sync after each statement",
                             what);
    }
    *bad_index = -1;
    return NULL;
}

/* ---- running ---- */

enum { K_OTHER, K_BEGIN, K_COMMIT, K_ROLLBACK };

typedef struct pipe_stmt {
    eng_stmt_outcome outcome;
    bool final, ran;
    int kind;
    PGresult *res;
    PGresult *rows; /* single-row results gathered (see on_stmt_result) */
    eng_error *err;
    uint64_t sent_ns, done_ns;
} pipe_stmt;

typedef struct pipe_state {
    pipe_stmt *s;
    int n;
    int next_send;
    int *expect; /* send order: statement index, or -1 for a sync */
    int nexpect, next_expect;
    int seg_start; /* first statement of the undecided transaction */
    int last_done; /* the statement whose results ended last */
    int next_emit;
    bool cur_got_result;
    uint64_t t_start, rows;
    eng_error *first_err;
    bool any_bad;
    bool in_block, block_failed; /* an explicit BEGIN is open (and failed) */
    bool fatal;                  /* a FATAL error: the connection ends */
} pipe_state;

static void pipe_io(engine *e, conn *c, int revents);
static void pipe_lost(engine *e, conn *c, const eng_error *err);
static const conn_op pipe_op = {"pipeline", pipe_io, pipe_lost};

static int stmt_kind(const char *sql)
{
    switch (sql_txn_control(sql, strlen(sql))) {
    case SQL_TXN_BEGIN:
        return K_BEGIN;
    case SQL_TXN_COMMIT:
        return K_COMMIT;
    case SQL_TXN_ROLLBACK:
        return K_ROLLBACK;
    default:
        return K_OTHER;
    }
}

static void finalize(pipe_stmt *p, eng_stmt_outcome o)
{
    if (p->final)
        return;
    p->outcome = o;
    p->final = true;
}

/* Decides every ran statement of the current transaction up to `upto`. */
static void settle_segment(pipe_state *ps, int upto, eng_stmt_outcome o)
{
    for (int i = ps->seg_start; i <= upto && i < ps->n; i++)
        if (ps->s[i].ran)
            finalize(&ps->s[i], o);
    ps->seg_start = upto + 1;
}

static void emit_ready(engine *e, request *r, pipe_state *ps, conn *c)
{
    while (ps->next_emit < ps->n && ps->s[ps->next_emit].final) {
        int i = ps->next_emit++;
        pipe_stmt *p = &ps->s[i];
        eng_event *ev = event_new(EV_PIPE_STMT, r->id, r->tag);
        ev->stmt_index = i;
        ev->outcome = p->outcome;
        ev->backend_pid = c ? c->backend_pid : 0;
        if (p->done_ns && p->sent_ns)
            ev->elapsed_ms = (double)(p->done_ns - p->sent_ns) / 1e6;
        if (p->res) {
            ExecStatusType rs = PQresultStatus(p->res);
            eng_res_status st = rs == PGRES_TUPLES_OK || rs == PGRES_SINGLE_TUPLE ? ENG_RES_TUPLES
                                : rs == PGRES_EMPTY_QUERY                         ? ENG_RES_EMPTY
                                : rs == PGRES_COMMAND_OK                          ? ENG_RES_COMMAND
                                : rs == PGRES_PIPELINE_ABORTED ? ENG_RES_PIPELINE_ABORTED
                                                               : ENG_RES_ERROR;
            ev->result = result_wrap(p->res, st);
            p->res = NULL;
        }
        if (p->err) {
            ev->error = p->err;
            p->err = NULL;
        } else if (p->outcome == ENG_OUT_ROLLED_BACK) {
            ev->error = eng_error_new("40000", "rolled back: a later statement of its "
                                               "transaction failed");
        } else if (p->outcome == ENG_OUT_UNKNOWN) {
            ev->error = eng_error_new("08006", "the connection was lost before the outcome of "
                                               "this statement was known");
            ev->error->conn_lost = true;
        }
        event_push(e, ev);
    }
}

static void pipe_free(pipe_state *ps)
{
    for (int i = 0; i < ps->n; i++) {
        PQclear(ps->s[i].res);
        PQclear(ps->s[i].rows);
        eng_error_free(ps->s[i].err);
    }
    eng_error_free(ps->first_err);
    free(ps->s);
    free(ps->expect);
    free(ps);
}

static void pipe_finish(engine *e, request *r, conn *c, pipe_state *ps, bool lost,
                        const eng_error *lost_err)
{
    if (lost) {
        for (int i = 0; i < ps->n; i++)
            finalize(&ps->s[i], ENG_OUT_UNKNOWN);
    } else {
        /* still open at the end (BEGIN without COMMIT): ran and not failed */
        for (int i = 0; i < ps->n; i++)
            if (ps->s[i].ran)
                finalize(&ps->s[i], ENG_OUT_OK);
        for (int i = 0; i < ps->n; i++)
            finalize(&ps->s[i], ENG_OUT_ABORTED);
        if (PQpipelineStatus(c->pg) != PQ_PIPELINE_OFF)
            PQexitPipelineMode(c->pg);
    }
    emit_ready(e, r, ps, c);
    eng_event *done = event_new(EV_DONE, r->id, r->tag);
    done->elapsed_ms = (double)(mono_ns() - ps->t_start) / 1e6;
    done->rows = ps->rows;
    done->backend_pid = c->backend_pid;
    eng_done_status st = ENG_DONE_OK;
    eng_error *err = NULL;
    if (lost) {
        st = ENG_DONE_CONN;
        err = eng_error_dup(lost_err);
        if (err)
            err->conn_lost = true;
    } else if (ps->any_bad) {
        st = r->canceled ? ENG_DONE_CANCELED : ENG_DONE_ERROR;
        err = ps->first_err;
        ps->first_err = NULL;
    }
    c->op = NULL;
    c->op_ctx = NULL;
    r->op = NULL;
    pipe_free(ps);
    request_done(e, r, st, err, done);
}

void pipeline_start(engine *e, request *r, conn *c)
{
    pipe_state *ps = xcalloc(1, sizeof *ps);
    ps->n = r->nstmts;
    ps->s = xcalloc((size_t)ps->n + 1, sizeof *ps->s);
    ps->expect = xcalloc((size_t)ps->n * 2 + 1, sizeof *ps->expect);
    ps->t_start = mono_ns();
    for (int i = 0; i < ps->n; i++)
        ps->s[i].kind = stmt_kind(r->sqls[i]);
    /* a session may already be inside BEGIN: then nothing here commits
     * before its COMMIT, and an error rolls back everything before it */
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    ps->in_block = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    ps->block_failed = ts == PQTRANS_INERROR;
    r->op = ps;
    c->op = &pipe_op;
    c->op_ctx = r;
    e->st.pipelines_num++;
    e->st.pipeline_stmts += (uint64_t)ps->n;
    if (ps->n == 0) {
        pipe_finish(e, r, c, ps, false, NULL);
        return;
    }
    if (!PQenterPipelineMode(c->pg)) {
        c->op = NULL;
        r->op = NULL;
        pipe_free(ps);
        request_done(
            e, r, ENG_DONE_ERROR,
            eng_error_new("08000", "cannot enter pipeline mode: %s", PQerrorMessage(c->pg)), NULL);
        return;
    }
    pipe_io(e, c, 0);
}

/* One result of the statement being read. */
static void on_stmt_result(engine *e, request *r, conn *c, pipe_state *ps, int i, PGresult *res)
{
    pipe_stmt *p = &ps->s[i];
    p->done_ns = mono_ns();
    ExecStatusType rs = PQresultStatus(res);
    if (rs == PGRES_TUPLES_OK && p->rows) { /* the end of single-row results */
        PQclear(res);
        res = p->rows;
        p->rows = NULL;
    }
    switch (rs) {
    case PGRES_SINGLE_TUPLE:
        /* libpq keeps single-row mode from the connection's previous
         * (streaming) statement for the first query sent in pipeline mode:
         * gather the rows into one result, as if it had not */
        result_append_row(&p->rows, res);
        break;
    case PGRES_TUPLES_OK:
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
        p->ran = true;
        ps->rows +=
            rs == PGRES_TUPLES_OK ? (uint64_t)PQntuples(res) : strtoull(PQcmdTuples(res), NULL, 10);
        PQclear(p->res);
        p->res = res;
        metrics_record(e, 0, r->sqls[i], p->done_ns - p->sent_ns,
                       rs == PGRES_TUPLES_OK ? (uint64_t)PQntuples(res) : 0, false, c->backend_pid);
        break;
    case PGRES_PIPELINE_ABORTED:
        PQclear(p->res);
        p->res = res;
        ps->any_bad = true;
        /* after a FATAL error the connection is going away: what follows
         * is settled as unknown with the connection, not as aborted */
        if (!ps->fatal)
            finalize(p, ENG_OUT_ABORTED);
        break;
    default: /* an error */
        PQclear(p->res);
        p->res = res;
        p->err = error_from_result(res);
        if (!ps->first_err) {
            ps->first_err = eng_error_dup(p->err);
            free(ps->first_err->message);
            ps->first_err->message = xasprintf("statement %d: %s", i + 1, p->err->message);
        }
        ps->any_bad = true;
        finalize(p, ENG_OUT_ERROR);
        if (ps->in_block)
            ps->block_failed = true;
        if (p->err->severity &&
            (strcmp(p->err->severity, "FATAL") == 0 || strcmp(p->err->severity, "PANIC") == 0))
            ps->fatal = true;
        metrics_record(e, 0, r->sqls[i], p->done_ns - p->sent_ns, 0, true, c->backend_pid);
        /* everything its transaction did is gone */
        settle_segment(ps, i, ENG_OUT_ROLLED_BACK);
        break;
    }
}

static void on_stmt_end(conn *c, pipe_state *ps, int i)
{
    pipe_stmt *p = &ps->s[i];
    if (!p->ran)
        return;
    if (p->kind == K_BEGIN) {
        ps->in_block = true;
        ps->block_failed = false;
    } else if (p->kind == K_COMMIT) {
        ps->in_block = false;
        const char *tag = p->res ? PQcmdStatus(p->res) : "";
        bool rolled = tag && strcmp(tag, "ROLLBACK") == 0; /* COMMIT of a failed block */
        settle_segment(ps, i, rolled ? ENG_OUT_ROLLED_BACK : ENG_OUT_OK);
    } else if (p->kind == K_ROLLBACK) {
        ps->in_block = false;
        settle_segment(ps, i - 1, ENG_OUT_ROLLED_BACK);
        finalize(p, ENG_OUT_OK);
        ps->seg_start = i + 1;
    }
    (void)c;
}

static void on_sync(conn *c, pipe_state *ps, int upto)
{
    /* After a sync the server committed the implicit transaction, unless an
     * explicit block is still open (then it stays undecided). libpq reports
     * PQTRANS_ACTIVE while commands are queued, so the block is tracked
     * here from BEGIN/COMMIT/ROLLBACK results. */
    (void)c;
    if (!ps->in_block)
        settle_segment(ps, upto, ENG_OUT_OK);
    else if (ps->block_failed)
        settle_segment(ps, upto, ENG_OUT_ROLLED_BACK);
}

/* Reads what arrived; false when the pipeline finished or the conn broke. */
static bool read_results(engine *e, request *r, conn *c, pipe_state *ps)
{
    while (ps->next_expect < ps->nexpect && !PQisBusy(c->pg)) {
        int item = ps->expect[ps->next_expect];
        PGresult *res = PQgetResult(c->pg);
        if (item < 0) {
            if (!res)
                continue; /* tolerate a stray NULL */
            bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
            PQclear(res);
            if (!sync)
                continue;
            ps->next_expect++;
            on_sync(c, ps, ps->last_done);
        } else if (!res) {
            on_stmt_end(c, ps, item);
            ps->last_done = item;
            ps->next_expect++;
        } else {
            on_stmt_result(e, r, c, ps, item, res);
        }
        emit_ready(e, r, ps, c);
    }
    if (ps->next_send >= ps->n && ps->next_expect >= ps->nexpect) {
        pipe_finish(e, r, c, ps, false, NULL);
        return false;
    }
    return true;
}

static void pipe_io(engine *e, conn *c, int revents)
{
    (void)revents;
    request *r = c->op_ctx;
    pipe_state *ps = r->op;
    for (;;) {
        if (!read_results(e, r, c, ps))
            return;
        if (ps->next_send >= ps->n || c->want_write)
            return; /* wait for input, or for room in the socket */
        /* write a bounded slice, then read again */
        for (int k = 0; k < 64 && ps->next_send < ps->n && !c->want_write; k++) {
            int i = ps->next_send++;
            pipe_stmt *p = &ps->s[i];
            p->sent_ns = mono_ns();
            int np = r->pnparams ? r->pnparams[i] : 0;
            const char *const *params = r->pparams ? (const char *const *)r->pparams[i] : NULL;
            if (!PQsendQueryParams(c->pg, r->sqls[i], np, NULL, params, NULL, NULL, 0)) {
                conn_lost(e, c, PQerrorMessage(c->pg));
                return;
            }
            ps->expect[ps->nexpect++] = i;
            if (r->sync == ENG_SYNC_EACH || ps->next_send == ps->n) {
                if (!PQpipelineSync(c->pg)) {
                    conn_lost(e, c, PQerrorMessage(c->pg));
                    return;
                }
                ps->expect[ps->nexpect++] = -1;
            }
        }
        /* one flush per slice, not per statement: 10 000 statements cost
         * ~160 sends instead of 10 000 (libpq still flushes past 8 KB) */
        if (!conn_flush(e, c))
            return;
        if (!PQconsumeInput(c->pg)) {
            conn_lost(e, c, PQerrorMessage(c->pg));
            return;
        }
    }
}

static void pipe_lost(engine *e, conn *c, const eng_error *err)
{
    request *r = c->op_ctx;
    pipe_finish(e, r, c, r->op, true, err);
}
