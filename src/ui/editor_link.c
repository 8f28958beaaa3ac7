/* editor_link.c — see editor_link.h: a weak reference to the editor's entry
 * point, so the panes build and work with or without the editor pane. */
#include "ui/editor_link.h"

bool editor_link_open(app *a, const char *sql, int nparams, const char *const *params, bool run)
{
    if (!app_editor_open)
        return false;
    return app_editor_open(a, sql, nparams, params, run);
}
