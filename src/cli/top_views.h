/* top_views.h — `pgdeck top --view NAME`: the Server pane's views for
 * scripts (database, tables, indexes, replication, progress, wal). */
#ifndef PGDECK_TOP_VIEWS_H
#define PGDECK_TOP_VIEWS_H

#include "engine/engine.h"

#include <stdbool.h>

/* True when name is a view --view takes. */
bool top_view_known(const char *name);
/* The names --view takes, "database|tables|...". */
const char *top_view_names(void);
/* Prints the view on a ready engine: --once one sample (with interval > 0,
 * two snapshots that far apart give rates), else one every interval seconds
 * until interrupted. Returns the exit code. */
int top_views_run(engine *e, const char *name, bool once, bool json, double interval, int limit);

#endif
