/* import.c — the COPY import orchestrator (see import.h for the guarantees).
 *
 * Threads: the coordinator thread (one per import) and, with jobs > 1, one
 * thread per part. Each talks to the engine through its own session and its
 * own tag "import:SERIAL:JOB"; import_on_event() routes the engine's events to
 * the matching thread's queue by that tag. Nothing here touches a PGconn. */
#include "import/import.h"

#include "import/csv.h"
#include "common/msgq.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK (128 * 1024)   /* file reads */
#define SEND_CHUNK (64 * 1024)    /* one eng_copy_data block */
#define INFLIGHT_MAX (512 * 1024) /* queued in the engine before the reader waits */
#define BATCH_BYTES (1024 * 1024) /* max_errors mode: records per savepoint'd COPY */
#define BATCH_RECS 20000
#define RECORD_SHOW 4096 /* bytes of an offending record we keep */

/* ---- progress in words ---------------------------------------------------- */

void import_format_bytes(double b, char *out, size_t n)
{
    if (b >= 1e9)
        snprintf(out, n, "%.2f GB", b / 1e9);
    else if (b >= 1e6)
        snprintf(out, n, "%.1f MB", b / 1e6);
    else if (b >= 1e3)
        snprintf(out, n, "%.1f kB", b / 1e3);
    else
        snprintf(out, n, "%.0f B", b);
}

void import_format_eta(const import_progress *p, char *out, size_t n)
{
    double rate = p->elapsed > 0 ? (double)p->bytes_done / p->elapsed : 0;
    /* a file that grew while read has done > total: no estimate then */
    if (rate > 0 && p->bytes_total >= p->bytes_done) {
        long s = (long)((double)(p->bytes_total - p->bytes_done) / rate);
        snprintf(out, n, "%ld:%02ld", s / 60, s % 60);
    } else {
        snprintf(out, n, "--:--");
    }
}

/* ---- names and SQL ------------------------------------------------------ */

char *import_quote_ident(const char *name)
{
    if (!name || csv_utf8_check(name, strlen(name)) != (size_t)-1)
        return NULL;
    strbuf sb;
    sb_init(&sb);
    sb_append_c(&sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sb_append_c(&sb, '"');
        sb_append_c(&sb, *p);
    }
    sb_append_c(&sb, '"');
    return sb_steal(&sb);
}

char *import_quote_literal(const char *s)
{
    strbuf sb;
    sb_init(&sb);
    if (strchr(s, '\\'))
        sb_append(&sb, " E");
    sb_append_c(&sb, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            sb_append_c(&sb, *p);
        sb_append_c(&sb, *p);
    }
    sb_append_c(&sb, '\'');
    return sb_steal(&sb);
}

char *import_qualified_name(const char *schema, const char *table)
{
    char *t = import_quote_ident(table);
    if (!t || !schema || !*schema)
        return t;
    char *s = import_quote_ident(schema);
    if (!s) {
        free(t);
        return NULL;
    }
    char *r = xasprintf("%s.%s", s, t);
    free(s);
    free(t);
    return r;
}

bool import_type_ok(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '"') { /* a quoted identifier, as format_type writes one */
            for (i++; i < n; i++)
                if (t[i] == '"') {
                    if (t[i + 1] != '"')
                        break;
                    i++;
                }
            if (i >= n)
                return false;
        } else if (c == '(') { /* a type modifier: numbers only */
            for (i++; i < n && t[i] != ')'; i++)
                if (!(t[i] >= '0' && t[i] <= '9') && t[i] != ',' && t[i] != ' ')
                    return false;
            if (i >= n)
                return false;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_' || c == ' ' || c == '.' || c == '[' || c == ']' || c >= 0x80)) {
            return false;
        }
    }
    return csv_utf8_check(t, n) == (size_t)-1;
}

char *import_create_sql(const import_spec *s)
{
    char *q = import_qualified_name(s->schema, s->table);
    if (!q || !s->cols)
        return free(q), NULL;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "CREATE TABLE %s (", q);
    free(q);
    int n = 0;
    for (int i = 0; i < s->ncols; i++) {
        if (s->cols[i].skip)
            continue;
        csv_type t = CSV_T_TEXT;
        const char *type = csv_type_name(t);
        if (s->cols[i].type && csv_type_parse(s->cols[i].type, &t))
            type = csv_type_name(t);
        else if (s->cols[i].type && import_type_ok(s->cols[i].type))
            type = s->cols[i].type; /* a type name as the server spells it */
        else if (s->cols[i].type)
            goto bad; /* nothing else is pasted from input */
        char *c = import_quote_ident(s->cols[i].name);
        if (!c)
            goto bad;
        sb_printf(&sb, "%s%s %s", n++ ? ", " : "", c, type);
        free(c);
    }
    sb_append_c(&sb, ')');
    return sb_steal(&sb);
bad:
    sb_free(&sb);
    return NULL;
}

static void append_col_list(strbuf *sb, const char *const *targets, int n)
{
    for (int i = 0; i < n; i++) {
        char *c = import_quote_ident(targets[i]);
        sb_printf(sb, "%s%s", i ? ", " : "", c);
        free(c);
    }
}

char *import_copy_sql(const import_spec *s, const char *const *targets, int ntargets)
{
    char *q = import_qualified_name(s->schema, s->table);
    if (!q)
        return NULL;
    for (int i = 0; i < ntargets; i++)
        if (csv_utf8_check(targets[i], strlen(targets[i])) != (size_t)-1)
            return free(q), NULL;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "COPY %s (", q);
    free(q);
    append_col_list(&sb, targets, ntargets);
    char delim[2] = {s->d.delim, 0}, quote[2] = {s->d.quote, 0};
    char *dl = import_quote_literal(delim), *ql = import_quote_literal(quote);
    sb_printf(&sb, ") FROM STDIN (FORMAT csv, DELIMITER %s, QUOTE %s, ESCAPE %s", dl, ql, ql);
    free(dl);
    free(ql);
    if (s->null_str) {
        char *nl = import_quote_literal(s->null_str);
        sb_printf(&sb, ", NULL %s", nl);
        free(nl);
    }
    sb_printf(&sb, ", ENCODING '%s'", csv_encoding_name(s->d.encoding));
    if (s->null_mode != IMPORT_NULL_CSV && ntargets > 0) {
        sb_append(&sb,
                  s->null_mode == IMPORT_NULL_ALL_EMPTY ? ", FORCE_NULL (" : ", FORCE_NOT_NULL (");
        append_col_list(&sb, targets, ntargets);
        sb_append_c(&sb, ')');
    }
    sb_append_c(&sb, ')');
    return sb_steal(&sb);
}

uint64_t import_line_at(const char *path, uint64_t offset)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char *buf = xmalloc(READ_CHUNK + 1);
    uint64_t line = 1, pos = 0;
    bool prev_cr = false;
    while (pos < offset) {
        size_t want = offset - pos < READ_CHUNK ? (size_t)(offset - pos) : READ_CHUNK;
        ssize_t n = pread(fd, buf, want, (off_t)pos);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c == '\n')
                line++;
            else if (prev_cr)
                line++; /* the previous lone CR ended a line */
            prev_cr = c == '\r';
        }
        pos += (uint64_t)n;
    }
    if (prev_cr)
        line++; /* offset right after a CR: a line starts here (CRLF is never split) */
    free(buf);
    close(fd);
    return line;
}

/* ---- spec --------------------------------------------------------------- */

void import_spec_init(import_spec *s)
{
    memset(s, 0, sizeof *s);
    csv_dialect_default(&s->d);
    s->jobs = 1;
}

