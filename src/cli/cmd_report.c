/* cmd_report.c — `pgdeck report`: what happened in a window of a recording,
 * as a DBA pastes it into an incident note.
 *
 *   pgdeck report FILE [--server NAME] [--from T] [--to T] [--top N] [--json]
 *
 * T is read by time_parse (common/timeparse.h), in local time: "03:12" (the
 * occurrence nearest to the recording's last snapshot), "2026-12-04 03:12",
 * "-2h" (before now), "now", epoch seconds. --from defaults to each server's
 * first snapshot, --to to its last. The window holds the snapshots taken in
 * [from, to]; each carries the deltas of the interval before it. Without
 * --server every server of the file is reported, in the order recorded.
 * Texts come from the server (and the file): escaped for the terminal in
 * text, raw (JSON-escaped) in --json. Exit 0 (an empty window too, said
 * so), 1 the file cannot be read, 2 usage (a bad T, an unknown server).
 *
 * JSON output, one object; these keys are stable:
 *   file               string
 *   servers            array of objects, one per server reported:
 *     server           string   its name ("default" for a single server)
 *     from, to         number   the window, epoch seconds
 *     snapshots        int      taken in the window (0: an empty window)
 *     minute_snapshots int      of which per-minute aggregates (thinned)
 *     first, last      number   the first and last of them (null if none)
 *     covered_s        number   seconds their deltas cover
 *     total_ms, calls  number   every top-level statement in the window
 *     statements       array, by total time, descending (at most --top):
 *       rank int, queryid string, database, role string, toplevel bool,
 *       calls, total_ms, mean_ms, rows number (summed over the window),
 *       max_ms number (the largest since the server's reset), share_pct
 *       number (of total_ms), query string (the whole text)
 *     blockers         array, longest first (at most --top): sessions that
 *                      held a lock others waited for:
 *       pid int, role, database, application, state, query string (at its
 *       last sighting), blocked_s number (at least: the span it was seen
 *       blocking, or its longest waiter's wait), first_seen, last_seen
 *       number, snapshots int, waiters int (distinct sessions), most_at_once
 *       int
 *     connections      object: peak, max_connections number, at number
 *                      (the first snapshot at the peak); nulls when unknown
 *     tps              object: min, avg (weighted by interval), max
 *     down             array: from, to number (first and last snapshot that
 *                      found the server down), up_again number or null,
 *                      snapshots int, error string
 *     errors           array: error string, count int, first, last number
 *                      (errors while the server answered)
 */
#include "config.h"

#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/sqlerror.h"
#include "cli/usage.h"
#include "common/fmt.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/termsafe.h"
#include "common/timeparse.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "record/record_read.h"
#include "record/record_report.h"

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_SERVER = 0x3101, OPT_FROM, OPT_TO, OPT_TOP, OPT_JSON, OPT_HELP };

#define REPORT_TOP_MAX 1000
#define QUERY_SHOWN 160 /* bytes of a query's first line in text output */

static const char time_forms[] = "03:12, \"2026-12-04 03:12\", -2h, now or epoch seconds";

/* ---- text ------------------------------------------------------------------ */

/* The first line of a text, at most QUERY_SHOWN bytes, escaped, with "…"
 * when anything was left out. malloc'd. */
static char *first_line(const char *s)
{
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    size_t len = strcspn(s, "\r\n");
    bool cut = s[len] != '\0';
    if (len > QUERY_SHOWN) {
        len = utf8_char_start(s, QUERY_SHOWN);
        cut = true;
    }
    char *line = xstrndup(s, len);
    char *safe = term_escape(line, TS_FLAT);
    free(line);
    if (!cut)
        return safe;
    char *out = xasprintf("%s …", safe);
    free(safe);
    return out;
}

static char *flat(const char *s)
{
    return term_escape(s ? s : "", TS_FLAT);
}

