/* csv.c — CSV as COPY (FORMAT csv) reads it. See csv.h for the rules. */
#include "import/csv.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void csv_dialect_default(csv_dialect *d)
{
    memset(d, 0, sizeof *d);
    d->delim = ',';
    d->quote = '"';
    d->header = true;
    d->encoding = CSV_ENC_UTF8;
}

const char *csv_encoding_name(csv_encoding enc)
{
    switch (enc) {
    case CSV_ENC_LATIN1:
        return "LATIN1";
    case CSV_ENC_WIN1252:
        return "WIN1252";
    default:
        return "UTF8";
    }
}

bool csv_encoding_parse(const char *name, csv_encoding *out)
{
    static const struct {
        const char *name;
        csv_encoding enc;
    } names[] = {{"utf8", CSV_ENC_UTF8},           {"utf-8", CSV_ENC_UTF8},
                 {"unicode", CSV_ENC_UTF8},        {"latin1", CSV_ENC_LATIN1},
                 {"latin-1", CSV_ENC_LATIN1},      {"iso-8859-1", CSV_ENC_LATIN1},
                 {"iso8859-1", CSV_ENC_LATIN1},    {"iso88591", CSV_ENC_LATIN1},
                 {"win1252", CSV_ENC_WIN1252},     {"windows-1252", CSV_ENC_WIN1252},
                 {"windows1252", CSV_ENC_WIN1252}, {"cp1252", CSV_ENC_WIN1252}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].enc;
            return true;
        }
    return false;
}

const char *csv_eol_name(csv_eol eol)
{
    static const char *const n[] = {"none", "LF", "CRLF", "CR", "mixed"};
    return n[eol];
}

const char *csv_delim_name(char delim)
{
    switch (delim) {
    case ',':
        return "comma";
    case ';':
        return "semicolon";
    case '\t':
        return "tab";
    case '|':
        return "pipe";
    default:
        return "other";
    }
}

/* ---- the scanner ------------------------------------------------------- */

/* WIN1252 bytes PostgreSQL cannot convert. */
static bool win1252_undefined(unsigned char c)
{
    return c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D;
}

void csv_scanner_init(csv_scanner *s, const csv_dialect *d, uint64_t start_offset,
                      uint64_t start_line)
{
    memset(s, 0, sizeof *s);
    s->d = *d;
    s->offset = start_offset;
    s->line = start_line;
    s->cur_line = start_line;
    s->nfields = 1;
    /* Bytes the fast loop must stop at; everything else is plain data. */
    s->cls[(unsigned char)d->delim] = 1;
    s->cls[(unsigned char)d->quote] = 1;
    s->cls['\n'] = 1;
    s->cls['\r'] = 1;
    s->cls[0] = 1;
    for (int c = 0x80; c < 0x100; c++)
        if (d->encoding == CSV_ENC_UTF8 ||
            (d->encoding == CSV_ENC_WIN1252 && win1252_undefined((unsigned char)c)))
            s->cls[c] = 1;
}

static void mark_bad(csv_scanner *s, size_t i)
{
    if (!s->bad) {
        s->bad = true;
        s->bad_line = s->cur_line;
        s->bad_off = i;
    }
}

static csv_status finish(csv_scanner *s, csv_rec *rec, size_t body, size_t term, csv_eol eol,
                         bool marker)
{
    if (s->u8_need) /* a sequence cut short by the end of the record */
        mark_bad(s, body);
    memset(rec, 0, sizeof *rec);
    rec->len = body + term;
    rec->body_len = body;
    rec->nfields = marker ? 1 : s->nfields;
    rec->line = s->line;
    rec->end_line = s->cur_line;
    rec->offset = s->offset;
    rec->quoted_lf = s->quoted_lf;
    rec->quoted_cr = s->quoted_cr;
    rec->eol = eol;
    rec->end_marker = marker;
    rec->bad_encoding = s->bad;
    rec->bad_line = s->bad_line;
    rec->bad_off = s->bad_off;
    s->offset += rec->len;
    s->line = s->cur_line + (term ? 1 : 0);
    s->cur_line = s->line;
    s->pos = 0;
    s->in_quote = false;
    s->nfields = 1;
    s->quoted_lf = 0;
    s->quoted_cr = 0;
    s->u8_need = 0;
    s->bad = false;
    return CSV_RECORD;
}

/* The first byte at or after i the state machine must look at (cls[] set).
 * With SSE2, 16 bytes per step: records are mostly plain text between a few
 * delimiters and quotes. WIN1252 (only some high bytes matter) stays scalar. */
