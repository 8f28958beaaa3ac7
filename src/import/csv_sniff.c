/* csv_sniff.c — the dialect of a file from its first bytes: delimiter,
 * quote, header, encoding and line ends, each guess with the doubt the
 * sample leaves (delim_alt, header_unsure). See csv.h ("sniffing"). */
#include "import/csv.h"

#include "common/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define T(x) (1u << (x)) /* a csv_type's bit in csv_value_types' set */

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
