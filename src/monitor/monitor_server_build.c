/* monitor_server_build.c — server view snapshots from values
 * (monitor_server_build.h). */
#include "config.h"

#include "monitor/monitor_server_build.h"

#include "common/xalloc.h"

#include <math.h>
#include <stdlib.h>

srv_snap *srv_snap_new(const srv_view *v, size_t nrows, int version, double taken_at)
{
    srv_snap *s = xcalloc(1, sizeof *s);
    s->view = v;
    s->taken_at = taken_at;
    s->now_s = NAN;
    s->version = version;
    s->absent = xcalloc((size_t)v->ncols, sizeof *s->absent);
    s->note = xstrdup("");
    s->n = nrows;
    /* as srv_parse: never a NULL rows array */
    s->rows = xcalloc(nrows ? nrows : 1, sizeof *s->rows);
    for (size_t j = 0; j < nrows; j++) {
        srv_row *row = &s->rows[j];
        row->text = xcalloc((size_t)v->ncols, sizeof *row->text);
        row->num = xcalloc((size_t)v->ncols, sizeof *row->num);
        row->rate = xcalloc((size_t)v->ncols, sizeof *row->rate);
        for (int i = 0; i < v->ncols; i++) {
            row->text[i] = xstrdup("");
            row->num[i] = NAN;
            row->rate[i] = NAN;
        }
    }
    return s;
}

void srv_snap_set(srv_snap *s, size_t row, int col, const char *text, double num, double rate)
{
    if (row >= s->n || col < 0 || col >= s->view->ncols)
        return;
    srv_row *r = &s->rows[row];
    free(r->text[col]);
    r->text[col] = xstrdup(text ? text : "");
    r->num[col] = num;
    r->rate[col] = rate;
}
