/* import_reject.c — --max-errors and --reject-file: records the client
 * refuses are skipped before sending; records the server rejects (classes
 * 22/23) are isolated by re-sending their batch under a savepoint, split at
 * the line the server names or bisected; every skipped record goes to the
 * reject file as line,error,record, in file order. */
#include "import/import_int.h"

#include "common/strbuf.h"

#include <stdlib.h>
#include <string.h>

static void csv_quote_into(strbuf *sb, const char *s, size_t len)
{
    sb_append_c(sb, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            sb_append_c(sb, '"');
        sb_append_n(sb, &s[i], 1);
    }
    sb_append_c(sb, '"');
}

typedef struct reject {
    uint64_t line; /* the file's own */
    size_t seq;    /* arrival, to keep equal lines stable */
    char *text;    /* the reject file's line: line,error,record LF */
} reject;

/* Records a skipped record; false when that is one too many. */
bool reject_record(job *j, uint64_t line, const char *why, const char *rec, size_t len)
{
    importer *im = j->im;
    uint64_t n = atomic_fetch_add(&im->rejected, 1) + 1;
    if (im->reject) {
        strbuf sb;
        sb_init(&sb);
        sb_printf(&sb, "%llu,", (unsigned long long)line);
        csv_quote_into(&sb, why, strlen(why));
        sb_append_c(&sb, ',');
        csv_quote_into(&sb, rec, len);
        sb_append_c(&sb, '\n');
        pthread_mutex_lock(&im->reject_lock);
        im->rejects = xgrow(im->rejects, &im->rejcap, im->nrejects + 1, sizeof *im->rejects);
        im->rejects[im->nrejects] = (reject){line, im->nrejects, sb_steal(&sb)};
        im->nrejects++;
        pthread_mutex_unlock(&im->reject_lock);
    }
    if (im->spec.max_errors > 0 && n > (uint64_t)im->spec.max_errors) {
        char *m = xasprintf("more than %ld bad records (the last: %s)", im->spec.max_errors, why);
        job_fail(j, IMPORT_DATA_ERROR, m, NULL);
        free(m);
        j->err_line = line;
        free(j->err_record);
        j->err_record = record_text(im, rec, len);
        return false;
    }
    return true;
}