static void print_window(const rec_summary *s, const char *file)
{
    char a[32], b[32], d[32];
    char *safe_file = flat(file), *safe_server = flat(s->server);
    printf("pgdeck report: %s, server %s\n", safe_file, safe_server);
    free(safe_file);
    free(safe_server);
    fmt_duration(s->to - s->from, d, sizeof d);
    printf("Window       %s – %s (%s)\n", time_format(s->from, a, sizeof a),
           time_format_near(s->to, s->from, b, sizeof b), d);
    if (s->snapshots == 0)
        return;
    printf("Snapshots    %zu", s->snapshots);
    if (s->minute_snapshots == 0 && s->snapshots > 1)
        printf(", about every %.1fs", (s->last - s->first) / (double)(s->snapshots - 1));
    if (s->minute_snapshots)
        printf(" (%zu of them per-minute aggregates)", s->minute_snapshots);
    putchar('\n');
}

static void print_statements(const rec_summary *s)
{
    char total[32];
    fmt_ms_unit(s->total_ms, total, sizeof total);
    if (s->nstmt == 0) {
        puts("\nTop statements: none in the window (no calls recorded, or no "
             "pg_stat_statements)");
        return;
    }
    printf("\nTop statements by total time (%s in %.0f calls in the window)\n", total, s->calls);
    printf("%3s %9s %11s %9s %9s %6s  %s\n", "#", "calls", "total ms", "mean ms", "rows", "share",
           "query");
    for (size_t i = 0; i < s->nstmt; i++) {
        const rec_stmt_total *t = &s->stmt[i];
        char share[16];
        if (isnan(t->share))
            snprintf(share, sizeof share, "-");
        else
            snprintf(share, sizeof share, "%.1f%%", 100 * t->share);
        char *q = first_line(t->query);
        printf("%3zu %9.0f %11.1f %9.2f %9.0f %6s  %s%s\n", i + 1, t->calls, t->total_ms,
               t->mean_ms, t->rows, share, t->toplevel ? "" : "(nested) ", q);
        free(q);
    }
}

static void print_blockers(const rec_summary *s)
{
    if (s->nblockers == 0) {
        puts("\nLongest blockers: none (no session waited for another's lock in a snapshot)");
        return;
    }
    puts("\nLongest blockers (blocked: at least, from the snapshots)");
    printf("%-8s %-14s %8s %7s %5s  %-19s %-19s %s\n", "pid", "role", "blocked", "waiters", "most",
           "seen", "state", "query");
    for (size_t i = 0; i < s->nblockers; i++) {
        const rec_blocker *b = &s->blockers[i];
        char dur[32], from[32], to[32], seen[80];
        fmt_duration(b->blocked_s, dur, sizeof dur);
        time_format_near(b->first_seen, s->from, from, sizeof from);
        if (b->last_seen > b->first_seen)
            snprintf(seen, sizeof seen, "%s-%s", from,
                     time_format_near(b->last_seen, b->first_seen, to, sizeof to));
        else
            snprintf(seen, sizeof seen, "%s", from);
        char *role = flat(b->role), *state = flat(b->state), *q = first_line(b->query);
        printf("%-8d %-14s %8s %7zu %5zu  %-19s %-19s %s\n", b->pid, role, dur, b->waiters,
               b->most_at_once, seen, state, q);
        free(role);
        free(state);
        free(q);
    }
}

