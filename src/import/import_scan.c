/* import_scan.c — reading the file: a buffered reader over a byte range,
 * the records of a part with their client-side checks, the file's cuts into
 * parts for --jobs, and the file line at an offset. */
#include "import/import_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void reader_init(reader *r, int fd, uint64_t start, uint64_t end)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->off = start;
    r->end = end;
    r->cap = READ_CHUNK;
    r->buf = xmalloc(r->cap);
    r->eof = start >= end;
}

void reader_fill(reader *r)
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
        r->err = errno;
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

void reader_free(reader *r)
{
    free(r->buf);
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
int split_parts(importer *im, uint64_t data_start, int n, uint64_t *starts)
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
uint64_t data_start_offset(importer *im)
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
                     (unsigned long long)job_file_line(j, rec->bad_line), col, field);
        } else if (im->spec.d.encoding == CSV_ENC_UTF8)
            snprintf(why, whylen,
                     "invalid UTF-8 byte sequence (line %llu); if the file is not "
                     "UTF-8, give its encoding (--encoding LATIN1 or WIN1252)",
                     (unsigned long long)job_file_line(j, rec->bad_line));
        else
            snprintf(why, whylen, "a byte that is not %s (or a NUL byte) on line %llu",
                     csv_encoding_name(im->spec.d.encoding),
                     (unsigned long long)job_file_line(j, rec->bad_line));
        return REC_BAD;
    }
    return REC_SEND;
}

void part_scan_init(part_scan *ps, job *j)
{
    importer *im = j->im;
    uint64_t skip0 = j->first && im->spec.d.bom ? 3 : 0;
    memset(ps, 0, sizeof *ps);
    ps->header_pending = j->first && im->spec.d.header;
    reader_init(&ps->rd, im->fd, j->start + skip0, j->end);
    csv_scanner_init(&ps->sc, &im->spec.d, j->start + skip0, 1);
    reader_fill(&ps->rd);
}

/* The next record (ps->rec at part_scan_body) and its verdict; REC_END at
 * the part's end, REC_FAIL when the job failed. */
rec_verdict part_scan_next(job *j, part_scan *ps, char *why, size_t whylen)
{
    reader *rd = &ps->rd;
    csv_rec *rec = &ps->rec;
    csv_status st;
    while ((st = csv_scan(&ps->sc, rd->buf + rd->pos, rd->len - rd->pos, rd->eof, rec)) == CSV_MORE)
        reader_fill(rd);
    if (rd->error) {
        job_fail(j, IMPORT_FILE_ERROR, strerror(rd->err), NULL);
        return REC_FAIL;
    }
    if (st == CSV_END)
        return REC_END;
    if (st == CSV_UNTERMINATED) {
        job_fail_record(j, "a quoted field is not closed before the end of the file",
                        job_file_line(j, rec->line), rd->buf + rd->pos, rec->body_len);
        return REC_FAIL;
    }
    bool part_end = rd->eof && rd->pos + rec->len == rd->len;
    rec_verdict v =
        check_record(j, rec, rd->buf + rd->pos, ps->header_pending, part_end, why, whylen);
    ps->header_pending = false;
    return v;
}

void part_scan_advance(job *j, part_scan *ps)
{
    ps->rd.pos += ps->rec.len;
    atomic_store(&j->bytes_done, ps->rec.offset + ps->rec.len - j->start);
}

void part_scan_free(part_scan *ps)
{
    reader_free(&ps->rd);
}
