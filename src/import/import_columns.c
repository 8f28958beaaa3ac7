/* import_columns.c — which table column each file column goes to: the
 * header's names matched to the table's columns (exactly, then ignoring
 * case), or the table's columns in order; a sniffed header is settled here
 * against the table. */
#include "import/import_int.h"

#include "common/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int import_match_column(const char *name, char *const *tcols, int ntcols)
{
    for (int k = 0; k < ntcols; k++)
        if (strcmp(tcols[k], name) == 0)
            return k;
    for (int k = 0; k < ntcols; k++)
        if (strcasecmp(tcols[k], name) == 0)
            return k;
    return -1;
}

bool import_names_are_columns(char *const *names, int n, char *const *tcols, int ntcols)
{
    if (n < 1)
        return false;
    bool *used = xcalloc((size_t)ntcols + 1, sizeof *used);
    bool all = true;
    for (int i = 0; i < n && all; i++) {
        int k = import_match_column(names[i], tcols, ntcols);
        all = k >= 0 && !used[k];
        if (all)
            used[k] = true;
    }
    free(used);
    return all;
}

/* The file's first record: as the user wrote it (for messages) and as
 * column names (csv_column_names, what --create names the columns: one
 * mapping both ways). false when there is none. */
static bool read_first_record(importer *im, char ***raw, char ***names)
{
    import_spec *s = &im->spec;
    reader rd;
    csv_scanner sc;
    csv_rec rec;
    uint64_t off = s->d.bom ? 3 : 0;
    bool found = false;
    reader_init(&rd, im->fd, off, im->size);
    reader_fill(&rd);
    csv_scanner_init(&sc, &s->d, off, 1);
    csv_status st;
    while ((st = csv_scan(&sc, rd.buf, rd.len, rd.eof, &rec)) == CSV_MORE)
        reader_fill(&rd);
    if (st == CSV_RECORD && !rec.end_marker) {
        csv_row row;
        csv_split(&s->d, rd.buf, rec.body_len, NULL, &row);
        *raw = xcalloc((size_t)s->ncols + 1, sizeof **raw);
        for (int i = 0; i < s->ncols; i++)
            (*raw)[i] =
                i < row.n ? csv_to_utf8(s->d.encoding, row.f[i].value, row.f[i].len) : xstrdup("");
        *names = csv_column_names(&s->d, &row, s->ncols);
        csv_row_free(&row);
        found = true;
    }
    reader_free(&rd);
    return found;
}

/* Maps header names to the existing table's columns (the names --create
 * would give them, matched exactly, then case-insensitively), or takes the
 * table's columns in order without a header. A sniffed header is settled
 * here against the table: a first record naming its columns is a header. */
bool resolve_targets(importer *im, job *c)
{
    import_spec *s = &im->spec;
    im->targets = xcalloc((size_t)s->ncols + 1, sizeof *im->targets);
    im->keep = xcalloc((size_t)s->ncols + 1, sizeof *im->keep);
    bool need_catalog = !s->create && (!s->cols || !s->cols[0].name);
    for (int i = 0; s->cols && i < s->ncols && !need_catalog; i++)
        if (!s->cols[i].skip && !s->cols[i].name)
            need_catalog = true;
    char **tcols = NULL;
    int ntcols = 0;
    if (need_catalog) {
        char *q = import_qualified_name(s->schema, s->table);
        if (!q) {
            job_fail(c, IMPORT_DATA_ERROR, "the table name is not valid UTF-8", NULL);
            return false;
        }
        const char *params[] = {q};
        bool ok = job_exec(c,
                           "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass "
                           "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                           1, params);
        free(q);
        if (!ok)
            return false;
        tcols = c->values;
        ntcols = c->nvalues;
        c->values = NULL;
        c->nvalues = 0;
    }
    char **raw = NULL, **header = NULL;
    if (need_catalog && (s->d.header || s->header_src != IMPORT_HEADER_GIVEN) &&
        read_first_record(im, &raw, &header) && s->header_src != IMPORT_HEADER_GIVEN) {
        if (import_names_are_columns(header, s->ncols, tcols, ntcols))
            s->d.header = true;
        else if (s->header_src == IMPORT_HEADER_UNSURE)
            s->d.header = false; /* as a header it could not be mapped anyway */
    }
    bool ok = true;
    strbuf miss;
    sb_init(&miss);
    int nmiss = 0;
    for (int i = 0; i < s->ncols; i++) {
        if (s->cols && s->cols[i].skip)
            continue;
        const char *t = s->cols && s->cols[i].name ? s->cols[i].name : NULL;
        if (!t && s->d.header && header) {
            int k = import_match_column(header[i], tcols, ntcols);
            if (k < 0) {
                sb_printf(&miss, "%s\"%s\" -> \"%s\"", nmiss++ ? ", " : "", raw[i], header[i]);
                continue;
            }
            t = tcols[k];
        } else if (!t) {
            if (i >= ntcols) {
                sb_printf(&miss, "%sfield %d -> none (the table has %d columns)",
                          nmiss++ ? ", " : "", i + 1, ntcols);
                continue;
            }
            t = tcols[i];
        }
        for (int k = 0; k < im->ntargets; k++)
            if (strcmp(im->targets[k], t) == 0) {
                sb_printf(&miss, "%s\"%s\" -> \"%s\" (twice)", nmiss++ ? ", " : "",
                          raw && s->d.header ? raw[i] : "", t);
                t = NULL;
                break;
            }
        if (!t)
            continue;
        im->keep[im->nkeep++] = i;
        im->targets[im->ntargets++] = xstrdup(t);
    }
    if (miss.len) {
        strbuf has;
        sb_init(&has);
        for (int k = 0; k < ntcols; k++)
            sb_printf(&has, "%s%s", k ? ", " : "", tcols[k]);
        char *m = xasprintf("file column%s not in table %s (file column -> table column): %s; "
                            "the table has: %s; nothing imported",
                            nmiss > 1 ? "s" : "", s->table, miss.data, has.len ? has.data : "");
        sb_free(&has);
        job_fail(c, IMPORT_DATA_ERROR, m, NULL);
        free(m);
        ok = false;
    } else if (im->ntargets == 0) {
        job_fail(c, IMPORT_DATA_ERROR, "no column to import", NULL);
        ok = false;
    }
    im->skipping = im->nkeep != s->ncols;
    sb_free(&miss);
    csv_names_free(raw, s->ncols);
    csv_names_free(header, s->ncols);
    csv_names_free(tcols, ntcols);
    return ok;
}
