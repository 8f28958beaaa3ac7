/* pane_fleet.c — the Fleet pane: one line per server the console watches
 * (role, version, up/down with the last error, connections against
 * max_connections, tps, the longest transaction, blocked sessions,
 * replication lag, the SLO lines' state) and, under a server with a
 * PgBouncer admin console, its pools (SHOW POOLS). Enter shows the chosen
 * server in every other pane (app_select_server).
 *
 * Data flow: each tick submits monitor_fleet's one statement per server on
 * that server's engine (tag "fleet:NAME"); the app routes those answers
 * here from every engine, the shown one's and the others'. The SLO lines
 * are rates.c's (the Pool pane's), fed with each engine's stats snapshots. */
#include "config.h"

#include "ui/pane.h"
#include "ui/rates.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include "common/fmt.h"
#include "common/termsafe.h"
#include "common/xalloc.h"
#include "monitor/monitor_fleet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLEET_HISTORY 120 /* two minutes at 1 s: the SLO window is one */

typedef struct fleet_row {
    mon_fleet_member m;
    pool_history hist;
    slo_result slo[SLO_COUNT];
    bool have_slo;
    char failover[160]; /* the pool's last failover, "" if none */
} fleet_row;

typedef struct fleet_pane {
    app *a;
    fleet_row *rows; /* the live servers */
    int n;
    int cursor, top;
    /* a recorded moment's lines (moment.h), shown instead when moment is set */
    ui_moment *moment;
    fleet_row *recorded;
    int nrecorded;
} fleet_pane;

#define FP(pp) ((fleet_pane *)(pp))

static pane *fleet_create(app *a)
{
    fleet_pane *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->n = app_server_count(a);
    p->rows = xcalloc(p->n > 0 ? (size_t)p->n : 1, sizeof *p->rows);
    for (int i = 0; i < p->n; i++) {
        const app_server *s = app_server_at(a, i);
        mon_fleet_member_init(&p->rows[i].m, s->name, s->e, s->bouncer);
        pool_history_init(&p->rows[i].hist, FLEET_HISTORY);
    }
    p->cursor = app_server_selected(a);
    return (pane *)p;
}

static void drop_recorded(fleet_pane *p)
{
    free(p->recorded); /* its members are the moment's: nothing else is ours */
    p->recorded = NULL;
    p->nrecorded = 0;
}

static void fleet_destroy(pane *pp)
{
    fleet_pane *p = FP(pp);
    drop_recorded(p);
    for (int i = 0; i < p->n; i++) {
        mon_fleet_member_free(&p->rows[i].m);
        pool_history_free(&p->rows[i].hist);
    }
    free(p->rows);
    free(p);
}

static int fleet_on_tick(pane *pp)
{
    fleet_pane *p = FP(pp);
    eng_stats *st = xcalloc(1, sizeof *st); /* ~14 KB: not on the stack */
    for (int i = 0; i < p->n; i++) {
        fleet_row *r = &p->rows[i];
        mon_fleet_refresh(&r->m);
        eng_stats_get(r->m.e, st);
        mon_fleet_pool_state(&r->m, st->connected, st->last_error);
        if (st->failovers > 0)
            snprintf(r->failover, sizeof r->failover,
                     "failover: now on %.60s, writes unavailable %.1f s", st->server_at,
                     st->last_unavailable_s);
        pool_sample s;
        pool_sample_from_stats(&s, st);
        pool_history_push(&r->hist, &s);
        slo_evaluate(pool_history_window_start(&r->hist, 60.0), &s,
                     pool_history_uptime(&r->hist, 60.0), self_rss_bytes(), r->slo);
        r->have_slo = true;
    }
    free(st);
    return PANE_REDRAW;
}

static int fleet_on_event(pane *pp, const eng_event *ev)
{
    fleet_pane *p = FP(pp);
    if (!ev->tag)
        return 0;
    bool bouncer = strncmp(ev->tag, "fleet:pgb:", 10) == 0;
    const char *name = ev->tag + (bouncer ? 10 : 6);
    for (int i = 0; i < p->n; i++) {
        fleet_row *r = &p->rows[i];
        if (strcmp(r->m.name, name) != 0)
            continue;
        bool took = bouncer ? mon_fleet_on_bouncer_event(&r->m, ev) : mon_fleet_on_event(&r->m, ev);
        return took ? PANE_REDRAW : 0;
    }
    return 0;
}

/* ---- drawing ---------------------------------------------------------- */

typedef struct col {
    const char *title;
    int width, align; /* align: 0 left, 1 right */
} col;

static const col cols[] = {
    {"SERVER", 14, 0},  {"ROLE", 8, 0}, {"VERSION", 8, 0}, {"UP", 4, 0},
    {"CONN/MAX", 9, 1}, {"TPS", 8, 1},  {"LONGEST", 8, 1}, {"BLOCKED", 7, 1},
    {"LAG", 8, 1},      {"SLO", 14, 0}, {"ERROR", 0, 0},
};
#define NCOLS ((int)(sizeof cols / sizeof cols[0]))

