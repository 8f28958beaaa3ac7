/* header.c — the header line (server, database, user@host:port, connection
 * state, refresh) and the pane bar. */
#include "ui/app_priv.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <stdio.h>
#include <string.h>

/* conn_display is "user@host:port/dbname" and never holds a password. */
static void split_display(const char *disp, char *who, size_t nw, char *db, size_t nd)
{
    const char *slash = strrchr(disp, '/');
    if (slash && slash != disp) {
        snprintf(who, nw, "%.*s", (int)(slash - disp), disp);
        snprintf(db, nd, "%s", slash + 1);
    } else {
        snprintf(who, nw, "%s", disp);
        db[0] = '\0';
    }
}

void header_update(app *a)
{
    eng_stats *st = a->stats;
    eng_stats_get(a->eng, st);
    char who[256], db[128], state[300];
    split_display(st->conn_display, who, sizeof who, db, sizeof db);
    if (st->connected)
        snprintf(state, sizeof state, "connected");
    else if (st->last_error[0])
        snprintf(state, sizeof state, "NOT CONNECTED: %s", st->last_error);
    else
        snprintf(state, sizeof state, "connecting...");
    char text[1024], server[96] = "";
    /* with several servers, the one every pane shows comes first */
    if (a->nservers > 1)
        snprintf(server, sizeof server, " server %s |", a->servers[a->selected].name);
    snprintf(text, sizeof text, "%s PostgreSQL %s | db %s | %s | %s | refresh %.1fs%s%s", server,
             st->server_version[0] ? st->server_version : "?", db[0] ? db : "?", who[0] ? who : "?",
             state, a->refresh, a->paused ? " | PAUSED" : "", a->readonly ? " | READONLY" : "");
    text[sizeof a->header_text - 1] = '\0'; /* wider than any screen */
    if (strcmp(text, a->header_text) != 0) {
        memcpy(a->header_text, text, sizeof a->header_text);
        a->dirty[PART_HEADER] = true;
    }
}

void header_draw(app *a, WINDOW *w, int cols)
{
    unsigned long attr = theme_attr(TH_HEADER);
    wg_fill(w, 0, 0, cols, attr);
    wg_text(w, 0, 0, a->header_text, cols, attr);
}

void panebar_draw(app *a, WINDOW *w, int cols)
{
    unsigned long bar = theme_attr(TH_PANEBAR);
    wg_fill(w, 0, 0, cols, bar);
    int x = 0;
    for (int i = 0; i < a->npanes && x < cols; i++) {
        char item[64];
        snprintf(item, sizeof item, " %d %s ", a->numbers[i], a->cls[i]->name);
        unsigned long at = i == a->active ? theme_attr(TH_PANEBAR_ACTIVE) : bar;
        x += wg_text(w, 0, x, item, cols - x, at);
        x += wg_text(w, 0, x, " ", cols - x, bar);
    }
    if (a->npanes == 0)
        wg_text(w, 0, 1, "(no panes)", cols - 1, theme_attr(TH_DIM));
}