void import_spec_free(import_spec *s)
{
    free(s->path);
    free(s->schema);
    free(s->table);
    free(s->null_str);
    free(s->reject_path);
    if (s->cols)
        for (int i = 0; i < s->ncols; i++) {
            free(s->cols[i].name);
            free(s->cols[i].type);
        }
    free(s->cols);
    memset(s, 0, sizeof *s);
}

static char *dup0(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void import_spec_copy(import_spec *dst, const import_spec *src)
{
    *dst = *src;
    dst->path = dup0(src->path);
    dst->schema = dup0(src->schema);
    dst->table = dup0(src->table);
    dst->null_str = dup0(src->null_str);
    dst->reject_path = dup0(src->reject_path);
    if (src->cols) {
        dst->cols = xcalloc((size_t)src->ncols, sizeof *dst->cols);
        for (int i = 0; i < src->ncols; i++) {
            dst->cols[i].name = dup0(src->cols[i].name);
            dst->cols[i].type = dup0(src->cols[i].type);
            dst->cols[i].skip = src->cols[i].skip;
        }
    }
}

const char *import_status_name(import_status s)
{
    static const char *const n[] = {"running",         "imported", "data error", "canceled",
                                    "connection lost", "unknown",  "file error"};
    return n[s];
}

/* ---- messages from the engine ------------------------------------------ */

typedef struct imsg {
    eng_ev_kind kind;
    eng_id id;
    eng_done_status status;
    uint64_t rows;
    eng_error *error;
    int backend_pid;
    int nvalues;
    char **values; /* column 0 of a row result */
} imsg;

static void imsg_free(void *p)
{
    imsg *m = p;
    if (!m)
        return;
    eng_error_free(m->error);
    for (int i = 0; i < m->nvalues; i++)
        free(m->values[i]);
    free(m->values);
    free(m);
}

typedef struct map_ent {
    uint64_t stream_line; /* COPY's line counter at the chunk's first record */
    uint64_t offset;      /* file offset of that record */
    uint64_t line;        /* its line, relative to the part */
    bool first;           /* it is the stream's first record */
} map_ent;

typedef struct importer importer;

typedef struct job {
    importer *im;
    int index; /* -1: the coordinator */
    char tag[48];
    msgq *q;
    imsg **held;
    size_t nheld, heldcap;
    char **values; /* rows of the last exec */
    int nvalues;
    eng_session session;
    uint64_t start, end; /* the part of the file */
    bool first, last;
    uint64_t line0; /* file line where the part starts (0 = not yet computed) */
    pthread_t thread;
    bool thread_started;
    _Atomic uint64_t bytes_done, rows_sent;
    /* outcome */
    bool ok, prepared;
    char gid[80];
    uint64_t rows;
    import_status status;
    char *message, *detail, *hint, *sqlstate;
    uint64_t err_line;
    char *err_record;
    /* record-number -> line map of the current COPY stream */
    map_ent *map;
    size_t nmap, mapcap;
} job;

/* Who may touch what (as engine_int.h states it for the engine):
 *   lock         phase, njobs, res.bytes, res.seconds: written by the
 *                coordinator, read by import_get_progress on the caller's
 *                thread while the import runs;
 *   reject_lock  rejects, nrejects, rejcap: appended by every job thread;
 *   atomics      cancel, abandon, done, backend_pid, rejected, records and
 *                each job's bytes_done / rows_sent: any thread;
 *   the rest     the coordinator's: set before the job threads start (which
 *                then only read spec, fd, targets, keep, skipping, copy_sql),
 *                or after they are joined. res is read by others only once
 *                done is set (import_get_result). */
struct importer {
    engine *e;
    import_spec spec;
    unsigned serial;
    pthread_t thread;
    atomic_bool cancel;
    atomic_bool abandon; /* import_free before the end: nobody forwards events any more */
    atomic_bool done;
    int done_pipe[2];
    pthread_mutex_t lock;
    import_result res;
    const char *phase; /* lock */
    int njobs;         /* lock: parts running */
    int nalloc;        /* jobs allocated at start (spec.jobs): events are routed to them */
    job *jobs;
    job coord;
    _Atomic int backend_pid;
    uint64_t start_ns, size;
    int fd;
    char **targets; /* table column per sent file column */
    int ntargets;
    int *keep; /* file column indexes sent, in order (NULL: all) */
    int nkeep;
    bool skipping;
    char *copy_sql;
    /* max_errors: rejects are collected and written in file order at the end
     * (parts finish in any order; within a part, a record the server rejects
     * is found after the client-side rejects of its batch) */
    FILE *reject;
    pthread_mutex_t reject_lock;
    struct reject *rejects;  /* reject_lock */
    size_t nrejects, rejcap; /* reject_lock */
    _Atomic uint64_t rejected, records;
};

static atomic_uint serial_counter;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void set_njobs(importer *im, int njobs)
{
    pthread_mutex_lock(&im->lock);
    im->njobs = njobs;
    pthread_mutex_unlock(&im->lock);
}

static void set_phase(importer *im, const char *phase)
{
    pthread_mutex_lock(&im->lock);
    im->phase = phase;
    pthread_mutex_unlock(&im->lock);
}

bool import_on_event(importer *im, const eng_event *ev)
{
    if (!im || !ev->tag || strncmp(ev->tag, IMPORT_TAG_PREFIX, strlen(IMPORT_TAG_PREFIX)) != 0)
        return false;
    unsigned serial;
    char who[16];
    if (sscanf(ev->tag + strlen(IMPORT_TAG_PREFIX), "%u:%15s", &serial, who) != 2 ||
        serial != im->serial)
        return false;
    job *j;
    if (strcmp(who, "c") == 0) {
        j = &im->coord;
    } else {
        int k = atoi(who);
        if (k < 0 || k >= im->nalloc)
            return false;
        j = &im->jobs[k];
    }
    imsg *m = xcalloc(1, sizeof *m);
    m->kind = ev->kind;
    m->id = ev->id;
    m->status = ev->status;
    m->rows = ev->rows;
    m->backend_pid = ev->backend_pid;
    if (ev->error)
        m->error = eng_error_dup(ev->error);
    if (ev->kind == EV_RESULT && ev->result) {
        const eng_result *r = ev->result;
        if (eng_result_status(r) == ENG_RES_ERROR && !m->error && eng_result_error(r))
            m->error = eng_error_dup(eng_result_error(r));
        if ((eng_result_status(r) == ENG_RES_TUPLES ||
             eng_result_status(r) == ENG_RES_ROWS_PARTIAL) &&
            eng_result_ncols(r) > 0) {
            m->nvalues = eng_result_nrows(r);
            m->values = xcalloc((size_t)m->nvalues + 1, sizeof *m->values);
            for (int i = 0; i < m->nvalues; i++)
                m->values[i] = xstrdup(eng_result_value(r, i, 0));
        }
    }
    msgq_push(j->q, m);
    return true;
}

static void hold(job *j, imsg *m)
{
    j->held = xgrow(j->held, &j->heldcap, j->nheld + 1, sizeof *j->held);
    j->held[j->nheld++] = m;
}

static void take_values(job *j, imsg *m)
{
    for (int i = 0; i < m->nvalues; i++) {
        j->values = xrealloc(j->values, sizeof *j->values * (size_t)(j->nvalues + 1));
        j->values[j->nvalues++] = m->values[i];
    }
    m->nvalues = 0;
}

static void clear_values(job *j)
{
    for (int i = 0; i < j->nvalues; i++)
        free(j->values[i]);
    free(j->values);
    j->values = NULL;
    j->nvalues = 0;
}

/* The EV_DONE of request id when it arrived, else NULL (never blocks when
 * timeout_ms == 0). Row results of id are kept in j->values. */
static imsg *wait_done(job *j, eng_id id, int timeout_ms)
{
    for (size_t i = 0; i < j->nheld; i++) {
        imsg *m = j->held[i];
        if (m->id != id)
            continue;
        memmove(&j->held[i], &j->held[i + 1], (j->nheld - i - 1) * sizeof *j->held);
        j->nheld--;
        i--;
        if (m->kind == EV_DONE)
            return m;
        take_values(j, m);
        imsg_free(m);
    }
    for (;;) {
        imsg *m = timeout_ms ? msgq_wait(j->q, timeout_ms) : msgq_pop(j->q);
        if (!m)
            return NULL;
        if (m->id != id) {
            hold(j, m);
            continue;
        }
        if (m->kind == EV_DONE)
            return m;
        take_values(j, m);
        imsg_free(m);
    }
}

/* Waits for id's end; a cancel request is passed on to the engine once. */
static imsg *wait_done_forever(job *j, eng_id id)
{
    bool canceled = false;
    for (;;) {
        imsg *m = wait_done(j, id, 100);
        if (m)
            return m;
        if (!canceled && atomic_load(&j->im->cancel)) {
            eng_cancel(j->im->e, id);
            canceled = true;
        }
        if (atomic_load(&j->im->abandon)) {
            /* the owner is freeing us and no longer pumps events: give up
             * waiting; the engine resets the session when it is closed */
            m = xcalloc(1, sizeof *m);
            m->kind = EV_DONE;
            m->id = id;
            m->status = ENG_DONE_CANCELED;
            return m;
        }
    }
}

static void job_fail(job *j, import_status st, const char *msg, const eng_error *err)
{
    if (j->status != IMPORT_RUNNING && j->status != IMPORT_OK)
        return; /* the first failure is the one to report */
    j->status = st;
    j->ok = false;
    free(j->message);
    j->message = xstrdup(err && err->message ? err->message : msg ? msg : "failed");
    if (err) {
        j->detail = dup0(err->detail);
        j->hint = dup0(err->hint);
        j->sqlstate = dup0(err->sqlstate);
    }
}

static bool conn_lost(const imsg *m)
{
    return m->status == ENG_DONE_CONN || (m->error && m->error->conn_lost);
}

/* Fails the job from a DONE that was not OK. */
static void job_fail_done(job *j, const imsg *m, const char *what)
{
    if (m->status == ENG_DONE_CANCELED || atomic_load(&j->im->cancel)) {
        job_fail(j, IMPORT_CANCELED, "canceled by user", NULL);
    } else if (conn_lost(m)) {
        job_fail(j, IMPORT_CONN_LOST, "connection lost", m->error);
    } else if (m->status == ENG_DONE_TIMEOUT) {
        job_fail(j, IMPORT_CONN_LOST, "no connection from the pool in time", m->error);
    } else {
        char *msg = xasprintf("%s failed", what);
        job_fail(j, IMPORT_DATA_ERROR, msg, m->error);
        free(msg);
    }
}

/* Runs one statement on the job's session; false (and the job failed) unless OK. */
static bool job_exec(job *j, const char *sql, int nparams, const char *const *params)
{
    eng_exec_args a;
    memset(&a, 0, sizeof a);
    a.sql = sql;
    a.nparams = nparams;
    a.params = params;
    a.session = j->session;
    a.flags = ENG_EXEC_NOPREPARE | (nparams ? 0 : ENG_EXEC_SIMPLE);
    a.tag = j->tag;
    clear_values(j);
    eng_id id = eng_exec(j->im->e, &a);
    imsg *m = wait_done_forever(j, id);
    if (m->backend_pid && j->index <= 0)
        atomic_store(&j->im->backend_pid, m->backend_pid);
    bool ok = m->status == ENG_DONE_OK;
    if (!ok)
        job_fail_done(j, m, sql);
    imsg_free(m);
    return ok;
}

/* Best effort (ROLLBACK after a failure): the outcome does not change ours. */
static void job_exec_quiet(job *j, const char *sql)
{
    import_status st = j->status;
    char *msg = j->message;
    j->message = NULL;
    j->status = IMPORT_RUNNING;
    (void)job_exec(j, sql, 0, NULL);
    free(j->message);
    j->message = msg;
    j->status = st;
}

/* ---- reading ------------------------------------------------------------ */

typedef struct reader {
    int fd;
    uint64_t off, end; /* file offset of buf[0]; end of the part */
    char *buf;
    size_t pos, len, cap;
    bool eof, error;
} reader;

static void reader_init(reader *r, int fd, uint64_t start, uint64_t end)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->off = start;
    r->end = end;
    r->cap = READ_CHUNK;
    r->buf = xmalloc(r->cap);
    r->eof = start >= end;
}

