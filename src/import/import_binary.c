/* import_binary.c — CSV records to COPY's binary format, so the server skips
 * its CSV parse and the types' input functions (about half of a COPY's server
 * time for numeric and timestamp columns).
 *
 * Exactness first: a field is converted only when its text is in the one
 * plain form whose meaning is certain (the value the server's input function
 * would give for it, in any DateStyle); anything else (spaces, exponents,
 * 'infinity', a date in another style, a value out of range, "" where NULL is
 * not a text) is refused, and the caller then runs the import again as text
 * COPY, where the server judges it and reports its own error. */
#include "import/import_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool binary_type_ok(csv_type t)
{
    switch (t) {
    case CSV_T_BOOL:
    case CSV_T_INT4:
    case CSV_T_INT8:
    case CSV_T_NUMERIC:
    case CSV_T_DATE:
    case CSV_T_TIMESTAMP:
    case CSV_T_TEXT:
        return true;
    default: /* float8: the server's own rounding; timestamptz: the session's zone */
        return false;
    }
}

static void put16(outbuf *o, uint16_t v)
{
    o->data[o->len++] = (char)(v >> 8);
    o->data[o->len++] = (char)v;
}

static void put32(outbuf *o, uint32_t v)
{
    for (int s = 24; s >= 0; s -= 8)
        o->data[o->len++] = (char)(v >> s);
}

static void put64(outbuf *o, uint64_t v)
{
    put32(o, (uint32_t)(v >> 32));
    put32(o, (uint32_t)v);
}

static void reserve(outbuf *o, size_t extra)
{
    if (o->len + extra <= o->cap)
        return;
    size_t cap = o->cap ? o->cap : SEND_CHUNK + 4096;
    while (cap < o->len + extra)
        cap *= 2;
    o->data = xrealloc(o->data, cap);
    o->cap = cap;
}

void binary_header(outbuf *o)
{
    static const char sig[11] = "PGCOPY\n\377\r\n\0";
    reserve(o, 19);
    memcpy(o->data + o->len, sig, sizeof sig);
    o->len += sizeof sig;
    put32(o, 0); /* flags: no OIDs */
    put32(o, 0); /* no header extension */
}

void binary_trailer(outbuf *o)
{
    reserve(o, 2);
    put16(o, 0xffff);
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* [+-]digits within [lo, hi] (int4in and int8in accept exactly that, and more) */
static bool parse_int(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
    bool neg = n > 0 && s[0] == '-';
    if (n > 0 && (s[0] == '-' || s[0] == '+'))
        s++, n--;
    if (!all_digits(s, n))
        return false;
    uint64_t v = 0, lim = neg ? (uint64_t)(-(lo + 1)) + 1 : (uint64_t)hi;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool parse_bool(const char *s, size_t n, bool *out)
{
    static const char *const yes[] = {"t", "true", "yes", "on", "1"};
    static const char *const no[] = {"f", "false", "no", "off", "0"};
    for (int i = 0; i < 5; i++) {
        if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0)
            return *out = true, true;
        if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0)
            return *out = false, true;
    }
    return false;
}

/* Days from 2000-01-01 (PostgreSQL's epoch) to y-m-d, proleptic Gregorian. */
static int64_t days_from_2000(int y, int m, int d)
{
    /* days_from_civil (H. Hinnant), shifted from 1970 to 2000 */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - 10957;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* YYYY-MM-DD, year 0001-9999: the ISO form every DateStyle reads alike */
static bool parse_date(const char *s, size_t n, int64_t *days)
{
    if (n != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) || !all_digits(s + 5, 2) ||
        !all_digits(s + 8, 2))
        return false;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return false;
    *days = days_from_2000(y, m, d);
    return true;
}

/* YYYY-MM-DD HH:MM:SS[.f up to 6 digits] -> microseconds from 2000-01-01 */
static bool parse_timestamp(const char *s, size_t n, int64_t *us)
{
    int64_t days;
    if (n < 19 || !parse_date(s, 10, &days) || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
        !all_digits(s + 11, 2) || !all_digits(s + 14, 2) || !all_digits(s + 17, 2))
        return false;
    int h = num(s + 11, 2), mi = num(s + 14, 2), sec = num(s + 17, 2);
    if (h > 23 || mi > 59 || sec > 59)
        return false;
    int64_t frac = 0;
    if (n > 19) {
        size_t nf = n - 20;
        if (s[19] != '.' || nf < 1 || nf > 6 || !all_digits(s + 20, nf))
            return false;
        frac = num(s + 20, (int)nf);
        for (size_t i = nf; i < 6; i++)
            frac *= 10;
    }
    *us = ((days * 24 + h) * 60 + mi) * 60 * INT64_C(1000000) + sec * INT64_C(1000000) + frac;
    return true;
}

/* [+-]digits[.digits] (or .digits) -> numeric_send's form: base-10000
 * digits, weight of the first, sign, dscale = the digits written after the
 * point (numeric_in keeps trailing zeros in the scale). */
