/* command.c — lookup in ':' command tables (command.h). */
#include "ui/command.h"

#include <string.h>
#include <strings.h>

static size_t first_word_len(const char *line)
{
    return strcspn(line, " \t");
}

const ui_command *ui_command_find(const ui_command *table, const char *line)
{
    size_t n = first_word_len(line);
    for (const ui_command *c = table; c && c->name; c++)
        if (strlen(c->name) == n && strncasecmp(c->name, line, n) == 0)
            return c;
    return NULL;
}

const char *ui_command_args(const char *line)
{
    const char *p = line + first_word_len(line);
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}