static void slo_text(const fleet_row *r, char *buf, size_t n, bool *bad)
{
    static const char *const word[SLO_COUNT] = {"p95", "avail", "errors", "mem"};
    buf[0] = '\0';
    *bad = false;
    if (!r->have_slo) {
        snprintf(buf, n, "-");
        return;
    }
    for (int i = 0; i < SLO_COUNT; i++)
        if (!r->slo[i].met) {
            size_t len = strlen(buf);
            snprintf(buf + len, n - len, "%s%s", len ? "," : "", word[i]);
            *bad = true;
        }
    if (!*bad)
        snprintf(buf, n, "ok");
}

static void row_cells(const fleet_row *r, char cell[NCOLS][256], unsigned long *state_attr)
{
    const mon_fleet_member *m = &r->m;
    const mon_fleet_sample *s = m->have && m->up ? &m->cur : NULL;
    for (int i = 0; i < NCOLS; i++)
        snprintf(cell[i], 256, "-");
    snprintf(cell[0], 256, "%s", m->name);
    if (s) {
        snprintf(cell[1], 256, "%s", s->standby ? "standby" : "primary");
        snprintf(cell[2], 256, "%s", s->version);
        snprintf(cell[3], 256, "up");
        snprintf(cell[4], 256, "%.0f/%.0f", s->connections, s->max_conn);
        if (!isnan(m->tps))
            snprintf(cell[5], 256, "%.1f", m->tps);
        if (!isnan(s->longest_xact))
            fmt_duration(s->longest_xact, cell[6], 256);
        if (!isnan(s->blocked))
            snprintf(cell[7], 256, "%.0f", s->blocked);
        if (!isnan(s->lag_s))
            fmt_duration(s->lag_s, cell[8], 256);
        snprintf(cell[10], 256, "%s", r->failover); /* pgdeck's own text */
        *state_attr = theme_attr(TH_GOOD);
    } else if (m->asked) {
        snprintf(cell[3], 256, "DOWN");
        /* the server's or libpq's bytes: escaped before they reach the terminal */
        char *e = term_escape(m->error ? m->error : "no answer", TS_FLAT);
        snprintf(cell[10], 256, "%s", e);
        free(e);
        *state_attr = theme_attr(TH_BAD);
    } else {
        snprintf(cell[3], 256, "...");
        cell[10][0] = '\0';
        *state_attr = theme_attr(TH_DIM);
    }
    bool bad;
    slo_text(r, cell[9], 256, &bad);
}

/* Lines a row takes: itself, its PgBouncer's header, error and pools. */
static int row_lines(const fleet_row *r)
{
    if (!r->m.bouncer)
        return 1;
    return 2 + (r->m.pools_error ? 1 : 0) + (int)r->m.npools;
}

/* The lines shown: the moment's on a recording. */
static const fleet_row *shown_rows(const fleet_pane *p, int *n)
{
    *n = p->moment ? p->nrecorded : p->n;
    return p->moment ? p->recorded : p->rows;
}

/* The '>' mark: the server the other panes show. */
static int shown_server(const fleet_pane *p)
{
    return p->moment ? (int)p->moment->server : app_server_selected(p->a);
}

