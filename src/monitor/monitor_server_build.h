/* monitor_server_build.h — a server view's snapshot from values rather than
 * from a result: what a recording holds (the replay and `pgdeck report`
 * rebuild srv_snap from the stored rows). The snapshot is the same struct
 * srv_parse makes, freed by srv_snap_free and drawn by srv_format. */
#ifndef PGDECK_MONITOR_SERVER_BUILD_H
#define PGDECK_MONITOR_SERVER_BUILD_H

#include "monitor/monitor_server.h"

#include <stdbool.h>
#include <stddef.h>

/* nrows rows of view v, every cell "" / NAN / no rate, no column absent,
 * note "". The caller sets the other fields (now_s, interval_s, ...). */
srv_snap *srv_snap_new(const srv_view *v, size_t nrows, int version, double taken_at);
/* One cell: text (NULL: "") as srv_parse keeps it, the number (NAN for text
 * or NULL) and the rate (NAN: none). */
void srv_snap_set(srv_snap *s, size_t row, int col, const char *text, double num, double rate);

#endif