static size_t next_special(const csv_scanner *s, const unsigned char *b, size_t i, size_t len)
{
#ifdef __SSE2__
    if (s->d.encoding != CSV_ENC_WIN1252) {
        const __m128i delim = _mm_set1_epi8(s->d.delim), quote = _mm_set1_epi8(s->d.quote);
        const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
        const __m128i zero = _mm_setzero_si128();
        const bool high = s->d.encoding == CSV_ENC_UTF8;
        while (i + 16 <= len) {
            __m128i v;
            memcpy(&v, b + i, sizeof v);
            __m128i m =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, delim), _mm_cmpeq_epi8(v, quote)),
                             _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
            m = _mm_or_si128(m, _mm_cmpeq_epi8(v, zero));
            unsigned mask = (unsigned)_mm_movemask_epi8(m);
            if (high)
                mask |= (unsigned)_mm_movemask_epi8(v); /* bytes >= 0x80 */
            if (mask)
                return i + (size_t)__builtin_ctz(mask);
            i += 16;
        }
    }
#endif
    while (i < len && !s->cls[b[i]])
        i++;
    return i;
}

csv_status csv_scan(csv_scanner *s, const char *buf, size_t len, bool eof, csv_rec *rec)
{
    const unsigned char *b = (const unsigned char *)buf;
    const unsigned char q = (unsigned char)s->d.quote, dl = (unsigned char)s->d.delim;
    size_t i = s->pos;

    if (i == 0) {
        if (len == 0)
            return eof ? CSV_END : CSV_MORE;
        /* COPY's end-of-data marker: `\.` first on a record, then the line end. */
        if (b[0] == '\\' && (len < 2 || b[1] == '.')) {
            if (len < 3 || (len == 3 && b[2] == '\r')) {
                if (!eof)
                    return CSV_MORE; /* too few bytes to tell */
                if (len == 2)
                    return finish(s, rec, 2, 0, CSV_EOL_NONE, true);
            }
            if (len >= 3 && b[2] == '\n')
                return finish(s, rec, 2, 1, CSV_EOL_LF, true);
            if (len >= 3 && b[2] == '\r') {
                bool crlf = len > 3 && b[3] == '\n';
                return finish(s, rec, 2, crlf ? 2 : 1, crlf ? CSV_EOL_CRLF : CSV_EOL_CR, true);
            }
        }
    }

    for (;;) {
        if (s->u8_need) {
            if (i >= len)
                break;
            if (b[i] < s->u8_lo || b[i] > s->u8_hi) {
                mark_bad(s, i);
                s->u8_need = 0;
                continue; /* the byte is examined again as itself */
            }
            s->u8_lo = 0x80;
            s->u8_hi = 0xBF;
            s->u8_need--;
            i++;
            continue;
        }
        i = next_special(s, b, i, len);
        if (i >= len)
            break;
        unsigned char c = b[i];
        if (c == q) {
            s->in_quote = !s->in_quote;
            i++;
        } else if (c == dl) {
            if (!s->in_quote)
                s->nfields++;
            i++;
        } else if (c == '\n') {
            if (!s->in_quote)
                return finish(s, rec, i, 1, CSV_EOL_LF, false);
            s->quoted_lf++;
            s->cur_line++;
            i++;
        } else if (c == '\r') {
            if (i + 1 >= len && !eof)
                break; /* CR or CRLF? decided when the next byte comes */
            bool crlf = i + 1 < len && b[i + 1] == '\n';
            if (!s->in_quote)
                return finish(s, rec, i, crlf ? 2 : 1, crlf ? CSV_EOL_CRLF : CSV_EOL_CR, false);
            s->quoted_cr++;
            if (!crlf)
                s->cur_line++; /* a lone CR ends a line; in CRLF the LF counts */
            i++;
        } else if (c == 0) {
            mark_bad(s, i);
            i++;
        } else if (s->d.encoding != CSV_ENC_UTF8) {
            mark_bad(s, i); /* an undefined WIN1252 byte */
            i++;
        } else {
            if (c >= 0xC2 && c <= 0xDF) {
                s->u8_need = 1, s->u8_lo = 0x80, s->u8_hi = 0xBF;
            } else if (c == 0xE0) {
                s->u8_need = 2, s->u8_lo = 0xA0, s->u8_hi = 0xBF;
            } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
                s->u8_need = 2, s->u8_lo = 0x80, s->u8_hi = 0xBF;
            } else if (c == 0xED) {
                s->u8_need = 2, s->u8_lo = 0x80, s->u8_hi = 0x9F;
            } else if (c == 0xF0) {
                s->u8_need = 3, s->u8_lo = 0x90, s->u8_hi = 0xBF;
            } else if (c >= 0xF1 && c <= 0xF3) {
                s->u8_need = 3, s->u8_lo = 0x80, s->u8_hi = 0xBF;
            } else if (c == 0xF4) {
                s->u8_need = 3, s->u8_lo = 0x80, s->u8_hi = 0x8F;
            } else {
                mark_bad(s, i);
            }
            i++;
        }
    }

    if (!eof) {
        s->pos = i;
        return CSV_MORE;
    }
    if (s->in_quote) {
        memset(rec, 0, sizeof *rec);
        rec->line = s->line;
        rec->end_line = s->cur_line;
        rec->offset = s->offset;
        rec->len = rec->body_len = len;
        s->pos = i;
        return CSV_UNTERMINATED;
    }
    return finish(s, rec, len, 0, CSV_EOL_NONE, false);
}