static void print_figures(const rec_summary *s)
{
    char at[32];
    putchar('\n');
    if (isnan(s->peak_conn))
        puts("Connections  not recorded");
    else if (isnan(s->max_conn))
        printf("Connections  peak %.0f at %s\n", s->peak_conn,
               time_format_near(s->peak_conn_at, s->from, at, sizeof at));
    else
        printf("Connections  peak %.0f of %.0f (max_connections) at %s\n", s->peak_conn,
               s->max_conn, time_format_near(s->peak_conn_at, s->from, at, sizeof at));
    if (isnan(s->tps_avg))
        puts("Throughput   not recorded");
    else
        printf("Throughput   tps min %.1f, avg %.1f, max %.1f\n", s->tps_min, s->tps_avg,
               s->tps_max);
    if (s->ndown == 0)
        puts("Down         never (every snapshot in the window found the server up)");
    for (size_t i = 0; i < s->ndown; i++) {
        const rec_down *d = &s->down[i];
        char from[32], to[32], again[32];
        char *why = flat(d->error);
        printf("%s %s", i ? "            " : "Down        ",
               time_format_near(d->from, s->from, from, sizeof from));
        if (d->to > d->from)
            printf(" – %s", time_format_near(d->to, d->from, to, sizeof to));
        printf(" (%zu snapshot%s", d->snapshots, d->snapshots == 1 ? "" : "s");
        if (!isnan(d->up_again))
            printf(", up again at %s", time_format_near(d->up_again, d->from, again, sizeof again));
        else
            fputs(", still down at the window's end", stdout);
        printf(")%s%s\n", why[0] ? ": " : "", why);
        free(why);
    }
    for (size_t i = 0; i < s->nerrors; i++) {
        const rec_error_count *e = &s->errors[i];
        char first[32], last[32];
        char *why = flat(e->error);
        printf("%s %zu× %s", i ? "            " : "Errors      ", e->count,
               time_format_near(e->first, s->from, first, sizeof first));
        if (e->last > e->first)
            printf(" – %s", time_format_near(e->last, e->first, last, sizeof last));
        printf(": %s\n", why);
        free(why);
    }
}

static void print_text(const rec_summary *s, const char *file, double rec_first, double rec_last)
{
    print_window(s, file);
    if (s->snapshots == 0) {
        char a[32], b[32];
        if (isnan(rec_first))
            puts("No snapshot in the window: this server has no snapshot in the recording.");
        else
            printf("No snapshot in the window: the recording of this server runs from %s to "
                   "%s.\n",
                   time_format(rec_first, a, sizeof a),
                   time_format_near(rec_last, rec_first, b, sizeof b));
        return;
    }
    print_statements(s);
    print_blockers(s);
    print_figures(s);
}

/* ---- JSON ------------------------------------------------------------------ */

static void key(strbuf *sb, const char *k)
{
    json_append_cstr(sb, k);
    sb_append_c(sb, ':');
}

static void num(strbuf *sb, const char *k, double v)
{
    key(sb, k);
    json_append_number(sb, v);
    sb_append_c(sb, ',');
}

static void str(strbuf *sb, const char *k, const char *v)
{
    key(sb, k);
    json_append_cstr(sb, v ? v : "");
    sb_append_c(sb, ',');
}

/* Drops the ',' after the last member. */
static void close_with(strbuf *sb, char c)
{
    if (sb->len && sb->data[sb->len - 1] == ',')
        sb->data[--sb->len] = '\0';
    sb_append_c(sb, c);
}

