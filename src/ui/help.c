/* help.c — the help overlay, generated from the keymap, every pane's keys
 * and the ':' commands, so it cannot drift from what the keys do. */
#include "ui/app_priv.h"
#include "ui/theme.h"
#include "ui/widgets.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

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

/* One command: usage and help in two aligned columns; a usage too long for
 * the first column gets a line of its own, the help under it. */
static void add_command(char ***lines, size_t *n, size_t *cap, const ui_command *c,
                        const char *pane_name)
{
    enum { USAGE_WIDTH = KEYW };
    char *help = pane_name ? xasprintf("%s (%s pane)", c->help, pane_name) : xstrdup(c->help);
    if ((int)strlen(c->usage) <= USAGE_WIDTH) {
        add(lines, n, cap, xasprintf("  %-*s %s", USAGE_WIDTH, c->usage, help));
    } else {
        add(lines, n, cap, xasprintf("  %s", c->usage));
        add(lines, n, cap, xasprintf("  %-*s %s", USAGE_WIDTH, "", help));
    }
    free(help);
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
    add(&lines, &n, &cap,
        xstrdup("#Replay (a recording: --replay FILE, :replay FILE; Slow, Activity, Server, "
                "Fleet)"));
    nk = keymap_replay_help_lines(&a->km, &kl);
    for (size_t i = 0; i < nk; i++) {
        add(&lines, &n, &cap, kl[i]);
        kl[i] = NULL;
    }
    keymap_free_lines(kl, nk);
    add(&lines, &n, &cap, xstrdup(""));
    add(&lines, &n, &cap, xstrdup("#Commands (: opens the command line; Up/Down: history)"));
    /* from the command tables: the app's, then each pane's */
    for (const ui_command *c = app_commands; c->name; c++)
        add_command(&lines, &n, &cap, c, NULL);
    for (int i = 0; i < a->npanes; i++)
        for (const ui_command *c = a->cls[i]->commands; c && c->name; c++)
            add_command(&lines, &n, &cap, c, a->cls[i]->name);
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
    if (a->replay) {
        char k[32];
        app_live_key(a, k, sizeof k);
        add(&lines, &n, &cap,
            xasprintf("  %-*s %s: %s %s", KEYW, "replay", ui_replay_path(a->replay),
                      a->replaying ? "shown, read-only; live data:" : "open; shown by", k));
    }
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