static void reader_fill(reader *r)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->off += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) { /* one record longer than the buffer */
        r->cap *= 2;
        r->buf = xrealloc(r->buf, r->cap);
    }
    uint64_t left = r->end - (r->off + r->len);
    size_t want = r->cap - r->len;
    if (want > left)
        want = (size_t)left;
    if (want == 0) {
        r->eof = true;
        return;
    }
    ssize_t n = pread(r->fd, r->buf + r->len, want, (off_t)(r->off + r->len));
    if (n < 0) {
        r->error = r->eof = true;
        return;
    }
    if (n == 0) { /* the file shrank under us */
        r->eof = true;
        return;
    }
    r->len += (size_t)n;
    if (r->off + r->len >= r->end)
        r->eof = true;
}

static void reader_free(reader *r)
{
    free(r->buf);
}

/* ---- lines and records for messages ------------------------------------ */

static uint64_t job_line0(job *j)
{
    if (!j->line0)
        j->line0 = j->start == 0 ? 1 : import_line_at(j->im->spec.path, j->start);
    return j->line0 ? j->line0 : 1;
}

static uint64_t abs_line(job *j, uint64_t rel)
{
    return job_line0(j) + rel - 1;
}

static char *record_text(const importer *im, const char *s, size_t len)
{
    if (len > RECORD_SHOW)
        len = RECORD_SHOW;
    return csv_to_utf8(im->spec.d.encoding, s, len);
}

static void job_fail_record(job *j, const char *msg, uint64_t line, const char *rec, size_t len)
{
    char *m = xasprintf("line %llu: %s", (unsigned long long)line, msg);
    job_fail(j, IMPORT_DATA_ERROR, m, NULL);
    free(m);
    j->err_line = line;
    free(j->err_record);
    j->err_record = record_text(j->im, rec, len);
}

/* "COPY t, line 12, column x: ..." -> 12 */
static uint64_t context_line(const eng_error *err)
{
    if (!err || !err->context)
        return 0;
    const char *p = strstr(err->context, ", line ");
    if (!p)
        return 0;
    return strtoull(p + 7, NULL, 10);
}

static void map_add(job *j, uint64_t stream_line, uint64_t offset, uint64_t line, bool first)
{
    j->map = xgrow(j->map, &j->mapcap, j->nmap + 1, sizeof *j->map);
    j->map[j->nmap++] = (map_ent){stream_line, offset, line, first};
}

/* The record COPY calls line n of this job's stream: rescans the file from
 * the chunk that holds it. Fills the job's error line and record. */
