/* header.c — the header line (server, database, user@host:port, connection
 * state, refresh) and the pane bar. */
#include "ui/app_priv.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

static void clock_text(double t, bool date, char *buf, size_t n)
{
    time_t s = (time_t)floor(t);
    struct tm tm;
    localtime_r(&s, &tm);
    strftime(buf, n, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
}

static bool same_day(double a, double b)
{
    time_t x = (time_t)a, y = (time_t)b;
    struct tm ta, tb;
    localtime_r(&x, &ta);
    localtime_r(&y, &tb);
    return ta.tm_year == tb.tm_year && ta.tm_yday == tb.tm_yday;
}

/* The time bar: the moment's time, what it is (one snapshot or a 1-min
 * aggregate), where it sits in the recording's span, and the server. The
 * word REPLAY leads (header_draw marks it). */
static void replay_text(app *a, char *text, size_t n)
{
    const ui_moment *m = ui_replay_moment(a->replay);
    double first, last;
    ui_replay_span(a->replay, &first, &last);
    char at[32], from[32], to[32];
    clock_text(m->taken_at, true, at, sizeof at);
    bool one_day = same_day(first, last) && same_day(first, m->taken_at);
    clock_text(first, !one_day, from, sizeof from);
    clock_text(last, !one_day, to, sizeof to);
    double pos = last > first ? (m->taken_at - first) / (last - first) : 1.0;
    if (!(pos >= 0))
        pos = 0;
    if (pos > 1)
        pos = 1;
    enum { BAR_MAX = 20 };
    int width = a->cols >= 120 || a->cols <= 0 ? BAR_MAX : 10; /* the span must fit at 80 */
    char bar[BAR_MAX * 4 + 1];
    size_t bl = 0;
    int mark = (int)lround(pos * (width - 1));
    bool uni = wg_unicode();
    for (int i = 0; i < width; i++) {
        const char *c = i == mark  ? (uni ? "\u25c6" : "|")
                        : i < mark ? (uni ? "\u2501" : "=")
                                   : (uni ? "\u2500" : "-");
        size_t cl = strlen(c);
        memcpy(bar + bl, c, cl);
        bl += cl;
    }
    bar[bl] = '\0';
    const char *const *names;
    size_t ns = ui_replay_servers(a->replay, &names);
    char server[96] = "";
    if (ns > 1)
        snprintf(server, sizeof server, " | server %s", names[ui_replay_server(a->replay)]);
    char key[32], live[48] = "";
    if (a->eng)
        snprintf(live, sizeof live, " | %s: live", app_live_key(a, key, sizeof key));
    snprintf(text, n, "REPLAY %s%s%s [%s] %.0f%% of %s - %s%s | %s | read-only%s", at,
             m->grain >= 60 ? " | 1-min aggregate" : "", m->up ? "" : " | server DOWN", bar,
             pos * 100, from, to, server, ui_replay_path(a->replay), live);
    if (!m->up && m->error) { /* why, last: the server's own bytes (wg_text escapes them) */
        size_t len = strlen(text);
        snprintf(text + len, n - len, " | down: %s", m->error);
    }
}

/* " | recording to FILE (N)" while :record runs. */
static void recording_note(app *a, char *text, size_t n)
{
    if (!a->recorder)
        return;
    size_t len = strlen(text);
    if (len < n)
        snprintf(text + len, n - len, " | recording to %s (%ld)", ui_recorder_path(a->recorder),
                 a->rec_snapshots);
}

void header_update(app *a)
{
    char text[1024];
    if (a->replaying && a->replay) {
        replay_text(a, text, sizeof text);
        recording_note(a, text, sizeof text);
        text[sizeof a->header_text - 1] = '\0';
        if (strcmp(text, a->header_text) != 0) {
            memcpy(a->header_text, text, sizeof a->header_text);
            a->dirty[PART_HEADER] = true;
        }
        return;
    }
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
    char server[96] = "";
    /* with several servers, the one every pane shows comes first */
    if (a->nservers > 1)
        snprintf(server, sizeof server, " server %s |", a->servers[a->selected].name);
    snprintf(text, sizeof text, "%s PostgreSQL %s | db %s | %s | %s | refresh %.1fs%s%s", server,
             st->server_version[0] ? st->server_version : "?", db[0] ? db : "?", who[0] ? who : "?",
             state, a->refresh, a->paused ? " | PAUSED" : "", a->readonly ? " | READONLY" : "");
    if (a->replay) { /* open, not shown */
        size_t len = strlen(text);
        char key[32];
        snprintf(text + len, sizeof text - len, " | %s: replay %s",
                 app_live_key(a, key, sizeof key), ui_replay_path(a->replay));
    }
    if (a->recorder) { /* first: it must stay visible at 80 columns */
        char note[300];
        int nl = snprintf(note, sizeof note, " recording to %s (%ld) |",
                          ui_recorder_path(a->recorder), a->rec_snapshots);
        size_t len = strlen(text), add = nl > 0 ? (size_t)nl : 0;
        if (add >= sizeof note)
            add = sizeof note - 1;
        if (len + add >= sizeof text)
            len = sizeof text - add - 1;
        memmove(text + add, text, len);
        memcpy(text, note, add);
        text[len + add] = '\0';
    }
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
    const char *text = a->header_text;
    int x = 0;
    if (a->replaying && strncmp(text, "REPLAY ", 7) == 0) {
        /* the word that says these are not live figures, as loud as an error */
        x = wg_text(w, 0, 0, "REPLAY", cols, theme_attr(TH_BAD) | A_REVERSE | A_BOLD);
        text += 6;
    }
    wg_text(w, 0, x, text, cols - x, attr);
}

void panebar_draw(app *a, WINDOW *w, int cols)
{
    unsigned long bar = theme_attr(TH_PANEBAR);
    wg_fill(w, 0, 0, cols, bar);
    int x = 0;
    for (int i = 0; i < a->npanes && x < cols; i++) {
        char item[64];
        /* beside live panes, the ones drawing the recording say so */
        bool rec = a->replaying && a->eng && a->cls[i]->show_moment;
        snprintf(item, sizeof item, " %d %s%s ", a->numbers[i], a->cls[i]->name,
                 rec ? " (rec)" : "");
        unsigned long at = i == a->active ? theme_attr(TH_PANEBAR_ACTIVE) : bar;
        x += wg_text(w, 0, x, item, cols - x, at);
        x += wg_text(w, 0, x, " ", cols - x, bar);
    }
    if (a->npanes == 0)
        wg_text(w, 0, 1, "(no panes)", cols - 1, theme_attr(TH_DIM));
}
