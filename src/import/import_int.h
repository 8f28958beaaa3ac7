/* import_int.h — the importer's internal structures, shared by the files of
 * src/import/ that implement import.h (mk/layers.sh keeps it inside). Each
 * struct says which thread or lock owns which field.
 *
 * The files, one concept each:
 *   import.c          the coordinator: jobs, two-phase commit, progress, the API
 *   import_job.c      a job's session: events routed by tag, statements, failures
 *   import_scan.c     reading the file: records of a part, their checks, cuts
 *   import_copy.c     one part through one COPY (stop at the first error)
 *   import_reject.c   --max-errors: batches under savepoints, the reject file
 *   import_lines.c    the file's own line numbers for COPY's stream lines
 *   import_columns.c  file columns -> table columns
 *   import_sql.c      CREATE TABLE and COPY text, names and literals quoted
 *   import_spec.c     the import_spec and status names
 *   import_probe.c    the sample the CLI and the wizard decide from
 *   csv.c, csv_sniff.c, csv_infer.c, csv_names.c   CSV (csv.h) */
#ifndef PGDECK_IMPORT_INT_H
#define PGDECK_IMPORT_INT_H

#include "import/import.h"

#include "import/csv.h"
#include "common/msgq.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define READ_CHUNK (128 * 1024)   /* file reads */
#define SEND_CHUNK (64 * 1024)    /* one eng_copy_data block */
#define INFLIGHT_MAX (512 * 1024) /* queued in the engine before the reader waits */
#define BATCH_BYTES (1024 * 1024) /* max_errors mode: records per savepoint'd COPY */
#define BATCH_RECS 20000
#define RECORD_SHOW 4096 /* bytes of an offending record we keep */

static inline char *strdup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* ---- messages from the engine (import_job.c) ------------------------------
 * A copy of an engine event, made on the thread that forwards it
 * (import_on_event) and handed to the job's queue: owned by whoever popped it. */
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

typedef struct map_ent {
    uint64_t stream_line; /* COPY's line counter at the chunk's first record */
    uint64_t offset;      /* file offset of that record */
    uint64_t line;        /* its line, relative to the part */
    bool first;           /* it is the stream's first record */
} map_ent;

/* One session's work: the coordinator's own (index -1) or one part's.
 * Who may touch what:
 *   set in job_init (import_start, before any thread): im, index, tag, q;
 *     read-only after. q is a msgq: import_on_event pushes on the caller's
 *     thread, the job's thread pops;
 *   atomics: bytes_done, rows_sent (read by import_get_progress);
 *   the rest belongs to the thread running the job — job_main for a part of
 *     a parallel import, the coordinator otherwise; the coordinator sets
 *     start/end/first/last/gid before pthread_create and reads the outcome
 *     after pthread_join (thread, thread_started are the coordinator's). */
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
    bool binary;         /* this job's COPY is binary (set from im->binary) */
    bool binary_refused; /* it met a field it cannot convert: run again as text */
    /* record-number -> line map of the current COPY stream */
    map_ent *map;
    size_t nmap, mapcap;
} job;

/* Who may touch what (as engine_int.h states it for the engine):
 *   fixed        e, serial, nalloc, jobs, coord, done_pipe, start_ns: set in
 *                import_start before any thread starts, never changed (the
 *                jobs' own fields: see job);
 *   lock         phase, njobs, res.bytes, res.seconds: written by the
 *                coordinator, read by import_get_progress on the caller's
 *                thread while the import runs;
 *   reject_lock  rejects, nrejects, rejcap: appended by every job thread;
 *   atomics      cancel, abandon, done, backend_pid, rejected, records and
 *                each job's bytes_done / rows_sent: any thread;
 *   the rest     the coordinator's: set before the job threads start (which
 *                then only read spec, fd, targets, keep, skipping,
 *                copy_sql and reject), or after they are joined. res is read
 *                by others only once done is set (import_get_result). */
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
    /* binary COPY (import_binary.c): chosen before the jobs start when every
     * target's type has an exact binary form; a job that meets a field it
     * cannot convert runs its transaction again as text COPY */
    bool binary;
    char *copy_sql_bin;
    csv_type *bin_types; /* per target */
    /* max_errors: rejects are collected and written in file order at the end
     * (parts finish in any order; within a part, a record the server rejects
     * is found after the client-side rejects of its batch) */
    FILE *reject;
    pthread_mutex_t reject_lock;
    struct reject *rejects;  /* reject_lock */
    size_t nrejects, rejcap; /* reject_lock */
    _Atomic uint64_t rejected, records;
};

/* ---- a job's session (import_job.c) --------------------------------------- */
void job_init(importer *im, job *j, int index);
void job_destroy(job *j);
void job_close_session(job *j);
void imsg_free(void *p);
/* The EV_DONE of request id when it arrived, else NULL (never blocks when
 * timeout_ms == 0). Row results of id are kept in j->values. */
imsg *wait_done(job *j, eng_id id, int timeout_ms);
/* Waits for id's end; a cancel request is passed on to the engine once. */
imsg *wait_done_forever(job *j, eng_id id);
bool imsg_conn_lost(const imsg *m);
/* The first failure is the one reported; later ones are ignored. */
void job_fail(job *j, import_status st, const char *msg, const eng_error *err);
/* Fails the job from a DONE that was not OK. */
void job_fail_done(job *j, const imsg *m, const char *what);
/* Runs one statement on the job's session; false (and the job failed) unless OK. */
bool job_exec(job *j, const char *sql, int nparams, const char *const *params);
/* Best effort (ROLLBACK after a failure): the outcome does not change ours. */
void job_exec_quiet(job *j, const char *sql);