/* ---- fields ------------------------------------------------------------ */

void csv_split(const csv_dialect *d, const char *rec, size_t len, const char *null_str,
               csv_row *out)
{
    size_t cap = 0, i = 0;
    size_t nlen = null_str ? strlen(null_str) : 0;
    strbuf v;
    out->n = 0;
    out->f = NULL;
    sb_init(&v);
    for (;;) {
        size_t start = i;
        bool quoted = false, inq = false;
        sb_reset(&v);
        while (i < len) {
            char c = rec[i];
            if (inq) {
                if (c == d->quote) {
                    if (i + 1 < len && rec[i + 1] == d->quote) {
                        sb_append_c(&v, c);
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
                inq = quoted = true;
                i++;
                continue;
            }
            sb_append_n(&v, &rec[i], 1);
            i++;
        }
        out->f = xgrow(out->f, &cap, (size_t)out->n + 1, sizeof *out->f);
        csv_field *f = &out->f[out->n++];
        f->len = v.len;
        f->quoted = quoted;
        f->is_null = !quoted && v.len == nlen && (nlen == 0 || memcmp(v.data, null_str, nlen) == 0);
        f->raw_start = start;
        f->raw_end = i;
        f->value = xmalloc(v.len + 1);
        memcpy(f->value, v.data, v.len + 1);
        if (i < len && rec[i] == d->delim) {
            i++;
            continue;
        }
        break;
    }
    sb_free(&v);
}

void csv_row_free(csv_row *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->f[i].value);
    free(r->f);
    r->f = NULL;
    r->n = 0;
}

/* ---- encodings --------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1-4), 0 when invalid or cut short. */
static int utf8_seq(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    int need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c == 0xE0)
        need = 2, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        need = 2;
    else if (c == 0xED)
        need = 2, hi = 0x9F;
    else if (c == 0xF0)
        need = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3)
        need = 3;
    else if (c == 0xF4)
        need = 3, hi = 0x8F;
    else
        return 0;
    if ((size_t)need >= len)
        return 0;
    for (int k = 1; k <= need; k++) {
        if (s[k] < lo || s[k] > hi)
            return 0;
        lo = 0x80, hi = 0xBF;
    }
    return need + 1;
}

size_t csv_utf8_check(const char *s, size_t len)
{
    const unsigned char *b = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (b[i] && b[i] < 0x80) {
            i++;
            continue;
        }
        int n = utf8_seq(b + i, len - i);
        if (!n)
            return i;
        i += (size_t)n;
    }
    return (size_t)-1;
}

static const unsigned short win1252_hi[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static void put_utf8(strbuf *sb, unsigned cp)
{
    char o[4];
    if (cp < 0x80) {
        o[0] = (char)cp;
        sb_append_n(sb, o, 1);
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        sb_append_n(sb, o, 2);
    } else {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        sb_append_n(sb, o, 3);
    }
}

char *csv_to_utf8(csv_encoding enc, const char *s, size_t len)
{
    const unsigned char *b = (const unsigned char *)s;
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < len;) {
        if (enc == CSV_ENC_UTF8) {
            int n = utf8_seq(b + i, len - i);
            if (n) {
                sb_append_n(&sb, s + i, (size_t)n);
                i += (size_t)n;
            } else {
                put_utf8(&sb, 0xFFFD);
                i++;
            }
            continue;
        }
        unsigned cp = b[i];
        if (cp == 0)
            cp = 0xFFFD;
        else if (enc == CSV_ENC_WIN1252 && cp >= 0x80 && cp < 0xA0)
            cp = win1252_hi[cp - 0x80];
        put_utf8(&sb, cp);
        i++;
    }
    return sb_steal(&sb);
}

csv_encoding csv_guess_8bit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 && c < 0xA0 && !win1252_undefined(c))
            return CSV_ENC_WIN1252;
    }
    return CSV_ENC_LATIN1;
}

/* ---- type inference ---------------------------------------------------- */

static const char *const type_names[] = {
#define CSV_TYPE_NAME(id, name) name,
    CSV_TYPES(CSV_TYPE_NAME)
#undef CSV_TYPE_NAME
};

