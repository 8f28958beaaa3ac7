/* footer.c — the key footer, htop style: the key in footer_key colour, then
 * its label; generated from the keymap and the active pane's keys. Order:
 * help, the pane's own keys, the other global keys, quit (always kept). */
#include "ui/app_priv.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <string.h>

static int item(WINDOW *w, int x, int cols, const char *key, const char *label)
{
    int kw = wg_text_width(key), lw = wg_text_width(label);
    if (x + kw + lw > cols) /* whole items only */
        return cols;
    x += wg_text(w, 0, x, key, cols - x, theme_attr(TH_FOOTER_KEY));
    x += wg_text(w, 0, x, label, cols - x, theme_attr(TH_FOOTER));
    x += wg_text(w, 0, x, " ", cols - x, theme_attr(TH_FOOTER));
    return x;
}

/* The pane's footer offers this global item's key for its own use, or
 * another key of the same command (it shows that one instead). */
static bool pane_lists(const app *a, const pane_class *cls, const km_footer_item *it)
{
    for (const pane_key *pk = cls->keys; pk && pk->key; pk++) {
        km_key k;
        if (!pk->label || !*pk->label) /* not offered in the footer */
            continue;
        if (strcmp(pk->key, it->key) == 0 ||
            (km_parse_key(pk->key, &k) && keymap_lookup(&a->km, k) == it->cmd))
            return true;
    }
    return false;
}

void footer_draw(app *a, WINDOW *w, int cols)
{
    wg_fill(w, 0, 0, cols, theme_attr(TH_FOOTER));
    km_footer_item items[KM_COUNT], last[KM_COUNT];
    size_t nlast;
    size_t n = keymap_footer(&a->km, items, KM_COUNT, last, &nlast);
    int reserve = 0;
    for (size_t i = 0; i < nlast; i++)
        reserve += wg_text_width(last[i].key) + wg_text_width(last[i].label) + 1;
    int room = cols - reserve, x = 0;
    for (size_t i = 0; i < n; i++)
        if (items[i].cmd == KM_HELP)
            x = item(w, x, room, items[i].key, items[i].label);
    /* on a recording its keys come first; live, only the Live key (with a file open) */
    bool on_moment = a->npanes && a->cls[a->active]->show_moment; /* Pool stays live */
    for (size_t i = 0; a->replaying && on_moment && !a->help_open && i < n; i++)
        if (km_cmd_is_replay(items[i].cmd) && (items[i].cmd != KM_LIVE || a->eng))
            x = item(w, x, room, items[i].key, items[i].label);
    if (a->help_open) {
        x = item(w, x, room, "Esc", "Close");
    } else if (a->npanes) {
        /* a pane may list a global key it leaves to the keymap (Activity's p
         * for pause): shown where the pane puts it, with the global label */
        for (const pane_key *pk = a->cls[a->active]->keys; pk && pk->key; pk++) {
            if (!pk->label || !*pk->label)
                continue;
            km_key k;
            km_cmd c = km_parse_key(pk->key, &k) ? keymap_lookup(&a->km, k) : KM_NONE;
            x = item(w, x, room, pk->key, c == KM_PAUSE && a->paused ? "Resume" : pk->label);
        }
    }
    /* while a pane takes text, Tab, ':', '/', '+'... are text: not shown */
    bool text = !a->help_open && app_pane_text_input(a);
    for (size_t i = 0; i < n; i++)
        if (items[i].cmd != KM_HELP && (!text || items[i].anywhere) &&
            !km_cmd_is_replay(items[i].cmd) &&
            !(a->npanes && !a->help_open && pane_lists(a, a->cls[a->active], &items[i])))
            x = item(w, x, room, items[i].key,
                     items[i].cmd == KM_PAUSE && a->paused ? "Resume" : items[i].label);
    if (!a->replaying && a->replay)
        for (size_t i = 0; i < n; i++)
            if (items[i].cmd == KM_LIVE)
                x = item(w, x, room, items[i].key, "Replay");
    if (x < room)
        x = room;
    for (size_t i = 0; i < nlast; i++)
        x = item(w, x, cols, last[i].key, last[i].label);
}
