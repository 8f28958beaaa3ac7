/* exec.c — one statement on a borrowed connection: server-side binding
 * (PQsendQueryParams), automatic prepared statements after
 * prepare_threshold executions, single-row streaming merged into batches
 * (held back while the caller lags: flow.c),
 * row_limit, COPY TO STDOUT as rows, and the EV_RESULT/EV_DONE events. */
#include "engine/engine_int.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- the send plan, shared with load.c ---- */

static void plan_text(engine *e, conn *c, const char *sql, unsigned flags, send_plan *p);

void exec_plan(engine *e, conn *c, const char *sql, unsigned flags, send_plan *p)
{
    memset(p, 0, sizeof *p);
    p->step = STEP_EXEC;
    plan_text(e, c, sql, flags, p);
    if ((flags & ENG_EXEC_BINARY) && !(flags & ENG_EXEC_SIMPLE)) {
        /* Describe first: binary only when every column decodes exactly */
        p->describe = true;
        if (!p->prepared) {
            p->unnamed = true;
            p->need_prepare = true;
        }
        if (p->step == STEP_EXEC)
            p->step = p->need_prepare ? STEP_PREPARE : STEP_DESCRIBE;
    }
}

void exec_pick_format(conn *c, const PGresult *desc, send_plan *p)
{
    bindecode_ctx_init(&p->decode, PQparameterStatus(c->pg, "DateStyle"),
                       PQparameterStatus(c->pg, "TimeZone"));
    /* extra_float_digits is not reported to the client (a SET of it would
     * change the text unseen), and binary floats are slower anyway
     * (doc/benchmarks.md): float columns keep the statement in text */
    p->decode.float_shortest = false;
    int n = PQnfields(desc);
    p->result_format = n > 0;
    for (int i = 0; i < n; i++)
        if (!bindecode_oid_ok((uint32_t)PQftype(desc, i), &p->decode))
            p->result_format = 0;
}

static void plan_text(engine *e, conn *c, const char *sql, unsigned flags, send_plan *p)
{
    int threshold = e->cfg.prepare_threshold;
    if ((flags & (ENG_EXEC_SIMPLE | ENG_EXEC_NOPREPARE)) || threshold < 0)
        return;
    prep_entry *pe = prepcache_touch(e, &c->pc, sql);
    int before = pe->count++;
    p->prepare_count = pe->count;
    p->entry = pe;
    if (pe->prepared) {
        p->prepared = true;
        p->number = pe->prepared;
        e->st.prepared_hits++;
        return;
    }
    if (before >= threshold) {
        p->number = ++e->prepared_seq;
        prepcache_mark_prepared(e, &c->pc, pe, p->number);
        p->prepared = true;
        e->st.prepared_misses++;
        p->step = STEP_PREPARE;
        p->need_prepare = true;
    }
    if (c->pc.pending_dealloc[0])
        p->step = STEP_DEALLOC;
}

bool exec_send_step(engine *e, conn *c, const char *sql, int nparams, const char *const *params,
                    unsigned flags, send_plan *p)
{
    int ok;
    char name[32];
    p->step_failed = false;
    switch (p->step) {
    case STEP_DEALLOC: {
        char q[96];
        snprintf(q, sizeof q, "DEALLOCATE %s", c->pc.pending_dealloc);
        c->pc.pending_dealloc[0] = '\0';
        ok = PQsendQuery(c->pg, q);
        break;
    }
    case STEP_PREPARE:
        if (p->unnamed)
            name[0] = '\0';
        else
            prep_name(name, sizeof name, p->number);
        ok = PQsendPrepare(c->pg, name, sql, nparams, NULL);
        break;
    case STEP_DESCRIBE:
        if (p->unnamed)
            name[0] = '\0';
        else
            prep_name(name, sizeof name, p->number);
        ok = PQsendDescribePrepared(c->pg, name);
        break;
    default:
        if (flags & ENG_EXEC_SIMPLE) {
            ok = PQsendQuery(c->pg, sql);
        } else if (p->prepared || p->unnamed) {
            if (p->unnamed)
                name[0] = '\0';
            else
                prep_name(name, sizeof name, p->number);
            ok = PQsendQueryPrepared(c->pg, name, nparams, params, NULL, NULL, p->result_format);
        } else {
            ok = PQsendQueryParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
        }
        break;
    }
    if (!ok) {
        conn_lost(e, c, PQerrorMessage(c->pg));
        return false;
    }
    return conn_flush(e, c);
}

