/* editor_explain.h — EXPLAIN of the statement under the editor's cursor, as
 * a plan tree (plan_view.h) over the editor. F3: EXPLAIN (FORMAT JSON); F4:
 * EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON), which runs the statement: inside
 * BEGIN … ROLLBACK on a session of its own (READ ONLY under --readonly),
 * after a y/n question when the statement may write. The statement is the
 * DBA's own text, run with the DBA's rights (as F8 would run it). */
#ifndef PGDECK_EDITOR_EXPLAIN_H
#define PGDECK_EDITOR_EXPLAIN_H

#include "ui/pane.h"
#include "ui/tui.h"

#include <stdbool.h>

#define EDX_TAG "editor:explain" /* events of tags starting so: edx_on_event */

typedef struct editor_explain editor_explain;

editor_explain *edx_new(app *a, pane *owner);
void edx_free(editor_explain *x);
/* Starts EXPLAIN of sql (one statement); with analyze, asks first through
 * app_confirm(…, cb) when the statement may write; cb must call
 * edx_confirmed. */
void edx_start(editor_explain *x, const char *sql, bool analyze, app_confirm_cb cb);
void edx_confirmed(editor_explain *x, bool yes);
/* An EDX_TAG event: PANE_REDRAW. */
int edx_on_event(editor_explain *x, const eng_event *ev);
/* The tree is shown: the owner draws it and routes keys to it. */
bool edx_open(const editor_explain *x);
bool edx_running(const editor_explain *x);
void edx_cancel(editor_explain *x); /* C-c while it runs */
void edx_draw(editor_explain *x, WINDOW *w, int rows, int cols);
int edx_key(editor_explain *x, int ch, bool is_key);

/* Whether a statement may write (anything but SELECT/VALUES/TABLE/SHOW, or
 * one that names INSERT, UPDATE, DELETE, MERGE or a locking clause):
 * errs towards yes. */
bool edx_may_write(const char *sql);

#endif