const char *csv_type_name(csv_type t)
{
    return t < CSV_T_COUNT ? type_names[t] : "text";
}

bool csv_type_parse(const char *name, csv_type *out)
{
    static const struct {
        const char *n;
        csv_type t;
    } alias[] = {{"boolean", CSV_T_BOOL},
                 {"int", CSV_T_INT4},
                 {"integer", CSV_T_INT4},
                 {"bigint", CSV_T_INT8},
                 {"decimal", CSV_T_NUMERIC},
                 {"double precision", CSV_T_FLOAT8},
                 {"double", CSV_T_FLOAT8},
                 {"float", CSV_T_FLOAT8},
                 {"timestamp without time zone", CSV_T_TIMESTAMP},
                 {"timestamp with time zone", CSV_T_TIMESTAMPTZ},
                 {"json", CSV_T_JSONB},
                 {"varchar", CSV_T_TEXT},
                 {"string", CSV_T_TEXT}};
    for (int t = 0; t < CSV_T_COUNT; t++)
        if (strcasecmp(name, type_names[t]) == 0) {
            *out = (csv_type)t;
            return true;
        }
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (strcasecmp(name, alias[i].n) == 0) {
            *out = alias[i].t;
            return true;
        }
    return false;
}

#define T(x) (1u << (x))

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYYY-MM-DD with a real calendar day; returns 10 or 0. */
static size_t parse_date(const char *s, size_t n)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n < 10 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' ||
        !all_digits(s + 8, 2))
        return 0;
    int y = atoi(s), m = num2(s + 5), d = num2(s + 8);
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 10;
}

/* HH:MM[:SS[.f...]] */
static size_t parse_time(const char *s, size_t n)
{
    if (n < 5 || !all_digits(s, 2) || s[2] != ':' || !all_digits(s + 3, 2))
        return 0;
    if (num2(s) > 23 || num2(s + 3) > 59)
        return 0;
    size_t i = 5;
    if (i + 3 <= n && s[i] == ':' && all_digits(s + i + 1, 2)) {
        if (num2(s + i + 1) > 60)
            return 0;
        i += 3;
        if (i < n && s[i] == '.') {
            size_t j = i + 1;
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
            if (j == i + 1)
                return 0;
            i = j;
        }
    }
    return i;
}

/* Z, +HH, +HHMM, +HH:MM (and -) */
static bool is_tz(const char *s, size_t n)
{
    if (n == 1 && (s[0] == 'Z' || s[0] == 'z'))
        return true;
    if (n < 3 || (s[0] != '+' && s[0] != '-') || !all_digits(s + 1, 2) || num2(s + 1) > 15)
        return false;
    if (n == 3)
        return true;
    if (n == 5 && all_digits(s + 3, 2))
        return num2(s + 3) < 60;
    if (n == 6 && s[3] == ':' && all_digits(s + 4, 2))
        return num2(s + 4) < 60;
    return false;
}

static bool is_uuid(const char *s, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static unsigned number_types(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t int_start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int_digits = i - int_start;
    if (i == n) {
        if (int_digits == 0)
            return 0;
        if (int_digits > 1 && s[int_start] == '0')
            return 0; /* leading zeros: an identifier, keep it as text */
        if (int_digits > 19)
            return T(CSV_T_NUMERIC) | T(CSV_T_FLOAT8);
        unsigned long long v = 0;
        for (size_t k = int_start; k < n; k++)
            v = v * 10 + (unsigned long long)(s[k] - '0');
        bool neg = s[0] == '-';
        unsigned m = T(CSV_T_NUMERIC) | T(CSV_T_FLOAT8);
        if (int_digits == 19 && v > (neg ? 9223372036854775808ull : 9223372036854775807ull))
            return m;
        if (v <= (neg ? 2147483648ull : 2147483647ull))
            m |= T(CSV_T_INT4);
        return m | T(CSV_T_INT8);
    }
    size_t frac = 0;
    if (s[i] == '.') {
        i++;
        size_t fs = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        frac = i - fs;
    }
    if (int_digits + frac == 0)
        return 0;
    if (i == n)
        return T(CSV_T_NUMERIC) | T(CSV_T_FLOAT8);
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i < n && all_digits(s + i, n - i))
            return T(CSV_T_FLOAT8);
    }
    return 0;
}

