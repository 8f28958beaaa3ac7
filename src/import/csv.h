/* csv.h — CSV as PostgreSQL's COPY ... (FORMAT csv) reads it: sniffing,
 * a streaming record scanner, field splitting, type inference, names.
 * Pure code: no libpq, no curses, no I/O.
 *
 * Parsing rules (copyfromparse.c, escape == quote, which is all pgdeck uses):
 *   - every quote character toggles "inside quotes"; inside quotes a doubled
 *     quote is one literal quote; delimiters, CR and LF inside quotes are data;
 *   - a record ends at an unquoted LF, CRLF or CR (mixed endings are accepted
 *     here; the importer re-terminates every record with LF, because COPY
 *     itself refuses a file whose endings change);
 *   - a field with no quote character whose text equals the NULL string
 *     (default: empty) is NULL; "" is the empty string;
 *   - `\.` alone on a record (unquoted, nothing else before the line end) is
 *     COPY's end-of-data marker. The scanner flags it (csv_rec.end_marker);
 *     the importer accepts it only as the file's last record (COPY would stop
 *     there anyway, nothing is lost) and refuses it anywhere else, because
 *     COPY would silently drop every record after it.
 * Line numbers are the file's own: 1-based, a line ends at LF, CRLF or a lone
 * CR, inside quotes too, so the header and quoted newlines are counted. */
#ifndef PGDECK_CSV_H
#define PGDECK_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CSV_NAMEDATALEN 63 /* PostgreSQL identifiers: NAMEDATALEN - 1 bytes */

typedef enum csv_encoding { CSV_ENC_UTF8, CSV_ENC_LATIN1, CSV_ENC_WIN1252 } csv_encoding;
typedef enum csv_eol { CSV_EOL_NONE, CSV_EOL_LF, CSV_EOL_CRLF, CSV_EOL_CR, CSV_EOL_MIXED } csv_eol;

typedef struct csv_dialect {
    char delim; /* ',' ';' '\t' '|' or any byte but the quote, CR, LF */
    char quote; /* '"' */
    bool header;
    csv_encoding encoding;
    bool bom; /* the file starts with a UTF-8 BOM (skipped: COPY would keep it) */
} csv_dialect;

void csv_dialect_default(csv_dialect *d);

const char *csv_encoding_name(csv_encoding enc); /* "UTF8", "LATIN1", "WIN1252" */
/* Accepts PostgreSQL's spellings (utf8, UTF-8, latin1, iso-8859-1, win1252,
 * cp1252, windows-1252), case-insensitive. */
bool csv_encoding_parse(const char *name, csv_encoding *out);
const char *csv_eol_name(csv_eol eol); /* "LF", "CRLF", "CR", "mixed", "none" */
/* "," -> "comma"; for display. */
const char *csv_delim_name(char delim);

/* ---- sniffing --------------------------------------------------------- */
typedef struct csv_sniff {
    csv_dialect d;     /* best guess for everything */
    csv_eol eol;       /* record terminators seen in the sample */
    int nfields;       /* fields of the first record with the guessed dialect */
    bool utf8_ok;      /* the sample is valid UTF-8 (NUL bytes aside: see nul_line) */
    uint64_t nul_line; /* the file line of the first NUL byte (0: none): COPY refuses it */
    bool empty;        /* no byte at all after the BOM */
    /* What the sample cannot settle (a guess never silently changes data:
     * the wizard asks, the CLI refuses and names the flag): */
    char delim_alt;     /* nonzero: this delimiter splits the sample about as well as d.delim
                           (a tie or near tie the extension did not settle) */
    bool header_unsure; /* the first record's look gives mixed or no evidence */
} csv_sniff;

/* What is settled before sniffing (by the user, or by the file's name). */
typedef struct csv_given {
    char delim;     /* 0: sniff */
    char quote;     /* 0: sniff: '"' unless balanced quotes wrap whole fields on many records */
    int header;     /* -1: sniff, 0 no, 1 yes */
    int encoding;   /* -1: sniff, else a csv_encoding */
    char ext_delim; /* what the file's extension names (csv_delim_for_path): breaks ties */
} csv_given;

void csv_given_init(csv_given *g);
/* ".tsv"/".tab" -> tab, ".csv" -> ',', ".psv" -> '|' (case-insensitive), else 0. */
char csv_delim_for_path(const char *path);

/* Guesses the dialect from the first bytes of a file (64 KB is plenty).
 * whole_file: buf is the entire file (its last record may lack a LF).
 * Sniffs only what g leaves open (g NULL: everything), and judges the header
 * with the dialect finally chosen. */
void csv_sniff_given(const char *buf, size_t len, bool whole_file, const csv_given *g,
                     csv_sniff *out);
void csv_sniff_sample(const char *buf, size_t len, bool whole_file, csv_sniff *out);

/* ---- the streaming record scanner ------------------------------------ */
typedef struct csv_rec {
    size_t len;      /* bytes of the record including its terminator */
    size_t body_len; /* bytes before the terminator */
    int nfields;
    uint64_t line;      /* file line of its first byte */
    uint64_t end_line;  /* file line of its last body byte */
    uint64_t offset;    /* file offset of its first byte */
    uint32_t quoted_lf; /* LF bytes inside quotes: what COPY counts as lines */
    uint32_t quoted_cr; /* CR bytes inside quotes: what COPY counts before it saw a line end */
    csv_eol eol;        /* its terminator (NONE at end of file) */
    bool end_marker;    /* the record is `\.` */
    bool bad_encoding;  /* an invalid byte for the encoding (or a NUL byte) */
    uint64_t bad_line;  /* ... on this file line */
    size_t bad_off;     /* ... at this offset in the record */
} csv_rec;