bool exec_step_done(conn *c, send_plan *p)
{
    switch (p->step) {
    case STEP_DEALLOC:
        p->step = p->need_prepare ? STEP_PREPARE : p->describe ? STEP_DESCRIBE : STEP_EXEC;
        p->step_failed = false; /* a failed DEALLOCATE only leaks a name */
        return false;
    case STEP_PREPARE:
        if (p->step_failed) {
            if (p->entry && !p->unnamed)
                prepcache_forget(&c->pc, p->entry);
            return true; /* the Parse error is the statement's error */
        }
        p->step = p->describe ? STEP_DESCRIBE : STEP_EXEC;
        return false;
    case STEP_DESCRIBE:
        if (p->step_failed)
            return true;
        p->step = STEP_EXEC;
        return false;
    default:
        return true;
    }
}

/* ---- the exec op ---- */

typedef struct exec_state {
    send_plan plan;
    bool single_row;
    bool in_copy_out;
    bool batch_copy_out; /* the batch holds COPY TO STDOUT lines */
    PGresult *batch;     /* rows gathered for the next EV_RESULT */
    int batch_rows;
    uint64_t rows; /* rows kept (tuples) or affected (commands) */
    bool limit_hit;
    bool was_in_txn;
    bool any_result;
    bool reprepare, reprepared;
    eng_error *err;
    uint64_t t_start;
    flow_gate *gate; /* ENG_EXEC_STREAM: batches the caller has not popped */
} exec_state;

static void exec_io(engine *e, conn *c, int revents);
static void exec_lost(engine *e, conn *c, const eng_error *err);
static const conn_op exec_op = {"exec", exec_io, exec_lost};

static void emit_result(engine *e, request *r, PGresult *pg, eng_res_status st)
{
    eng_event *ev = event_new(EV_RESULT, r->id, r->tag);
    ev->result = result_wrap(pg, st);
    event_push(e, ev);
}

static void flush_batch(engine *e, request *r, exec_state *st, bool final)
{
    if (!st->batch)
        return;
    eng_event *ev = event_new(EV_RESULT, r->id, r->tag);
    ev->result = result_wrap(st->batch, final ? ENG_RES_TUPLES : ENG_RES_ROWS_PARTIAL);
    ev->result->copy_out = st->batch_copy_out;
    st->batch_copy_out = false;
    if (!final)
        flow_track(st->gate, ev);
    event_push(e, ev);
    st->batch = NULL;
    st->batch_rows = 0;
}

/* A partial batch went out: stop reading while the caller lags behind. */
static bool stream_paused(engine *e, conn *c, exec_state *st)
{
    return !st->limit_hit && flow_should_pause(e, c, st->gate);
}

/* Appends row 0 of a single-row result to the batch (or makes it the batch). */
static void batch_add(exec_state *st, PGresult *row)
{
    if (PQbinaryTuples(row)) {
        if (!st->batch) {
            st->batch = result_text_shell(row);
            st->batch_rows = 0;
        }
        if (!result_add_decoded(st->batch, st->batch_rows, row, 0, &st->plan.decode) && !st->err)
            st->err = eng_error_new("XX000", "a binary value could not be decoded");
        st->batch_rows++;
        PQclear(row);
        return;
    }
    result_append_row(&st->batch, row);
    st->batch_rows = PQntuples(st->batch);
}

static void note_row(engine *e, request *r, conn *c, exec_state *st)
{
    st->rows++;
    if (r->row_limit && st->rows >= r->row_limit && !st->limit_hit) {
        st->limit_hit = true;
        /* stop the statement; inside the caller's transaction a cancel
         * would abort it, so there the rest is only drained */
        if (!st->was_in_txn)
            cancel_start(e, c);
    }
}

