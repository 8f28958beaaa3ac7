/* csv.c — the CSV reader, as COPY (FORMAT csv) reads a file: dialect and
 * encoding names, the streaming record scanner, field splitting, encodings.
 * See csv.h for the rules; sniffing, type inference and names are in
 * csv_sniff.c, csv_infer.c and csv_names.c. */
#include "import/csv.h"

#include "common/utf8.h"
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

/* Length of the valid UTF-8 sequence at s (1-4), 0 when invalid or cut
 * short; a NUL is invalid here too: PostgreSQL text cannot hold it. */
static int utf8_seq(const unsigned char *s, size_t len)
{
    uint32_t cp;
    return s[0] ? (int)utf8_decode(s, len, &cp) : 0;
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
    sb_append_n(sb, o, utf8_encode(cp, o));
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