typedef enum csv_status {
    CSV_RECORD,       /* *rec describes buf[0 .. rec->len) */
    CSV_MORE,         /* no complete record yet: call again with the same start and more bytes */
    CSV_END,          /* eof and nothing left */
    CSV_UNTERMINATED, /* eof inside a quoted field: rec->line is where the record starts */
} csv_status;

typedef struct csv_scanner {
    csv_dialect d;
    uint64_t offset, line; /* of the current record's first byte */
    /* state inside the current record, so a long record is scanned once */
    size_t pos;
    bool in_quote;
    int nfields;
    uint32_t quoted_lf, quoted_cr;
    uint64_t cur_line;
    int u8_need; /* UTF-8 continuation bytes still expected */
    unsigned char u8_lo, u8_hi;
    bool bad;
    uint64_t bad_line;
    size_t bad_off;
    unsigned char cls[256];
} csv_scanner;

/* start_offset/start_line: where the first record begins in the file. */
void csv_scanner_init(csv_scanner *s, const csv_dialect *d, uint64_t start_offset,
                      uint64_t start_line);
/* buf holds the current record's first byte at buf[0]. After CSV_RECORD the
 * caller moves past rec->len bytes; after CSV_MORE it keeps buf[0..len) and
 * calls again with more bytes appended (the scanner resumes, it does not
 * rescan). eof: no more bytes will come. */
csv_status csv_scan(csv_scanner *s, const char *buf, size_t len, bool eof, csv_rec *rec);

/* ---- fields ------------------------------------------------------------ */
typedef struct csv_field {
    char *value; /* unquoted, NUL-terminated (may hold NUL bytes: see len) */
    size_t len;
    bool is_null;              /* COPY's rule: unquoted and equal to the NULL string */
    bool quoted;               /* a quote character appeared */
    size_t raw_start, raw_end; /* the field's bytes in the record, quotes included */
} csv_field;

typedef struct csv_row {
    int n;
    csv_field *f;
} csv_row;

/* Splits one record body (no terminator) as COPY does. null_str NULL = "". */
void csv_split(const csv_dialect *d, const char *rec, size_t len, const char *null_str,
               csv_row *out);
void csv_row_free(csv_row *r);

/* ---- encodings --------------------------------------------------------- */
/* Offset of the first invalid UTF-8 sequence or NUL byte, or (size_t)-1. */
size_t csv_utf8_check(const char *s, size_t len);
/* LATIN1 / WIN1252 -> UTF-8 (UTF8: a copy with invalid bytes replaced by
 * U+FFFD). For names and previews. malloc'd. */
char *csv_to_utf8(csv_encoding enc, const char *s, size_t len);
/* A guess for bytes that are not UTF-8: WIN1252 when 0x80-0x9F appear, else LATIN1. */
csv_encoding csv_guess_8bit(const char *s, size_t len);

/* ---- type inference ---------------------------------------------------- */
#define CSV_TYPES(X)                                                                               \
    X(CSV_T_BOOL, "bool")                                                                          \
    X(CSV_T_INT4, "int4")                                                                          \
    X(CSV_T_INT8, "int8")                                                                          \
    X(CSV_T_NUMERIC, "numeric")                                                                    \
    X(CSV_T_FLOAT8, "float8")                                                                      \
    X(CSV_T_DATE, "date")                                                                          \
    X(CSV_T_TIMESTAMP, "timestamp")                                                                \
    X(CSV_T_TIMESTAMPTZ, "timestamptz")                                                            \
    X(CSV_T_UUID, "uuid")                                                                          \
    X(CSV_T_JSONB, "jsonb")                                                                        \
    X(CSV_T_TEXT, "text")

typedef enum csv_type {
#define CSV_TYPE_ENUM(id, name) id,
    CSV_TYPES(CSV_TYPE_ENUM)
#undef CSV_TYPE_ENUM
        CSV_T_COUNT
} csv_type;

const char *csv_type_name(csv_type t);
bool csv_type_parse(const char *name, csv_type *out); /* also int, integer, bigint, boolean... */
/* The set of types (bit 1<<type) a non-NULL value can be loaded as. text is
 * always in. Integers with leading zeros are text (zip codes keep them). */
unsigned csv_value_types(const char *v, size_t len);
/* Accumulates one column over a sample. */
typedef struct csv_infer {
    unsigned mask;
    long values; /* non-NULL values seen */
} csv_infer;
void csv_infer_init(csv_infer *ci);
void csv_infer_add(csv_infer *ci, const csv_field *f);
csv_type csv_infer_result(const csv_infer *ci); /* text when no value was seen */
/* Strict JSON (RFC 8259) with a depth limit. */
bool csv_json_valid(const char *s, size_t len);

/* ---- names ------------------------------------------------------------- */
/* Column names for n file columns from the header row (NULL: no header):
 * header text kept literally (it is quoted as an identifier later), converted
 * to UTF-8, empty -> columnN, truncated to 63 bytes on a character boundary,
 * then de-duplicated (name_2, name_3, ... truncated to fit). A malloc'd array
 * of malloc'd strings; free with csv_names_free. */
char **csv_column_names(const csv_dialect *d, const csv_row *header, int n);
void csv_names_free(char **names, int n);
/* Makes names[0..n) unique (exact byte comparison, as quoted identifiers are). */
void csv_names_dedupe(char **names, int n);
/* Truncates s in place to at most max bytes without splitting a UTF-8 character. */
void csv_truncate_utf8(char *s, size_t max);
/* "Sales 2024.CSV" -> "sales_2024": lower-cased, [a-z0-9_] only, no leading
 * digit, at most 63 bytes; "import" when nothing is left. malloc'd. */
char *csv_table_name_from_path(const char *path);

#endif
