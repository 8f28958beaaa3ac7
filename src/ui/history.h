/* history.h — the editor's statement history, persisted across restarts.
 *
 * The file is the console's history file ($XDG_STATE_HOME/pgdeck/history,
 * default ~/.local/state/pgdeck/history; lineedit.h's format "KIND<TAB>LINE"
 * with \\ \t \n escapes); the editor's entries are the lines of kind
 * "editor", so the prompts' histories in the same file are kept as they are
 * (and lineedit, told that "editor" is foreign, keeps these).
 * Every add rewrites the file (a crash loses nothing) through a temporary
 * file created with mode 0600 and fchmod'ed to 0600, whatever the umask;
 * directories are created 0700. An entry that contains PASSWORD (any case)
 * is never kept nor saved. */
#ifndef PGDECK_HISTORY_H
#define PGDECK_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#define HISTORY_KIND "editor"
#define HISTORY_MAX_ENTRIES 1000

typedef struct history {
    char *path;   /* NULL: in memory only */
    char **items; /* oldest first */
    int n, cap;
} history;

/* path NULL: the default path (or memory only without a home). Loads what
 * is there; a missing file is empty. false with *err (malloc'd) on a read
 * error (the history then works in memory). */
bool history_open(history *h, const char *path, char **err);
void history_close(history *h);
/* Adds an entry (blank, duplicate-of-last and secret ones are skipped) and
 * saves. false with *err on a write error. */
bool history_add(history *h, const char *entry, char **err);
bool history_save(const history *h, char **err);
/* True when the entry must never be stored (mentions a password). */
bool history_secret(const char *entry);
/* Index of the newest entry at or before `from` (dir -1) / at or after it
 * (dir 1) containing needle (case-insensitive); -1 when none. */
int history_search(const history *h, const char *needle, int from, int dir);

#endif
