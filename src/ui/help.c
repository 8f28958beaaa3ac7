/* help.c — the help overlay, generated from the keymap, every pane's keys
 * and the ':' commands, so it cannot drift from what the keys do. */
#include "ui/app_priv.h"
#include "ui/theme.h"
#include "ui/widgets.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const command_help[][2] = {
    {":quit", "quit (asks to confirm while something runs)"},
    {":help", "this screen"},
    {":theme NAME|PATH", "switch the colour theme now (default, light, solarized-dark, "
                         "high-contrast, mono, or a file)"},
    {":refresh S", "refresh every S seconds (0.5 to 60)"},
    {":pane NAME|N", "show a pane"},
    {":set KEY VALUE", "change a setting of the config file for this session"},
};

/* One column for keys and commands in every section, so the texts line up
 * (the keymap's lines use the same width: KM_HELP_KEY_WIDTH). */
#define KEYW KM_HELP_KEY_WIDTH

static void add(char ***lines, size_t *n, size_t *cap, char *line)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *lines = xrealloc(*lines, *cap * sizeof **lines);
    }
    (*lines)[(*n)++] = line;
}

/* Lines starting with '#' are section titles. */
size_t help_lines(app *a, char ***out)
{
    char **lines = NULL;
    size_t n = 0, cap = 0;
    add(&lines, &n, &cap, xstrdup("#pgdeck keys (Esc, q or F1 closes this help; arrows scroll)"));
    add(&lines, &n, &cap, xstrdup(""));
    add(&lines, &n, &cap, xstrdup("#Global keys"));
    char **kl;
    size_t nk = keymap_help_lines(&a->km, &kl);
    for (size_t i = 0; i < nk; i++) {
        add(&lines, &n, &cap, kl[i]);
        kl[i] = NULL;
    }
    keymap_free_lines(kl, nk);
    /* the active pane first, then the others */
    for (int k = 0; k < a->npanes; k++) {
        int i = (a->active + k) % a->npanes;
        add(&lines, &n, &cap, xstrdup(""));
        add(&lines, &n, &cap,
            xasprintf("#Pane %d %s%s", a->numbers[i], a->cls[i]->name,
                      k == 0 ? " (this pane)" : ""));
        const pane_key *pk = a->cls[i]->keys;
        if (!pk || !pk->key)
            add(&lines, &n, &cap, xstrdup("  (no keys of its own)"));
        for (; pk && pk->key; pk++)
            add(&lines, &n, &cap,
                xasprintf("  %-*s %s", KEYW, pk->key,
                          pk->help    ? pk->help
                          : pk->label ? pk->label
                                      : ""));
    }
    add(&lines, &n, &cap, xstrdup(""));
    add(&lines, &n, &cap, xstrdup("#Commands (: opens the command line; Up/Down: history)"));
    for (size_t i = 0; i < sizeof command_help / sizeof command_help[0]; i++)
        add(&lines, &n, &cap, xasprintf("  %-*s %s", KEYW, command_help[i][0], command_help[i][1]));
    add(&lines, &n, &cap,
        xasprintf("  %-*s %s", KEYW, "anything else",
                  "offered to the panes (:pool, :load, :pipeline ...)"));
    add(&lines, &n, &cap, xstrdup(""));
    add(&lines, &n, &cap, xstrdup("#Now"));
    add(&lines, &n, &cap,
        xasprintf("  %-*s %s (colours %s)", KEYW, "theme", theme_active_name(),
                  theme_color_on() ? "on" : "off: NO_COLOR, --no-color or the terminal"));
    add(&lines, &n, &cap,
        xasprintf("  %-*s every %.1f s%s", KEYW, "refresh", a->refresh,
                  a->paused ? ", paused" : ""));
    add(&lines, &n, &cap,
        xasprintf("  %-*s %s", KEYW, "readonly",
                  a->readonly ? "yes: actions that change the server are refused" : "no"));
    *out = lines;
    return n;
}

void help_draw(app *a, WINDOW *w, int rows, int cols)
{
    char **lines;
    size_t n = help_lines(a, &lines);
    if (a->help_top > (int)n - rows)
        a->help_top = (int)n - rows;
    if (a->help_top < 0)
        a->help_top = 0;
    for (int r = 0; r < rows && a->help_top + r < (int)n; r++) {
        const char *l = lines[a->help_top + r];
        if (l[0] == '#')
            wg_text(w, r, 1, l + 1, cols - 1, theme_attr(TH_TITLE));
        else
            wg_text(w, r, 1, l, cols - 1, theme_attr(TH_NORMAL));
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

bool help_key(app *a, int code, bool is_key, bool meta, int rows)
{
    if (meta)
        return false;
    if (is_key) {
        switch (code) {
        case KEY_UP:
            a->help_top--;
            return true;
        case KEY_DOWN:
            a->help_top++;
            return true;
        case KEY_PPAGE:
            a->help_top -= rows;
            return true;
        case KEY_NPAGE:
            a->help_top += rows;
            return true;
        case KEY_HOME:
            a->help_top = 0;
            return true;
        case KEY_END:
            a->help_top = 1 << 20;
            return true;
        default:
            return false;
        }
    }
    switch (code) {
    case 'k':
        a->help_top--;
        return true;
    case 'j':
    case ' ':
        a->help_top++;
        return true;
    default:
        return false; /* Esc, q, ? and anything else close it */
    }
}
