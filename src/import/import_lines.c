/* import_lines.c — the file's own line numbers in messages. COPY counts the
 * lines of the stream it got (one part, one batch, re-terminated with LF);
 * users want the line of their file, header and quoted newlines counted. */
#include "import/import_int.h"

#include <stdlib.h>
#include <string.h>

static uint64_t job_line0(job *j)
{
    if (!j->line0)
        j->line0 = j->start == 0 ? 1 : import_line_at(j->im->spec.path, j->start);
    return j->line0 ? j->line0 : 1;
}

uint64_t job_file_line(job *j, uint64_t rel)
{
    return job_line0(j) + rel - 1;
}

char *record_text(const importer *im, const char *s, size_t len)
{
    if (len > RECORD_SHOW)
        len = RECORD_SHOW;
    return csv_to_utf8(im->spec.d.encoding, s, len);
}

void job_fail_record(job *j, const char *msg, uint64_t line, const char *rec, size_t len)
{
    char *m = xasprintf("line %llu: %s", (unsigned long long)line, msg);
    job_fail(j, IMPORT_DATA_ERROR, m, NULL);
    free(m);
    j->err_line = line;
    free(j->err_record);
    j->err_record = record_text(j->im, rec, len);
}

/* "COPY t, line 12, column x: ..." -> 12 */
uint64_t context_line(const eng_error *err)
{
    if (!err || !err->context)
        return 0;
    const char *p = strstr(err->context, ", line ");
    if (!p)
        return 0;
    return strtoull(p + 7, NULL, 10);
}

void map_add(job *j, uint64_t stream_line, uint64_t offset, uint64_t line, bool first)
{
    j->map = xgrow(j->map, &j->mapcap, j->nmap + 1, sizeof *j->map);
    j->map[j->nmap++] = (map_ent){stream_line, offset, line, first};
}

/* The record COPY calls line n of this job's stream: rescans the file from
 * the chunk that holds it. Fills the job's error line and record. */
void locate_stream_line(job *j, uint64_t n)
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
            j->err_line = job_file_line(j, rec.line);
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

/* The server's context ("COPY t, line 12, column x: ...") counts lines of
 * the stream it got (one part, one batch): say the file's own line instead. */
char *context_at_file_line(const char *ctx, uint64_t file_line)
{
    const char *p = strstr(ctx, ", line ");
    if (!p)
        return xstrdup(ctx);
    const char *q = p + 7;
    while (*q >= '0' && *q <= '9')
        q++;
    return xasprintf("%.*s, line %llu%s", (int)(p - ctx), ctx, (unsigned long long)file_line, q);
}
