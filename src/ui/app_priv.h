/* app_priv.h — the app's state, shared by the files that draw its parts
 * (header.c, footer.c, msgline.c, help.c). Panes never include it. */
#ifndef PGDECK_APP_PRIV_H
#define PGDECK_APP_PRIV_H

#include "ui/app.h"
#include "ui/command.h"
#include "ui/keymap.h"
#include "ui/recorder.h"
#include "ui/replay.h"

#define APP_MAX_PANES 8
#define APP_MIN_COLS 40
#define APP_MIN_ROWS 10

typedef enum app_part {
    PART_HEADER,
    PART_BAR,
    PART_PANE,
    PART_MSG,
    PART_FOOTER,
    PART_COUNT
} app_part;

typedef enum prompt_mode { PM_NONE, PM_LINE, PM_CONFIRM } prompt_mode;

struct app {
    engine *eng; /* the selected server's */
    app_server *servers;
    int nservers, selected;
    const pane_class *switcher; /* the pane asking for a switch keeps its state */
    pgdeck_config *cfg;
    /* :set session.KEY VALUE waiting for the server's check (app.c) */
    eng_id session_probe;
    char *session_key, *session_value;
    keymap km;
    double refresh;
    bool paused, readonly, quit;
    /* panes, in registry order */
    int npanes, active;
    const pane_class *cls[APP_MAX_PANES];
    pane *panes[APP_MAX_PANES];
    int numbers[APP_MAX_PANES]; /* the digit that shows each pane */
    bool pane_dirty[APP_MAX_PANES];
    /* screen */
    bool curses_on, too_small, full_redraw;
    int rows, cols;
    WINDOW *win[PART_COUNT];
    WINDOW *input; /* a 1x1 pad keys are read from (never refreshes the screen) */
    bool dirty[PART_COUNT];
    bool cursor_visible;
    /* header */
    eng_stats *stats;
    char header_text[512];
    /* message line */
    char *msg;
    msg_level msg_lvl;
    /* prompts */
    prompt_mode pmode;
    char *confirm_question;
    pane *confirm_pane;
    app_confirm_cb confirm_cb;
    void (*confirm_internal)(app *a, bool yes);
    /* help overlay */
    bool help_open;
    int help_top;
    /* the event being delivered (app_steal_result) */
    eng_event *cur_ev;
    double next_tick;
    char *history_path;         /* the prompts' histories on disk, or NULL */
    const char **command_words; /* ':' completion, from the command tables */
    /* recordings (issue 17) */
    ui_replay *replay;             /* the recording open (--replay, :replay), or NULL */
    bool replaying;                /* the panes show its moment; false: live, the file stays open */
    ui_recorder *recorder;         /* :record FILE running, or NULL */
    long rec_snapshots;            /* ... its snapshots so far */
    const rec_target *rec_targets; /* the servers :record records (the caller's) */
    size_t nrec_targets;
};

/* app.c: the app's own ':' commands (command.h), ended by {NULL}. */
extern const ui_command app_commands[];

/* header.c */
void header_update(app *a); /* re-reads stats; marks the header dirty when its text changed */
void header_draw(app *a, WINDOW *w, int cols);
void panebar_draw(app *a, WINDOW *w, int cols);
/* footer.c */
void footer_draw(app *a, WINDOW *w, int cols);
/* msgline.c */
void msgline_draw(app *a, WINDOW *w, int cols);
/* help.c */
void help_draw(app *a, WINDOW *w, int rows, int cols);
/* Keys while the help is open; false when the key closes it. */
bool help_key(app *a, int code, bool is_key, bool meta, int rows);
size_t help_lines(app *a, char ***lines);
/* app.c, for the parts */
void app_mark(app *a, app_part part);
/* True while the active pane takes text (keys like q, Tab, : are its text). */
bool app_pane_text_input(app *a);
double app_now(void);
/* app.c: the panes that can show a moment draw the recording's current one
 * (replay_show) or live data again (replay_live). */
void app_replay_show(app *a);
/* The key that switches live <-> recording as shown ("F2"), ":live" when
 * the config file left it none. */
const char *app_live_key(app *a, char *buf, size_t n);

#endif
