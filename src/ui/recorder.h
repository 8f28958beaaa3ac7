/* recorder.h — `:record FILE` in a live console (issue 17): the record
 * branch's rec_recorder_run on a thread of its own, with engines of its own
 * (the panes' pools are never shared), until `:record stop`, a failure (a
 * full disk) or the console's end. The UI thread polls ui_recorder_fd and
 * reads the news; nothing the recorder does blocks the UI. */
#ifndef PGDECK_UI_RECORDER_H
#define PGDECK_UI_RECORDER_H

#include "record/record.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ui_recorder ui_recorder;

/* Starts recording the servers (copied) to path every interval_s seconds.
 * NULL with *err (malloc'd) when the thread cannot start; a file that
 * cannot be written is told later, as the recorder's error. */
ui_recorder *ui_recorder_start(const char *path, const rec_target *servers, size_t n,
                               double interval_s, char **err);
const char *ui_recorder_path(const ui_recorder *r);
/* Readable when there is news for ui_recorder_news. */
int ui_recorder_fd(const ui_recorder *r);

typedef struct ui_recorder_news {
    long snapshots; /* committed so far */
    char *warning;  /* the latest warning since the last call (malloc'd), or NULL */
    char *error;    /* why recording stopped (malloc'd), or NULL */
    bool failed;    /* it stopped on an error (told in this or an earlier error) */
    bool ended;     /* the thread is over: ui_recorder_free it */
} ui_recorder_news;
/* What happened since the last call (frees nothing of the caller's). */
void ui_recorder_news_take(ui_recorder *r, ui_recorder_news *out);
/* Asks the recorder to end after the snapshot being written; returns at once. */
void ui_recorder_stop(ui_recorder *r);
/* Stops (if still running), waits for the thread and frees. */
void ui_recorder_free(ui_recorder *r);

#endif