static void fleet_draw(pane *pp, WINDOW *w, int rows, int cols_n)
{
    fleet_pane *p = FP(pp);
    int nrows;
    const fleet_row *all = shown_rows(p, &nrows);
    unsigned long normal = theme_attr(TH_NORMAL), title = theme_attr(TH_GRID_HEADER);
    werase(w);
    if (rows < 1)
        return;
    int x = 0;
    wg_fill(w, 0, 0, cols_n, title);
    for (int c = 0; c < NCOLS && x < cols_n; c++) {
        int width = cols[c].width ? cols[c].width : cols_n - x;
        wg_field(w, 0, x, cols[c].title, width, cols[c].align, title);
        x += width + 1;
    }
    if (nrows == 0) {
        wg_text(w, 1, 1, p->moment ? "no fleet line recorded at this moment" : "no servers",
                cols_n - 1, theme_attr(TH_DIM));
        return;
    }
    /* keep the cursor's line on screen */
    int line_of_cursor = 0;
    for (int i = 0; i < p->cursor; i++)
        line_of_cursor += row_lines(&all[i]);
    if (line_of_cursor < p->top)
        p->top = line_of_cursor;
    if (line_of_cursor >= p->top + rows - 1)
        p->top = line_of_cursor - (rows - 2);
    int line = 0, y = 1;
    for (int i = 0; i < nrows && y < rows; i++) {
        const fleet_row *r = &all[i];
        char cell[NCOLS][256];
        unsigned long state = normal;
        row_cells(r, cell, &state);
        bool cur = i == p->cursor;
        unsigned long base = cur ? theme_attr(TH_SELECTED) : normal;
        if (line >= p->top) {
            wg_fill(w, y, 0, cols_n, base);
            x = 0;
            for (int c = 0; c < NCOLS && x < cols_n; c++) {
                int width = cols[c].width ? cols[c].width : cols_n - x;
                char shown[300];
                /* '>' marks the server the other panes show */
                if (c == 0)
                    snprintf(shown, sizeof shown, "%s%s", i == shown_server(p) ? ">" : " ",
                             cell[0]);
                else
                    snprintf(shown, sizeof shown, "%s", cell[c]);
                unsigned long at = (c == 3 || c == 10) && !cur ? state : base;
                wg_field(w, y, x, shown, width, cols[c].align, at);
                x += width + 1;
            }
            y++;
        }
        line++;
        if (!r->m.bouncer)
            continue;
        char buf[512];
        if (line >= p->top && y < rows) {
            snprintf(buf, sizeof buf, "    PgBouncer pools: %-20s %-14s %9s %10s %9s %7s %7s",
                     "database", "user", "cl_active", "cl_waiting", "sv_active", "sv_idle",
                     "maxwait");
            wg_text(w, y++, 0, buf, cols_n, theme_attr(TH_LABEL));
        }
        line++;
        if (r->m.pools_error) {
            if (line >= p->top && y < rows) {
                char *e = term_escape(r->m.pools_error, TS_FLAT);
                snprintf(buf, sizeof buf, "    PgBouncer: %s", e);
                free(e);
                wg_text(w, y++, 0, buf, cols_n, theme_attr(TH_BAD));
            }
            line++;
        }
        for (size_t k = 0; k < r->m.npools; k++, line++) {
            if (line < p->top || y >= rows)
                continue;
            const mon_bouncer_pool *pl = &r->m.pools[k];
            char *db = term_escape(pl->database, TS_FLAT), *user = term_escape(pl->user, TS_FLAT);
            snprintf(buf, sizeof buf,
                     "                     %-20.20s %-14.14s %9.0f %10.0f %9.0f %7.0f %7.0f", db,
                     user, pl->cl_active, pl->cl_waiting, pl->sv_active, pl->sv_idle, pl->maxwait);
            free(db);
            free(user);
            wg_text(w, y++, 0, buf, cols_n, normal);
        }
    }
}

static int fleet_on_key(pane *pp, int ch, bool is_key)
{
    fleet_pane *p = FP(pp);
    int nrows;
    shown_rows(p, &nrows);
    if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k')) {
        if (p->cursor > 0)
            p->cursor--;
        return PANE_HANDLED | PANE_REDRAW;
    }
    if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j')) {
        if (p->cursor < nrows - 1)
            p->cursor++;
        return PANE_HANDLED | PANE_REDRAW;
    }
    if ((is_key && ch == KEY_HOME) || (!is_key && ch == 'g')) {
        p->cursor = 0;
        return PANE_HANDLED | PANE_REDRAW;
    }
    if ((is_key && ch == KEY_END) || (!is_key && ch == 'G')) {
        p->cursor = nrows > 0 ? nrows - 1 : 0;
        return PANE_HANDLED | PANE_REDRAW;
    }
    if ((is_key && ch == KEY_ENTER) || (!is_key && (ch == '\n' || ch == '\r'))) {
        if (nrows > 0)
            app_select_server(p->a, p->cursor);
        return PANE_HANDLED | PANE_REDRAW;
    }
    return PANE_IGNORED;
}

/* The moment's Fleet lines (borrowed members: no engine, never
 * refreshed); NULL: the live servers again. */
static void fleet_show_moment(pane *pp, ui_moment *m)
{
    fleet_pane *p = FP(pp);
    drop_recorded(p);
    p->moment = m;
    if (m) {
        p->nrecorded = (int)m->nfleet;
        p->recorded = xcalloc(m->nfleet ? m->nfleet : 1, sizeof *p->recorded);
        for (size_t i = 0; i < m->nfleet; i++)
            p->recorded[i].m = m->fleet[i]; /* have_slo false: the SLOs are live figures */
    }
    int nrows;
    shown_rows(p, &nrows);
    if (p->cursor >= nrows)
        p->cursor = nrows > 0 ? nrows - 1 : 0;
}

static const pane_key fleet_keys[] = {
    {"Up/Down", "Move", "choose a server (k / j)"},
    {"Enter", "Show", "show the chosen server in every other pane (the header names it)"},
    {NULL, NULL, NULL},
};

const pane_class pane_fleet_class = {
    .name = "Fleet",
    .tag_prefix = "fleet:",
    .create = fleet_create,
    .destroy = fleet_destroy,
    .draw = fleet_draw,
    .on_key = fleet_on_key,
    .on_event = fleet_on_event,
    .on_tick = fleet_on_tick,
    .keys = fleet_keys,
    .show_moment = fleet_show_moment,
};
