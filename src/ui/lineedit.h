/* lineedit.h — GNU readline inside ncurses through readline's callback
 * interface (as pspg's readline.c does): keys read by curses are fed to
 * readline byte by byte (rl_getc_function), readline never touches the
 * terminal (no prep/deprep, output to /dev/null), and the line is drawn by
 * le_draw() wherever the caller wants it (the message line).
 *
 * One line is edited at a time (readline is a singleton). History is kept per
 * kind ("command", "search", a prompt's question...), in memory; lines that
 * mention a password or hold credentials are never kept, nor are the answers
 * to bound parameter value prompts ($1 = ...). Filename completion (Tab) with ~
 * expansion when asked for; otherwise Tab completes from le_set_words().
 *
 * The editor pane may reuse it for its own one-line inputs. */
#ifndef PGDECK_LINEEDIT_H
#define PGDECK_LINEEDIT_H

#include "ui/tui.h"

#include <stdbool.h>

/* line: the accepted text (owned by lineedit, valid during the call), or
 * NULL when the edit was cancelled (Esc, C-c, C-g, C-d on an empty line). */
typedef void (*le_done_fn)(void *ctx, const char *line);

/* Starts editing (cancels an edit in progress: its done gets NULL). */
void le_start(const char *prompt, const char *initial, const char *history_kind,
              bool complete_files, le_done_fn done, void *ctx);
bool le_active(void);
/* One key from curses. Returns when readline has consumed it; done may run. */
void le_key(int code, bool is_key, bool meta);
/* Cancels the edit in progress (done gets NULL). */
void le_cancel(void);
/* Draws prompt + line on row y of w from column x, cols wide, scrolled so
 * the cursor shows, and leaves w's cursor at readline's point. */
void le_draw(WINDOW *w, int y, int x, int cols, unsigned long prompt_attr, unsigned long attr);
/* Words Tab completes when not completing file names (NULL-terminated,
 * borrowed; NULL for none). */
void le_set_words(const char *const *words);
/* The accepted lines of a kind, oldest first (for tests and saving). */
int le_history_count(const char *kind);
/* The histories on disk, so they survive a restart: "KIND<TAB>LINE" per
 * line (backslash escapes for \\, tab and newline). Saved with mode 0600
 * whatever the umask, directories created 0700. Lines with a password are
 * never kept, so never saved. false with *err (malloc'd) on an I/O error;
 * a missing file loads as empty. */
bool le_history_load(const char *path, char **err);
bool le_history_save(const char *path, char **err);
/* Loading also attaches the file: every accepted line is saved there at
 * once, so a crash or a kill loses nothing. Lines of a foreign kind belong to
 * another writer of the same file (the editor's history): they are not
 * loaded, and a save keeps them as the file has them. */
void le_history_foreign(const char *kind);
/* $XDG_STATE_HOME/pgdeck/history or ~/.local/state/pgdeck/history (malloc'd),
 * NULL without a home. */
char *le_history_default_path(void);
/* Frees readline's state and the histories (at exit). */
void le_shutdown(void);
/* True when a line should never be kept in a history: it mentions a
 * password or holds a URI with credentials (common/secretline.h). */
bool le_secret_line(const char *line);
/* True for the history kind of a bound parameter's value prompt (a kind
 * holding $N): such answers are never kept, in memory or on disk. */
bool le_value_prompt(const char *kind);

#endif