unsigned csv_value_types(const char *v, size_t n)
{
    unsigned m = T(CSV_T_TEXT);
    if (n == 0)
        return m;
    static const char *const bools[] = {"true", "false", "t", "f", "yes", "no", "on", "off"};
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
        if (strlen(bools[i]) == n && strncasecmp(v, bools[i], n) == 0)
            return m | T(CSV_T_BOOL);
    m |= number_types(v, n);
    size_t d = parse_date(v, n);
    if (d) {
        if (d == n)
            return m | T(CSV_T_DATE) | T(CSV_T_TIMESTAMP) | T(CSV_T_TIMESTAMPTZ);
        if (v[d] == ' ' || v[d] == 'T') {
            size_t t = parse_time(v + d + 1, n - d - 1);
            if (t) {
                size_t end = d + 1 + t;
                if (end == n)
                    return m | T(CSV_T_TIMESTAMP) | T(CSV_T_TIMESTAMPTZ);
                if (is_tz(v + end, n - end))
                    return m | T(CSV_T_TIMESTAMPTZ);
            }
        }
    }
    if (is_uuid(v, n))
        return m | T(CSV_T_UUID);
    if ((v[0] == '{' || v[0] == '[') && csv_json_valid(v, n))
        return m | T(CSV_T_JSONB);
    return m;
}

void csv_infer_init(csv_infer *ci)
{
    ci->mask = ~0u;
    ci->values = 0;
}

void csv_infer_add(csv_infer *ci, const csv_field *f)
{
    if (f->is_null)
        return;
    ci->mask &= csv_value_types(f->value, f->len);
    ci->values++;
}

csv_type csv_infer_result(const csv_infer *ci)
{
    if (ci->values == 0)
        return CSV_T_TEXT;
    for (int t = 0; t < CSV_T_COUNT; t++)
        if (ci->mask & T(t))
            return (csv_type)t;
    return CSV_T_TEXT;
}

/* JSON: a small recursive-descent validator; depth-limited for hostile input. */
typedef struct json_p {
    const char *s;
    size_t n, i;
    int depth;
} json_p;

static void json_ws(json_p *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static bool json_value(json_p *p);

static bool json_string(json_p *p)
{
    p->i++; /* opening quote */
    while (p->i < p->n) {
        unsigned char c = (unsigned char)p->s[p->i++];
        if (c == '"')
            return true;
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (p->i >= p->n)
                return false;
            c = (unsigned char)p->s[p->i++];
            if (c == 'u') {
                for (int k = 0; k < 4; k++)
                    if (p->i >= p->n || !isxdigit((unsigned char)p->s[p->i++]))
                        return false;
            } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
                return false;
            }
        }
    }
    return false;
}

static bool json_number(json_p *p)
{
    size_t i = p->i;
    if (i < p->n && p->s[i] == '-')
        i++;
    if (i >= p->n)
        return false;
    if (p->s[i] == '0')
        i++;
    else if (p->s[i] >= '1' && p->s[i] <= '9')
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
            i++;
    else
        return false;
    if (i < p->n && p->s[i] == '.') {
        i++;
        size_t s = i;
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
            i++;
        if (i == s)
            return false;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-'))
            i++;
        size_t s = i;
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
            i++;
        if (i == s)
            return false;
    }
    p->i = i;
    return true;
}

static bool json_word(json_p *p, const char *w)
{
    size_t l = strlen(w);
    if (p->n - p->i < l || memcmp(p->s + p->i, w, l) != 0)
        return false;
    p->i += l;
    return true;
}

static bool json_container(json_p *p, char close)
{
    if (++p->depth > 64)
        return false;
    p->i++;
    json_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        p->depth--;
        return true;
    }
    for (;;) {
        json_ws(p);
        if (close == '}') {
            if (p->i >= p->n || p->s[p->i] != '"' || !json_string(p))
                return false;
            json_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':')
                return false;
            p->i++;
        }
        if (!json_value(p))
            return false;
        json_ws(p);
        if (p->i >= p->n)
            return false;
        if (p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->s[p->i] != close)
            return false;
        p->i++;
        p->depth--;
        return true;
    }
}

static bool json_value(json_p *p)
{
    json_ws(p);
    if (p->i >= p->n)
        return false;
    switch (p->s[p->i]) {
    case '{':
        return json_container(p, '}');
    case '[':
        return json_container(p, ']');
    case '"':
        return json_string(p);
    case 't':
        return json_word(p, "true");
    case 'f':
        return json_word(p, "false");
    case 'n':
        return json_word(p, "null");
    default:
        return json_number(p);
    }
}

bool csv_json_valid(const char *s, size_t len)
{
    json_p p = {s, len, 0, 0};
    if (csv_utf8_check(s, len) != (size_t)-1)
        return false;
    if (!json_value(&p))
        return false;
    json_ws(&p);
    return p.i == p.n;
}

/* ---- sniffing ---------------------------------------------------------- */

#define SNIFF_RECORDS 200