static void locate_stream_line(job *j, uint64_t n)
{
    importer *im = j->im;
    size_t k = 0;
    if (j->nmap == 0 || n == 0)
        return;
    for (size_t i = 0; i < j->nmap; i++)
        if (j->map[i].stream_line <= n)
            k = i;
    map_ent me = j->map[k];
    reader rd;
    csv_scanner sc;
    csv_rec rec;
    uint64_t sl = me.stream_line;
    bool first = me.first;
    reader_init(&rd, im->fd, me.offset, j->end);
    reader_fill(&rd);
    csv_scanner_init(&sc, &im->spec.d, me.offset, me.line);
    for (;;) {
        csv_status st = csv_scan(&sc, rd.buf + rd.pos, rd.len - rd.pos, rd.eof, &rec);
        if (st == CSV_MORE) {
            reader_fill(&rd);
            continue;
        }
        if (st != CSV_RECORD)
            break;
        uint64_t span = 1 + (first ? rec.quoted_cr : rec.quoted_lf);
        if (n < sl + span) {
            j->err_line = abs_line(j, rec.line);
            free(j->err_record);
            j->err_record = record_text(im, rd.buf + rd.pos, rec.body_len);
            break;
        }
        sl += span;
        first = false;
        rd.pos += rec.len;
    }
    reader_free(&rd);
}

/* ---- rejects (max_errors) ----------------------------------------------- */

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
static bool reject_record(job *j, uint64_t line, const char *why, const char *rec, size_t len)
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
static bool write_rejects(importer *im)
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

/* The server's context ("COPY t, line 12, column x: ...") counts lines of
 * the stream it got (one part, one batch): say the file's own line instead. */
static char *context_at_file_line(const char *ctx, uint64_t file_line)
{
    const char *p = strstr(ctx, ", line ");
    if (!p)
        return xstrdup(ctx);
    const char *q = p + 7;
    while (*q >= '0' && *q <= '9')
        q++;
    return xasprintf("%.*s, line %llu%s", (int)(p - ctx), ctx, (unsigned long long)file_line, q);
}

/* ---- one part of the file through COPY ---------------------------------- */

typedef struct outbuf {
    char *data;
    size_t len, cap;
} outbuf;

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
static void out_record(importer *im, outbuf *o, const char *body, size_t len)
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

typedef enum rec_verdict { REC_SEND, REC_SKIP, REC_END, REC_BAD } rec_verdict;

/* Client-side checks of one record. On REC_BAD *why says what is wrong. */
/* Where a bad byte at body[off] is: the column on its line (characters
 * counted from 1) and the field it is in. */
static void bad_byte_place(const importer *im, const char *body, size_t len, size_t off,
                           unsigned long *col, int *field)
{
    size_t ls = off;
    while (ls > 0 && body[ls - 1] != '\n' && body[ls - 1] != '\r')
        ls--;
    *col = 1;
    for (size_t k = ls; k < off; k++)
        *col += ((unsigned char)body[k] & 0xC0) != 0x80; /* UTF-8 characters */
    csv_row row;
    csv_split(&im->spec.d, body, len, NULL, &row);
    *field = 1;
    for (int i = 0; i < row.n; i++)
        if (off >= row.f[i].raw_start && off <= row.f[i].raw_end)
            *field = i + 1;
    csv_row_free(&row);
}

static rec_verdict check_record(job *j, const csv_rec *rec, const char *body, bool is_header,
                                bool part_end, char *why, size_t whylen)
{
    importer *im = j->im;
    if (is_header)
        return REC_SKIP;
    if (rec->end_marker) {
        if (j->last && part_end)
            return REC_END; /* COPY's own end marker as the last record: nothing lost */
        snprintf(why, whylen,
                 "\\. alone on a line would end COPY's data here and drop every record after it; "
                 "quote it (\"\\.\") to load it as a value");
        return REC_BAD;
    }
    if (rec->nfields != im->spec.ncols) {
        snprintf(why, whylen, "%d field%s, expected %d", rec->nfields, rec->nfields == 1 ? "" : "s",
                 im->spec.ncols);
        return REC_BAD;
    }
    if (rec->bad_encoding) {
        if (rec->bad_off < rec->body_len && body[rec->bad_off] == '\0') {
            unsigned long col;
            int field;
            bad_byte_place(im, body, rec->body_len, rec->bad_off, &col, &field);
            snprintf(why, whylen,
                     "a NUL byte (line %llu, column %lu, field %d): PostgreSQL text cannot hold "
                     "NUL bytes in any encoding; remove them (e.g. tr -d '\\000')",
                     (unsigned long long)abs_line(j, rec->bad_line), col, field);
        } else if (im->spec.d.encoding == CSV_ENC_UTF8)
            snprintf(why, whylen,
                     "invalid UTF-8 byte sequence (line %llu); if the file is not "
                     "UTF-8, give its encoding (--encoding LATIN1 or WIN1252)",
                     (unsigned long long)abs_line(j, rec->bad_line));
        else
            snprintf(why, whylen, "a byte that is not %s (or a NUL byte) on line %llu",
                     csv_encoding_name(im->spec.d.encoding),
                     (unsigned long long)abs_line(j, rec->bad_line));
        return REC_BAD;
    }
    return REC_SEND;
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
static imsg *copy_finish(job *j, eng_id copy, const char *errmsg)
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
    reader rd;
    csv_scanner sc;
    csv_rec rec;
    outbuf o = {0};
    imsg *done = NULL;
    uint64_t stream_line = 1;
    bool first_rec = true, header_pending = j->first && im->spec.d.header, ok = true;
    char why[256];
    uint64_t skip0 = j->first && im->spec.d.bom ? 3 : 0;

    eng_id copy = eng_copy_begin(e, j->session, im->copy_sql, j->tag);
    reader_init(&rd, im->fd, j->start + skip0, j->end);
    csv_scanner_init(&sc, &im->spec.d, j->start + skip0, 1);
    reader_fill(&rd);
    for (;;) {
        csv_status st = csv_scan(&sc, rd.buf + rd.pos, rd.len - rd.pos, rd.eof, &rec);
        if (st == CSV_MORE) {
            reader_fill(&rd);
            continue;
        }
        if (rd.error) {
            job_fail(j, IMPORT_FILE_ERROR, strerror(errno), NULL);
            ok = false;
            break;
        }
        if (st == CSV_END)
            break;
        if (st == CSV_UNTERMINATED) {
            job_fail_record(j, "a quoted field is not closed before the end of the file",
                            abs_line(j, rec.line), rd.buf + rd.pos, rec.body_len);
            ok = false;
            break;
        }
        bool part_end = rd.eof && rd.pos + rec.len == rd.len;
        rec_verdict v =
            check_record(j, &rec, rd.buf + rd.pos, header_pending, part_end, why, sizeof why);
        header_pending = false;
        if (v == REC_END)
            break;
        if (v == REC_BAD) {
            job_fail_record(j, why, abs_line(j, rec.line), rd.buf + rd.pos, rec.body_len);
            ok = false;
            break;
        }
        if (v == REC_SEND) {
            if (o.len == 0)
                map_add(j, stream_line, rec.offset, rec.line, first_rec);
            out_record(im, &o, rd.buf + rd.pos, rec.body_len);
            stream_line += 1 + (first_rec ? rec.quoted_cr : rec.quoted_lf);
            first_rec = false;
            atomic_fetch_add(&j->rows_sent, 1);
            atomic_fetch_add(&im->records, 1);
        }
        rd.pos += rec.len;
        atomic_store(&j->bytes_done, rec.offset + rec.len - j->start);
        if (o.len >= SEND_CHUNK) {
            eng_copy_data(e, copy, o.data, o.len);
            memset(&o, 0, sizeof o);
            if (!backpressure(j, copy, &done)) {
                ok = false;
                break;
            }
        }
    }
    reader_free(&rd);
    if (ok && o.len)
        eng_copy_data(e, copy, o.data, o.len);
    else
        free(o.data);
    if (!done) {
        const char *abort_msg = NULL;
        if (atomic_load(&im->cancel))
            abort_msg = "canceled by user";
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
        job_fail(j, IMPORT_CANCELED, "canceled by user", NULL);
        return false;
    }
    bool r = copy_outcome(j, done) && ok;
    imsg_free(done);
    return r;
}

