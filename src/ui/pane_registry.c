/* pane_registry.c — the panes, in pane-bar order (1 Pool, 2 Slow,
 * 3 Activity, 4 Editor, 5 Import, 6 Server, 7 Fleet). Adding a pane is its file plus ONE line
 * "    X(pane_xxx_class) \" in the list below, in that order. The pane bar
 * shows only the panes listed here. */
#include "ui/pane.h"

#include <stddef.h>

/* clang-format off */
#define PANES(X) \
    X(pane_pool_class) \
    X(pane_slow_class) \
    X(pane_activity_class) \
    X(pane_editor_class) \
    X(pane_import_class) \
    X(pane_server_class) \
    X(pane_fleet_class) \
    /* end of the list */
/* clang-format on */

#define PANE_DECLARE(cls) extern const pane_class cls;
#define PANE_ENTRY(cls) &cls,
PANES(PANE_DECLARE)

const pane_class *const pane_registry[] = {PANES(PANE_ENTRY) NULL};
const int pane_registry_count = (int)(sizeof pane_registry / sizeof pane_registry[0]) - 1;