typedef struct sniff_scan {
    int nrec;
    int counts[SNIFF_RECORDS];
    unsigned eols; /* bit per csv_eol seen */
} sniff_scan;

static void scan_sample(const char *buf, size_t len, bool whole, const csv_dialect *d,
                        sniff_scan *out)
{
    csv_scanner s;
    csv_rec r;
    size_t off = 0;
    memset(out, 0, sizeof *out);
    csv_scanner_init(&s, d, 0, 1);
    while (out->nrec < SNIFF_RECORDS) {
        csv_status st = csv_scan(&s, buf + off, len - off, whole, &r);
        if (st != CSV_RECORD)
            break;
        out->counts[out->nrec++] = r.nfields;
        if (r.eol != CSV_EOL_NONE)
            out->eols |= 1u << r.eol;
        off += r.len;
    }
}

/* How well a delimiter explains the sample: records agreeing with the first
 * record's field count, scaled, when that count is above one. */
static double delim_score(const sniff_scan *sc)
{
    if (sc->nrec == 0 || sc->counts[0] < 2)
        return 0;
    int agree = 0;
    for (int i = 0; i < sc->nrec; i++)
        agree += sc->counts[i] == sc->counts[0];
    return (double)agree / sc->nrec * 1000.0 + sc->counts[0];
}

static bool ident_like(const csv_field *f)
{
    if (f->is_null || f->len == 0)
        return false;
    unsigned char c0 = (unsigned char)f->value[0];
    return isalpha(c0) || c0 == '_' || c0 >= 0x80;
}

/* The first record is a header? Each typed column votes: its first value
 * does not fit the column's type (a name above numbers: for), or fits it
 * (against). *unsure: the votes conflict, or no column voted and the first
 * record does not look like names either. */
static bool guess_header(const char *buf, size_t len, bool whole, const csv_dialect *d,
                         bool *unsure)
{
    csv_scanner s;
    csv_rec r;
    csv_row head = {0}, row;
    size_t off = 0;
    int nrows = 0;
    csv_infer *inf = NULL;
    bool result;

    *unsure = false;
    csv_scanner_init(&s, d, 0, 1);
    if (csv_scan(&s, buf, len, whole, &r) != CSV_RECORD || r.end_marker)
        return true;
    csv_split(d, buf, r.body_len, NULL, &head);
    off = r.len;
    inf = xcalloc((size_t)head.n, sizeof *inf);
    for (int c = 0; c < head.n; c++)
        csv_infer_init(&inf[c]);
    while (nrows < 100 && csv_scan(&s, buf + off, len - off, whole, &r) == CSV_RECORD) {
        if (!r.end_marker) {
            csv_split(d, buf + off, r.body_len, NULL, &row);
            for (int c = 0; c < row.n && c < head.n; c++)
                csv_infer_add(&inf[c], &row.f[c]);
            csv_row_free(&row);
            nrows++;
        }
        off += r.len;
    }
    int votes_for = 0, votes_against = 0;
    bool all_names = true;
    for (int c = 0; c < head.n; c++) {
        csv_type t = csv_infer_result(&inf[c]);
        unsigned hm = head.f[c].is_null ? ~0u : csv_value_types(head.f[c].value, head.f[c].len);
        if (t != CSV_T_TEXT) {
            if (hm & T(t))
                votes_against++;
            else
                votes_for++;
        }
        if (!ident_like(&head.f[c]) || (hm & ~T(CSV_T_TEXT)))
            all_names = false;
        for (int k = 0; k < c; k++)
            if (head.f[k].len == head.f[c].len &&
                memcmp(head.f[k].value, head.f[c].value, head.f[c].len) == 0)
                all_names = false;
    }
    /* a text column whose first value looks like a name: a header above
     * data (region above north) and data (Alice above Bob) look the same */
    bool name_over_text = false;
    for (int c = 0; c < head.n; c++)
        if (csv_infer_result(&inf[c]) == CSV_T_TEXT && inf[c].values > 0 && ident_like(&head.f[c]))
            name_over_text = true;
    int score = votes_for - votes_against;
    result = score > 0 || (score == 0 && all_names);
    *unsure = nrows > 0 &&
              ((votes_for && votes_against) || (!votes_for && !votes_against && !all_names) ||
               (votes_against && !votes_for && name_over_text));
    free(inf);
    csv_row_free(&head);
    return result;
}

void csv_given_init(csv_given *g)
{
    memset(g, 0, sizeof *g);
    g->header = -1;
    g->encoding = -1;
}

char csv_delim_for_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return 0;
    if (strcasecmp(dot, ".tsv") == 0 || strcasecmp(dot, ".tab") == 0)
        return '\t';
    if (strcasecmp(dot, ".csv") == 0)
        return ',';
    if (strcasecmp(dot, ".psv") == 0)
        return '|';
    return 0;
}