static bool put_numeric(outbuf *o, const char *s, size_t n)
{
    bool neg = n > 0 && s[0] == '-';
    if (n > 0 && (s[0] == '-' || s[0] == '+'))
        s++, n--;
    const char *dot = memchr(s, '.', n);
    size_t ni = dot ? (size_t)(dot - s) : n, nf = dot ? n - ni - 1 : 0;
    if ((ni == 0 && nf == 0) || (ni && !all_digits(s, ni)) || (nf && !all_digits(dot + 1, nf)) ||
        ni + nf > 1000)
        return false;
    /* the digits, padded to whole groups of 4 on both sides of the point */
    size_t lead = (4 - ni % 4) % 4, trail = (4 - nf % 4) % 4;
    size_t total = lead + ni + nf + trail, ng = total / 4;
    char dig[1024 + 8];
    memset(dig, '0', lead);
    memcpy(dig + lead, s, ni);
    if (nf)
        memcpy(dig + lead + ni, dot + 1, nf);
    memset(dig + lead + ni + nf, '0', trail);
    int weight = (int)((lead + ni) / 4) - 1;
    size_t first = 0, last = ng; /* strip zero groups at both ends */
    while (first < ng && num(dig + first * 4, 4) == 0)
        first++;
    while (last > first && num(dig + (last - 1) * 4, 4) == 0)
        last--;
    size_t nd = last - first;
    reserve(o, 4 + 8 + nd * 2);
    put32(o, (uint32_t)(8 + nd * 2));
    put16(o, (uint16_t)nd);
    put16(o, (uint16_t)(int16_t)(nd ? weight - (int)first : 0));
    put16(o, nd && neg ? 0x4000 : 0x0000);
    put16(o, (uint16_t)nf);
    for (size_t g = first; g < last; g++)
        put16(o, (uint16_t)num(dig + g * 4, 4));
    return true;
}

/* One field of a record as csv_split gives it (a quote opens a quoted run
 * anywhere, a doubled quote inside is one quote, the delimiter ends the field
 * outside quotes), its value unescaped into dst (room for the raw length);
 * *pos moves past the field and its delimiter. Returns the value's length. */
static size_t split_field(const csv_dialect *d, const char *rec, size_t len, size_t *pos, char *dst,
                          bool *quoted, bool *last)
{
    size_t i = *pos, n = 0;
    bool inq = false;
    *quoted = false;
    while (i < len) {
        char c = rec[i];
        if (inq) {
            if (c == d->quote) {
                if (i + 1 < len && rec[i + 1] == d->quote) {
                    dst[n++] = c;
                    i += 2;
                    continue;
                }
                inq = false;
                i++;
                continue;
            }
        } else if (c == d->delim) {
            break;
        } else if (c == d->quote) {
            inq = *quoted = true;
            i++;
            continue;
        }
        dst[n++] = c;
        i++;
    }
    *last = i >= len;
    *pos = i < len ? i + 1 : i;
    return n;
}

/* The longest non-text value converted (numeric: 1000 digits, sign, point). */
#define BINARY_FIELD_MAX 1024

