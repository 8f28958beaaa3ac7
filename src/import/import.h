/* import.h — the COPY import orchestrator, shared by `pgdeck import` and the
 * Import pane.
 *
 * import_start() spawns the importer's OWN thread(s): they read and parse the
 * file, validate records and feed COPY through the engine API only (never a
 * PGconn), so neither the UI thread nor the engine thread ever waits on file
 * I/O or parsing. Whoever owns the engine's event queue forwards the events
 * whose tag starts with IMPORT_TAG_PREFIX to import_on_event().
 *
 * Guarantees (doc/import.md says the same for users):
 *   - jobs = 1: BEGIN; [CREATE TABLE]; [TRUNCATE]; COPY ... FROM STDIN;
 *     COMMIT — on one session. Any error, a cancel or a lost connection
 *     before COMMIT's result: nothing is imported. A connection lost while
 *     COMMIT runs: the outcome is reported as unknown, never as success.
 *   - jobs = N > 1: the file is split at record boundaries (quote-aware) into
 *     N parts, each COPYed on its own session in its own transaction, each
 *     PREPARE TRANSACTION'd, then COMMIT PREPARED all — or ROLLBACK PREPARED
 *     all when any part failed: all or nothing. A new table is created (and
 *     committed) first and dropped again on failure; --truncate becomes a
 *     DELETE inside part 1's transaction (TRUNCATE's lock would block the
 *     other parts). When the server has max_prepared_transactions = 0 (or
 *     fewer slots than jobs) the import runs with as many jobs as slots,
 *     at least 1 job as a plain transaction, and says so in result.note.
 *   - Error line numbers are the file's own lines (header and quoted newlines
 *     counted) whatever the number of jobs; the offending record is shown.
 *   - max_errors > 0 or max_errors_pct > 0: records failing client checks
 *     (field count, encoding) are skipped before sending; records the server
 *     rejects (data exceptions, class 22/23) are isolated by re-sending the
 *     batch in parts under a savepoint — split at the line the server names,
 *     bisected when it names none — and skipped. Each skipped record goes to
 *     reject_path as CSV: line,error,record. One more than allowed: the
 *     whole import fails, nothing imported.
 *   - Memory is bounded by a few MB plus the largest record, whatever the
 *     file size: the reader waits while eng_copy_pending_bytes() is high. */
#ifndef PGDECK_IMPORT_H
#define PGDECK_IMPORT_H

#include "import/csv.h"
#include "engine/engine.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <stdint.h>

#define IMPORT_TAG_PREFIX "import:"

typedef enum import_null_mode {
    IMPORT_NULL_CSV,       /* COPY's rule: unquoted empty (or the NULL string) is NULL */
    IMPORT_NULL_ALL_EMPTY, /* FORCE_NULL: quoted empty is NULL too */
    IMPORT_NULL_NEVER,     /* FORCE_NOT_NULL: empty is the empty string, never NULL */
} import_null_mode;

typedef struct import_col {
    char *name; /* table column this file column goes to; NULL: by header (existing table) */
    char *type; /* for CREATE TABLE (a csv_type name) */
    bool skip;  /* not sent: the table column takes its default */
} import_col;

/* Where spec.d.header comes from. */
typedef enum import_header_src {
    IMPORT_HEADER_GIVEN,   /* the user's word */
    IMPORT_HEADER_SNIFFED, /* a guess: a first record naming the target table's
                              columns is a header whatever the guess */
    IMPORT_HEADER_UNSURE,  /* a doubtful guess: into an existing table, the
                              first record is a header exactly when it names
                              its columns */
} import_header_src;

/* COPY's data format: binary (import_binary.c) only where every field has
 * a certain binary form, else text; --copy-format text forbids binary. */
typedef enum import_copy_format {
    IMPORT_COPY_AUTO,
    IMPORT_COPY_TEXT,
} import_copy_format;

typedef struct import_spec {
    char *path;
    char *schema; /* NULL: search_path */
    char *table;
    bool create;
    bool truncate;
    csv_dialect d;
    import_header_src header_src;
    char *null_str; /* NULL: COPY's default (empty) */
    import_null_mode null_mode;
    int ncols;        /* fields per record in the file */
    import_col *cols; /* ncols entries, or NULL: all columns in table order, no list */
    int jobs;         /* 1 by default */
    long max_errors;  /* 0: stop at the first error */
    double max_errors_pct;
    char *reject_path;
    import_copy_format copy_format;
} import_spec;

void import_spec_init(import_spec *s);
void import_spec_free(import_spec *s);
void import_spec_copy(import_spec *dst, const import_spec *src);

typedef enum import_status {
    IMPORT_RUNNING,
    IMPORT_OK,
    IMPORT_DATA_ERROR, /* bad record, SQL error: nothing imported */
    IMPORT_CANCELED,   /* nothing imported */
    IMPORT_CONN_LOST,  /* connection lost before COMMIT: nothing imported */
    IMPORT_UNKNOWN,    /* connection lost during COMMIT: outcome unknown */
    IMPORT_FILE_ERROR, /* cannot read the file */
} import_status;

const char *import_status_name(import_status s);