/* Strong evidence for quote q: no field holds q except as balanced quotes
 * wrapping the whole field, and such wrapped fields appear on many records
 * (at least two, and at least half of them). An apostrophe inside or at the
 * start of a word ('tis, rock 'n' roll, Excel's '0123) is data. */
static bool quote_evident(const char *buf, size_t len, bool whole, const csv_dialect *d)
{
    csv_scanner s;
    csv_rec r;
    size_t off = 0;
    int nrec = 0, wrapped = 0;
    csv_scanner_init(&s, d, 0, 1);
    while (nrec < SNIFF_RECORDS) {
        csv_status st = csv_scan(&s, buf + off, len - off, whole, &r);
        if (st == CSV_UNTERMINATED)
            return false;
        if (st != CSV_RECORD)
            break;
        csv_row row;
        const char *rec = buf + off;
        bool has = false, bad = false;
        csv_split(d, rec, r.body_len, NULL, &row);
        for (int i = 0; i < row.n && !bad; i++) {
            size_t a = row.f[i].raw_start, z = row.f[i].raw_end;
            if (!memchr(rec + a, d->quote, z - a))
                continue;
            if (z - a < 2 || rec[a] != d->quote || rec[z - 1] != d->quote)
                bad = true;
            /* inside: only doubled quotes */
            for (size_t k = a + 1; !bad && k + 1 < z; k++) {
                if (rec[k] != d->quote)
                    continue;
                if (k + 2 < z && rec[k + 1] == d->quote)
                    k++;
                else
                    bad = true;
            }
            has = true;
        }
        csv_row_free(&row);
        if (bad)
            return false;
        wrapped += has;
        nrec++;
        off += r.len;
    }
    return wrapped >= 2 && wrapped * 2 >= nrec;
}

void csv_sniff_given(const char *buf, size_t len, bool whole_file, const csv_given *g,
                     csv_sniff *out)
{
    static const char delims[] = {',', ';', '\t', '|'};
    csv_given none;
    if (!g) {
        csv_given_init(&none);
        g = &none;
    }
    memset(out, 0, sizeof *out);
    csv_dialect_default(&out->d);
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        out->d.bom = true;
        buf += 3;
        len -= 3;
    }
    if (g->delim)
        out->d.delim = g->delim;
    if (g->quote)
        out->d.quote = g->quote;
    if (len == 0) {
        out->empty = true;
        out->utf8_ok = true;
        out->d.header = g->header > 0;
        return;
    }
    /* A NUL byte is no sign of another encoding: PostgreSQL text holds it in
     * none. It is reported by line; the encoding is judged around it. */
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        out->nul_line = 1;
        for (const char *c = buf; c < nul; c++)
            out->nul_line += *c == '\n' || (*c == '\r' && !(c + 1 < nul && c[1] == '\n'));
    }
    size_t bad = csv_utf8_check(buf, len);
    while (bad != (size_t)-1 && buf[bad] == '\0') {
        size_t next = csv_utf8_check(buf + bad + 1, len - bad - 1);
        bad = next == (size_t)-1 ? next : bad + 1 + next;
    }
    /* A sample may end inside a character: judge only complete sequences. */
    if (bad != (size_t)-1 && !whole_file && len - bad < 4 && (unsigned char)buf[bad] >= 0xC2 &&
        csv_utf8_check(buf, bad) == (size_t)-1) {
        const unsigned char *b = (const unsigned char *)buf;
        size_t i = bad + 1;
        while (i < len && b[i] >= 0x80 && b[i] < 0xC0)
            i++;
        if (i == len)
            bad = (size_t)-1;
    }
    out->utf8_ok = bad == (size_t)-1;
    if (g->encoding >= 0)
        out->d.encoding = (csv_encoding)g->encoding;
    else if (!out->utf8_ok)
        out->d.encoding = csv_guess_8bit(buf, len);

    csv_dialect probe = out->d;
    probe.encoding = CSV_ENC_LATIN1; /* byte-transparent for structure */
    sniff_scan sc;
    if (!g->delim) {
        /* The delimiter that splits the sample most consistently; a second
         * one almost as consistent makes it a question, unless the file's
         * extension names one of the two. */
        double score[sizeof delims];
        size_t best = 0;
        for (size_t k = 0; k < sizeof delims; k++) {
            if (delims[k] == out->d.quote) {
                score[k] = 0;
                continue;
            }
            probe.delim = delims[k];
            scan_sample(buf, len, whole_file, &probe, &sc);
            score[k] = delim_score(&sc);
            if (score[k] > score[best])
                best = k;
        }
        if (score[best] > 0) {
            out->d.delim = delims[best];
            char alt = 0;
            bool ext_tied = delims[best] == g->ext_delim;
            for (size_t k = 0; k < sizeof delims; k++) {
                if (k == best || score[k] <= 0 || score[best] - score[k] >= 50)
                    continue; /* 50: 5 % of the records disagree */
                if (delims[k] == g->ext_delim) {
                    ext_tied = true;
                    out->d.delim = delims[k];
                } else if (!alt) {
                    alt = delims[k];
                }
            }
            if (!ext_tied)
                out->delim_alt = alt;
        }
    }
    /* The quote: '"' (COPY's and --quote's default) unless the sample holds
     * none and apostrophes wrap whole fields on many records. */
    if (!g->quote && !memchr(buf, '"', len) && out->d.delim != '\'') {
        probe = out->d;
        probe.encoding = CSV_ENC_LATIN1;
        probe.quote = '\'';
        if (quote_evident(buf, len, whole_file, &probe))
            out->d.quote = '\'';
    }
    probe = out->d;
    probe.encoding = CSV_ENC_LATIN1;
    scan_sample(buf, len, whole_file, &probe, &sc);
    out->nfields = sc.nrec ? sc.counts[0] : 1;
    unsigned e = sc.eols;
    if (e == 0)
        out->eol = CSV_EOL_NONE;
    else if ((e & (e - 1)) != 0)
        out->eol = CSV_EOL_MIXED;
    else
        out->eol = e & (1u << CSV_EOL_LF)     ? CSV_EOL_LF
                   : e & (1u << CSV_EOL_CRLF) ? CSV_EOL_CRLF
                                              : CSV_EOL_CR;
    if (g->header >= 0) {
        out->d.header = g->header > 0;
    } else {
        out->d.header = guess_header(buf, len, whole_file, &probe, &out->header_unsure);
        if (out->delim_alt)
            out->header_unsure = false; /* asked again once the delimiter is settled */
    }
}