/* ---- reading the file (import_scan.c) ------------------------------------- */
typedef struct reader {
    int fd;
    uint64_t off, end; /* file offset of buf[0]; end of the part */
    char *buf;
    size_t pos, len, cap;
    bool eof, error;
    int err; /* errno of the failed read */
} reader;

void reader_init(reader *r, int fd, uint64_t start, uint64_t end);
void reader_fill(reader *r);
void reader_free(reader *r);

typedef enum rec_verdict {
    REC_SEND, /* a record to load */
    REC_SKIP, /* the header */
    REC_END,  /* the part ends here */
    REC_BAD,  /* fails a client-side check: *why says what is wrong */
    REC_FAIL, /* the job failed (unreadable file, a quote never closed) */
} rec_verdict;

/* The records of one part in file order, each with its verdict. */
typedef struct part_scan {
    reader rd;
    csv_scanner sc;
    csv_rec rec; /* the current record, at part_scan_body() */
    bool header_pending;
} part_scan;

void part_scan_init(part_scan *ps, job *j);
rec_verdict part_scan_next(job *j, part_scan *ps, char *why, size_t whylen);
static inline const char *part_scan_body(const part_scan *ps)
{
    return ps->rd.buf + ps->rd.pos;
}
/* Past the current record; counts its bytes as done. */
void part_scan_advance(job *j, part_scan *ps);
void part_scan_free(part_scan *ps);

/* Splits [data_start, size) into up to n parts at record boundaries. */
int split_parts(importer *im, uint64_t data_start, int n, uint64_t *starts);
/* Where the data starts (after BOM and header), for splitting. */
uint64_t data_start_offset(importer *im);

/* ---- the file's own line numbers (import_lines.c) ------------------------- */
/* A line relative to the job's part -> the file's line. */
uint64_t job_file_line(job *j, uint64_t rel);
/* An offending record for messages: UTF-8, at most RECORD_SHOW bytes. malloc'd. */
char *record_text(const importer *im, const char *s, size_t len);
void job_fail_record(job *j, const char *msg, uint64_t line, const char *rec, size_t len);
/* "COPY t, line 12, column x: ..." -> 12; 0 when there is none. */
uint64_t context_line(const eng_error *err);
/* The same context naming the file's own line instead. malloc'd. */
char *context_at_file_line(const char *ctx, uint64_t file_line);
/* Notes where a chunk of the COPY stream starts, for locate_stream_line. */
void map_add(job *j, uint64_t stream_line, uint64_t offset, uint64_t line, bool first);
/* Fills the job's error line and record from COPY's stream line n. */
void locate_stream_line(job *j, uint64_t n);

/* ---- one part through COPY (import_copy.c) -------------------------------- */
typedef struct outbuf {
    char *data;
    size_t len, cap;
} outbuf;

/* Appends a record body as it is sent: skipped columns removed, LF. */
void out_record(importer *im, outbuf *o, const char *body, size_t len);
/* Ends a COPY whose DONE has not come yet: finish (errmsg NULL) or abort. */
imsg *copy_finish(job *j, eng_id copy, const char *errmsg);
/* The part's records through COPY, as spec.max_errors asks. */
bool job_copy(job *j);

/* ---- --max-errors (import_reject.c) --------------------------------------- */
/* max_errors mode: batches under a savepoint, rejected records isolated. */
bool job_copy_batches(job *j);
/* Records a skipped record; false when that is one too many. */
bool reject_record(job *j, uint64_t line, const char *why, const char *rec, size_t len);
/* Writes the rejects in file order (every job has ended) and frees them. */
bool write_rejects(importer *im);
/* --max-errors P%: judged on the whole file, once every record was seen. */
bool within_pct(importer *im, job *j);

/* ---- statements (import_sql.c) ------------------------------------------- */
/* import_copy_sql's COPY with FREEZE added to its options. malloc'd. */
char *import_copy_sql_freeze(const char *copy_sql);
/* The same COPY in binary format (import_binary.c's tuples). malloc'd. */
char *import_copy_sql_binary(const import_spec *s, const char *const *targets, int ntargets);

/* ---- binary COPY (import_binary.c) --------------------------------------- */
bool binary_type_ok(csv_type t);
void binary_header(outbuf *o);
void binary_trailer(outbuf *o);
/* Appends the record as one binary tuple; false (nothing appended) when a
 * field has no certain binary form. */
bool binary_record(importer *im, outbuf *o, const char *body, size_t len);
/* Decides im->binary from the spec and the targets (after resolve_targets);
 * an existing table's types are read on c. False (c failed) when that
 * catalog read failed. */
bool binary_choose(importer *im, job *c);
/* A job whose binary COPY was refused, ready to run its part again as text. */
void job_text_again(job *j);

/* ---- columns (import_columns.c) ------------------------------------------- */
/* Fills im->targets/keep/skipping: the table column each file column goes to. */
bool resolve_targets(importer *im, job *c);

#endif
