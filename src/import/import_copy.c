/* import_copy.c — one part of the file through one COPY, stopping at the
 * first bad record: records re-terminated with LF (skipped columns cut out),
 * sent in SEND_CHUNK blocks while the engine holds at most INFLIGHT_MAX. */
#include "import/import_int.h"

#include <stdlib.h>
#include <string.h>

static void out_reserve(outbuf *o, size_t extra)
{
    if (o->len + extra <= o->cap)
        return;
    size_t cap = o->cap ? o->cap : SEND_CHUNK + 4096;
    while (cap < o->len + extra)
        cap *= 2;
    o->data = xrealloc(o->data, cap);
    o->cap = cap;
}

/* Appends a record (body, no terminator) as it is sent: skipped columns
 * removed (their raw bytes, quotes included, are kept for the others), LF. */
void out_record(importer *im, outbuf *o, const char *body, size_t len)
{
    if (!im->skipping) {
        out_reserve(o, len + 1);
        memcpy(o->data + o->len, body, len);
        o->len += len;
    } else {
        csv_row row;
        csv_split(&im->spec.d, body, len, NULL, &row);
        for (int k = 0; k < im->nkeep; k++) {
            const csv_field *f = &row.f[im->keep[k]];
            size_t n = f->raw_end - f->raw_start;
            out_reserve(o, n + 2);
            if (k)
                o->data[o->len++] = im->spec.d.delim;
            memcpy(o->data + o->len, body + f->raw_start, n);
            o->len += n;
        }
        csv_row_free(&row);
    }
    out_reserve(o, 1);
    o->data[o->len++] = '\n';
}

/* Waits while the engine holds too much of our data; false when the COPY
 * ended early (its DONE is returned in *done) or the user canceled. */
static bool backpressure(job *j, eng_id copy, imsg **done)
{
    for (;;) {
        if (atomic_load(&j->im->cancel))
            return false;
        imsg *m = wait_done(j, copy, 0);
        if (m) {
            *done = m;
            return false;
        }
        if (eng_copy_pending_bytes(j->im->e, copy) <= INFLIGHT_MAX)
            return true;
        m = wait_done(j, copy, 2);
        if (m) {
            *done = m;
            return false;
        }
    }
}

/* Ends a COPY whose DONE has not come yet: finish (errmsg NULL) or abort. */
imsg *copy_finish(job *j, eng_id copy, const char *errmsg)
{
    eng_copy_end(j->im->e, copy, errmsg);
    return wait_done_forever(j, copy);
}

/* Interprets the DONE of a COPY: rows on success, else the job fails with the
 * offending record located through the stream map. */
static bool copy_outcome(job *j, imsg *m)
{
    if (m->status == ENG_DONE_OK) {
        j->rows += m->rows;
        return true;
    }
    job_fail_done(j, m, "COPY");
    if (j->status == IMPORT_DATA_ERROR && !j->err_line) {
        uint64_t n = context_line(m->error);
        if (n)
            locate_stream_line(j, n);
    }
    return false;
}

/* Stop-at-the-first-error mode: one COPY streaming the whole part. */
static bool job_copy_stream(job *j)
{
    importer *im = j->im;
    engine *e = im->e;
    part_scan ps;
    outbuf o = {0};
    imsg *done = NULL;
    uint64_t stream_line = 1;
    bool first_rec = true, ok = true;
    char why[256];

    eng_id copy =
        eng_copy_begin(e, j->session, j->binary ? im->copy_sql_bin : im->copy_sql, j->tag);
    if (j->binary)
        binary_header(&o);
    part_scan_init(&ps, j);
    const csv_rec *rec = &ps.rec; /* the current record */
    for (;;) {
        rec_verdict v = part_scan_next(j, &ps, why, sizeof why);
        if (v == REC_END || v == REC_FAIL) {
            ok = v == REC_END;
            break;
        }
        if (v == REC_BAD) {
            job_fail_record(j, why, job_file_line(j, rec->line), part_scan_body(&ps),
                            rec->body_len);
            ok = false;
            break;
        }
        if (v == REC_SEND) {
            if (o.len == 0 || first_rec) /* (binary: the header comes first) */
                map_add(j, stream_line, rec->offset, rec->line, first_rec);
            if (!j->binary) {
                out_record(im, &o, part_scan_body(&ps), rec->body_len);
                stream_line += 1 + (first_rec ? rec->quoted_cr : rec->quoted_lf);
            } else if (binary_record(im, &o, part_scan_body(&ps), rec->body_len)) {
                stream_line++; /* binary COPY counts tuples */
            } else {
                /* no certain binary form: never guess, the caller runs
                 * this transaction again as text COPY */
                j->binary_refused = true;
                ok = false;
                break;
            }
            first_rec = false;
            atomic_fetch_add(&j->rows_sent, 1);
            atomic_fetch_add(&im->records, 1);
        }
        part_scan_advance(j, &ps);
        if (o.len >= SEND_CHUNK) {
            eng_copy_data(e, copy, o.data, o.len);
            memset(&o, 0, sizeof o);
            if (!backpressure(j, copy, &done)) {
                ok = false;
                break;
            }
        }
    }
    part_scan_free(&ps);
    if (ok && j->binary)
        binary_trailer(&o);
    if (ok && o.len)
        eng_copy_data(e, copy, o.data, o.len);
    else
        free(o.data);
    if (!done) {
        const char *abort_msg = NULL;
        if (atomic_load(&im->cancel))
            abort_msg = "canceled by user";
        else if (j->binary_refused)
            abort_msg = "binary COPY refused a field: running again as text";
        else if (!ok)
            abort_msg = j->message ? j->message : "import failed";
        done = copy_finish(j, copy, abort_msg);
        if (abort_msg && !atomic_load(&im->cancel) && j->status != IMPORT_RUNNING) {
            imsg_free(done); /* our own abort: our message is the one to show */
            return false;
        }
    }
    if (atomic_load(&im->cancel)) {
        imsg_free(done);
        j->binary_refused = false; /* canceled: nothing runs again */
        job_fail(j, IMPORT_CANCELED, "canceled by user", NULL);
        return false;
    }
    if (j->binary_refused && done->status != ENG_DONE_OK && !imsg_conn_lost(done)) {
        imsg_free(done); /* our own abort, to be run again as text */
        return false;
    }
    j->binary_refused = false; /* the COPY ended otherwise: its outcome stands */
    bool r = copy_outcome(j, done) && ok;
    imsg_free(done);
    return r;
}

bool job_copy(job *j)
{
    if (j->im->spec.max_errors > 0 || j->im->spec.max_errors_pct > 0)
        return job_copy_batches(j);
    return job_copy_stream(j);
}
