/* monitor_int.h — helpers private to src/monitor (mk/layers.sh keeps other
 * folders from including it): reading catalog results by column name, NULLs
 * as NAN / NULL / false, and the comma-separated name lists the probe returns. */
#ifndef PGDECK_MONITOR_INT_H
#define PGDECK_MONITOR_INT_H

#include "engine/engine.h"

#include "common/xalloc.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* What pg_stat_statements shows for texts the role may not read. */
#define HIDDEN_TEXT "<insufficient privilege>"

/* The column called name, -1 when the result has none. */
static inline int col_index(const eng_result *r, const char *name)
{
    int n = eng_result_ncols(r);
    for (int i = 0; i < n; i++)
        if (strcmp(eng_result_colname(r, i), name) == 0)
            return i;
    return -1;
}

/* The value as a malloc'd string, NULL for NULL or a missing column. */
static inline char *get_str(const eng_result *r, int row, int col)
{
    if (col < 0 || eng_result_isnull(r, row, col))
        return NULL;
    return xstrdup(eng_result_value(r, row, col));
}

/* The same, "" instead of NULL (for fields that are never NULL). */
static inline char *get_str0(const eng_result *r, int row, int col)
{
    char *s = get_str(r, row, col);
    return s ? s : xstrdup("");
}

/* The value as a number, NAN for NULL or a missing column. */
static inline double get_num(const eng_result *r, int row, int col)
{
    if (col < 0 || eng_result_isnull(r, row, col))
        return NAN;
    return strtod(eng_result_value(r, row, col), NULL);
}

/* A boolean column, false for NULL or a missing column. */
static inline bool get_bool(const eng_result *r, int row, int col)
{
    if (col < 0 || eng_result_isnull(r, row, col))
        return false;
    const char *v = eng_result_value(r, row, col);
    return v[0] == 't' || v[0] == 'T' || v[0] == '1';
}

/* Replaces *dst (freed) with val (taken over). */
static inline void set_str(char **dst, char *val)
{
    free(*dst);
    *dst = val;
}

/* Is `col` one of the comma-separated names in `list`? */
static inline bool list_has(const char *list, const char *col, size_t len)
{
    const char *p = list;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == len && strncmp(p, col, len) == 0)
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

#endif
