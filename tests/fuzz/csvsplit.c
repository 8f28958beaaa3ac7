/* csvsplit.c — fuzz target for the COPY CSV record scanner and field
 * splitter: any bytes. The first byte picks the delimiter, the encoding and
 * how the rest is fed (all at once vs in small pieces); both feedings must
 * give the same records, the records must tile the input, line numbers must
 * match an independent count, and splitting a record must find as many
 * fields as the scanner counted. */
#include "import/csv.h"
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>
#include <string.h>

#define MAXREC 4096

typedef struct recs {
    size_t n;
    csv_rec r[MAXREC];
    csv_status last;
} recs;

static void scan(const csv_dialect *d, const char *buf, size_t len, size_t step, recs *out)
{
    csv_scanner s;
    size_t start = 0, avail = step && step < len ? step : len;
    out->n = 0;
    csv_scanner_init(&s, d, 0, 1);
    for (;;) {
        csv_rec r;
        csv_status st = csv_scan(&s, buf + start, avail - start, avail == len, &r);
        if (st == CSV_MORE) {
            FUZZ_CHECK(avail < len); /* never MORE at eof */
            avail = avail + step > len ? len : avail + step;
            continue;
        }
        if (st == CSV_RECORD) {
            FUZZ_CHECK(r.len > 0 && r.len <= avail - start);
            FUZZ_CHECK(r.body_len <= r.len && r.len - r.body_len <= 2);
            FUZZ_CHECK(r.offset == start);
            if (out->n < MAXREC)
                out->r[out->n++] = r;
            start += r.len;
            continue;
        }
        out->last = st;
        if (st == CSV_END)
            FUZZ_CHECK(start == len);
        return;
    }
}

/* The file's own line at offset, counted independently: LF, or CR not
 * followed by LF, ends a line. */
static uint64_t line_at(const char *b, size_t len, size_t off)
{
    uint64_t line = 1;
    for (size_t i = 0; i < off; i++)
        if (b[i] == '\n' || (b[i] == '\r' && (i + 1 >= len || b[i + 1] != '\n')))
            line++;
    return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[] = {',', ';', '\t', '|'};
    if (size < 1)
        return 0;
    unsigned cfg = data[0];
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    csv_dialect d;
    csv_dialect_default(&d);
    d.delim = delims[cfg & 3];
    d.quote = cfg & 4 ? '\'' : '"';
    d.encoding = (csv_encoding)((cfg >> 3) % 3);
    size_t step = 1 + ((cfg >> 5) & 7);

    static recs a, b;
    scan(&d, buf, len, 0, &a);
    scan(&d, buf, len, step, &b);
    FUZZ_CHECK(a.n == b.n && a.last == b.last);
    for (size_t i = 0; i < a.n; i++) {
        const csv_rec *x = &a.r[i], *y = &b.r[i];
        FUZZ_CHECK(x->len == y->len && x->body_len == y->body_len && x->nfields == y->nfields);
        FUZZ_CHECK(x->line == y->line && x->end_line == y->end_line);
        FUZZ_CHECK(x->quoted_lf == y->quoted_lf && x->quoted_cr == y->quoted_cr);
        FUZZ_CHECK(x->end_marker == y->end_marker && x->bad_encoding == y->bad_encoding);
        FUZZ_CHECK(!x->bad_encoding || x->bad_line == y->bad_line);
        FUZZ_CHECK(x->line == line_at(buf, len, (size_t)x->offset));
        FUZZ_CHECK(x->end_line >= x->line);
        if (d.encoding == CSV_ENC_UTF8 && !x->end_marker)
            FUZZ_CHECK(x->bad_encoding ==
                       (csv_utf8_check(buf + x->offset, x->body_len) != (size_t)-1));
        if (!x->end_marker) {
            csv_row row;
            csv_split(&d, buf + x->offset, x->body_len, NULL, &row);
            FUZZ_CHECK(row.n == x->nfields);
            size_t prev = 0;
            for (int f = 0; f < row.n; f++) {
                FUZZ_CHECK(row.f[f].raw_start >= prev && row.f[f].raw_end <= x->body_len);
                FUZZ_CHECK(row.f[f].len <= row.f[f].raw_end - row.f[f].raw_start);
                prev = row.f[f].raw_end;
            }
            csv_row_free(&row);
        }
    }
    return 0;
}
