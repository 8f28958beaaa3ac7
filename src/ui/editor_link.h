/* editor_link.h — how the Slow and Activity panes hand SQL to the editor
 * pane without depending on it at build time.
 *
 * The proposed contract the editor pane implements (H8):
 *
 *   bool app_editor_open(app *a, const char *sql, int nparams,
 *                        const char *const *params, bool run);
 *
 * loads `sql` into the editor (replacing nothing the user would lose: a new
 * buffer or the end of the current one), binds params as $1..$n when it
 * runs, switches to the editor and, when `run`, executes it at once (used for
 * EXPLAIN). Returns false when it cannot take the text. Until an editor
 * defines it, editor_link_open() returns false and the callers fall back to
 * their own views. */
#ifndef PGDECK_EDITOR_LINK_H
#define PGDECK_EDITOR_LINK_H

#include "ui/pane.h"

#include <stdbool.h>

bool app_editor_open(app *a, const char *sql, int nparams, const char *const *params, bool run)
    __attribute__((weak));

bool editor_link_open(app *a, const char *sql, int nparams, const char *const *params, bool run);

#endif