typedef struct import_result {
    import_status status;
    bool nothing_imported; /* certain: no row of this import is committed */
    uint64_t rows;         /* committed rows */
    uint64_t rejected;     /* skipped records (max_errors) */
    uint64_t bytes;        /* file bytes read */
    double seconds;
    int jobs;        /* jobs that ran */
    int binary_jobs; /* of those, committed with binary COPY */
    char *message;   /* the server's or our error, one line */
    char *detail, *hint, *sqlstate;
    uint64_t line; /* the file's own line of the offending record, 0 = none */
    char *record;  /* the offending record (UTF-8, at most 4 KB) */
    char *note;    /* e.g. why fewer jobs ran */
} import_result;

typedef struct import_progress {
    const char *phase; /* "starting", "creating", "copying", "committing", "done" */
    uint64_t bytes_done, bytes_total;
    uint64_t rows_sent, rejected;
    double elapsed; /* seconds since start */
    int jobs;
    int backend_pid; /* of job 1's session (for pg_stat_progress_copy), 0 = unknown */
} import_progress;

typedef struct importer importer;

/* Starts the import in its own thread(s). The spec is copied. */
importer *import_start(engine *e, const import_spec *spec);
/* Hands over an engine event (the caller keeps and frees ev). Returns true
 * when it belonged to this importer. */
bool import_on_event(importer *im, const eng_event *ev);
/* Asks to stop: COPY is aborted ("canceled by user"), nothing imported. */
void import_cancel(importer *im);
bool import_done(importer *im);
/* Readable when the import finished (eventfd-like; for poll loops). */
int import_done_fd(importer *im);
void import_get_progress(importer *im, import_progress *out);
/* The time left at the average rate so far ("M:SS", "--:--" unknown);
 * byte counts are common/fmt.h's fmt_bytes. */
void import_format_eta(const import_progress *p, char *out, size_t n);
/* Valid once import_done(); owned by the importer. */
const import_result *import_get_result(importer *im);
/* Joins the threads and frees. Still running: cancels, and since the caller
 * forwards no more events, stops waiting for the server (within ~100 ms per
 * pending statement); the engine resets the sessions as they are closed.
 * Nothing is committed unless COMMIT was already on its way. */
void import_free(importer *im);

/* "col" -> "\"col\"" with embedded quotes doubled: what PQescapeIdentifier
 * produces on a UTF-8 connection (common/sqlquote.h), after the name is
 * validated as UTF-8 (PQescapeIdentifier's only other check). NULL when name
 * is not valid UTF-8. malloc'd. */
char *import_quote_ident(const char *name);

/* The table column a file column named `name` (as csv_column_names names
 * it) goes to: exact, then case-insensitive; -1 none. */
int import_match_column(const char *name, char *const *tcols, int ntcols);
/* Every name matches a table column (import_match_column), each a different
 * one: a first record like that is the header. */
bool import_names_are_columns(char *const *names, int n, char *const *tcols, int ntcols);
/* "schema"."table" or "table". */
char *import_qualified_name(const char *schema, const char *table);
/* A type for CREATE TABLE beyond the csv_type names: what format_type
 * writes (words, dots, [] and quoted identifiers) with a numeric modifier
 * ("numeric(10,2)", "timestamp(3) with time zone", "public.email"). The
 * wizard checks it with the server first; this only makes sure nothing but a
 * type name can be pasted into the statement. */
bool import_type_ok(const char *t);
/* The CREATE TABLE and COPY statements the spec leads to (for tests and the
 * wizard's "SQL" view). malloc'd; NULL when a name is not valid UTF-8. */
char *import_create_sql(const import_spec *s);
char *import_copy_sql(const import_spec *s, const char *const *targets, int ntargets);

/* ---- probing a file (the sample the CLI and the wizard decide from) ---- */
#define IMPORT_PREVIEW_ROWS 50
#define IMPORT_SAMPLE_BYTES (1024 * 1024)
#define IMPORT_SAMPLE_ROWS 1000

typedef struct import_probe {
    uint64_t size;   /* file size */
    bool empty;      /* nothing but maybe a BOM */
    csv_sniff sniff; /* what sniffing found */
    csv_dialect d;   /* the dialect used below (sniffed, or forced) */
    int ncols;       /* fields of the first record */
    csv_row header;  /* the first record when d.header (n = 0 otherwise) */
    char **names;    /* ncols column names (csv_column_names) */
    csv_type *types; /* ncols types inferred from the sample */
    int nrows;       /* preview: the first data records, parsed as COPY will */
    csv_row *rows;
    uint64_t *row_lines; /* the file line of each preview record */
    int nbad;            /* records of the sample with a wrong field count */
    uint64_t first_bad_line;
} import_probe;

/* Reads the first IMPORT_SAMPLE_BYTES of path: sniffs (force NULL) or uses
 * *force, then the header, names, types and preview. false with *err
 * (malloc'd) when the file cannot be read. */
/* Opens the file to import for reading: a regular file only (a pipe would be
 * read up by the sniffing; a FIFO's open would block); -1 and *err else. */
int import_open_file(const char *path, struct stat *st, char **err);
bool import_probe_file(const char *path, const csv_dialect *force, const char *null_str,
                       import_probe *out, char **err);
/* The same, sniffing only what *given leaves open (NULL: everything), with
 * the file's extension breaking delimiter ties; out->sniff says what stays
 * in doubt (delim_alt, header_unsure). */
bool import_probe_given(const char *path, const csv_given *given, const char *null_str,
                        import_probe *out, char **err);
void import_probe_free(import_probe *p);

/* The part of the file at `offset` (for --jobs): the file's own line number
 * there (1-based). Reads the file; 0 on an I/O error. */
uint64_t import_line_at(const char *path, uint64_t offset);

#endif