/* ---- max_errors mode ---------------------------------------------------- */

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

static bool job_copy_batches(job *j)
{
    importer *im = j->im;
    reader rd;
    csv_scanner sc;
    csv_rec rec;
    batch b;
    bool header_pending = j->first && im->spec.d.header, ok = true;
    char why[256];
    uint64_t skip0 = j->first && im->spec.d.bom ? 3 : 0;

    memset(&b, 0, sizeof b);
    sb_init(&b.raw);
    reader_init(&rd, im->fd, j->start + skip0, j->end);
    csv_scanner_init(&sc, &im->spec.d, j->start + skip0, 1);
    reader_fill(&rd);
    for (;;) {
        if (atomic_load(&im->cancel)) {
            job_fail(j, IMPORT_CANCELED, "canceled by user", NULL);
            ok = false;
            break;
        }
        csv_status st = csv_scan(&sc, rd.buf + rd.pos, rd.len - rd.pos, rd.eof, &rec);
        if (st == CSV_MORE) {
            reader_fill(&rd);
            continue;
        }
        if (st == CSV_END)
            break;
        if (st == CSV_UNTERMINATED) {
            job_fail_record(j, "a quoted field is not closed before the end of the file",
                            abs_line(j, rec.line), rd.buf + rd.pos, rec.body_len);
            ok = false;
            break;
        }
        bool part_end = rd.eof && rd.pos + rec.len == rd.len;
        rec_verdict v =
            check_record(j, &rec, rd.buf + rd.pos, header_pending, part_end, why, sizeof why);
        header_pending = false;
        if (v == REC_END)
            break;
        if (v == REC_BAD) {
            atomic_fetch_add(&im->records, 1);
            if (!reject_record(j, abs_line(j, rec.line), why, rd.buf + rd.pos, rec.body_len)) {
                ok = false;
                break;
            }
        } else if (v == REC_SEND) {
            b.recs = xgrow(b.recs, &b.cap, b.n + 1, sizeof *b.recs);
            brec *br = &b.recs[b.n++];
            br->off = b.data.len;
            out_record(im, &b.data, rd.buf + rd.pos, rec.body_len);
            br->len = b.data.len - br->off;
            br->line = abs_line(j, rec.line);
            br->quoted_lf = rec.quoted_lf;
            br->quoted_cr = rec.quoted_cr;
            br->raw_off = b.raw.len;
            br->raw_len = rec.body_len;
            sb_append_n(&b.raw, rd.buf + rd.pos, rec.body_len);
            atomic_fetch_add(&j->rows_sent, 1);
            atomic_fetch_add(&im->records, 1);
        }
        rd.pos += rec.len;
        atomic_store(&j->bytes_done, rec.offset + rec.len - j->start);
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
    reader_free(&rd);
    free(b.data.data);
    sb_free(&b.raw);
    free(b.recs);
    return ok;
}

static bool job_copy(job *j)
{
    if (j->im->spec.max_errors > 0 || j->im->spec.max_errors_pct > 0)
        return job_copy_batches(j);
    return job_copy_stream(j);
}

/* ---- jobs --------------------------------------------------------------- */

static void job_init(importer *im, job *j, int index)
{
    memset(j, 0, sizeof *j);
    j->im = im;
    j->index = index;
    j->q = msgq_new();
    j->status = IMPORT_RUNNING;
    if (index < 0)
        snprintf(j->tag, sizeof j->tag, IMPORT_TAG_PREFIX "%u:c", im->serial);
    else
        snprintf(j->tag, sizeof j->tag, IMPORT_TAG_PREFIX "%u:%d", im->serial, index);
}

static void job_destroy(job *j)
{
    msgq_free(j->q, imsg_free);
    for (size_t i = 0; i < j->nheld; i++)
        imsg_free(j->held[i]);
    free(j->held);
    clear_values(j);
    free(j->message);
    free(j->detail);
    free(j->hint);
    free(j->sqlstate);
    free(j->err_record);
    free(j->map);
}

static void job_close_session(job *j)
{
    if (j->session) {
        eng_session_close(j->im->e, j->session);
        j->session = 0;
    }
}

/* Runs in the part's thread (jobs > 1): BEGIN; [DELETE]; COPY; PREPARE. */
static void *job_main(void *arg)
{
    job *j = arg;
    importer *im = j->im;
    j->session = eng_session_open(im->e);
    bool ok =
        job_exec(j, "BEGIN", 0, NULL) && job_exec(j, "SET LOCAL client_encoding = 'UTF8'", 0, NULL);
    if (ok && j->index == 0 && im->spec.truncate) {
        char *q = import_qualified_name(im->spec.schema, im->spec.table);
        char *sql = xasprintf("DELETE FROM %s", q);
        ok = job_exec(j, sql, 0, NULL);
        free(sql);
        free(q);
    }
    ok = ok && job_copy(j);
    if (ok) {
        char *lit = import_quote_literal(j->gid);
        char *sql = xasprintf("PREPARE TRANSACTION %s", lit);
        ok = job_exec(j, sql, 0, NULL);
        j->prepared = ok;
        free(sql);
        free(lit);
    }
    if (!ok && j->status != IMPORT_CONN_LOST)
        job_exec_quiet(j, "ROLLBACK");
    j->ok = ok;
    if (ok)
        j->status = IMPORT_OK;
    job_close_session(j);
    return NULL;
}

/* The next record boundary at or after `at` given the quote state there. */
static uint64_t boundary_after(importer *im, uint64_t at, bool in_quote)
{
    char *buf = xmalloc(READ_CHUNK);
    uint64_t pos = at;
    bool prev_cr = false;
    uint64_t result = im->size;
    while (pos < im->size) {
        ssize_t n = pread(im->fd, buf, READ_CHUNK, (off_t)pos);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            if (prev_cr) { /* an unquoted CR ended a record; a LF right after belongs to it */
                result = pos + (uint64_t)i + (c == '\n' ? 1 : 0);
                goto found;
            }
            if (c == im->spec.d.quote)
                in_quote = !in_quote;
            else if (!in_quote && c == '\n') {
                result = pos + (uint64_t)i + 1;
                goto found;
            } else if (!in_quote && c == '\r')
                prev_cr = true;
        }
        pos += (uint64_t)n;
    }
    if (prev_cr)
        result = im->size;
found:
    free(buf);
    return result;
}

/* Splits [data_start, size) into up to n parts at record boundaries: the
 * quote state at each cut comes from counting quote bytes before it. */
static int split_parts(importer *im, uint64_t data_start, int n, uint64_t *starts)
{
    char *buf = xmalloc(READ_CHUNK);
    uint64_t pos = data_start, quotes = 0;
    int np = 0;
    starts[np++] = 0; /* part 0 also holds the BOM and the header */
    for (int k = 1; k < n; k++) {
        uint64_t cut = data_start + (im->size - data_start) * (uint64_t)k / (uint64_t)n;
        while (pos < cut) {
            size_t want = cut - pos < READ_CHUNK ? (size_t)(cut - pos) : READ_CHUNK;
            ssize_t got = pread(im->fd, buf, want, (off_t)pos);
            if (got <= 0)
                break;
            for (const char *p = buf, *end = buf + got;
                 (p = memchr(p, im->spec.d.quote, (size_t)(end - p))) != NULL; p++)
                quotes++;
            pos += (uint64_t)got;
        }
        uint64_t b = boundary_after(im, cut, quotes & 1);
        if (b > starts[np - 1] && b > data_start && b < im->size)
            starts[np++] = b;
    }
    free(buf);
    return np;
}

