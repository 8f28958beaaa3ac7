/* command.h — a ':' command as data: the app's table (app.c) and each pane's
 * (pane_class.commands) are the one source of dispatch, completion and help,
 * so the three cannot drift apart (as tmux's cmd_entry tables do). */
#ifndef PGDECK_UI_COMMAND_H
#define PGDECK_UI_COMMAND_H

#include <stddef.h>

typedef struct ui_command {
    const char *name;  /* the first word: "theme" */
    const char *usage; /* as help shows it: ":theme NAME|PATH" */
    const char *help;  /* one line */
    /* self: the app or the pane that owns the table; line: the whole
     * command line, name included, trimmed ("pipeline sync each").
     * Returns pane_result bits (PANE_HANDLED…). */
    int (*exec)(void *self, const char *line);
} ui_command;

/* The entry named by the first word of line (case-insensitive, so ":Quit"
 * works), or NULL. Tables end with a {NULL} entry; NULL is an empty table. */
const ui_command *ui_command_find(const ui_command *table, const char *line);
/* What follows the first word and its blanks ("NAME" for "theme NAME"). */
const char *ui_command_args(const char *line);

#endif
