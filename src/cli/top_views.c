/* top_views.c — `pgdeck top --view database|tables|indexes|replication|
 * progress|wal [--once] [--json] [--interval S] [--limit N]`.
 *
 * The same figures as the Server pane (src/monitor/monitor_server.h). Text:
 * a header line, then one line per row (the WAL view: one figure per line).
 * Server text goes through term_escape (TS_FLAT): names are hostile.
 *
 * JSON, one object per sample on one line; stable keys:
 *   view               string   the view's name
 *   server_version_num int
 *   interval_s         number   seconds between the snapshots, null without
 *   reset_seen         bool     a counter went backwards: no rate for it
 *   note               string   "" or e.g. "copy progress: not on PostgreSQL 13"
 *   missing            object   column key -> "not on PostgreSQL N" for the
 *                               columns this server lacks (their values: null)
 *   rows_chosen_s      number   tables, indexes: seconds since a full pass over
 *                               the catalog chose the rows (null: other views)
 *   rows_sort          string   ... the column they were chosen for (null: other views)
 *   pass_pct           number   ... how much of the next pass is read, 0-100
 *                               (null: none running; --once reads a whole pass)
 *   pass_sort          string   ... the column that pass sorts on (null: none)
 *   rows               array of objects, one key per column of the view
 *                      (doc/pgdeck.1 lists them), numbers as numbers,
 *                      timestamps as Unix epoch seconds, and for counters
 *                      "<key>_per_s" (null without an interval or after a reset)
 */
#include "config.h"

#include "cli/top_views.h"

#include "cli/cli_wait.h"
#include "cli/connargs.h"
#include "cli/output.h"
#include "cli/sqlerror.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/termsafe.h"
#include "common/xalloc.h"
#include "monitor/monitor.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

bool top_view_known(const char *name)
{
    return srv_view_by_name(name) != NULL;
}

const char *top_view_names(void)
{
    return "database|tables|indexes|replication|progress|wal";
}

/* A step of the driver failed: says why on stderr, returns the exit code. */
static int fail(const mon_driver *d, mon_step step)
{
    const mon_failure *f = &d->fail[step];
    char *safe = term_escape(f->message ? f->message : "?", TS_FLAT);
    cli_eprintf("pgdeck top: %s: %s\n",
                step == MON_STEP_SRV_PROBE ? "probe" : srv_view_get(d->view)->name, safe);
    free(safe);
    return f->status == ENG_DONE_CONN ? EXIT_CONNECT : EXIT_SQL;
}

/* One sample, to completion (the probe first, once): the exit code. */
static int run_sample(mon_driver *d)
{
    mon_driver_refresh(d);
    mon_driver_wait(d);
    if (d->fail[MON_STEP_SRV_PROBE].failed)
        return fail(d, MON_STEP_SRV_PROBE);
    if (d->fail[MON_STEP_SRV_VIEW].failed)
        return fail(d, MON_STEP_SRV_VIEW);
    if (d->fail[MON_STEP_SRV_SLICE].failed)
        return fail(d, MON_STEP_SRV_SLICE);
    return d->view_snap ? EXIT_OK : EXIT_SQL;
}

static void print_flat(const char *s, int width)
{
    char *safe = term_escape(s ? s : "", TS_FLAT);
    if (width > 0)
        printf("%-*.*s", width, width, safe);
    else
        fputs(safe, stdout);
    free(safe);
}

static void json_key(strbuf *sb, const char *k)
{
    json_append_string(sb, k, strlen(k));
    sb_append_c(sb, ':');
}

static void json_str_or_null(strbuf *sb, const char *t)
{
    if (t)
        json_append_string(sb, t, strlen(t));
    else
        sb_append(sb, "null");
}

/* How fresh the choice of rows is (tables, indexes), null elsewhere. */
static void json_freshness(strbuf *sb, const mon_driver *d)
{
    const srv_view *v = srv_view_get(d->view);
    bool chosen = srv_view_cached(v) && d->view_rows_chosen_at > 0;
    const srv_pass *p = srv_view_cached(v) ? d->view_pass : NULL;
    json_key(sb, "rows_chosen_s");
    json_append_number(sb, chosen ? clock_mono_s() - d->view_rows_chosen_at : NAN);
    sb_append_c(sb, ',');
    json_key(sb, "rows_sort");
    json_str_or_null(sb, chosen ? v->cols[d->view_rows_sort].key : NULL);
    sb_append_c(sb, ',');
    json_key(sb, "pass_pct");
    json_append_number(sb, p ? srv_pass_pct(p) : NAN);
    sb_append_c(sb, ',');
    json_key(sb, "pass_sort");
    json_str_or_null(sb, p ? v->cols[srv_pass_sort(p)].key : NULL);
    sb_append_c(sb, ',');
}