/* Where the data starts (after BOM and header), for splitting. */
static uint64_t data_start_offset(importer *im)
{
    uint64_t off = im->spec.d.bom ? 3 : 0;
    if (!im->spec.d.header)
        return off;
    reader rd;
    csv_scanner sc;
    csv_rec rec;
    uint64_t r = off;
    reader_init(&rd, im->fd, off, im->size);
    reader_fill(&rd);
    csv_scanner_init(&sc, &im->spec.d, off, 1);
    for (;;) {
        csv_status st = csv_scan(&sc, rd.buf + rd.pos, rd.len - rd.pos, rd.eof, &rec);
        if (st == CSV_MORE && !rd.eof) {
            reader_fill(&rd);
            continue;
        }
        if (st == CSV_RECORD)
            r = off + rec.len;
        else
            r = im->size;
        break;
    }
    reader_free(&rd);
    return r;
}

/* ---- the coordinator ---------------------------------------------------- */

static void result_from_job(importer *im, job *j)
{
    import_result *r = &im->res;
    r->status = j->status == IMPORT_RUNNING ? IMPORT_DATA_ERROR : j->status;
    free(r->message);
    r->message = dup0(j->message);
    r->detail = dup0(j->detail);
    r->hint = dup0(j->hint);
    r->sqlstate = dup0(j->sqlstate);
    r->line = j->err_line;
    r->record = dup0(j->err_record);
}

int import_match_column(const char *name, char *const *tcols, int ntcols)
{
    for (int k = 0; k < ntcols; k++)
        if (strcmp(tcols[k], name) == 0)
            return k;
    for (int k = 0; k < ntcols; k++)
        if (strcasecmp(tcols[k], name) == 0)
            return k;
    return -1;
}

bool import_names_are_columns(char *const *names, int n, char *const *tcols, int ntcols)
{
    if (n < 1)
        return false;
    bool *used = xcalloc((size_t)ntcols + 1, sizeof *used);
    bool all = true;
    for (int i = 0; i < n && all; i++) {
        int k = import_match_column(names[i], tcols, ntcols);
        all = k >= 0 && !used[k];
        if (all)
            used[k] = true;
    }
    free(used);
    return all;
}

/* The file's first record: as the user wrote it (for messages) and as
 * column names (csv_column_names, what --create names the columns: one
 * mapping both ways). false when there is none. */
static bool read_first_record(importer *im, char ***raw, char ***names)
{
    import_spec *s = &im->spec;
    reader rd;
    csv_scanner sc;
    csv_rec rec;
    uint64_t off = s->d.bom ? 3 : 0;
    bool found = false;
    reader_init(&rd, im->fd, off, im->size);
    reader_fill(&rd);
    csv_scanner_init(&sc, &s->d, off, 1);
    csv_status st;
    while ((st = csv_scan(&sc, rd.buf, rd.len, rd.eof, &rec)) == CSV_MORE)
        reader_fill(&rd);
    if (st == CSV_RECORD && !rec.end_marker) {
        csv_row row;
        csv_split(&s->d, rd.buf, rec.body_len, NULL, &row);
        *raw = xcalloc((size_t)s->ncols + 1, sizeof **raw);
        for (int i = 0; i < s->ncols; i++)
            (*raw)[i] =
                i < row.n ? csv_to_utf8(s->d.encoding, row.f[i].value, row.f[i].len) : xstrdup("");
        *names = csv_column_names(&s->d, &row, s->ncols);
        csv_row_free(&row);
        found = true;
    }
    reader_free(&rd);
    return found;
}

/* Maps header names to the existing table's columns (the names --create
 * would give them, matched exactly, then case-insensitively), or takes the
 * table's columns in order without a header. A sniffed header is settled
 * here against the table: a first record naming its columns is a header. */
