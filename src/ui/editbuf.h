/* editbuf.h — the editor's multi-line text buffer with readline's emacs keys.
 *
 * Pure text handling (no curses calls, no drawing): the pane feeds keys and
 * draws the text. Keys: printable characters insert; Enter inserts a newline;
 * Left/Right/C-b/C-f, Home/End/C-a/C-e (line), C-Home/C-End (buffer),
 * Up/Down/C-p/C-n (lines); BS/C-h, Del/C-d delete; C-k kills to the end of
 * the line (joins lines at its end), C-u to its start, C-w the blank-delimited
 * word before the cursor, M-d the word after; consecutive kills append to one
 * kill-ring entry; C-y yanks, M-y replaces the yank with older kills;
 * M-b / M-f move by words. Up on the first line and Down on the last return
 * EB_HIST_PREV / EB_HIST_NEXT so the caller walks the history.
 *
 * Soft wrap: with wrap > 0 a logical line (up to '\n') is laid out in screen
 * rows of wrap columns; a character that does not fit starts the next row.
 * Up/Down (C-p/C-n) move by screen row, aiming at the same screen column;
 * Home/End and C-a/C-e go to the start/end of the logical line (as pgcli).
 * The layout (eb_walk) is the one the pane draws with, so the cursor is
 * where the text is. */
#ifndef PGDECK_EDITBUF_H
#define PGDECK_EDITBUF_H

#include <stdbool.h>
#include <stddef.h>

#define EB_KILL_MAX 16

typedef struct editbuf {
    char *text; /* NUL-terminated, len bytes */
    size_t len, cap;
    size_t point;            /* cursor: byte offset, on a character boundary */
    char *kill[EB_KILL_MAX]; /* kill ring, newest at kill[0] */
    int nkill;
    bool last_was_kill;          /* the previous key killed: the next kill appends */
    bool last_was_yank;          /* M-y may rotate */
    size_t yank_start, yank_end; /* the text the last yank inserted */
    int yank_idx;
    int goal_col; /* screen column Up/Down aim for, -1 none */
    int wrap;     /* screen columns per row (the pane sets it when drawing), 0 no wrap */
    /* the screen width of the character s[0..n) (the pane's measure); NULL:
     * wcwidth, 1 for a tab, 4 per byte of what cannot be printed (\xNN) */
    int (*width)(const char *s, size_t n);
} editbuf;

/* Walks the characters of one logical line as they are laid out. */
typedef struct eb_walk {
    size_t pos;   /* the next character */
    int row, col; /* where the walk stands (row within the logical line) */
} eb_walk;
typedef struct eb_cell {
    size_t pos, len; /* the character's bytes */
    int row, col, width;
} eb_cell;

typedef enum eb_result {
    EB_IGNORED = 0, /* not an editing key */
    EB_MOVED,       /* the cursor moved */
    EB_CHANGED,     /* the text changed */
    EB_HIST_PREV,   /* Up on the first line */
    EB_HIST_NEXT,   /* Down on the last line */
} eb_result;

/* key codes for the keys curses reports (KEY_* values are passed through
 * from the pane); the editbuf knows them by these names */
enum {
    EBK_LEFT = 1,
    EBK_RIGHT,
    EBK_UP,
    EBK_DOWN,
    EBK_HOME,
    EBK_END,
    EBK_BACKSPACE,
    EBK_DELETE,
    EBK_ENTER,
    EBK_CHOME, /* Ctrl-Home: start of the buffer */
    EBK_CEND,
};

void eb_init(editbuf *b);
void eb_free(editbuf *b);
/* Replaces the text; the cursor goes to the end. */
void eb_set(editbuf *b, const char *text);
void eb_insert(editbuf *b, const char *s, size_t n);
/* Empties the buffer; the text goes to the kill ring (C-y brings it back). */
void eb_kill_all(editbuf *b);
/* Deletes [from, to) and returns it malloc'd when want (else NULL). */
char *eb_delete(editbuf *b, size_t from, size_t to, bool want);

/* A key: a character (wide, from curses), a control character, or an EBK_*
 * code when is_key. meta: typed with Alt (or after Esc). */
eb_result eb_key(editbuf *b, int code, bool is_key, bool meta);

/* Line helpers (0-based lines). */
int eb_line_count(const editbuf *b);
int eb_line_of(const editbuf *b, size_t pos);
size_t eb_line_start(const editbuf *b, int line);
size_t eb_line_end(const editbuf *b, int line); /* offset of its '\n' or len */

/* Layout: eb_walk_start at a line start, then eb_walk_next gives each
 * character's cell until the line ends (false); eb_walk_end then gives where
 * the line's end (the cursor after its last character) is drawn. */
void eb_walk_start(const editbuf *b, size_t line_start, eb_walk *w);
bool eb_walk_next(const editbuf *b, eb_walk *w, eb_cell *cell);
void eb_walk_end(const editbuf *b, const eb_walk *w, int *row, int *col);
/* Screen row (within its logical line) and column of pos. */
void eb_locate(const editbuf *b, size_t pos, int *row, int *col);
/* Screen rows of the logical line that starts at line_start (at least 1). */
int eb_line_rows(const editbuf *b, size_t line_start);

/* The identifier-ish word that ends at the cursor (letters, digits, _, $, .,
 * and "..." quotes): its start offset. */
size_t eb_word_before(const editbuf *b);

#endif
