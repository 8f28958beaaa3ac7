/* plan_view.h — a plan tree in the console (the Slow pane's e/E, the
 * editor's EXPLAIN key): one row per node with a self-time bar and share,
 * rows estimated vs actual (misestimates marked), loops, buffers; the
 * hottest node selected at first; nodes fold and unfold; the text plan is
 * one key away. The owner routes keys here first and closes the view on
 * PLAN_VIEW_CLOSE. */
#ifndef PGDECK_PLAN_VIEW_H
#define PGDECK_PLAN_VIEW_H

#include "monitor/plan.h"
#include "ui/pane.h"
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
/* Enables the index advisor (key a; advisor_run.h) for stmt, the exact
 * text that was explained; as_role NULL for the DBA's own statement, else
 * its author and their pinned search_path. Events of tag go to
 * plan_view_on_event. c then creates the best index after a y/n. */
void plan_view_set_advisor(plan_view *v, app *a, const char *tag, const char *stmt,
                           const char *as_role, const char *search_path);
/* True when the event was the advisor's. */
bool plan_view_on_event(plan_view *v, const eng_event *ev);
/* t closes the view (the owner shows the text plan itself) instead of
 * switching to the view's own text form. */
void plan_view_text_closes(plan_view *v, bool yes);
/* The node under the cursor (for the owner's extra keys). */
const plan_node *plan_view_selected(const plan_view *v);

#endif
