/* advisor_run.h — the index advisor in the console (key a in a plan tree):
 * the steps of advisor.h run asynchronously on an engine session of their
 * own, inside BEGIN … ROLLBACK with a savepoint per candidate (a candidate
 * the server refuses does not stop the others), the session discarded
 * afterwards (hypopg's indexes live in the backend). For another role's
 * statement every step runs as its author through the Slow pane's sandbox
 * function (monitor_explain.c): never with more rights than the author.
 * Creating an advised index for real is the owner's, after a y/n. */
#ifndef PGDECK_ADVISOR_RUN_H
#define PGDECK_ADVISOR_RUN_H

#include "ui/pane.h"

#include <stdbool.h>

typedef struct advisor_run advisor_run;

/* tag: events of the owner pane's prefix, routed to advisor_run_on_event. */
advisor_run *advisor_run_new(app *a, const char *tag);
void advisor_run_free(advisor_run *r);
/* as_role NULL: the DBA's own statement; else the author (quoted here) and
 * their pinned search_path (mon_explain_author). */
void advisor_run_start(advisor_run *r, const char *stmt, const char *as_role,
                       const char *search_path);
/* True when the event was the advisor's (the owner redraws). */
bool advisor_run_on_event(advisor_run *r, const eng_event *ev);
bool advisor_run_busy(const advisor_run *r);
/* What to show: progress, the reason hypopg is missing, or the advice
 * (CREATE INDEX lines with costs). Never NULL. */
const char *advisor_run_text(const advisor_run *r);
/* The best advised CREATE INDEX (NULL if none yet). */
const char *advisor_run_best(const advisor_run *r);

/* Runs the best CREATE INDEX for real on a pooled connection (the DBA's
 * rights); refused (false, with a message) under --readonly. The owner
 * asks y/n first. */
bool advisor_run_create(advisor_run *r);

#endif
