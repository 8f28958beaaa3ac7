/* keymap.h — the one table of global keys: key -> named command.
 * The help screen and the footer are generated from it (and from each
 * pane_class.keys), so they cannot drift from what the keys do. The config
 * file's [keys] section (command = key) replaces a command's default keys.
 *
 * Key specs (config file, help, footer): a printable character ("q", "?",
 * "+"), "Space", "Tab", "S-Tab", "Enter", "Esc", "BS", "Del", "Ins", "Home",
 * "End", "PgUp", "PgDn", "Up", "Down", "Left", "Right", "F1".."F12",
 * "C-x" (control), "M-x" (Alt/Meta: Esc then x). */
#ifndef PGDECK_KEYMAP_H
#define PGDECK_KEYMAP_H

#include "common/conf.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum km_cmd {
    KM_NONE = 0,
    KM_HELP,
    KM_QUIT,
    KM_PANE_NEXT,
    KM_PANE_PREV,
    KM_PANE_1,
    KM_PANE_2,
    KM_PANE_3,
    KM_PANE_4,
    KM_PANE_5,
    KM_PANE_6,
    KM_PANE_7,
    KM_COMMAND, /* ':' command line */
    KM_SEARCH,  /* '/' handed to the active pane */
    KM_BACK,    /* Esc handed to the active pane */
    KM_CANCEL,  /* Ctrl-C handed to the active pane */
    KM_REFRESH_SLOWER,
    KM_REFRESH_FASTER,
    KM_PAUSE,
    KM_REDRAW,
    /* replay (issue 17): move through a recording; live <-> recording */
    KM_REPLAY_PREV,
    KM_REPLAY_NEXT,
    KM_REPLAY_BACK_MIN,
    KM_REPLAY_FWD_MIN,
    KM_REPLAY_BACK_10MIN,
    KM_REPLAY_FWD_10MIN,
    KM_REPLAY_FIRST,
    KM_REPLAY_LAST,
    KM_REPLAY_GOTO,
    KM_LIVE,
    KM_COUNT
} km_cmd;

/* A key as read from curses: a character (wide) or a KEY_* code, with Meta. */
typedef struct km_key {
    int code;
    bool is_key; /* code is a KEY_* value */
    bool meta;   /* Esc-prefixed (Alt) */
} km_key;

#define KM_MAX_BINDINGS 4

typedef struct keymap {
    km_key keys[KM_COUNT][KM_MAX_BINDINGS];
    int nkeys[KM_COUNT];
} keymap;

/* The defaults: F1 ? help, F10 q quit, Tab / S-Tab, M-1..M-6 and 1..6, ':',
 * '/', Esc, C-c, '+', '-', Space p, C-l. */
void keymap_defaults(keymap *km);
/* Applies [keys] overrides. The first override of a command replaces its
 * default keys, later ones add keys; a key taken by another command is moved.
 * Returns false with *err (malloc'd) on an unknown command or key spec, and
 * then km is unchanged. */
bool keymap_apply_config(keymap *km, const config_keybind *binds, size_t n, char **err);
km_cmd keymap_lookup(const keymap *km, km_key k);

bool km_parse_key(const char *spec, km_key *out);
/* The key's spec as shown to users ("F1", "M-1", "q"); returns buf. */
const char *km_key_name(km_key k, char *buf, size_t n);
/* A plain printable character (goes to a pane that takes text input). */
bool km_key_printable(km_key k);
/* A key that reaches the keymap even before a pane taking text input (function
 * keys, Alt combinations): F1 help, F10 quit, Alt-digits work from anywhere. */
bool km_key_anywhere(km_key k);

const char *km_cmd_name(km_cmd c); /* "help", "quit", "pane_next", ... */
km_cmd km_cmd_from_name(const char *name);
const char *km_cmd_help(km_cmd c);  /* one line for the help screen */
const char *km_cmd_label(km_cmd c); /* footer word, NULL when not in the footer */
/* A command that moves through a recording (the footer shows them while
 * replaying, and only then). */
bool km_cmd_is_replay(km_cmd c);

/* "F1, ?" — the command's keys, comma-separated, into buf; returns buf. */
const char *keymap_keys_string(const keymap *km, km_cmd c, char *buf, size_t n);

/* The key column of the help screen, in every section. */
#define KM_HELP_KEY_WIDTH 18

/* The help screen's global section: one malloc'd line per command that has a
 * key, "  KEYS<pad>help" (KEYS padded to KM_HELP_KEY_WIDTH). Returns the number of lines (*lines
 * malloc'd). */
size_t keymap_help_lines(const keymap *km, char ***lines);
/* The same for the replay commands (km_cmd_is_replay), which the global
 * section leaves out: the help shows them in a section of their own. */
size_t keymap_replay_help_lines(const keymap *km, char ***lines);
void keymap_free_lines(char **lines, size_t n);

/* Keys the terminal reports as extended (terminfo) capabilities rather than
 * KEY_* constants: xterm's modified keys, ncurses' kHOM5 / kEND5 for C-Home /
 * C-End. Their codes are assigned when curses starts, so km_terminal_keys()
 * looks them up then (tigetstr + key_defined) and, when the terminal
 * description lacks them, binds the xterm sequences (tmux and every xterm-like
 * terminal send \e[1;5H / \e[1;5F) to a free code; it also teaches ncurses
 * the VT220 Home / End (\e[1~ / \e[4~, what tmux sends) when unbound.
 * Call once after newterm(); the codes are then stable. */
typedef struct km_term_keys {
    int ctrl_home, ctrl_end; /* 0 when unknown */
} km_term_keys;
void km_terminal_keys(km_term_keys *out);
/* The codes found by the last km_terminal_keys() call (zeros before). */
const km_term_keys *km_terminal_keys_get(void);

/* Footer items in order (htop style: key then label). */
typedef struct km_footer_item {
    km_cmd cmd;
    char key[16];
    const char *label;
    bool anywhere; /* the key works in text input too (function or Alt key) */
} km_footer_item;
/* The global part of the footer: commands with a label and a key. `last`
 * receives the items that go at the end (quit) — *nlast of them. */
size_t keymap_footer(const keymap *km, km_footer_item *items, size_t max, km_footer_item *last,
                     size_t *nlast);

#endif