static void exec_finish(engine *e, request *r, conn *c, exec_state *st, bool lost,
                        const eng_error *lost_err)
{
    uint64_t ns = mono_ns() - st->t_start;
    flush_batch(e, r, st, true);
    if (st->limit_hit) {
        eng_event *ev = event_new(EV_NOTICE, r->id, r->tag);
        ev->error = eng_error_new(NULL, "stopped at %llu rows: the row limit was reached",
                                  (unsigned long long)st->rows);
        free(ev->error->severity);
        ev->error->severity = xstrdup("NOTICE");
        event_push(e, ev);
    }
    eng_event *done = event_new(EV_DONE, r->id, r->tag);
    done->elapsed_ms = (double)ns / 1e6;
    done->rows = st->rows;
    done->prepared = st->plan.prepared;
    done->prepare_count = st->plan.prepare_count;
    done->backend_pid = c->backend_pid;
    eng_done_status status = ENG_DONE_OK;
    eng_error *err = st->err;
    st->err = NULL;
    if (lost) {
        status = ENG_DONE_CONN;
        if (!err)
            err = eng_error_dup(lost_err);
        err->conn_lost = true;
    } else if (err) {
        bool canceled = err->sqlstate && strcmp(err->sqlstate, "57014") == 0 && r->canceled;
        status = canceled ? ENG_DONE_CANCELED : ENG_DONE_ERROR;
    }
    bool failed = status != ENG_DONE_OK;
    e->st.queries_num++;
    if (failed)
        e->st.queries_errors++;
    stats_record_query(e, ns, !(r->flags & ENG_EXEC_NOMETRICS));
    if (!(r->flags & ENG_EXEC_NOMETRICS))
        metrics_record(e, 0, r->sql, ns, st->rows, failed, c->backend_pid);
    c->op = NULL;
    c->op_ctx = NULL;
    if (st->gate)
        flow_end(c, st->gate);
    free(st);
    r->op = NULL;
    request_done(e, r, status, err, done);
}

static bool start_step(engine *e, request *r, conn *c, exec_state *st)
{
    if (!exec_send_step(e, c, r->sql, r->nparams, (const char *const *)r->params, r->flags,
                        &st->plan))
        return false;
    if (st->plan.step == STEP_EXEC && (r->flags & ENG_EXEC_STREAM || r->row_limit))
        st->single_row = PQsetSingleRowMode(c->pg) == 1;
    return true;
}

void exec_start(engine *e, request *r, conn *c)
{
    exec_state *st = xcalloc(1, sizeof *st);
    r->op = st;
    c->op = &exec_op;
    c->op_ctx = r;
    st->t_start = mono_ns();
    st->was_in_txn = PQtransactionStatus(c->pg) != PQTRANS_IDLE;
    if (r->flags & ENG_EXEC_STREAM) {
        st->gate = flow_gate_new(e);
        flow_attach(c, st->gate);
    }
    exec_plan(e, c, r->sql, r->flags, &st->plan);
    start_step(e, r, c, st);
}

static PGresult *copy_out_result(PGconn *pg)
{
    PGresult *res = PQmakeEmptyPGresult(pg, PGRES_TUPLES_OK);
    static char colname[] = "COPY";
    PGresAttDesc att = {.name = colname, .typid = 25, .typlen = -1, .atttypmod = -1};
    PQsetResultAttrs(res, 1, &att);
    return res;
}

/* COPY TO STDOUT: each line becomes a one-column row. */
static bool drain_copy_out(engine *e, request *r, conn *c, exec_state *st)
{
    char *buf;
    int n;
    while ((n = PQgetCopyData(c->pg, &buf, 1)) > 0) {
        if (!st->limit_hit) {
            if (!st->batch) {
                st->batch = copy_out_result(c->pg);
                st->batch_rows = 0;
                st->batch_copy_out = true;
            }
            bool raw = r->flags & ENG_EXEC_COPY_RAW;
            int len = !raw && n > 0 && buf[n - 1] == '\n' ? n - 1 : n;
            PQsetvalue(st->batch, st->batch_rows++, 0, buf, len);
            note_row(e, r, c, st);
            if ((r->flags & ENG_EXEC_STREAM) && st->batch_rows >= r->stream_batch) {
                flush_batch(e, r, st, false);
                if (stream_paused(e, c, st)) {
                    PQfreemem(buf);
                    return false; /* flow_poll comes back here */
                }
            }
        }
        PQfreemem(buf);
    }
    if (n == 0)
        return false; /* more to come */
    st->in_copy_out = false;
    return true;
}