bool binary_record(importer *im, outbuf *o, const char *body, size_t len)
{
    const csv_dialect *d = &im->spec.d;
    size_t start = o->len, pos = 0;
    int fi = 0; /* the file field at pos */
    bool ok = true, last = false, quoted;
    char scratch[BINARY_FIELD_MAX];
    reserve(o, 2);
    put16(o, (uint16_t)im->ntargets);
    for (int k = 0; ok && k < im->ntargets; k++) {
        int col = im->keep[k];
        for (; fi < col && !last; fi++) { /* a skipped column */
            reserve(o, len - pos);
            (void)split_field(d, body, len, &pos, o->data + o->len, &quoted, &last);
        }
        if (fi != col || last) {
            ok = false; /* fewer fields than the file's columns: text judges */
            break;
        }
        int bt = im->bin_types[k];
        size_t n;
        const char *v;
        if (bt == CSV_T_TEXT) { /* unescaped in place, behind its length */
            reserve(o, 4 + (len - pos));
            n = split_field(d, body, len, &pos, o->data + o->len + 4, &quoted, &last);
            v = NULL;
        } else {
            size_t raw = len - pos;
            char *dst = scratch;
            if (raw > sizeof scratch) { /* only a long quoted field or a long line */
                reserve(o, raw);
                dst = o->data + o->len;
            }
            n = split_field(d, body, len, &pos, dst, &quoted, &last);
            if (n > sizeof scratch) {
                ok = false; /* longer than any value we convert */
                break;
            }
            if (dst != scratch)
                memcpy(scratch, dst, n);
            v = scratch;
        }
        fi++;
        if (!quoted && n == 0) { /* COPY CSV's NULL: unquoted empty */
            reserve(o, 4);
            put32(o, 0xffffffffu);
            continue;
        }
        int64_t iv;
        bool b;
        reserve(o, 12);
        switch (bt) {
        case CSV_T_TEXT:
            put32(o, (uint32_t)n);
            o->len += n;
            break;
        case CSV_T_INT4:
            if ((ok = parse_int(v, n, INT32_MIN, INT32_MAX, &iv))) {
                put32(o, 4);
                put32(o, (uint32_t)(int32_t)iv);
            }
            break;
        case CSV_T_INT8:
            if ((ok = parse_int(v, n, INT64_MIN, INT64_MAX, &iv))) {
                put32(o, 8);
                put64(o, (uint64_t)iv);
            }
            break;
        case CSV_T_BOOL:
            if ((ok = parse_bool(v, n, &b))) {
                put32(o, 1);
                o->data[o->len++] = b ? 1 : 0;
            }
            break;
        case CSV_T_DATE:
            if ((ok = parse_date(v, n, &iv))) {
                put32(o, 4);
                put32(o, (uint32_t)(int32_t)iv);
            }
            break;
        case CSV_T_TIMESTAMP:
            if ((ok = parse_timestamp(v, n, &iv))) {
                put32(o, 8);
                put64(o, (uint64_t)iv);
            }
            break;
        case CSV_T_NUMERIC:
            ok = put_numeric(o, v, n);
            break;
        default:
            ok = false;
        }
    }
    /* every file column must be there, and no more (the scan counted them) */
    if (ok && !last) {
        while (!last && fi < im->spec.ncols) {
            reserve(o, len - pos);
            (void)split_field(d, body, len, &pos, o->data + o->len, &quoted, &last);
            fi++;
        }
        ok = last && fi == im->spec.ncols;
    } else if (ok) {
        ok = fi == im->spec.ncols;
    }
    if (!ok)
        o->len = start;
    return ok;
}

/* An existing table's column: its type when it is one of the converter's by
 * OID (a domain, an array or any other type has its own OID: text COPY).
 * A typmod (numeric(p,s), timestamp(p)) is applied by the receive function
 * exactly as by the input function. */
static bool existing_type(importer *im, job *c, const char *column, csv_type *out)
{
    static const struct {
        const char *oid;
        csv_type t;
    } known[] = {{"16", CSV_T_BOOL},      {"23", CSV_T_INT4},   {"20", CSV_T_INT8},
                 {"1700", CSV_T_NUMERIC}, {"1082", CSV_T_DATE}, {"1114", CSV_T_TIMESTAMP},
                 {"25", CSV_T_TEXT}};
    char *q = import_qualified_name(im->spec.schema, im->spec.table);
    if (!q)
        return false;
    const char *params[] = {q, column};
    bool ok = job_exec(c,
                       "SELECT atttypid::int FROM pg_attribute WHERE attrelid = $1::regclass "
                       "AND attname = $2 AND attnum > 0 AND NOT attisdropped",
                       2, params);
    free(q);
    if (!ok || c->nvalues != 1 || !c->values[0])
        return false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(c->values[0], known[i].oid) == 0)
            return *out = known[i].t, true;
    return false;
}

bool binary_choose(importer *im, job *c)
{
    const import_spec *s = &im->spec;
    im->binary = false;
    /* --max-errors isolates rejects by the server's stream lines, which only
     * text has; another encoding, NULL string or NULL mode is text COPY's
     * to apply */
    if (s->copy_format == IMPORT_COPY_TEXT || s->max_errors > 0 || s->max_errors_pct > 0 ||
        s->d.encoding != CSV_ENC_UTF8 || s->null_str || s->null_mode != IMPORT_NULL_CSV ||
        im->ntargets == 0 || (s->create && !s->cols))
        return true;
    csv_type *types = xcalloc((size_t)im->ntargets, sizeof *types);
    for (int k = 0; k < im->ntargets; k++) {
        int col = im->keep ? im->keep[k] : k;
        bool known;
        if (s->create) /* a table of our own making: the types we give it */
            known =
                col < s->ncols && s->cols[col].type && csv_type_parse(s->cols[col].type, &types[k]);
        else if (!(known = existing_type(im, c, im->targets[k], &types[k])) &&
                 c->status != IMPORT_RUNNING)
            return free(types), false; /* the catalog query failed */
        if (!known || !binary_type_ok(types[k])) {
            free(types);
            return true;
        }
    }
    char *sql = import_copy_sql_binary(s, (const char *const *)im->targets, im->ntargets);
    if (!sql) {
        free(types);
        return true;
    }
    im->bin_types = types;
    im->copy_sql_bin = sql;
    im->binary = true;
    return true;
}

void job_text_again(job *j)
{
    j->binary = false;
    j->binary_refused = false;
    atomic_fetch_sub(&j->im->records, atomic_load(&j->rows_sent));
    atomic_store(&j->rows_sent, 0);
    atomic_store(&j->bytes_done, 0);
    j->rows = 0;
    j->nmap = 0;
}