static int reject_cmp(const void *a, const void *b)
{
    const reject *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Writes the rejects in file order (every job has ended) and frees them. */
bool write_rejects(importer *im)
{
    bool ok = true;
    qsort(im->rejects, im->nrejects, sizeof *im->rejects, reject_cmp);
    for (size_t i = 0; i < im->nrejects; i++) {
        if (ok && fputs(im->rejects[i].text, im->reject) == EOF)
            ok = false;
        free(im->rejects[i].text);
    }
    free(im->rejects);
    im->rejects = NULL;
    im->nrejects = im->rejcap = 0;
    return ok;
}

/* --max-errors P%: judged on the whole file, once every record was seen. */
bool within_pct(importer *im, job *j)
{
    if (im->spec.max_errors_pct <= 0)
        return true;
    uint64_t rej = atomic_load(&im->rejected), tot = atomic_load(&im->records);
    if (!tot || (double)rej * 100.0 / (double)tot <= im->spec.max_errors_pct)
        return true;
    char *m = xasprintf("%llu of %llu records rejected: more than %g%%", (unsigned long long)rej,
                        (unsigned long long)tot, im->spec.max_errors_pct);
    job_fail(j, IMPORT_DATA_ERROR, m, NULL);
    free(m);
    return false;
}

typedef struct brec {
    size_t off, len; /* in the batch buffer, LF included */
    uint64_t line;   /* file line */
    uint32_t quoted_lf, quoted_cr;
    size_t raw_off, raw_len; /* the file's own bytes for the reject file */
} brec;

typedef struct batch {
    outbuf data;
    strbuf raw;
    brec *recs;
    size_t n, cap;
} batch;

static bool rejectable(const eng_error *err)
{
    return err && err->sqlstate &&
           (strncmp(err->sqlstate, "22", 2) == 0 || strncmp(err->sqlstate, "23", 2) == 0) &&
           !err->conn_lost;
}

/* Sends recs [lo, hi) in one COPY under a savepoint. Returns 1 ok, 0 data
 * error (rolled back; *err_line = COPY's line or 0, *err its error), -1 fatal. */
static int send_range(job *j, batch *b, size_t lo, size_t hi, uint64_t *err_line, eng_error **err)
{
    importer *im = j->im;
    if (!job_exec(j, "SAVEPOINT pgdeck_import", 0, NULL))
        return -1;
    eng_id copy = eng_copy_begin(im->e, j->session, im->copy_sql, j->tag);
    size_t from = b->recs[lo].off, to = b->recs[hi - 1].off + b->recs[hi - 1].len;
    char *chunk = xmalloc(to - from + 1);
    memcpy(chunk, b->data.data + from, to - from);
    eng_copy_data(im->e, copy, chunk, to - from);
    imsg *m = copy_finish(j, copy, atomic_load(&im->cancel) ? "canceled by user" : NULL);
    if (m->status == ENG_DONE_OK) {
        j->rows += m->rows;
        imsg_free(m);
        return job_exec(j, "RELEASE SAVEPOINT pgdeck_import", 0, NULL) ? 1 : -1;
    }
    if (!rejectable(m->error) || atomic_load(&im->cancel)) {
        job_fail_done(j, m, "COPY");
        imsg_free(m);
        return -1;
    }
    *err_line = context_line(m->error);
    *err = m->error;
    m->error = NULL;
    imsg_free(m);
    if (!job_exec(j, "ROLLBACK TO SAVEPOINT pgdeck_import", 0, NULL) ||
        !job_exec(j, "RELEASE SAVEPOINT pgdeck_import", 0, NULL))
        return -1;
    return 0;
}

/* Index of the record COPY called line n when [lo, hi) was sent; hi if unknown. */
static size_t range_record(const batch *b, size_t lo, size_t hi, uint64_t n)
{
    uint64_t sl = 1;
    if (n == 0)
        return hi;
    for (size_t i = lo; i < hi; i++) {
        uint64_t span = 1 + (i == lo ? b->recs[i].quoted_cr : b->recs[i].quoted_lf);
        if (n < sl + span)
            return i;
        sl += span;
    }
    return hi;
}

static bool reject_brec(job *j, batch *b, size_t i, const eng_error *err)
{
    char *ctx = err && err->context ? context_at_file_line(err->context, b->recs[i].line) : NULL;
    char *why = xasprintf("%s%s%s%s", err && err->message ? err->message : "rejected by the server",
                          ctx ? " (" : "", ctx ? ctx : "", ctx ? ")" : "");
    free(ctx);
    bool ok = reject_record(j, b->recs[i].line, why, b->raw.data + b->recs[i].raw_off,
                            b->recs[i].raw_len);
    free(why);
    return ok;
}

/* Sends [lo, hi), isolating the records the server rejects. */
static bool send_isolating(job *j, batch *b, size_t lo, size_t hi)
{
    while (lo < hi) {
        uint64_t line = 0;
        eng_error *err = NULL;
        int r = send_range(j, b, lo, hi, &line, &err);
        if (r == 1)
            return true;
        if (r < 0) {
            eng_error_free(err);
            return false;
        }
        if (hi - lo == 1) {
            bool ok = reject_brec(j, b, lo, err);
            eng_error_free(err);
            return ok;
        }
        size_t k = range_record(b, lo, hi, line);
        if (k < hi) { /* the server named the record: the ones before it are good */
            bool ok = send_isolating(j, b, lo, k) && reject_brec(j, b, k, err);
            eng_error_free(err);
            if (!ok)
                return false;
            lo = k + 1;
            continue;
        }
        eng_error_free(err);
        size_t mid = lo + (hi - lo) / 2; /* no line: bisect */
        return send_isolating(j, b, lo, mid) && send_isolating(j, b, mid, hi);
    }
    return true;
}

static void batch_reset(batch *b)
{
    b->data.len = 0;
    sb_reset(&b->raw);
    b->n = 0;
}

bool job_copy_batches(job *j)
{
    importer *im = j->im;
    part_scan ps;
    batch b;
    bool ok = true;
    char why[256];

    memset(&b, 0, sizeof b);
    sb_init(&b.raw);
    part_scan_init(&ps, j);
    const csv_rec *rec = &ps.rec; /* the current record */
    for (;;) {
        if (atomic_load(&im->cancel)) {
            job_fail(j, IMPORT_CANCELED, "canceled by user", NULL);
            ok = false;
            break;
        }
        rec_verdict v = part_scan_next(j, &ps, why, sizeof why);
        const char *body = part_scan_body(&ps);
        if (v == REC_END || v == REC_FAIL) {
            ok = v == REC_END;
            break;
        }
        if (v == REC_BAD) {
            atomic_fetch_add(&im->records, 1);
            if (!reject_record(j, job_file_line(j, rec->line), why, body, rec->body_len)) {
                ok = false;
                break;
            }
        } else if (v == REC_SEND) {
            b.recs = xgrow(b.recs, &b.cap, b.n + 1, sizeof *b.recs);
            brec *br = &b.recs[b.n++];
            br->off = b.data.len;
            out_record(im, &b.data, body, rec->body_len);
            br->len = b.data.len - br->off;
            br->line = job_file_line(j, rec->line);
            br->quoted_lf = rec->quoted_lf;
            br->quoted_cr = rec->quoted_cr;
            br->raw_off = b.raw.len;
            br->raw_len = rec->body_len;
            sb_append_n(&b.raw, body, rec->body_len);
            atomic_fetch_add(&j->rows_sent, 1);
            atomic_fetch_add(&im->records, 1);
        }
        part_scan_advance(j, &ps);
        if (b.data.len >= BATCH_BYTES || b.n >= BATCH_RECS) {
            if (!send_isolating(j, &b, 0, b.n)) {
                ok = false;
                break;
            }
            batch_reset(&b);
        }
    }
    if (ok && b.n)
        ok = send_isolating(j, &b, 0, b.n);
    part_scan_free(&ps);
    free(b.data.data);
    sb_free(&b.raw);
    free(b.recs);
    return ok;
}