void csv_sniff_sample(const char *buf, size_t len, bool whole_file, csv_sniff *out)
{
    csv_sniff_given(buf, len, whole_file, NULL, out);
}

/* ---- names ------------------------------------------------------------- */

void csv_truncate_utf8(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* s[n] would continue a character: cut before its lead byte */
    s[n] = '\0';
}

static bool name_taken(char **names, int upto, const char *name)
{
    for (int k = 0; k < upto; k++)
        if (strcmp(names[k], name) == 0)
            return true;
    return false;
}

void csv_names_dedupe(char **names, int n)
{
    for (int i = 1; i < n; i++) {
        if (!name_taken(names, i, names[i]))
            continue;
        for (int k = 2;; k++) {
            char suffix[16];
            snprintf(suffix, sizeof suffix, "_%d", k);
            char *base = xstrdup(names[i]);
            csv_truncate_utf8(base, CSV_NAMEDATALEN - strlen(suffix));
            char *cand = xasprintf("%s%s", base, suffix);
            free(base);
            if (!name_taken(names, i, cand) && !name_taken(names + i + 1, n - i - 1, cand)) {
                free(names[i]);
                names[i] = cand;
                break;
            }
            free(cand);
        }
    }
}

char **csv_column_names(const csv_dialect *d, const csv_row *header, int n)
{
    char **names = xcalloc((size_t)(n > 0 ? n : 1), sizeof *names);
    for (int i = 0; i < n; i++) {
        if (header && i < header->n && header->f[i].len > 0) {
            names[i] = csv_to_utf8(d->encoding, header->f[i].value, header->f[i].len);
            csv_truncate_utf8(names[i], CSV_NAMEDATALEN);
        }
        if (!names[i] || !names[i][0]) {
            free(names[i]);
            names[i] = xasprintf("column%d", i + 1);
        }
    }
    csv_names_dedupe(names, n);
    return names;
}

void csv_names_free(char **names, int n)
{
    if (!names)
        return;
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

char *csv_table_name_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        len = (size_t)(dot - base);
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)base[i];
        if (isalnum(c) && c < 0x80)
            sb_append_c(&sb, (char)tolower(c));
        else if (sb.len && sb.data[sb.len - 1] != '_')
            sb_append_c(&sb, '_');
    }
    while (sb.len && sb.data[sb.len - 1] == '_')
        sb.data[--sb.len] = '\0';
    if (sb.len && isdigit((unsigned char)sb.data[0])) {
        char *t = xasprintf("t_%s", sb.data);
        sb_reset(&sb);
        sb_append(&sb, t);
        free(t);
    }
    if (sb.len == 0)
        sb_append(&sb, "import");
    char *r = sb_steal(&sb);
    csv_truncate_utf8(r, CSV_NAMEDATALEN);
    return r;
}
