/* app.h — the console application: owns the terminal, the panes, the keymap
 * and the event loop. cmd_console creates it around a started engine; panes
 * see it through the app_* functions of pane.h (and the few below). */
#ifndef PGDECK_APP_H
#define PGDECK_APP_H

#include "ui/pane.h"

#include <stdbool.h>

/* cfg stays the caller's (it must outlive the app); ':set' changes it. */
app *app_new(engine *eng, pgdeck_config *cfg);
/* Runs the console until quit or a terminating signal. Returns the process
 * exit code (0, or 1 when the terminal could not be set up). The terminal is
 * restored when it returns. */
int app_run(app *a);
/* The fleet (before app_run; the array is copied, the engines stay the
 * caller's): server `selected`'s engine must be the one given to app_new. */
void app_set_servers(app *a, const app_server *servers, int n, int selected);
void app_free(app *a);

/* Opens a recording (issue 17) and shows its last moment in every pane that
 * can draw one. With eng NULL given to app_new the console has no server:
 * it is made of those panes only, and nothing reaches a server. False with
 * *err (malloc'd). */
bool app_open_replay(app *a, const char *path, char **err);
/* The servers `:record FILE` records, as `pgdeck record` would get them
 * (the caller keeps them until app_free). None: :record is refused. */
struct rec_target;
void app_set_record_targets(app *a, const struct rec_target *t, size_t n);

/* A prompt with a plain context pointer (widgets use it: the list's search).
 * fn gets the answer, or NULL when cancelled. history_kind keys the history. */
typedef void (*app_prompt_fn)(void *ctx, const char *answer);
void app_prompt_ctx(app *a, const char *question, const char *initial, const char *history_kind,
                    bool complete_files, app_prompt_fn fn, void *ctx);

/* Restores the terminal if curses is active (idempotent; atexit and the
 * fatal-signal handler call it). */
void app_restore_terminal(void);

#endif
