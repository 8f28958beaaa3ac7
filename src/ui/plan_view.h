/* plan_view.h — a plan tree in the console (the Slow pane's e/E, the
 * editor's EXPLAIN key): one row per node with a self-time bar and share,
 * rows estimated vs actual (misestimates marked), loops, buffers; the
 * hottest node selected at first; nodes fold and unfold; the text plan is
 * one key away. The owner routes keys here first and closes the view on
 * PLAN_VIEW_CLOSE. */
#ifndef PGDECK_PLAN_VIEW_H
#define PGDECK_PLAN_VIEW_H

#include "monitor/plan.h"
#include "ui/tui.h"

#include <stdbool.h>

typedef struct plan_view plan_view;

enum { PLAN_VIEW_CLOSE = 1 << 8 }; /* returned with PANE_HANDLED: Esc or q */

/* Takes ownership of pl. title: one line above the tree (copied). */
plan_view *plan_view_new(plan *pl, const char *title);
void plan_view_free(plan_view *v);
void plan_view_draw(plan_view *v, WINDOW *w, int rows, int cols);
/* PANE_HANDLED | PANE_REDRAW (| PLAN_VIEW_CLOSE), or PANE_IGNORED. */
int plan_view_key(plan_view *v, int ch, bool is_key);
/* t closes the view (the owner shows the text plan itself) instead of
 * switching to the view's own text form. */
void plan_view_text_closes(plan_view *v, bool yes);
/* The node under the cursor (for the owner's extra keys). */
const plan_node *plan_view_selected(const plan_view *v);

#endif