static void json_summary(strbuf *sb, const rec_summary *s)
{
    sb_append_c(sb, '{');
    str(sb, "server", s->server);
    num(sb, "from", s->from);
    num(sb, "to", s->to);
    num(sb, "snapshots", (double)s->snapshots);
    num(sb, "minute_snapshots", (double)s->minute_snapshots);
    num(sb, "first", s->first);
    num(sb, "last", s->last);
    num(sb, "covered_s", s->covered_s);
    num(sb, "total_ms", s->snapshots ? s->total_ms : NAN);
    num(sb, "calls", s->snapshots ? s->calls : NAN);
    key(sb, "statements");
    sb_append_c(sb, '[');
    for (size_t i = 0; i < s->nstmt; i++) {
        const rec_stmt_total *t = &s->stmt[i];
        sb_append_c(sb, '{');
        num(sb, "rank", (double)(i + 1));
        char id[32];
        snprintf(id, sizeof id, "%" PRId64, t->queryid);
        str(sb, "queryid", id);
        str(sb, "database", t->database);
        str(sb, "role", t->role);
        key(sb, "toplevel");
        sb_append(sb, t->toplevel ? "true," : "false,");
        num(sb, "calls", t->calls);
        num(sb, "total_ms", t->total_ms);
        num(sb, "mean_ms", t->mean_ms);
        num(sb, "rows", t->rows);
        num(sb, "max_ms", t->max_ms);
        num(sb, "share_pct", 100 * t->share);
        str(sb, "query", t->query);
        close_with(sb, '}');
        sb_append_c(sb, ',');
    }
    close_with(sb, ']');
    sb_append_c(sb, ',');
    key(sb, "blockers");
    sb_append_c(sb, '[');
    for (size_t i = 0; i < s->nblockers; i++) {
        const rec_blocker *b = &s->blockers[i];
        sb_append_c(sb, '{');
        num(sb, "pid", b->pid);
        str(sb, "role", b->role);
        str(sb, "database", b->database);
        str(sb, "application", b->application);
        str(sb, "state", b->state);
        str(sb, "query", b->query);
        num(sb, "blocked_s", b->blocked_s);
        num(sb, "first_seen", b->first_seen);
        num(sb, "last_seen", b->last_seen);
        num(sb, "snapshots", (double)b->snapshots);
        num(sb, "waiters", (double)b->waiters);
        num(sb, "most_at_once", (double)b->most_at_once);
        close_with(sb, '}');
        sb_append_c(sb, ',');
    }
    close_with(sb, ']');
    sb_append_c(sb, ',');
    key(sb, "connections");
    sb_append_c(sb, '{');
    num(sb, "peak", s->peak_conn);
    num(sb, "max_connections", s->max_conn);
    num(sb, "at", s->peak_conn_at);
    close_with(sb, '}');
    sb_append_c(sb, ',');
    key(sb, "tps");
    sb_append_c(sb, '{');
    num(sb, "min", s->tps_min);
    num(sb, "avg", s->tps_avg);
    num(sb, "max", s->tps_max);
    close_with(sb, '}');
    sb_append_c(sb, ',');
    key(sb, "down");
    sb_append_c(sb, '[');
    for (size_t i = 0; i < s->ndown; i++) {
        const rec_down *d = &s->down[i];
        sb_append_c(sb, '{');
        num(sb, "from", d->from);
        num(sb, "to", d->to);
        num(sb, "up_again", d->up_again);
        num(sb, "snapshots", (double)d->snapshots);
        str(sb, "error", d->error);
        close_with(sb, '}');
        sb_append_c(sb, ',');
    }
    close_with(sb, ']');
    sb_append_c(sb, ',');
    key(sb, "errors");
    sb_append_c(sb, '[');
    for (size_t i = 0; i < s->nerrors; i++) {
        const rec_error_count *e = &s->errors[i];
        sb_append_c(sb, '{');
        str(sb, "error", e->error);
        num(sb, "count", (double)e->count);
        num(sb, "first", e->first);
        num(sb, "last", e->last);
        close_with(sb, '}');
        sb_append_c(sb, ',');
    }
    close_with(sb, ']');
    sb_append_c(sb, '}');
}

/* ---- the command ---------------------------------------------------------- */

typedef struct report_opts {
    const char *file, *server, *from, *to;
    int top;
    bool json;
} report_opts;

/* A --from/--to value: the recording's last moment anchors a time of day. */
static double moment(const char *s, double now, double anchor)
{
    double t = NAN;
    if (s && !time_parse(s, now, anchor, &t))
        return NAN;
    return t;
}