static void print_json(const mon_driver *d, const srv_snap *s)
{
    const srv_view *v = s->view;
    strbuf sb;
    sb_init(&sb);
    sb_append_c(&sb, '{');
    json_key(&sb, "view");
    json_append_string(&sb, v->name, strlen(v->name));
    sb_append_c(&sb, ',');
    json_key(&sb, "server_version_num");
    sb_printf(&sb, "%d,", s->version);
    json_key(&sb, "interval_s");
    json_append_number(&sb, s->interval_s > 0 ? s->interval_s : NAN);
    sb_append(&sb, ",");
    json_key(&sb, "reset_seen");
    sb_append(&sb, s->reset_seen ? "true," : "false,");
    json_key(&sb, "note");
    json_append_string(&sb, s->note, strlen(s->note));
    sb_append(&sb, ",");
    json_key(&sb, "missing");
    sb_append_c(&sb, '{');
    bool first = true;
    for (int i = 0; i < v->ncols; i++) {
        char buf[64];
        const char *why = srv_absent_text(s, i, buf, sizeof buf);
        if (!why)
            continue;
        if (!first)
            sb_append_c(&sb, ',');
        first = false;
        json_key(&sb, v->cols[i].key);
        json_append_string(&sb, why, strlen(why));
    }
    sb_append(&sb, "},");
    json_freshness(&sb, d);
    json_key(&sb, "rows");
    sb_append_c(&sb, '[');
    for (size_t j = 0; j < s->n; j++) {
        const srv_row *r = &s->rows[j];
        sb_append(&sb, j ? ",{" : "{");
        for (int i = 0; i < v->ncols; i++) {
            const srv_col *c = &v->cols[i];
            if (i)
                sb_append_c(&sb, ',');
            json_key(&sb, c->key);
            if (s->absent[i] || (c->kind != SRV_TEXT && isnan(r->num[i])) ||
                (c->kind == SRV_TEXT && r->text[i][0] == '\0'))
                sb_append(&sb, "null");
            else if (c->kind == SRV_TEXT)
                json_append_string(&sb, r->text[i], strlen(r->text[i]));
            else if (c->kind == SRV_BOOL)
                sb_append(&sb, r->num[i] ? "true" : "false");
            else
                json_append_number(&sb, r->num[i]);
            if (c->flags & SRV_F_COUNTER) {
                char k[96];
                snprintf(k, sizeof k, "%s_per_s", c->key);
                sb_append_c(&sb, ',');
                json_key(&sb, k);
                json_append_number(&sb, r->rate[i]);
            }
        }
        sb_append_c(&sb, '}');
    }
    sb_append(&sb, "]}\n");
    fputs(sb.data, stdout);
    fflush(stdout);
    sb_free(&sb);
}

static int text_width(const srv_col *c)
{
    return c->width > 0 ? c->width : 28;
}

static void print_text(const mon_driver *d, const srv_snap *s)
{
    const srv_view *v = s->view;
    printf("%s · PostgreSQL %d · %zu row%s", v->title, s->version / 10000, s->n,
           s->n == 1 ? "" : "s");
    if (s->interval_s > 0)
        printf(" · rates over %.1fs", s->interval_s);
    if (s->reset_seen)
        fputs(" · statistics were reset: rates restart", stdout);
    putchar('\n');
    if (s->note[0])
        printf("note: %s\n", s->note);
    char fresh[256];
    if (mon_driver_view_freshness(d, fresh, sizeof fresh))
        printf("%s\n", fresh); /* names of our own columns only */
    char buf[96];
    if (v->single) {
        for (size_t j = 0; j < s->n; j++)
            for (int i = 0; i < v->ncols; i++) {
                const srv_col *c = &v->cols[i];
                const char *why = srv_absent_text(s, i, buf, sizeof buf);
                printf("%-24s ", c->title);
                if (why) {
                    printf("%s\n", why);
                    continue;
                }
                print_flat(srv_format(s, j, i, false, buf, sizeof buf), 0);
                if ((c->flags & SRV_F_SHOW_RATE) && s->interval_s > 0) {
                    fputs("  (", stdout);
                    print_flat(srv_format(s, j, i, true, buf, sizeof buf), 0);
                    fputs(c->kind == SRV_BYTES ? ")" : "/s)", stdout);
                }
                putchar('\n');
            }
        fflush(stdout);
        return;
    }
    for (int i = 0, n = 0; i < v->ncols; i++) {
        if (v->cols[i].flags & SRV_F_HIDE)
            continue;
        printf(n++ ? " %-*s" : "%-*s", text_width(&v->cols[i]), srv_title(s, i, buf, sizeof buf));
    }
    putchar('\n');
    for (size_t j = 0; j < s->n; j++) {
        for (int i = 0, n = 0; i < v->ncols; i++) {
            if (v->cols[i].flags & SRV_F_HIDE)
                continue;
            if (n++)
                putchar(' ');
            print_flat(srv_format(s, j, i, true, buf, sizeof buf), text_width(&v->cols[i]));
        }
        putchar('\n');
    }
    for (int i = 0; i < v->ncols; i++) {
        const char *why = srv_absent_text(s, i, buf, sizeof buf);
        if (why)
            printf("%s: %s\n", v->cols[i].key, why);
    }
    fflush(stdout);
}

int top_views_run(engine *e, const char *name, bool once, bool json, double interval, int limit)
{
    const srv_view *v = srv_view_by_name(name);
    mon_driver d;
    mon_driver_init(&d, e, "top", MON_PART_SERVER);
    mon_driver_set_view(&d, v->id, v->default_sort);
    d.view_limit = limit;
    d.view_complete = once; /* --once: a whole pass and every size before printing */

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    int rc = EXIT_OK;
    bool baseline = once && interval > 0; /* --once --interval: two snapshots */
    for (;;) {
        /* tables, indexes: the catalog facts every SRV_CATALOG_INTERVAL s,
         * the previous rows' statistics in between (the driver's rule) */
        if ((rc = run_sample(&d)) != EXIT_OK)
            break;
        if (baseline) {
            baseline = false;
            if (!cli_sleep(interval, &interrupted))
                break;
            continue;
        }
        if (json)
            print_json(&d, d.view_snap);
        else
            print_text(&d, d.view_snap);
        if (once || !cli_sleep(interval, &interrupted))
            break;
        if (!json)
            putchar('\n');
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    mon_driver_free(&d);
    return rc;
}
