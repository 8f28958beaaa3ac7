/* pane.h — what a pane is: one file per pane implementing a const
 * pane_class (as htop's PanelClass or tmux's window_mode). Adding a pane is
 * that file plus one line in pane_registry.c.
 *
 * The app owns the screen, the keymap and the engine; a pane draws into the
 * window it is given, answers keys with a pane_result bitmask instead of
 * acting on globals, and receives the engine events whose tag starts with its
 * class's tag_prefix. */
#ifndef PGDECK_PANE_H
#define PGDECK_PANE_H

#include "ui/tui.h"
#include "ui/command.h"
#include "engine/engine.h"
#include "common/conf.h"
#include "ui/moment.h"

#include <stdbool.h>

typedef struct app app;
typedef struct pane pane; /* each pane file defines its own struct pane_xxx embedding nothing:
                             the app stores it as an opaque pointer */

typedef enum pane_result {
    PANE_IGNORED = 0, /* not mine: the app tries the global keymap */
    PANE_HANDLED = 1 << 0,
    PANE_REDRAW = 1 << 1, /* mark this pane dirty */
    PANE_QUIT = 1 << 2,
} pane_result;

/* A key the pane handles, for the generated help and footer. */
typedef struct pane_key {
    const char *key;   /* as shown: "F5", "C", "Space" */
    const char *label; /* footer word: "Run" */
    const char *help;  /* one line for the help screen */
} pane_key;

typedef struct pane_class {
    const char *name;       /* "Pool" — pane bar and help */
    const char *tag_prefix; /* "pool:" — events whose tag starts with it come here */
    pane *(*create)(app *a);
    void (*destroy)(pane *p);
    /* Draws the pane's area. Called only when the pane is dirty or resized. */
    void (*draw)(pane *p, WINDOW *win, int rows, int cols);
    /* A key (wide char or KEY_* code when is_key). */
    int (*on_key)(pane *p, int ch, bool is_key);
    /* An engine event routed by tag; returns pane_result bits. The app frees ev. */
    int (*on_event)(pane *p, const eng_event *ev);
    /* The refresh timer fired (not while paused): submit monitor queries. */
    int (*on_tick)(pane *p);
    /* The pane became visible / hidden. */
    void (*on_show)(pane *p, bool shown);
    /* True while typing text: q, digits and / reach the pane, not the keymap. */
    bool (*text_input)(const pane *p);
    /* True while something of this pane runs (quit asks for confirmation). */
    bool (*busy)(const pane *p);
    /* The ':' commands the pane understands, ended by {NULL}; exec's self
     * is the pane. May be NULL. */
    const ui_command *commands;
    /* A file descriptor of the pane's own (a second engine's event fd: the
     * PgBouncer view), or -1; the app polls it with the terminal and calls
     * on_fd when it is readable, so the pane answers at once, not on the
     * next tick. Both may be NULL. */
    int (*event_fd)(const pane *p);
    int (*on_fd)(pane *p);
    const pane_key *keys; /* NULL-terminated by a {NULL} entry; may be NULL */
    /* F10, q or :quit: true when the pane must ask first (the editor's open
     * transaction: commit, roll back or stay); the app then shows it, and the
     * pane ends the console later by returning PANE_QUIT. May be NULL. */
    bool (*on_quit)(pane *p);
    /* True while the pane holds something on its server that a switch to
     * another server (app_select_server) would lose: the editor's open
     * transaction. No side effect. May be NULL. */
    bool (*holds_server)(const pane *p);
    /* What of the pane's own survives a server switch (the editor's text;
     * never server state): kept returns it (malloc'd, or NULL), restore
     * gives it to the pane made anew. Both may be NULL. */
    char *(*switch_keep)(const pane *p);
    void (*switch_restore)(pane *p, const char *kept);
    /* Replay (issue 17, moment.h): draw the figures of a recorded moment
     * instead of live data; m NULL: back to live. While a moment is shown
     * the pane gets no ticks, and refuses (ui_replay_refuse) every action
     * that would touch the server. May be NULL: the pane stays live (and
     * is left out of a console opened on a recording alone). */
    void (*show_moment)(pane *p, ui_moment *m);
} pane_class;

/* ---- what the app offers panes ---------------------------------------- */
engine *app_engine(app *a); /* the selected server's engine */

/* The servers the console watches (app_set_servers); one engine each. */
typedef struct app_server {
    const char *name;
    engine *e;
    engine *bouncer; /* its PgBouncer admin console's engine, or NULL */
} app_server;
int app_server_count(app *a);
const app_server *app_server_at(app *a, int i);
int app_server_selected(app *a);
/* Shows server i in every pane: the panes (all but the caller's class) are
 * made anew on its engine, so none keeps a figure of the server before.
 * Refused, with a message, while something runs or the editor holds a
 * transaction. */
bool app_select_server(app *a, int i);
const pgdeck_config *app_config(app *a);
bool app_readonly(app *a); /* --readonly: refuse server changes, say so */
double app_refresh_interval(app *a);
/* True while the panes show a recorded moment (--replay, :replay). */
bool app_replaying(app *a);

typedef enum msg_level { MSG_INFO, MSG_WARN, MSG_ERROR } msg_level;
void app_message(app *a, msg_level lvl, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Asks on the message line; cb gets the answer (NULL when Esc). The line is
 * edited with readline (history per prompt kind; filename completion when
 * complete_files). */
typedef void (*app_prompt_cb)(pane *p, const char *answer);
void app_prompt(app *a, pane *p, const char *question, const char *initial, bool complete_files,
                app_prompt_cb cb);
/* Asks "question (y/n)"; cb(p, true) on y. */
typedef void (*app_confirm_cb)(pane *p, bool yes);
void app_confirm(app *a, pane *p, const char *question, app_confirm_cb cb);

void app_mark_dirty(app *a, pane *p);
/* Takes the result out of the event being delivered to on_event, so the app
 * does not free it with the event: the pane owns it (eng_result_free). */
eng_result *app_steal_result(app *a, const eng_event *ev);
void app_show_pane(app *a, const char *name); /* switch to the pane of that class name */
pane *app_find_pane(app *a, const char *name);

/* Registry (pane_registry.c): the panes in pane-bar order. */
extern const pane_class *const pane_registry[];
extern const int pane_registry_count;

#endif