static int run(const report_opts *o)
{
    char *err = NULL;
    rec_reader *r = rec_reader_open(o->file, &err);
    if (!r) {
        char *safe = flat(err);
        cli_eprintf("pgdeck report: %s\n", safe);
        free(safe);
        free(err);
        return EXIT_SQL;
    }
    const char *const *names = NULL;
    size_t n = rec_reader_servers(r, &names);
    size_t pick = n;
    if (o->server) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(names[i], o->server) == 0)
                pick = i;
        if (pick == n) {
            strbuf known;
            sb_init(&known);
            for (size_t i = 0; i < n; i++)
                sb_printf(&known, "%s%s", i ? ", " : "", names[i]);
            int rc = usage_error("report", "%s has no server '%s' (it has: %s)", o->file, o->server,
                                 n ? known.data : "none");
            sb_free(&known);
            rec_reader_close(r);
            return rc;
        }
    }
    double now = (double)time(NULL), anchor = NAN;
    for (size_t i = 0; i < n; i++) {
        double first, last;
        if (rec_reader_range(r, i, &first, &last) && (isnan(anchor) || last > anchor))
            anchor = last;
    }
    if (isnan(anchor))
        anchor = now;
    double from = moment(o->from, now, anchor), to = moment(o->to, now, anchor);
    if (o->from && o->to && from > to) {
        char a[32], b[32];
        rec_reader_close(r);
        return usage_error("report", "--from (%s) is after --to (%s)",
                           time_format(from, a, sizeof a), time_format(to, b, sizeof b));
    }

    strbuf sb;
    sb_init(&sb);
    if (o->json) {
        sb_append_c(&sb, '{');
        str(&sb, "file", o->file);
        key(&sb, "servers");
        sb_append_c(&sb, '[');
    }
    int rc = EXIT_OK;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (pick < n && i != pick)
            continue;
        double first = NAN, last = NAN;
        rec_reader_range(r, i, &first, &last);
        double f = o->from ? from : first, t = o->to ? to : last;
        if (isnan(f))
            f = isnan(t) ? now : t;
        if (isnan(t))
            t = f;
        rec_summary *s = rec_summary_load(r, i, f, t, o->top, &err);
        if (!s) {
            char *safe = flat(err);
            cli_eprintf("pgdeck report: %s\n", safe);
            free(safe);
            free(err);
            err = NULL;
            rc = EXIT_SQL;
            break;
        }
        if (o->json) {
            if (any)
                sb_append_c(&sb, ',');
            json_summary(&sb, s);
        } else {
            if (any)
                putchar('\n');
            print_text(s, o->file, first, last);
        }
        any = true;
        rec_summary_free(s);
    }
    if (!o->json && n == 0)
        printf("pgdeck report: %s holds no server yet (a recording that has just begun)\n",
               o->file);
    if (o->json && rc == EXIT_OK) {
        sb_append(&sb, "]}\n");
        fputs(sb.data, stdout);
    }
    fflush(stdout);
    sb_free(&sb);
    rec_reader_close(r);
    return rc;
}

int cmd_report_main(int argc, char **argv)
{
    static const struct option opts[] = {{"server", required_argument, NULL, OPT_SERVER},
                                         {"from", required_argument, NULL, OPT_FROM},
                                         {"to", required_argument, NULL, OPT_TO},
                                         {"top", required_argument, NULL, OPT_TOP},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {NULL, 0, NULL, 0}};
    report_opts o = {.top = 10};
    long top;
    int c;
    optind = 1;
    opterr = 0; /* one message, ours */
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case OPT_SERVER:
            o.server = optarg;
            break;
        case OPT_FROM:
        case OPT_TO: {
            /* the syntax now (exit 2 before the file is read); the value
             * once the recording's last moment is known */
            double t;
            if (!time_parse(optarg, 0, 0, &t))
                return usage_error("report", "%s takes a time (%s), not '%s'",
                                   c == OPT_FROM ? "--from" : "--to", time_forms, optarg);
            if (c == OPT_FROM)
                o.from = optarg;
            else
                o.to = optarg;
            break;
        }
        case OPT_TOP: {
            char *end;
            top = strtol(optarg, &end, 10);
            if (end == optarg || *end || top < 1 || top > REPORT_TOP_MAX)
                return usage_error("report", "--top takes a number from 1 to %d, not '%s'",
                                   REPORT_TOP_MAX, optarg);
            o.top = (int)top;
            break;
        }
        case OPT_JSON:
            o.json = true;
            break;
        case OPT_HELP:
            usage_print(stdout, "report");
            return EXIT_OK;
        case ':':
            return usage_error("report", "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error("report", "which recording? (pgdeck report FILE)");
    if (optind + 1 < argc)
        return usage_error("report", "unexpected argument '%s'", argv[optind + 1]);
    o.file = argv[optind];
    return run(&o);
}
