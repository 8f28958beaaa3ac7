/* import_probe.c — the sample of a file the CLI and the wizard decide from:
 * dialect, header, column names, inferred types, a preview parsed as COPY
 * will parse it. Reads at most IMPORT_SAMPLE_BYTES. */
#include "import/import.h"

#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int import_open_file(const char *path, struct stat *st, char **err)
{
    /* O_NONBLOCK: opening a FIFO nobody writes to would wait for ever (and
     * freeze the wizard); it is refused below anyway */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 || fstat(fd, st) != 0) {
        *err = xasprintf("%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (S_ISDIR(st->st_mode) || !S_ISREG(st->st_mode)) {
        *err = S_ISDIR(st->st_mode)
                   ? xasprintf("%s: is a directory", path)
                   : xasprintf("%s is not a regular file (a pipe, device or socket): pgdeck reads "
                               "a file twice, to sniff it and to COPY it; save it to a file first",
                               path);
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

bool import_probe_file(const char *path, const csv_dialect *force, const char *null_str,
                       import_probe *out, char **err)
{
    csv_given g;
    csv_given_init(&g);
    if (force) {
        g.delim = force->delim;
        g.quote = force->quote;
        g.header = force->header;
        g.encoding = (int)force->encoding;
    }
    return import_probe_given(path, &g, null_str, out, err);
}

bool import_probe_given(const char *path, const csv_given *given, const char *null_str,
                        import_probe *out, char **err)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    int fd = import_open_file(path, &st, err);
    if (fd < 0)
        return false;
    out->size = (uint64_t)st.st_size;
    size_t cap = IMPORT_SAMPLE_BYTES, len = 0;
    char *buf = xmalloc(cap);
    while (len < cap) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            *err = xasprintf("%s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return false;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    bool whole = (uint64_t)len >= out->size;

    csv_given g;
    if (given)
        g = *given;
    else
        csv_given_init(&g);
    if (!g.ext_delim)
        g.ext_delim = csv_delim_for_path(path);
    /* what is given is not sniffed, and the rest (the header above all) is
     * judged with it */
    csv_sniff_given(buf, len, whole, &g, &out->sniff);
    out->d = out->sniff.d;
    out->empty = out->sniff.empty;
    size_t off = out->d.bom ? 3 : 0;

    csv_scanner sc;
    csv_rec rec;
    csv_infer *inf = NULL;
    int seen = 0;
    bool first = true;
    csv_scanner_init(&sc, &out->d, off, 1);
    while (off <= len) {
        csv_status stt = csv_scan(&sc, buf + off, len - off, whole, &rec);
        if (stt != CSV_RECORD || rec.end_marker)
            break;
        csv_row row;
        csv_split(&out->d, buf + off, rec.body_len, null_str, &row);
        if (first) {
            out->ncols = rec.nfields;
            inf = xcalloc((size_t)out->ncols + 1, sizeof *inf);
            for (int c = 0; c < out->ncols; c++)
                csv_infer_init(&inf[c]);
        }
        if (first && out->d.header) {
            out->header = row;
        } else {
            if (rec.nfields != out->ncols && !out->nbad++)
                out->first_bad_line = rec.line;
            for (int c = 0; c < row.n && c < out->ncols; c++)
                csv_infer_add(&inf[c], &row.f[c]);
            if (out->nrows < IMPORT_PREVIEW_ROWS) {
                out->rows = xrealloc(out->rows, sizeof *out->rows * (size_t)(out->nrows + 1));
                out->row_lines =
                    xrealloc(out->row_lines, sizeof *out->row_lines * (size_t)(out->nrows + 1));
                out->row_lines[out->nrows] = rec.line;
                out->rows[out->nrows++] = row;
            } else {
                csv_row_free(&row);
            }
            seen++;
        }
        first = false;
        off += rec.len;
        if (seen >= IMPORT_SAMPLE_ROWS)
            break;
    }
    out->names = csv_column_names(&out->d, out->d.header ? &out->header : NULL, out->ncols);
    out->types = xcalloc((size_t)out->ncols + 1, sizeof *out->types);
    for (int c = 0; c < out->ncols; c++)
        out->types[c] = csv_infer_result(&inf[c]);
    free(inf);
    free(buf);
    return true;
}

void import_probe_free(import_probe *p)
{
    csv_row_free(&p->header);
    csv_names_free(p->names, p->ncols);
    free(p->types);
    for (int i = 0; i < p->nrows; i++)
        csv_row_free(&p->rows[i]);
    free(p->rows);
    free(p->row_lines);
    memset(p, 0, sizeof *p);
}