static bool resolve_targets(importer *im, job *c)
{
    import_spec *s = &im->spec;
    im->targets = xcalloc((size_t)s->ncols + 1, sizeof *im->targets);
    im->keep = xcalloc((size_t)s->ncols + 1, sizeof *im->keep);
    bool need_catalog = !s->create && (!s->cols || !s->cols[0].name);
    for (int i = 0; s->cols && i < s->ncols && !need_catalog; i++)
        if (!s->cols[i].skip && !s->cols[i].name)
            need_catalog = true;
    char **tcols = NULL;
    int ntcols = 0;
    if (need_catalog) {
        char *q = import_qualified_name(s->schema, s->table);
        if (!q) {
            job_fail(c, IMPORT_DATA_ERROR, "the table name is not valid UTF-8", NULL);
            return false;
        }
        const char *params[] = {q};
        bool ok = job_exec(c,
                           "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass "
                           "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                           1, params);
        free(q);
        if (!ok)
            return false;
        tcols = c->values;
        ntcols = c->nvalues;
        c->values = NULL;
        c->nvalues = 0;
    }
    char **raw = NULL, **header = NULL;
    if (need_catalog && (s->d.header || s->header_src != IMPORT_HEADER_GIVEN) &&
        read_first_record(im, &raw, &header) && s->header_src != IMPORT_HEADER_GIVEN) {
        if (import_names_are_columns(header, s->ncols, tcols, ntcols))
            s->d.header = true;
        else if (s->header_src == IMPORT_HEADER_UNSURE)
            s->d.header = false; /* as a header it could not be mapped anyway */
    }
    bool ok = true;
    strbuf miss;
    sb_init(&miss);
    int nmiss = 0;
    for (int i = 0; i < s->ncols; i++) {
        if (s->cols && s->cols[i].skip)
            continue;
        const char *t = s->cols && s->cols[i].name ? s->cols[i].name : NULL;
        if (!t && s->d.header && header) {
            int k = import_match_column(header[i], tcols, ntcols);
            if (k < 0) {
                sb_printf(&miss, "%s\"%s\" -> \"%s\"", nmiss++ ? ", " : "", raw[i], header[i]);
                continue;
            }
            t = tcols[k];
        } else if (!t) {
            if (i >= ntcols) {
                sb_printf(&miss, "%sfield %d -> none (the table has %d columns)",
                          nmiss++ ? ", " : "", i + 1, ntcols);
                continue;
            }
            t = tcols[i];
        }
        for (int k = 0; k < im->ntargets; k++)
            if (strcmp(im->targets[k], t) == 0) {
                sb_printf(&miss, "%s\"%s\" -> \"%s\" (twice)", nmiss++ ? ", " : "",
                          raw && s->d.header ? raw[i] : "", t);
                t = NULL;
                break;
            }
        if (!t)
            continue;
        im->keep[im->nkeep++] = i;
        im->targets[im->ntargets++] = xstrdup(t);
    }
    if (miss.len) {
        strbuf has;
        sb_init(&has);
        for (int k = 0; k < ntcols; k++)
            sb_printf(&has, "%s%s", k ? ", " : "", tcols[k]);
        char *m = xasprintf("file column%s not in table %s (file column -> table column): %s; "
                            "the table has: %s; nothing imported",
                            nmiss > 1 ? "s" : "", s->table, miss.data, has.len ? has.data : "");
        sb_free(&has);
        job_fail(c, IMPORT_DATA_ERROR, m, NULL);
        free(m);
        ok = false;
    } else if (im->ntargets == 0) {
        job_fail(c, IMPORT_DATA_ERROR, "no column to import", NULL);
        ok = false;
    }
    im->skipping = im->nkeep != s->ncols;
    sb_free(&miss);
    csv_names_free(raw, s->ncols);
    csv_names_free(header, s->ncols);
    csv_names_free(tcols, ntcols);
    return ok;
}

static void finish_import(importer *im)
{
    pthread_mutex_lock(&im->lock);
    im->res.seconds = (double)(now_ns() - im->start_ns) / 1e9;
    im->phase = "done";
    pthread_mutex_unlock(&im->lock);
    atomic_store(&im->done, true);
    if (write(im->done_pipe[1], "x", 1) < 0) {
        /* nobody polls: import_done() still answers */
    }
}

/* --max-errors P%: judged on the whole file, once every record was seen. */
static bool within_pct(importer *im, job *j)
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

static void run_single(importer *im)
{
    job *j = &im->jobs[0];
    import_spec *s = &im->spec;
    j->session = im->coord.session; /* one session, one transaction */
    j->start = 0;
    j->end = im->size;
    j->first = j->last = true;
    bool ok =
        job_exec(j, "BEGIN", 0, NULL) && job_exec(j, "SET LOCAL client_encoding = 'UTF8'", 0, NULL);
    if (ok && s->create) {
        set_phase(im, "creating");
        char *sql = import_create_sql(s);
        if (!sql) {
            job_fail(j, IMPORT_DATA_ERROR, "a name is not valid UTF-8 or a type is unknown", NULL);
            ok = false;
        } else {
            ok = job_exec(j, sql, 0, NULL);
            free(sql);
        }
    }
    if (ok && s->truncate) {
        char *q = import_qualified_name(s->schema, s->table);
        char *sql = xasprintf("TRUNCATE %s", q);
        ok = job_exec(j, sql, 0, NULL);
        free(sql);
        free(q);
    }
    if (ok) {
        set_phase(im, "copying");
        ok = job_copy(j);
    }
    ok = ok && within_pct(im, j);
    if (ok) {
        set_phase(im, "committing");
        eng_exec_args a;
        memset(&a, 0, sizeof a);
        a.sql = "COMMIT";
        a.session = j->session;
        a.flags = ENG_EXEC_SIMPLE | ENG_EXEC_NOPREPARE;
        a.tag = j->tag;
        imsg *m = wait_done_forever(j, eng_exec(im->e, &a));
        if (m->status == ENG_DONE_OK) {
            j->status = IMPORT_OK;
        } else if (conn_lost(m)) {
            job_fail(j, IMPORT_UNKNOWN,
                     "connection lost during COMMIT: the import may or may not be committed", NULL);
        } else {
            job_fail_done(j, m, "COMMIT");
            /* COMMIT of a failed transaction reports ROLLBACK: nothing imported */
        }
        imsg_free(m);
    } else if (j->status != IMPORT_CONN_LOST) {
        job_exec_quiet(j, "ROLLBACK");
    }
    j->session = 0; /* the coordinator closes it */
    if (j->status == IMPORT_OK) {
        im->res.status = IMPORT_OK;
        im->res.rows = j->rows;
    } else {
        result_from_job(im, j);
    }
}

static void run_parallel(importer *im, int njobs)
{
    import_spec *s = &im->spec;
    job *c = &im->coord;
    bool created = false;
    uint64_t data_start = data_start_offset(im);
    uint64_t *starts = xcalloc((size_t)njobs, sizeof *starts);
    int np = split_parts(im, data_start, njobs, starts);

    if (s->create) {
        set_phase(im, "creating");
        char *sql = import_create_sql(s);
        bool ok = sql && job_exec(c, "BEGIN", 0, NULL) &&
                  job_exec(c, "SET LOCAL client_encoding = 'UTF8'", 0, NULL) &&
                  job_exec(c, sql, 0, NULL) && job_exec(c, "COMMIT", 0, NULL);
        if (!sql)
            job_fail(c, IMPORT_DATA_ERROR, "a name is not valid UTF-8 or a type is unknown", NULL);
        free(sql);
        if (!ok) {
            job_exec_quiet(c, "ROLLBACK");
            result_from_job(im, c);
            free(starts);
            return;
        }
        created = true;
    }
    set_phase(im, "copying");
    set_njobs(im, np);
    for (int k = 0; k < np; k++) {
        job *j = &im->jobs[k];
        j->start = starts[k];
        j->end = k + 1 < np ? starts[k + 1] : im->size;
        j->first = k == 0;
        j->last = k == np - 1;
        snprintf(j->gid, sizeof j->gid, "pgdeck_import_%d_%u_%d_%llu", (int)getpid(), im->serial, k,
                 (unsigned long long)(im->start_ns % 1000000000ull));
        j->thread_started = pthread_create(&j->thread, NULL, job_main, j) == 0;
        if (!j->thread_started)
            job_fail(j, IMPORT_DATA_ERROR, "cannot start a thread", NULL);
    }
    im->res.jobs = np;
    bool all_ok = true;
    for (int k = 0; k < np; k++) {
        if (im->jobs[k].thread_started)
            pthread_join(im->jobs[k].thread, NULL);
        all_ok = all_ok && im->jobs[k].ok;
    }
    free(starts);
    if (all_ok && !within_pct(im, &im->jobs[0])) {
        all_ok = false;
        im->jobs[0].ok = false;
    }

    if (all_ok) {
        set_phase(im, "committing");
        uint64_t rows = 0;
        int committed = 0;
        for (int k = 0; k < np; k++) {
            char *lit = import_quote_literal(im->jobs[k].gid);
            char *sql = xasprintf("COMMIT PREPARED %s", lit);
            bool ok = job_exec(c, sql, 0, NULL);
            if (!ok && c->status == IMPORT_CONN_LOST) {
                /* once more, on a fresh connection: a prepared transaction survives */
                job_close_session(c);
                c->session = eng_session_open(im->e);
                c->status = IMPORT_RUNNING;
                ok = job_exec(c, sql, 0, NULL);
            }
            free(sql);
            free(lit);
            if (!ok)
                break;
            committed++;
            rows += im->jobs[k].rows;
        }
        if (committed == np) {
            im->res.status = IMPORT_OK;
            im->res.rows = rows;
            return;
        }
        result_from_job(im, c);
        im->res.status = IMPORT_UNKNOWN; /* some parts may be committed */
        strbuf sb;
        sb_init(&sb);
        sb_printf(&sb, "%d of %d parts committed; still prepared:", committed, np);
        for (int k = committed; k < np; k++)
            sb_printf(&sb, " %s", im->jobs[k].gid);
        free(im->res.note);
        im->res.note = sb_steal(&sb);
        return;
    }
    /* a part failed: undo the others */
    job *worst = NULL;
    for (int k = 0; k < np; k++) {
        job *j = &im->jobs[k];
        if (j->prepared) {
            char *lit = import_quote_literal(j->gid);
            char *sql = xasprintf("ROLLBACK PREPARED %s", lit);
            job_exec_quiet(c, sql);
            free(sql);
            free(lit);
        }
        if (j->ok)
            continue;
        /* report a data error before a consequence (canceled / lost) */
        if (!worst || (worst->status != IMPORT_DATA_ERROR && j->status == IMPORT_DATA_ERROR) ||
            (worst->status == j->status && j->err_line && worst->err_line &&
             j->err_line < worst->err_line))
            worst = j;
    }
    if (created) {
        char *q = import_qualified_name(s->schema, s->table);
        char *sql = xasprintf("DROP TABLE %s", q);
        job_exec_quiet(c, sql);
        free(sql);
        free(q);
    }
    result_from_job(im, worst ? worst : c);
}

static void *coord_main(void *arg)
{
    importer *im = arg;
    import_spec *s = &im->spec;
    job *c = &im->coord;
    struct stat st;

    char *err = NULL;
    im->fd = import_open_file(s->path, &st, &err);
    if (im->fd < 0) {
        im->res.status = IMPORT_FILE_ERROR;
        im->res.message = err;
        finish_import(im);
        return NULL;
    }
    im->size = (uint64_t)st.st_size;
    pthread_mutex_lock(&im->lock);
    im->res.bytes = im->size;
    pthread_mutex_unlock(&im->lock);
    if (im->size <= (s->d.bom ? 3u : 0u)) {
        im->res.status = IMPORT_DATA_ERROR;
        im->res.message = xasprintf("%s is empty: nothing imported", s->path);
        finish_import(im);
        return NULL;
    }

    c->session = eng_session_open(im->e);
    int njobs = s->jobs > 0 ? s->jobs : 1;
    if (njobs > 1) {
        if (!job_exec(c, "SELECT current_setting('max_prepared_transactions')::int", 0, NULL)) {
            result_from_job(im, c);
            goto out;
        }
        int mpt = c->nvalues ? atoi(c->values[0]) : 0;
        if (mpt < njobs) {
            int run = mpt > 1 ? mpt : 1;
            free(im->res.note);
            im->res.note = xasprintf("--jobs %d ran as %d: the server's "
                                     "max_prepared_transactions is too low for an "
                                     "all-or-nothing parallel load",
                                     njobs, run);
            if (mpt == 0) {
                free(im->res.note);
                im->res.note = xasprintf("--jobs %d ran as 1 job: the server has "
                                         "max_prepared_transactions = 0, and only two-phase "
                                         "commit makes a parallel load all-or-nothing",
                                         njobs);
            }
            njobs = run;
        }
    }
    if (!resolve_targets(im, c)) {
        result_from_job(im, c);
        goto out;
    }
    im->copy_sql = import_copy_sql(s, (const char *const *)im->targets, im->ntargets);
    if (!im->copy_sql) {
        im->res.status = IMPORT_DATA_ERROR;
        im->res.message = xstrdup("a column name is not valid UTF-8");
        goto out;
    }
    if (s->reject_path) {
        im->reject = fopen(s->reject_path, "w");
        if (!im->reject) {
            im->res.status = IMPORT_FILE_ERROR;
            im->res.message = xasprintf("%s: %s", s->reject_path, strerror(errno));
            goto out;
        }
        fputs("line,error,record\n", im->reject);
    }
    set_njobs(im, njobs);
    im->res.jobs = njobs;
    set_phase(im, "copying");
    if (njobs == 1)
        run_single(im);
    else
        run_parallel(im, njobs);
out:
    im->res.rejected = atomic_load(&im->rejected);
    if (im->res.status != IMPORT_OK)
        im->res.rows = 0;
    /* certain only when no COMMIT could have taken effect */
    im->res.nothing_imported = im->res.status != IMPORT_OK && im->res.status != IMPORT_UNKNOWN;
    if (im->reject) {
        bool wrote = write_rejects(im);
        if (fclose(im->reject) != 0 || !wrote) {
            if (im->res.status == IMPORT_OK) {
                free(im->res.note);
                im->res.note = xasprintf("%s: could not write every rejected record: %s",
                                         s->reject_path, strerror(errno));
            }
        }
        im->reject = NULL;
    }
    job_close_session(c);
    finish_import(im);
    return NULL;
}

/* ---- public ------------------------------------------------------------- */

importer *import_start(engine *e, const import_spec *spec)
{
    importer *im = xcalloc(1, sizeof *im);
    im->e = e;
    import_spec_copy(&im->spec, spec);
    im->serial = atomic_fetch_add(&serial_counter, 1) + 1;
    im->fd = -1;
    im->phase = "starting";
    im->res.status = IMPORT_RUNNING;
    im->start_ns = now_ns();
    pthread_mutex_init(&im->lock, NULL);
    pthread_mutex_init(&im->reject_lock, NULL);
    if (pipe(im->done_pipe) != 0) {
        im->done_pipe[0] = im->done_pipe[1] = -1;
    } else {
        for (int k = 0; k < 2; k++) {
            fcntl(im->done_pipe[k], F_SETFD, FD_CLOEXEC);
            fcntl(im->done_pipe[k], F_SETFL, O_NONBLOCK);
        }
    }
    job_init(im, &im->coord, -1);
    im->nalloc = spec->jobs > 1 ? spec->jobs : 1;
    im->jobs = xcalloc((size_t)im->nalloc, sizeof *im->jobs);
    for (int k = 0; k < im->nalloc; k++)
        job_init(im, &im->jobs[k], k);
    if (pthread_create(&im->thread, NULL, coord_main, im) != 0) {
        im->res.status = IMPORT_FILE_ERROR;
        im->res.message = xstrdup("cannot start the import thread");
        im->res.nothing_imported = true;
        atomic_store(&im->done, true);
        im->thread = pthread_self();
    }
    return im;
}

void import_cancel(importer *im)
{
    if (im)
        atomic_store(&im->cancel, true);
}

bool import_done(importer *im)
{
    return atomic_load(&im->done);
}

int import_done_fd(importer *im)
{
    return im->done_pipe[0];
}

void import_get_progress(importer *im, import_progress *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&im->lock);
    out->phase = im->phase;
    out->bytes_total = im->res.bytes;
    out->jobs = im->njobs ? im->njobs : 1;
    out->elapsed =
        atomic_load(&im->done) ? im->res.seconds : (double)(now_ns() - im->start_ns) / 1e9;
    pthread_mutex_unlock(&im->lock);
    for (int k = 0; k < im->nalloc; k++) { /* allocated at start, freed in import_free */
        out->bytes_done += atomic_load(&im->jobs[k].bytes_done);
        out->rows_sent += atomic_load(&im->jobs[k].rows_sent);
    }
    if (out->bytes_done > out->bytes_total)
        out->bytes_done = out->bytes_total;
    out->rejected = atomic_load(&im->rejected);
    out->backend_pid = atomic_load(&im->backend_pid);
}

const import_result *import_get_result(importer *im)
{
    return atomic_load(&im->done) ? &im->res : NULL;
}

void import_free(importer *im)
{
    if (!im)
        return;
    if (!atomic_load(&im->done)) {
        import_cancel(im);
        atomic_store(&im->abandon, true);
    }
    if (!pthread_equal(im->thread, pthread_self()))
        pthread_join(im->thread, NULL);
    for (int k = 0; k < im->nalloc; k++)
        job_destroy(&im->jobs[k]);
    free(im->jobs);
    job_destroy(&im->coord);
    if (im->fd >= 0)
        close(im->fd);
    if (im->done_pipe[0] >= 0) {
        close(im->done_pipe[0]);
        close(im->done_pipe[1]);
    }
    csv_names_free(im->targets, im->ntargets);
    free(im->keep);
    free(im->copy_sql);
    free(im->res.message);
    free(im->res.detail);
    free(im->res.hint);
    free(im->res.sqlstate);
    free(im->res.record);
    free(im->res.note);
    import_spec_free(&im->spec);
    pthread_mutex_destroy(&im->lock);
    pthread_mutex_destroy(&im->reject_lock);
    free(im);
}
