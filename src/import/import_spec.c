/* import_spec.c — what to import (import_spec) and the status names. */
#include "import/import_int.h"

#include <stdlib.h>
#include <string.h>

void import_spec_init(import_spec *s)
{
    memset(s, 0, sizeof *s);
    csv_dialect_default(&s->d);
    s->jobs = 1;
}

void import_spec_free(import_spec *s)
{
    free(s->path);
    free(s->schema);
    free(s->table);
    free(s->null_str);
    free(s->reject_path);
    if (s->cols)
        for (int i = 0; i < s->ncols; i++) {
            free(s->cols[i].name);
            free(s->cols[i].type);
        }
    free(s->cols);
    memset(s, 0, sizeof *s);
}

void import_spec_copy(import_spec *dst, const import_spec *src)
{
    *dst = *src;
    dst->path = strdup_or_null(src->path);
    dst->schema = strdup_or_null(src->schema);
    dst->table = strdup_or_null(src->table);
    dst->null_str = strdup_or_null(src->null_str);
    dst->reject_path = strdup_or_null(src->reject_path);
    if (src->cols) {
        dst->cols = xcalloc((size_t)src->ncols, sizeof *dst->cols);
        for (int i = 0; i < src->ncols; i++) {
            dst->cols[i].name = strdup_or_null(src->cols[i].name);
            dst->cols[i].type = strdup_or_null(src->cols[i].type);
            dst->cols[i].skip = src->cols[i].skip;
        }
    }
}

const char *import_status_name(import_status s)
{
    static const char *const n[] = {"running",         "imported", "data error", "canceled",
                                    "connection lost", "unknown",  "file error"};
    return n[s];
}