static void exec_io(engine *e, conn *c, int revents)
{
    (void)revents;
    request *r = c->op_ctx;
    exec_state *st = r->op;
    for (;;) {
        if (st->in_copy_out && !drain_copy_out(e, r, c, st))
            return;
        if (PQisBusy(c->pg))
            return;
        PGresult *res = PQgetResult(c->pg);
        if (!res) {
            if (st->reprepare) {
                st->reprepare = false;
                st->reprepared = true;
                eng_error_free(st->err);
                st->err = NULL;
                prepcache_forget(&c->pc, st->plan.entry);
                st->plan.number = ++e->prepared_seq;
                prepcache_mark_prepared(e, &c->pc, st->plan.entry, st->plan.number);
                st->plan.need_prepare = true;
                st->plan.step = c->pc.pending_dealloc[0] ? STEP_DEALLOC : STEP_PREPARE;
                if (!start_step(e, r, c, st))
                    return;
                continue;
            }
            if (!exec_step_done(c, &st->plan)) {
                if (!start_step(e, r, c, st))
                    return;
                continue;
            }
            exec_finish(e, r, c, st, false, NULL);
            return;
        }
        ExecStatusType rs = PQresultStatus(res);
        if (st->plan.step != STEP_EXEC) {
            if (rs == PGRES_FATAL_ERROR) {
                st->plan.step_failed = true;
                if (st->plan.step != STEP_DEALLOC && !st->err)
                    st->err = error_from_result(res);
            } else if (st->plan.step == STEP_DESCRIBE) {
                exec_pick_format(c, res, &st->plan);
            }
            PQclear(res);
            continue;
        }
        st->any_result = true;
        switch (rs) {
        case PGRES_SINGLE_TUPLE:
            if (st->limit_hit) {
                PQclear(res);
                break;
            }
            batch_add(st, res);
            note_row(e, r, c, st);
            if ((r->flags & ENG_EXEC_STREAM) && st->batch_rows >= r->stream_batch) {
                flush_batch(e, r, st, false);
                if (stream_paused(e, c, st))
                    return; /* flow_poll comes back here */
            }
            break;
        case PGRES_TUPLES_OK:
            if (PQbinaryTuples(res)) {
                res = result_decode_all(res, &st->plan.decode);
                if (!res && !st->err)
                    st->err = eng_error_new("XX000", "a binary value could not be decoded");
                if (!res)
                    break;
            }
            if (st->single_row) {
                /* the end of a single-row stream: column info, no rows */
                if (st->batch) {
                    PQclear(res);
                    flush_batch(e, r, st, true);
                } else {
                    emit_result(e, r, res, ENG_RES_TUPLES);
                }
            } else {
                st->rows = (uint64_t)PQntuples(res);
                emit_result(e, r, res, ENG_RES_TUPLES);
            }
            break;
        case PGRES_COMMAND_OK:
            flush_batch(e, r, st, true);
            st->rows = strtoull(PQcmdTuples(res), NULL, 10);
            emit_result(e, r, res, ENG_RES_COMMAND);
            break;
        case PGRES_EMPTY_QUERY:
            emit_result(e, r, res, ENG_RES_EMPTY);
            break;
        case PGRES_COPY_IN:
            PQclear(res);
            PQputCopyEnd(c->pg, "COPY FROM STDIN runs through the import (eng_copy_begin)");
            if (!conn_flush(e, c))
                return;
            break;
        case PGRES_COPY_OUT:
            PQclear(res);
            st->in_copy_out = true;
            if ((r->flags & ENG_EXEC_COPY_RAW) && !st->batch) {
                /* even no rows make a result: the caller knows a COPY OUT ran */
                st->batch = copy_out_result(c->pg);
                st->batch_rows = 0;
                st->batch_copy_out = true;
            }
            break;
        default: { /* errors, and statuses a statement cannot produce here */
            bool limit_cancel = st->limit_hit && rs == PGRES_FATAL_ERROR &&
                                PQresultErrorField(res, PG_DIAG_SQLSTATE) &&
                                strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), "57014") == 0;
            if (!limit_cancel && !st->err)
                st->err = error_from_result(res);
            if (st->plan.prepared && st->err && st->err->sqlstate &&
                strcmp(st->err->sqlstate, "26000") == 0 && st->plan.entry && !st->reprepared) {
                /* the user ran DEALLOCATE ALL / DISCARD: the Bind failed, so
                 * the statement did not run; prepare it again and run it */
                st->reprepare = true;
            }
            if (!(r->flags & ENG_EXEC_STREAM) && st->batch && !limit_cancel) {
                PQclear(st->batch); /* a failed statement shows no partial rows */
                st->batch = NULL;
                st->batch_rows = 0;
            }
            PQclear(res);
            break;
        }
        }
    }
}

static void exec_lost(engine *e, conn *c, const eng_error *err)
{
    request *r = c->op_ctx;
    exec_state *st = r->op;
    if (st->batch && !(r->flags & ENG_EXEC_STREAM)) {
        PQclear(st->batch);
        st->batch = NULL;
    }
    exec_finish(e, r, c, st, true, err);
}
