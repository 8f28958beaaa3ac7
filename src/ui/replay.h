/* replay.h — a recording open in the console (issue 17): the reader of the
 * file, the server shown and the moment under the cursor, as a ui_moment
 * the panes draw (moment.h). The only UI file that knows the reader
 * (record_read.h); it never touches a server. UI thread only. */
#ifndef PGDECK_UI_REPLAY_H
#define PGDECK_UI_REPLAY_H

#include "ui/moment.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ui_replay ui_replay;

/* Opens FILE read-only and loads the last moment of its first server.
 * NULL with *err (malloc'd): not a recording, a newer schema, no snapshot. */
ui_replay *ui_replay_open(const char *path, char **err);
void ui_replay_close(ui_replay *r);
const char *ui_replay_path(const ui_replay *r);

/* The servers recorded (index = server), and the one shown. */
size_t ui_replay_servers(ui_replay *r, const char *const **names);
size_t ui_replay_server(const ui_replay *r);
/* Shows another server at (or just before) the same time. */
bool ui_replay_select(ui_replay *r, size_t server, char **err);

typedef enum ui_seek {
    UI_SEEK_PREV,  /* one snapshot back */
    UI_SEEK_NEXT,  /* one snapshot forward */
    UI_SEEK_FIRST, /* the first */
    UI_SEEK_LAST,  /* the last */
    UI_SEEK_BY,    /* arg seconds from the moment shown (negative: back), at least one snapshot */
    UI_SEEK_AT,    /* the snapshot at or before epoch arg (the first one if arg is earlier) */
} ui_seek;

/* Moves the cursor and loads that moment. False with *err when it cannot
 * load, or with *err NULL when there is nothing that way (the cursor stays:
 * "already at the last snapshot"). */
bool ui_replay_seek(ui_replay *r, ui_seek how, double arg, char **err);

/* The moment under the cursor (never NULL once open). */
ui_moment *ui_replay_moment(ui_replay *r);
/* The shown server's first and last snapshot times. */
void ui_replay_span(const ui_replay *r, double *first, double *last);
/* Reads the span again (a recording still being written grows). */
void ui_replay_refresh_span(ui_replay *r);

#endif
