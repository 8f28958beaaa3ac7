/* app.c — the console's event loop: poll() the terminal, the engine's event
 * fd, a self-pipe for signals and the refresh timer; drain, route, then
 * redraw only the dirty parts once (wnoutrefresh + doupdate). */
#include "ui/app_priv.h"
#include "ui/lineedit.h"
#include "ui/theme.h"
#include "ui/widgets.h"
#include "common/clock.h"
#include "common/timeparse.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REFRESH_MIN 0.5
#define REFRESH_MAX 60.0
#define REFRESH_STEP 0.5

/* Process-wide terminal state: the signal handlers need it. */
static volatile sig_atomic_t curses_active;
static int sig_pipe[2] = {-1, -1};
static SCREEN *the_screen;

double app_now(void)
{
    return clock_mono_s();
}

void app_restore_terminal(void)
{
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
}

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (sig_pipe[1] >= 0 && write(sig_pipe[1], &b, 1) < 0) {
        /* pipe full: a signal of the same kind is already pending */
    }
    errno = saved;
}

static void on_fatal(int sig)
{
    /* endwin is not async-signal-safe, but the process is dying anyway and a
     * terminal left in raw mode is worse */
    app_restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    if (sig_pipe[0] < 0 && pipe(sig_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* a file size limit (ulimit -f) must fail :record's write ("disk full"),
     * not kill the console */
    signal(SIGXFSZ, SIG_IGN);
    struct sigaction fa;
    memset(&fa, 0, sizeof fa);
    fa.sa_handler = on_fatal;
    sigemptyset(&fa.sa_mask);
    fa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &fa, NULL);
    sigaction(SIGBUS, &fa, NULL);
    sigaction(SIGFPE, &fa, NULL);
    sigaction(SIGILL, &fa, NULL);
    sigaction(SIGABRT, &fa, NULL);
}

static void restore_signals(void)
{
    int sigs[] = {SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
}

/* ---- the pane set -------------------------------------------------------- */

static const char *const canonical[] = {"Pool", "Slow", "Activity", "Editor", "Import"};

app *app_new(engine *eng, pgdeck_config *cfg)
{
    app *a = xcalloc(1, sizeof *a);
    a->eng = eng;
    a->cfg = cfg;
    a->stats = xcalloc(1, sizeof *a->stats);
    /* one server until app_set_servers names the fleet (pgdeck demo) */
    a->servers = xcalloc(1, sizeof *a->servers);
    a->servers[0] = (app_server){"default", eng, NULL};
    a->nservers = 1;
    a->readonly = cfg->readonly;
    a->refresh = cfg->refresh;
    if (!(a->refresh >= REFRESH_MIN))
        a->refresh = cfg->refresh > 0 ? REFRESH_MIN : 1.0;
    if (a->refresh > REFRESH_MAX)
        a->refresh = REFRESH_MAX;
    keymap_defaults(&a->km);
    char *err = NULL;
    if (!keymap_apply_config(&a->km, cfg->keys, cfg->nkeys, &err)) {
        app_message(a, MSG_ERROR, "config: %s", err);
        free(err);
    }
    int used[8] = {0}; /* digits 1-7 */
    for (int i = 0; i < pane_registry_count && a->npanes < APP_MAX_PANES; i++) {
        const pane_class *c = pane_registry[i];
        if (!c)
            continue;
        int n = a->npanes;
        a->cls[n] = c;
        a->numbers[n] = 0;
        for (int k = 0; k < 5; k++)
            if (strcasecmp(c->name, canonical[k]) == 0 && !used[k + 1]) {
                a->numbers[n] = k + 1;
                used[k + 1] = 1;
            }
        a->npanes++;
    }
    /* panes outside the canonical five take the free digits */
    for (int n = 0; n < a->npanes; n++)
        if (!a->numbers[n])
            for (int k = 1; k <= 7; k++)
                if (!used[k]) {
                    a->numbers[n] = k;
                    used[k] = 1;
                    break;
                }
    /* no server: the panes that draw a recording, with the digits they
     * have in the live console */
    if (!eng) {
        int kept = 0;
        for (int n = 0; n < a->npanes; n++)
            if (a->cls[n]->show_moment) {
                a->cls[kept] = a->cls[n];
                a->numbers[kept++] = a->numbers[n];
            }
        a->npanes = kept;
    }
    return a;
}

void app_free(app *a)
{
    if (!a)
        return;
    free(a->msg);
    free(a->session_key);
    free(a->session_value);
    free(a->history_path);
    free(a->confirm_question);
    free(a->stats);
    free(a->command_words);
    free(a->servers);
    ui_replay_close(a->replay);
    ui_recorder_free(a->recorder); /* the snapshot being written is finished */
    free(a);
}

void app_set_servers(app *a, const app_server *servers, int n, int selected)
{
    free(a->servers);
    a->servers = n > 0 ? xcalloc((size_t)n, sizeof *a->servers) : NULL;
    if (n > 0)
        memcpy(a->servers, servers, sizeof *servers * (size_t)n);
    a->nservers = n;
    a->selected = selected;
}

int app_server_count(app *a)
{
    return a->nservers;
}

const app_server *app_server_at(app *a, int i)
{
    return i >= 0 && i < a->nservers ? &a->servers[i] : NULL;
}

int app_server_selected(app *a)
{
    return a->selected;
}

engine *app_engine(app *a)
{
    return a->eng;
}

const pgdeck_config *app_config(app *a)
{
    return a->cfg;
}

bool app_readonly(app *a)
{
    return a->readonly;
}

bool app_replaying(app *a)
{
    return a->replaying;
}

double app_refresh_interval(app *a)
{
    return a->refresh;
}

void app_mark(app *a, app_part part)
{
    a->dirty[part] = true;
}

static int pane_index(app *a, const pane *p)
{
    for (int i = 0; i < a->npanes; i++)
        if (a->panes[i] == p)
            return i;
    return -1;
}

void app_mark_dirty(app *a, pane *p)
{
    int i = pane_index(a, p);
    if (i >= 0)
        a->pane_dirty[i] = true;
}

pane *app_find_pane(app *a, const char *name)
{
    for (int i = 0; i < a->npanes; i++)
        if (strcasecmp(a->cls[i]->name, name) == 0)
            return a->panes[i];
    return NULL;
}

eng_result *app_steal_result(app *a, const eng_event *ev)
{
    if (!a->cur_ev || a->cur_ev != ev)
        return NULL;
    eng_result *r = a->cur_ev->result;
    a->cur_ev->result = NULL;
    return r;
}

void app_message(app *a, msg_level lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = NULL;
    if (vasprintf(&m, fmt, ap) < 0)
        m = NULL;
    va_end(ap);
    if (!m)
        return;
    for (char *c = m; *c; c++) /* one line */
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    free(a->msg);
    a->msg = m;
    a->msg_lvl = lvl;
    a->dirty[PART_MSG] = true;
}

static void switch_to(app *a, int idx)
{
    if (idx < 0 || idx >= a->npanes || idx == a->active)
        return;
    int old = a->active;
    a->active = idx;
    if (a->panes[old] && a->cls[old]->on_show)
        a->cls[old]->on_show(a->panes[old], false);
    if (a->panes[idx] && a->cls[idx]->on_show)
        a->cls[idx]->on_show(a->panes[idx], true);
    a->pane_dirty[idx] = true;
    a->dirty[PART_BAR] = a->dirty[PART_FOOTER] = true;
}

void app_show_pane(app *a, const char *name)
{
    for (int i = 0; i < a->npanes; i++)
        if (strcasecmp(a->cls[i]->name, name) == 0) {
            a->help_open = false;
            switch_to(a, i);
            return;
        }
}

static void apply_result(app *a, int idx, int r)
{
    if (r & PANE_REDRAW)
        a->pane_dirty[idx] = true;
    if (r & PANE_QUIT)
        a->quit = true;
}

/* ---- prompts ------------------------------------------------------------- */

typedef struct pane_prompt {
    app *a;
    pane *p;
    app_prompt_cb cb;
} pane_prompt;

typedef struct ctx_prompt {
    app *a;
    app_prompt_fn fn;
    void *ctx;
} ctx_prompt;

static void after_prompt(app *a)
{
    /* the callback may have opened another prompt or a y/n question */
    if (a->pmode == PM_LINE && !le_active())
        a->pmode = PM_NONE;
    a->dirty[PART_MSG] = true;
    if (a->npanes)
        a->pane_dirty[a->active] = true;
}

static void ctx_prompt_done(void *ctx, const char *line)
{
    ctx_prompt *cp = ctx;
    app *a = cp->a;
    app_prompt_fn fn = cp->fn;
    void *fctx = cp->ctx;
    free(cp);
    a->pmode = PM_NONE;
    fn(fctx, line);
    after_prompt(a);
}

void app_prompt_ctx(app *a, const char *question, const char *initial, const char *history_kind,
                    bool complete_files, app_prompt_fn fn, void *ctx)
{
    if (a->pmode == PM_CONFIRM) {
        a->pmode = PM_NONE;
        if (a->confirm_cb)
            a->confirm_cb(a->confirm_pane, false);
    }
    ctx_prompt *cp = xmalloc(sizeof *cp);
    cp->a = a;
    cp->fn = fn;
    cp->ctx = ctx;
    le_set_words(NULL);
    le_start(question, initial, history_kind, complete_files, ctx_prompt_done, cp);
    a->pmode = PM_LINE;
    a->dirty[PART_MSG] = true;
}

static void pane_prompt_done(void *ctx, const char *answer)
{
    pane_prompt *pp = ctx;
    pp->cb(pp->p, answer);
    free(pp);
}

void app_prompt(app *a, pane *p, const char *question, const char *initial, bool complete_files,
                app_prompt_cb cb)
{
    pane_prompt *pp = xmalloc(sizeof *pp);
    pp->a = a;
    pp->p = p;
    pp->cb = cb;
    app_prompt_ctx(a, question, initial, question, complete_files, pane_prompt_done, pp);
}

void app_confirm(app *a, pane *p, const char *question, app_confirm_cb cb)
{
    le_cancel();
    free(a->confirm_question);
    a->confirm_question = xstrdup(question);
    a->confirm_pane = p;
    a->confirm_cb = cb;
    a->confirm_internal = NULL;
    a->pmode = PM_CONFIRM;
    a->dirty[PART_MSG] = true;
}

static void confirm_internal(app *a, const char *question, void (*fn)(app *, bool))
{
    app_confirm(a, NULL, question, NULL);
    a->confirm_internal = fn;
}

static void confirm_key(app *a, int code, bool is_key)
{
    bool yes = !is_key && (code == 'y' || code == 'Y');
    a->pmode = PM_NONE;
    a->dirty[PART_MSG] = true;
    free(a->msg);
    a->msg = NULL;
    if (a->confirm_internal)
        a->confirm_internal(a, yes);
    else if (a->confirm_cb)
        a->confirm_cb(a->confirm_pane, yes);
    if (a->npanes)
        a->pane_dirty[a->active] = true;
}

/* ---- commands ------------------------------------------------------------ */

static bool any_busy(app *a)
{
    for (int i = 0; i < a->npanes; i++)
        if (a->panes[i] && a->cls[i]->busy && a->cls[i]->busy(a->panes[i]))
            return true;
    return false;
}

/* A pane that must ask before the console quits (pane_class.on_quit) is
 * shown; it returns PANE_QUIT once answered. */
static bool pane_holds_quit(app *a)
{
    for (int i = 0; i < a->npanes; i++)
        if (a->panes[i] && a->cls[i]->on_quit && a->cls[i]->on_quit(a->panes[i])) {
            a->help_open = false;
            switch_to(a, i);
            a->pane_dirty[i] = true;
            return true;
        }
    return false;
}

static bool replay_select_server(app *a, int i);

bool app_select_server(app *a, int i)
{
    if (a->replaying)
        return replay_select_server(a, i);
    if (i < 0 || i >= a->nservers || i == a->selected)
        return i == a->selected;
    int keep = a->active;
    const pane_class *caller = a->cls[keep];
    if (any_busy(a)) {
        app_message(a, MSG_WARN, "something still runs: end or cancel it before switching servers");
        return false;
    }
    for (int k = 0; k < a->npanes; k++)
        if (a->panes[k] && a->cls[k]->holds_server && a->cls[k]->holds_server(a->panes[k])) {
            app_message(a, MSG_WARN, "commit or roll back the %s's transaction before switching",
                        a->cls[k]->name);
            return false;
        }
    /* every pane but the caller's is made anew on the new engine: no cache,
     * snapshot or history of the old server survives the switch */
    char *kept[APP_MAX_PANES] = {NULL};
    for (int k = 0; k < a->npanes; k++) {
        if (a->cls[k] == caller || !a->panes[k])
            continue;
        if (a->cls[k]->switch_keep)
            kept[k] = a->cls[k]->switch_keep(a->panes[k]);
        if (a->cls[k]->destroy)
            a->cls[k]->destroy(a->panes[k]);
        a->panes[k] = NULL;
    }
    a->selected = i;
    a->eng = a->servers[i].e;
    for (int k = 0; k < a->npanes; k++) {
        if (a->cls[k] != caller)
            a->panes[k] = a->cls[k]->create ? a->cls[k]->create(a) : NULL;
        if (kept[k] && a->panes[k] && a->cls[k]->switch_restore)
            a->cls[k]->switch_restore(a->panes[k], kept[k]);
        free(kept[k]);
        a->pane_dirty[k] = true;
    }
    header_update(a);
    a->full_redraw = true;
    app_message(a, MSG_INFO, "now showing server %s", a->servers[i].name);
    return true;
}

static void quit_answer(app *a, bool yes)
{
    if (yes && !pane_holds_quit(a))
        a->quit = true;
}

static void request_quit(app *a)
{
    if (any_busy(a))
        confirm_internal(a, "Something is still running. Quit anyway?", quit_answer);
    else if (!pane_holds_quit(a))
        a->quit = true;
}

static void set_refresh(app *a, double s)
{
    if (s < REFRESH_MIN)
        s = REFRESH_MIN;
    if (s > REFRESH_MAX)
        s = REFRESH_MAX;
    s = round(s / REFRESH_STEP) * REFRESH_STEP;
    if (s < REFRESH_MIN)
        s = REFRESH_MIN;
    a->refresh = s;
    a->cfg->refresh = s;
    a->next_tick = app_now() + s;
    a->dirty[PART_HEADER] = true;
    header_update(a);
}

static void open_help(app *a)
{
    a->help_open = true;
    a->help_top = 0;
    if (a->npanes)
        a->pane_dirty[a->active] = true;
    a->dirty[PART_PANE] = true;
}

static void close_help(app *a)
{
    a->help_open = false;
    if (a->npanes)
        a->pane_dirty[a->active] = true;
    a->dirty[PART_PANE] = true;
}

static void switch_theme(app *a, const char *name)
{
    char *err = NULL;
    char *before = xstrdup(theme_active_name());
    bool ok = theme_load(name, &err);
    a->full_redraw = true;
    if (!ok) {
        /* a bad name loses nothing: the theme in use stays (loaded again, as
         * the failed load left the default active) */
        char *again = NULL;
        bool back = theme_load(before, &again);
        /* what stays first: the reason may be cut at 80 columns */
        app_message(a, MSG_ERROR, "keeping the theme %s: %s", back ? before : "default", err);
        free(again);
        free(err);
        free(before);
        return;
    }
    free(before);
    free(a->cfg->theme);
    a->cfg->theme = xstrdup(name);
    app_message(a, MSG_INFO, "Theme %s", name);
}

static bool parse_seconds(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (end == s || (*end && strcmp(end, "s") != 0) || !(v == v))
        return false;
    *out = v;
    return true;
}

#define TAG_SESSION_PROBE "app:session-probe"

/* :set session.KEY VALUE: the server checks the value first (set_config in
 * a transaction of its own, rolled back with it), then the pool gets the
 * new list — new and idle connections at once, borrowed ones when they come
 * back. A refused value changes nothing. */
static void set_session(app *a, const char *key, const char *value)
{
    const char *name = strchr(key, '.') + 1;
    if (!config_session_name_ok(name)) {
        app_message(a, MSG_ERROR,
                    "set: bad setting name '%s': expected letters, digits and '_', with at "
                    "most one '.'",
                    name);
        return;
    }
    if (a->session_probe) {
        app_message(a, MSG_WARN, "set: %s is still being checked by the server", a->session_key);
        return;
    }
    const char *params[2] = {name, value};
    eng_exec_args ex = {0};
    ex.sql = "SELECT pg_catalog.set_config($1, $2, true)";
    ex.nparams = 2;
    ex.params = params;
    ex.flags = ENG_EXEC_NOMETRICS;
    ex.tag = TAG_SESSION_PROBE;
    a->session_key = xstrdup(key);
    a->session_value = xstrdup(value);
    a->session_probe = eng_exec(a->eng, &ex);
    app_message(a, MSG_INFO, "%s: asking the server...", key);
}

static void session_probe_done(app *a, const eng_event *ev)
{
    if (ev->kind != EV_DONE || ev->id != a->session_probe)
        return;
    a->session_probe = 0;
    char *err = NULL;
    if (ev->status != ENG_DONE_OK) {
        app_message(a, MSG_ERROR, "set %s: %s", a->session_key,
                    ev->error ? ev->error->message : eng_done_status_name(ev->status));
    } else if (!config_set(a->cfg, a->session_key, a->session_value, &err)) {
        app_message(a, MSG_ERROR, "set: %s", err ? err : "bad setting");
    } else {
        eng_pool_set_session(a->eng, (int)a->cfg->nsession,
                             (const char *const *)a->cfg->session_names,
                             (const char *const *)a->cfg->session_values);
        app_message(a, MSG_INFO,
                    "%s = %s (new and idle connections now, busy ones when they are returned)",
                    a->session_key, a->session_value);
        for (int i = 0; i < a->npanes; i++)
            a->pane_dirty[i] = true;
    }
    free(err);
    free(a->session_key);
    free(a->session_value);
    a->session_key = a->session_value = NULL;
}

static void cmd_set(app *a, const char *key, const char *value)
{
    if (!a->eng && (strncasecmp(key, "session.", 8) == 0 || strstr(key, "min_size") ||
                    strstr(key, "max_size"))) {
        app_message(a, MSG_WARN, "%s: no server (this console shows a recording)",
                    UI_REPLAY_REFUSED);
        return;
    }
    if (strncasecmp(key, "session.", 8) == 0) {
        set_session(a, key, value);
        return;
    }
    if (strcmp(key, "readonly") == 0 && a->readonly) {
        app_message(a, MSG_ERROR, "readonly cannot be turned off in a running console");
        return;
    }
    char *err = NULL;
    if (!config_set(a->cfg, key, value, &err)) {
        app_message(a, MSG_ERROR, "set: %s", err ? err : "bad setting");
        free(err);
        return;
    }
    const char *k = strchr(key, '.') ? strchr(key, '.') + 1 : key;
    if (strcmp(k, "refresh") == 0)
        set_refresh(a, a->cfg->refresh);
    else if (strcmp(k, "theme") == 0)
        switch_theme(a, a->cfg->theme);
    else if (strcmp(k, "readonly") == 0) {
        a->readonly = a->cfg->readonly;
        a->dirty[PART_HEADER] = true;
        header_update(a);
    } else if (strcmp(k, "min_size") == 0 || strcmp(k, "max_size") == 0) {
        /* pgdeck's own pool, not the server: allowed with --readonly too */
        eng_pool_resize(a->eng, strcmp(k, "min_size") == 0 ? a->cfg->min_size : -1,
                        strcmp(k, "max_size") == 0 ? a->cfg->max_size : -1);
    } else {
        app_message(a, MSG_INFO,
                    "%s = %s (panes read it now; pool settings other than "
                    "min_size/max_size apply at the next start)",
                    key, value);
        for (int i = 0; i < a->npanes; i++)
            a->pane_dirty[i] = true;
        return;
    }
    if (!a->msg || a->msg_lvl != MSG_ERROR)
        app_message(a, MSG_INFO, "%s = %s", key, value);
}

/* ---- recordings (issue 17) ------------------------------------------------ */

static void tick(app *a);

const char *app_live_key(app *a, char *buf, size_t n)
{
    if (a->km.nkeys[KM_LIVE] == 0)
        snprintf(buf, n, ":live");
    else
        km_key_name(a->km.keys[KM_LIVE][0], buf, n);
    return buf;
}

/* Every pane that can draw a moment draws the recording's current one. */
void app_replay_show(app *a)
{
    a->replaying = true;
    ui_moment *m = ui_replay_moment(a->replay);
    for (int i = 0; i < a->npanes; i++)
        if (a->panes[i] && a->cls[i]->show_moment) {
            a->cls[i]->show_moment(a->panes[i], m);
            a->pane_dirty[i] = true;
        }
    header_update(a);
    a->dirty[PART_HEADER] = a->dirty[PART_FOOTER] = a->dirty[PART_BAR] = true;
}

static void replay_live(app *a)
{
    if (!a->eng) {
        app_message(a, MSG_WARN,
                    "no live server: this console shows a recording (pgdeck CONN --replay FILE "
                    "opens both)");
        return;
    }
    a->replaying = false;
    for (int i = 0; i < a->npanes; i++)
        if (a->panes[i] && a->cls[i]->show_moment) {
            a->cls[i]->show_moment(a->panes[i], NULL);
            a->pane_dirty[i] = true;
        }
    a->next_tick = app_now(); /* live figures at once */
    header_update(a);
    a->dirty[PART_HEADER] = a->dirty[PART_FOOTER] = a->dirty[PART_BAR] = true;
    char k[32];
    app_message(a, MSG_INFO, "live data (%s: back to the recording)", app_live_key(a, k, sizeof k));
}

static void replay_toggle(app *a)
{
    if (a->replaying)
        replay_live(a);
    else if (a->replay) {
        char k[32];
        app_replay_show(a);
        app_message(a, MSG_INFO, "replay: %s (%s: live)", ui_replay_path(a->replay),
                    app_live_key(a, k, sizeof k));
    } else
        app_message(a, MSG_INFO, "live already (:replay FILE shows a recording)");
}

static void replay_seek(app *a, ui_seek how, double arg)
{
    if (!a->replay) {
        app_message(a, MSG_INFO, "no recording open (:replay FILE, pgdeck --replay FILE)");
        return;
    }
    char *err = NULL;
    bool back = how == UI_SEEK_PREV || how == UI_SEEK_FIRST || (how == UI_SEEK_BY && arg < 0);
    if (!ui_replay_seek(a->replay, how, arg, &err)) {
        if (err)
            app_message(a, MSG_ERROR, "replay: %s", err);
        else
            app_message(a, MSG_INFO, "replay: already at the %s snapshot", back ? "first" : "last");
        free(err);
        if (!a->replaying)
            app_replay_show(a);
        return;
    }
    app_replay_show(a);
}

bool app_open_replay(app *a, const char *path, char **err)
{
    ui_replay *r = ui_replay_open(path, err);
    if (!r)
        return false;
    ui_replay_close(a->replay);
    a->replay = r;
    if (a->curses_on)
        app_replay_show(a);
    else
        a->replaying = true; /* app_run shows it once the panes exist */
    return true;
}

/* The Fleet pane's Enter on a recording: its line i names the server. */
static bool replay_select_server(app *a, int i)
{
    ui_moment *m = ui_replay_moment(a->replay);
    if (i < 0 || (size_t)i >= m->nfleet)
        return false;
    const char *const *names;
    size_t n = ui_replay_servers(a->replay, &names);
    for (size_t k = 0; k < n; k++)
        if (strcmp(names[k], m->fleet[i].name) == 0) {
            char *err = NULL;
            if (!ui_replay_select(a->replay, k, &err)) {
                app_message(a, MSG_ERROR, "replay: %s", err ? err : "no snapshot of that server");
                free(err);
                return false;
            }
            app_replay_show(a);
            app_message(a, MSG_INFO, "replay: now showing server %s", names[k]);
            return true;
        }
    return false;
}

/* TEXT as a time: timeparse.h (the report branch's), the one parser of
 * times for report --from/--to and :goto. */
static bool replay_parse_time(app *a, const char *text, double *t, char **err)
{
    /* "03:12" is that time on the recording's day nearest the moment shown;
     * "-5m" is five minutes before now, as everywhere */
    if (!time_parse(text, (double)time(NULL), ui_replay_moment(a->replay)->taken_at, t)) {
        *err = xasprintf("'%s' is not a time (03:12, 2026-12-04 03:12:00, -5m, epoch)", text);
        return false;
    }
    return true;
}

static void replay_goto(app *a, const char *text)
{
    while (*text == ' ')
        text++;
    if (!*text) {
        app_message(a, MSG_ERROR, "usage: :goto TIME (03:12, 2026-12-04 03:12:00, -5m)");
        return;
    }
    if (!a->replay) {
        app_message(a, MSG_INFO, "no recording open (:replay FILE, pgdeck --replay FILE)");
        return;
    }
    double t;
    char *err = NULL;
    if (!replay_parse_time(a, text, &t, &err)) {
        app_message(a, MSG_ERROR, "goto: %s", err ? err : "not a time");
        free(err);
        return;
    }
    replay_seek(a, UI_SEEK_AT, t);
}

static void goto_done(void *ctx, const char *answer)
{
    if (answer && *answer)
        replay_goto(ctx, answer);
}

static void goto_prompt(app *a)
{
    if (!a->replay) {
        app_message(a, MSG_INFO, "no recording open (:replay FILE, pgdeck --replay FILE)");
        return;
    }
    app_prompt_ctx(a, "go to (03:12, 2026-12-04 03:12:00, -5m): ", "", "goto", false, goto_done, a);
}

void app_set_record_targets(app *a, const rec_target *t, size_t n)
{
    a->rec_targets = t;
    a->nrec_targets = n;
}

/* What the :record thread said: snapshots, a warning, its end. */
static void recorder_news(app *a)
{
    ui_recorder_news nw;
    ui_recorder_news_take(a->recorder, &nw);
    a->rec_snapshots = nw.snapshots;
    if (nw.error)
        app_message(a, MSG_ERROR, "record: %s", nw.error);
    else if (nw.warning)
        app_message(a, MSG_WARN, "record: %s", nw.warning);
    if (nw.ended) {
        if (!nw.failed)
            app_message(a, MSG_INFO, "recording to %s stopped (%ld snapshot%s)",
                        ui_recorder_path(a->recorder), nw.snapshots, nw.snapshots == 1 ? "" : "s");
        ui_recorder_free(a->recorder);
        a->recorder = NULL;
    }
    free(nw.error);
    free(nw.warning);
    header_update(a);
}

static int cmd_record(void *self, const char *line)
{
    app *a = self;
    const char *arg = ui_command_args(line);
    if (!*arg) {
        if (a->recorder)
            app_message(a, MSG_INFO, "recording to %s: %ld snapshots (:record stop ends it)",
                        ui_recorder_path(a->recorder), a->rec_snapshots);
        else
            app_message(a, MSG_ERROR, "usage: :record FILE [SECONDS] | :record stop");
        return PANE_HANDLED;
    }
    if (strcmp(arg, "stop") == 0) {
        if (!a->recorder) {
            app_message(a, MSG_INFO, "not recording");
            return PANE_HANDLED;
        }
        ui_recorder_stop(a->recorder); /* it ends after the snapshot in hand: recorder_news */
        app_message(a, MSG_INFO, "record: stopping after the snapshot being written...");
        return PANE_HANDLED;
    }
    if (a->recorder) {
        app_message(a, MSG_WARN, "already recording to %s (:record stop first)",
                    ui_recorder_path(a->recorder));
        return PANE_HANDLED;
    }
    if (!a->nrec_targets) {
        app_message(a, MSG_WARN, "record: no server to record (this console shows a recording)");
        return PANE_HANDLED;
    }
    /* FILE [SECONDS]: the last word is the interval when it is a number */
    char *path = xstrdup(arg);
    double interval = REC_DEFAULT_INTERVAL;
    char *sp = strrchr(path, ' ');
    if (sp) {
        double s;
        if (parse_seconds(sp + 1, &s) && s > 0) {
            interval = s;
            *sp = '\0';
        }
    }
    char *err = NULL;
    a->recorder = ui_recorder_start(path, a->rec_targets, a->nrec_targets, interval, &err);
    if (!a->recorder)
        app_message(a, MSG_ERROR, "record: %s", err ? err : "cannot start");
    else {
        a->rec_snapshots = 0;
        app_message(a, MSG_INFO, "recording to %s every %g s (:record stop ends it)", path,
                    interval);
    }
    free(err);
    free(path);
    header_update(a);
    return PANE_HANDLED;
}

/* ---- the app's ':' commands (one table: dispatch, completion, help) ---- */

static int cmd_quit(void *self, const char *line)
{
    (void)line;
    request_quit(self);
    return PANE_HANDLED;
}

static int cmd_help(void *self, const char *line)
{
    (void)line;
    open_help(self);
    return PANE_HANDLED;
}

static int cmd_theme(void *self, const char *line)
{
    app *a = self;
    const char *arg = ui_command_args(line);
    if (!*arg)
        app_message(a, MSG_INFO, "Theme %s (:theme NAME|PATH switches)", theme_active_name());
    else
        switch_theme(a, arg);
    return PANE_HANDLED;
}

static int cmd_refresh(void *self, const char *line)
{
    app *a = self;
    const char *arg = ui_command_args(line);
    double s;
    if (!*arg)
        app_message(a, MSG_INFO, "Refresh every %.1f s", a->refresh);
    else if (!parse_seconds(arg, &s) || s <= 0)
        app_message(a, MSG_ERROR, "refresh: '%s' is not a number of seconds", arg);
    else
        set_refresh(a, s);
    return PANE_HANDLED;
}

static int cmd_pane(void *self, const char *line)
{
    app *a = self;
    const char *arg = ui_command_args(line);
    int found = -1;
    char *end;
    long n = strtol(arg, &end, 10);
    for (int i = 0; i < a->npanes && found < 0; i++)
        if ((*arg && *end == '\0' && a->numbers[i] == n) ||
            (*arg && strncasecmp(a->cls[i]->name, arg, strlen(arg)) == 0))
            found = i;
    if (!*arg)
        app_message(a, MSG_ERROR, "usage: :pane NAME|NUMBER");
    else if (found < 0)
        app_message(a, MSG_ERROR, "pane: no pane '%s'", arg);
    else {
        a->help_open = false;
        switch_to(a, found);
    }
    return PANE_HANDLED;
}

static int cmd_set_line(void *self, const char *line)
{
    app *a = self;
    const char *arg = ui_command_args(line);
    char key[128];
    size_t kl = strcspn(arg, " \t=");
    snprintf(key, sizeof key, "%.*s", (int)(kl < sizeof key ? kl : sizeof key - 1), arg);
    const char *val = arg + kl;
    while (*val == ' ' || *val == '\t' || *val == '=')
        val++;
    if (!*key || !*val)
        app_message(a, MSG_ERROR, "usage: :set KEY VALUE");
    else
        cmd_set(a, key, val);
    return PANE_HANDLED;
}

static int cmd_replay(void *self, const char *line)
{
    app *a = self;
    const char *arg = ui_command_args(line);
    if (!*arg) {
        if (a->replay) {
            char k[32];
            app_replay_show(a);
            app_message(a, MSG_INFO, "replay: %s (%s: live)", ui_replay_path(a->replay),
                        app_live_key(a, k, sizeof k));
        } else
            app_message(a, MSG_ERROR, "usage: :replay FILE (a recording of pgdeck record)");
        return PANE_HANDLED;
    }
    char *err = NULL;
    if (!app_open_replay(a, arg, &err)) {
        app_message(a, MSG_ERROR, "replay: %s", err ? err : "cannot open it");
        free(err);
        return PANE_HANDLED;
    }
    char k[32];
    app_message(a, MSG_INFO, "replay: %s, read-only (%s)", arg,
                a->eng ? app_live_key(a, k, sizeof k) : "no server");
    return PANE_HANDLED;
}

static int cmd_goto(void *self, const char *line)
{
    replay_goto(self, ui_command_args(line));
    return PANE_HANDLED;
}

static int cmd_live(void *self, const char *line)
{
    (void)line;
    app *a = self;
    if (a->replaying)
        replay_live(a);
    else
        app_message(a, MSG_INFO, "live already");
    return PANE_HANDLED;
}

const ui_command app_commands[] = {
    {"quit", ":quit", "quit (asks to confirm while something runs)", cmd_quit},
    {"q", ":q", "the same as :quit", cmd_quit},
    {"help", ":help", "this screen", cmd_help},
    {"theme", ":theme NAME|PATH",
     "switch the colour theme now (default, light, solarized-dark, high-contrast, mono, or a file)",
     cmd_theme},
    {"refresh", ":refresh S", "refresh every S seconds (0.5 to 60)", cmd_refresh},
    {"pane", ":pane NAME|N", "show a pane", cmd_pane},
    {"set", ":set KEY VALUE",
     "change a setting of the config file for this session (session.NAME: a server setting "
     "for every pool connection)",
     cmd_set_line},
    {"replay", ":replay [FILE]",
     "show a recording (pgdeck record -o FILE) in Slow, Activity, Server and Fleet, read-only; "
     "no FILE: the one open",
     cmd_replay},
    {"goto", ":goto TIME",
     "replay: the snapshot at or before TIME (03:12, 2026-12-04 03:12:00, -5m, epoch)", cmd_goto},
    {"record", ":record FILE [S]|stop",
     "record the servers to FILE every S seconds (5) on a thread and connections of its own, "
     "as pgdeck record; stop ends it",
     cmd_record},
    {"live", ":live", "live data again (the recording stays open: the Live key, F2, returns to it)",
     cmd_live},
    {NULL, NULL, NULL, NULL},
};

/* The app's table first, then the panes', the active pane first. */
static void run_command(app *a, const char *line)
{
    while (*line == ' ' || *line == ':')
        line++;
    if (!*line)
        return;
    char *trimmed = xstrdup(line);
    for (size_t n = strlen(trimmed); n && (trimmed[n - 1] == ' ' || trimmed[n - 1] == '\t');)
        trimmed[--n] = '\0';
    const ui_command *c = ui_command_find(app_commands, trimmed);
    if (c) {
        c->exec(a, trimmed);
        free(trimmed);
        return;
    }
    for (int k = 0; k < a->npanes; k++) {
        int i = (a->active + k) % a->npanes;
        if (!a->panes[i] || !(c = ui_command_find(a->cls[i]->commands, trimmed)))
            continue;
        apply_result(a, i, c->exec(a->panes[i], trimmed));
        free(trimmed);
        return;
    }
    size_t wl = strcspn(trimmed, " \t");
    app_message(a, MSG_ERROR, "Unknown command: %.*s (:help lists the commands)", (int)wl, trimmed);
    free(trimmed);
}

static void command_done(void *ctx, const char *line)
{
    app *a = ctx;
    if (line)
        run_command(a, line);
}

/* Completion words: every name of every table, built once per prompt. */
static void command_words_build(app *a)
{
    size_t n = 0;
    for (const ui_command *c = app_commands; c->name; c++)
        n++;
    for (int i = 0; i < a->npanes; i++)
        for (const ui_command *c = a->cls[i]->commands; c && c->name; c++)
            n++;
    free(a->command_words);
    a->command_words = xcalloc(n + 1, sizeof *a->command_words);
    n = 0;
    for (const ui_command *c = app_commands; c->name; c++)
        a->command_words[n++] = c->name;
    for (int i = 0; i < a->npanes; i++)
        for (const ui_command *c = a->cls[i]->commands; c && c->name; c++)
            a->command_words[n++] = c->name;
}

static void open_command_line(app *a)
{
    app_prompt_ctx(a, ":", "", "command", false, command_done, a);
    command_words_build(a);
    le_set_words(a->command_words);
}

/* ---- keys ---------------------------------------------------------------- */

bool app_pane_text_input(app *a)
{
    int i = a->active;
    return a->npanes && a->panes[i] && a->cls[i]->text_input && a->cls[i]->text_input(a->panes[i]);
}

static int send_pane_key(app *a, int code, bool is_key)
{
    int i = a->active;
    if (!a->npanes || !a->panes[i] || !a->cls[i]->on_key)
        return PANE_IGNORED;
    bool was_text = app_pane_text_input(a);
    int r = a->cls[i]->on_key(a->panes[i], code, is_key);
    apply_result(a, i, r);
    if (app_pane_text_input(a) != was_text)
        a->dirty[PART_FOOTER] = true; /* the footer hides text keys in text input */
    return r;
}

static void run_keycmd(app *a, km_cmd c)
{
    switch (c) {
    case KM_HELP:
        open_help(a);
        break;
    case KM_QUIT:
        request_quit(a);
        break;
    case KM_PANE_NEXT:
        if (a->npanes)
            switch_to(a, (a->active + 1) % a->npanes);
        break;
    case KM_PANE_PREV:
        if (a->npanes)
            switch_to(a, (a->active + a->npanes - 1) % a->npanes);
        break;
    case KM_PANE_1:
    case KM_PANE_2:
    case KM_PANE_3:
    case KM_PANE_4:
    case KM_PANE_5:
    case KM_PANE_6:
    case KM_PANE_7: {
        int want = (int)(c - KM_PANE_1) + 1;
        bool found = false;
        for (int i = 0; i < a->npanes; i++)
            if (a->numbers[i] == want) {
                switch_to(a, i);
                found = true;
            }
        if (!found)
            app_message(a, MSG_WARN,
                        a->eng ? "No pane %d in this build"
                               : "No pane %d on a recording (Slow, Activity, Server and Fleet "
                                 "draw one)",
                        want);
        break;
    }
    case KM_COMMAND:
        open_command_line(a);
        break;
    case KM_SEARCH: /* the pane sees the canonical key, whatever is bound */
        send_pane_key(a, '/', false);
        break;
    case KM_BACK:
        send_pane_key(a, 27, false);
        break;
    case KM_CANCEL:
        if (send_pane_key(a, 3, false) == PANE_IGNORED)
            app_message(a, MSG_INFO, "Nothing to cancel (F10 or q quits)");
        break;
    case KM_REFRESH_SLOWER:
        set_refresh(a, a->refresh + REFRESH_STEP);
        break;
    case KM_REFRESH_FASTER:
        set_refresh(a, a->refresh - REFRESH_STEP);
        break;
    case KM_PAUSE:
        a->paused = !a->paused;
        if (!a->paused)
            a->next_tick = app_now();
        header_update(a);
        a->dirty[PART_HEADER] = a->dirty[PART_FOOTER] = true;
        break;
    case KM_REDRAW:
        a->full_redraw = true;
        break;
    case KM_REPLAY_PREV:
        replay_seek(a, UI_SEEK_PREV, 0);
        break;
    case KM_REPLAY_NEXT:
        replay_seek(a, UI_SEEK_NEXT, 0);
        break;
    case KM_REPLAY_BACK_MIN:
        replay_seek(a, UI_SEEK_BY, -60);
        break;
    case KM_REPLAY_FWD_MIN:
        replay_seek(a, UI_SEEK_BY, 60);
        break;
    case KM_REPLAY_BACK_10MIN:
        replay_seek(a, UI_SEEK_BY, -600);
        break;
    case KM_REPLAY_FWD_10MIN:
        replay_seek(a, UI_SEEK_BY, 600);
        break;
    case KM_REPLAY_FIRST:
        replay_seek(a, UI_SEEK_FIRST, 0);
        break;
    case KM_REPLAY_LAST:
        replay_seek(a, UI_SEEK_LAST, 0);
        break;
    case KM_REPLAY_GOTO:
        goto_prompt(a);
        break;
    case KM_LIVE:
        replay_toggle(a);
        break;
    case KM_NONE:
    case KM_COUNT:
        break;
    }
}

static void handle_key(app *a, km_key k)
{
    if (!k.is_key && k.code == '\r')
        k.code = '\n';
    /* a new key clears an old notice (not while answering) */
    if (a->msg && a->pmode == PM_NONE) {
        free(a->msg);
        a->msg = NULL;
        a->dirty[PART_MSG] = true;
    }
    if (a->pmode == PM_CONFIRM) {
        confirm_key(a, k.code, k.is_key);
        return;
    }
    km_cmd c = keymap_lookup(&a->km, k);
    if (a->help_open) { /* over everything, a prompt included */
        int rows = a->rows - 4;
        if (c != KM_NONE && c != KM_HELP && km_key_anywhere(k)) {
            /* F10 and Alt-digits work here too */
            if (c != KM_QUIT)
                close_help(a);
            if (a->pmode == PM_LINE && c != KM_QUIT)
                le_cancel();
            run_keycmd(a, c);
            return;
        }
        if (c == KM_HELP || !help_key(a, k.code, k.is_key, k.meta, rows < 1 ? 1 : rows))
            close_help(a);
        a->dirty[PART_PANE] = true;
        return;
    }
    if (a->pmode == PM_LINE) {
        /* function keys and Alt-digits stay global; the rest is readline's */
        if (c == KM_HELP && km_key_anywhere(k)) {
            open_help(a); /* the prompt waits under it */
            return;
        }
        if (c == KM_QUIT && km_key_anywhere(k)) {
            le_cancel();
            request_quit(a);
            return;
        }
        if (c >= KM_PANE_1 && c <= KM_PANE_7 && km_key_anywhere(k)) {
            le_cancel();
            run_keycmd(a, c);
            return;
        }
        le_key(k.code, k.is_key, k.meta);
        a->dirty[PART_MSG] = true;
        return;
    }
    if (app_pane_text_input(a)) {
        /* the pane gets text; function and Alt keys stay global */
        if (c != KM_NONE && km_key_anywhere(k)) {
            run_keycmd(a, c);
            return;
        }
        if (k.meta) /* Alt-x reaches a text pane as readline sees it: Esc, then x */
            send_pane_key(a, 27, false);
        if (send_pane_key(a, k.code, k.is_key) != PANE_IGNORED)
            return;
        if (c != KM_NONE && !km_key_printable(k))
            run_keycmd(a, c);
        return;
    }
    /* pane.h's rule: the pane sees a key first and PANE_IGNORED hands it to
     * the keymap (Space tags in Activity, pauses elsewhere); function and Alt
     * keys stay global so no pane can trap F1, F10 or Alt-digits. */
    if (c != KM_NONE && km_key_anywhere(k)) {
        run_keycmd(a, c);
        return;
    }
    if (c != KM_NONE) {
        if (send_pane_key(a, k.code, k.is_key) == PANE_IGNORED)
            run_keycmd(a, c);
        return;
    }
    if (k.meta) {
        /* Alt-x the keymap does not know: Esc then x, typed quickly */
        km_key esc = {27, false, false};
        handle_key(a, esc);
        k.meta = false;
        handle_key(a, k);
        return;
    }
    send_pane_key(a, k.code, k.is_key);
}

/* ---- screen -------------------------------------------------------------- */

static void drop_windows(app *a)
{
    for (int i = 0; i < PART_COUNT; i++)
        if (a->win[i]) {
            delwin(a->win[i]);
            a->win[i] = NULL;
        }
}

static void layout(app *a)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    a->rows = rows;
    a->cols = cols;
    drop_windows(a);
    a->too_small = rows < APP_MIN_ROWS || cols < APP_MIN_COLS;
    if (!a->too_small) {
        a->win[PART_HEADER] = newwin(1, cols, 0, 0);
        a->win[PART_BAR] = newwin(1, cols, 1, 0);
        a->win[PART_PANE] = newwin(rows - 4, cols, 2, 0);
        a->win[PART_MSG] = newwin(1, cols, rows - 2, 0);
        a->win[PART_FOOTER] = newwin(1, cols, rows - 1, 0);
        for (int i = 0; i < PART_COUNT; i++)
            if (!a->win[i])
                a->too_small = true;
        if (a->too_small)
            drop_windows(a);
    }
    a->full_redraw = true;
    if (a->replaying && a->replay)
        header_update(a); /* the time bar's width follows the terminal's */
}

static void draw_too_small(app *a)
{
    werase(stdscr);
    const char *msg = "terminal too small";
    char need[64];
    snprintf(need, sizeof need, "need %dx%d", APP_MIN_COLS, APP_MIN_ROWS);
    int len = (int)strlen(msg);
    int y = a->rows / 2 - (a->rows > 2 ? 1 : 0);
    int x = a->cols > len ? (a->cols - len) / 2 : 0;
    if (y < 0)
        y = 0;
    wg_text(stdscr, y, x, msg, a->cols - x, A_BOLD);
    if (y + 1 < a->rows) {
        int nl = (int)strlen(need);
        int nx = a->cols > nl ? (a->cols - nl) / 2 : 0;
        wg_text(stdscr, y + 1, nx, need, a->cols - nx, A_NORMAL);
    }
    wnoutrefresh(stdscr);
}

static void set_cursor(app *a, bool visible)
{
    if (visible != a->cursor_visible) {
        curs_set(visible ? 1 : 0);
        a->cursor_visible = visible;
    }
}

static void draw(app *a)
{
    if (a->full_redraw) {
        a->full_redraw = false;
        wbkgdset(stdscr, ' ' | (chtype)theme_attr(TH_NORMAL));
        werase(stdscr);
        wnoutrefresh(stdscr);
        for (int i = 0; i < PART_COUNT; i++)
            a->dirty[i] = true;
        for (int i = 0; i < a->npanes; i++)
            a->pane_dirty[i] = true;
        if (a->too_small)
            draw_too_small(a);
        else
            clearok(curscr, TRUE);
    }
    if (a->too_small) {
        set_cursor(a, false);
        doupdate();
        return;
    }
    int rows = a->rows, cols = a->cols;
    if (a->npanes && a->pane_dirty[a->active])
        a->dirty[PART_PANE] = true;
    if (a->dirty[PART_HEADER]) {
        header_draw(a, a->win[PART_HEADER], cols);
        wnoutrefresh(a->win[PART_HEADER]);
    }
    if (a->dirty[PART_BAR]) {
        panebar_draw(a, a->win[PART_BAR], cols);
        wnoutrefresh(a->win[PART_BAR]);
    }
    WINDOW *pw = a->win[PART_PANE];
    if (a->dirty[PART_PANE]) {
        wbkgdset(pw, ' ' | (chtype)theme_attr(TH_NORMAL));
        werase(pw);
        if (a->help_open)
            help_draw(a, pw, rows - 4, cols);
        else if (a->npanes && a->panes[a->active] && a->cls[a->active]->draw)
            a->cls[a->active]->draw(a->panes[a->active], pw, rows - 4, cols);
        else if (!a->npanes)
            wg_text(pw, (rows - 4) / 2, 2, "No panes in this build.", cols - 4, theme_attr(TH_DIM));
        if (a->npanes)
            a->pane_dirty[a->active] = false;
        wnoutrefresh(pw);
    }
    if (a->dirty[PART_FOOTER]) {
        footer_draw(a, a->win[PART_FOOTER], cols);
        wnoutrefresh(a->win[PART_FOOTER]);
    }
    bool prompt = a->pmode == PM_LINE;
    if (a->dirty[PART_MSG] || prompt) {
        msgline_draw(a, a->win[PART_MSG], cols);
        wnoutrefresh(a->win[PART_MSG]); /* last: readline's cursor wins */
    }
    bool text_cursor = !prompt && !a->help_open && app_pane_text_input(a);
    if (text_cursor)
        wnoutrefresh(pw); /* the pane left its cursor where text goes */
    for (int i = 0; i < PART_COUNT; i++)
        a->dirty[i] = false;
    set_cursor(a, prompt || text_cursor);
    doupdate();
}

/* from_signal: SIGWINCH (ask the terminal, resize curses); else KEY_RESIZE
 * (curses already knows; resizeterm may queue another KEY_RESIZE, so never
 * call it from here). */
static void on_resize(app *a, bool from_signal)
{
    struct winsize ws;
    if (from_signal && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
        ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
        resizeterm(ws.ws_row, ws.ws_col);
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    if (rows == a->rows && cols == a->cols && !from_signal)
        return;
    layout(a);
    for (int i = 0; i < a->npanes; i++)
        a->pane_dirty[i] = true;
}

/* ---- the loop ------------------------------------------------------------ */

static void read_keys(app *a)
{
    for (int guard = 0; guard < 4096 && !a->quit; guard++) {
        wint_t wc;
        int r = wget_wch(a->input, &wc);
        if (r == ERR)
            return;
        km_key k = {(int)wc, r == KEY_CODE_YES, false};
        if (k.is_key && k.code == KEY_RESIZE) {
            on_resize(a, false);
            continue;
        }
        if (!k.is_key && k.code == 27) {
            /* Esc then a key that arrived with it: Alt-key */
            wint_t next;
            int r2 = wget_wch(a->input, &next);
            if (r2 != ERR && !(r2 == KEY_CODE_YES && next == KEY_RESIZE)) {
                k.code = (int)next;
                k.is_key = r2 == KEY_CODE_YES;
                k.meta = !(k.code == 27 && !k.is_key);
            }
        }
        handle_key(a, k);
    }
}

static void route_event(app *a, eng_event *ev)
{
    a->cur_ev = ev;
    if (ev->tag && strcmp(ev->tag, TAG_SESSION_PROBE) == 0) {
        session_probe_done(a, ev);
    } else if (ev->kind == EV_POOL) {
        header_update(a);
        for (int i = 0; i < a->npanes; i++)
            if (a->panes[i] && a->cls[i]->on_event)
                apply_result(a, i, a->cls[i]->on_event(a->panes[i], ev));
    } else if (ev->tag) {
        for (int i = 0; i < a->npanes; i++) {
            const char *pfx = a->cls[i]->tag_prefix;
            if (a->panes[i] && pfx && *pfx && strncmp(ev->tag, pfx, strlen(pfx)) == 0) {
                if (a->cls[i]->on_event)
                    apply_result(a, i, a->cls[i]->on_event(a->panes[i], ev));
                break;
            }
        }
    }
    a->cur_ev = NULL;
    eng_event_free(ev);
}

/* An engine not shown (another server's, or a PgBouncer's): only the Fleet
 * pane's answers ("fleet:" tags) are delivered; anything else is an old
 * pane's, from before a switch, and is dropped. */
static void route_fleet_events(app *a, engine *e)
{
    eng_event *ev;
    int guard = 0;
    while (guard++ < 100000 && (ev = eng_event_next(e))) {
        if (ev->tag && strncmp(ev->tag, "fleet:", 6) == 0)
            route_event(a, ev);
        else
            eng_event_free(ev);
    }
}

static void tick(app *a)
{
    if (a->replaying && a->replay)
        ui_replay_refresh_span(a->replay); /* a recording still written grows in the time bar */
    header_update(a);
    if (a->paused)
        return;
    for (int i = 0; i < a->npanes; i++)
        if (a->panes[i] && a->cls[i]->on_tick && !(a->replaying && a->cls[i]->show_moment))
            apply_result(a, i, a->cls[i]->on_tick(a->panes[i]));
}

static void drain_signals(app *a)
{
    unsigned char buf[64];
    ssize_t n;
    bool resize = false;
    while ((n = read(sig_pipe[0], buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == SIGWINCH)
                resize = true;
            else if (buf[i] == SIGTERM || buf[i] == SIGINT || buf[i] == SIGHUP)
                a->quit = true; /* no confirmation: the user or the system said so */
        }
    if (resize)
        on_resize(a, true);
}

static bool start_curses(app *a)
{
    const char *term = getenv("TERM");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "pgdeck: the console needs a terminal (try pgdeck run or pgdeck top)\n");
        return false;
    }
    the_screen = newterm(term && *term ? term : "xterm", stdout, stdin);
    if (!the_screen) {
        fprintf(stderr, "pgdeck: cannot use terminal type '%s'\n", term ? term : "");
        return false;
    }
    set_term(the_screen);
    curses_active = 1;
    a->curses_on = true;
    raw(); /* Ctrl-C is a key (cancel), not SIGINT */
    noecho();
    nonl();
    set_escdelay(25);
    curs_set(0);
    a->cursor_visible = false;
    a->input = newpad(1, 1);
    keypad(a->input, TRUE);
    nodelay(a->input, TRUE);
    km_terminal_keys(NULL); /* C-Home, C-End: codes known only now */
    const char *nc = getenv("NO_COLOR");
    bool color = !a->cfg->no_color && !(nc && *nc) && has_colors();
    if (color && start_color() == OK) {
        use_default_colors();
    } else {
        color = false;
    }
    theme_set_color(color);
    char *err = NULL;
    if (!theme_load(a->cfg->theme, &err)) {
        app_message(a, MSG_ERROR, "%s (using the default theme)", err);
        free(err);
    }
    return true;
}

static void stop_curses(app *a)
{
    char *err = NULL;
    if (a->history_path && !le_history_save(a->history_path, &err)) {
        free(err); /* the terminal is about to go: nowhere to say it */
    }
    le_shutdown();
    drop_windows(a);
    if (a->input) {
        delwin(a->input);
        a->input = NULL;
    }
    app_restore_terminal();
    if (the_screen) {
        delscreen(the_screen);
        the_screen = NULL;
    }
    a->curses_on = false;
}

int app_run(app *a)
{
    static bool atexit_done;
    install_signals();
    if (!atexit_done && atexit(app_restore_terminal) == 0)
        atexit_done = true;
    if (!start_curses(a)) {
        restore_signals();
        return 1;
    }
    a->history_path = le_history_default_path();
    char *herr = NULL;
    if (a->history_path && !le_history_load(a->history_path, &herr)) {
        app_message(a, MSG_WARN, "history: %s", herr);
        free(herr);
    }
    for (int i = 0; i < a->npanes; i++)
        a->panes[i] = a->cls[i]->create ? a->cls[i]->create(a) : NULL;
    if (a->replaying)
        app_replay_show(a); /* before on_show: a pane on a recording asks no server */
    a->active = 0;
    if (a->npanes && a->panes[0] && a->cls[0]->on_show)
        a->cls[0]->on_show(a->panes[0], true);
    layout(a);
    tick(a);
    a->next_tick = app_now() + a->refresh;
    while (!a->quit) {
        /* the selected server's: a switch changes it; none on a recording alone */
        int evfd = a->eng ? eng_event_fd(a->eng) : -1;
        draw(a);
        double now = app_now();
        /* the timer also runs while paused: the header's connection state */
        double left = a->next_tick - now;
        int timeout = left <= 0 ? 0 : (int)(left * 1000) + 1;
        /* the other servers' engines: their Fleet answers, nothing else */
        int nother = 0;
        for (int s = 0; s < a->nservers; s++)
            nother += (s != a->selected) + (a->servers[s].bouncer != NULL);
        struct pollfd *fds = xcalloc((size_t)(4 + APP_MAX_PANES + nother), sizeof *fds);
        fds[0] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
        fds[1] = (struct pollfd){evfd, POLLIN, 0};
        fds[2] = (struct pollfd){sig_pipe[0], POLLIN, 0};
        int owner[APP_MAX_PANES]; /* the pane of fds[3 + k] */
        nfds_t nfds = 3;
        for (int i = 0; i < a->npanes; i++) {
            int fd = a->panes[i] && a->cls[i]->event_fd ? a->cls[i]->event_fd(a->panes[i]) : -1;
            if (fd >= 0) {
                owner[nfds - 3] = i;
                fds[nfds++] = (struct pollfd){fd, POLLIN, 0};
            }
        }
        nfds_t npanefds = nfds;
        engine **others = xcalloc((size_t)nother + 1, sizeof *others);
        for (int s = 0, k = 0; s < a->nservers; s++) {
            if (s != a->selected) {
                others[k++] = a->servers[s].e;
                fds[nfds++] = (struct pollfd){eng_event_fd(a->servers[s].e), POLLIN, 0};
            }
            if (a->servers[s].bouncer) {
                others[k++] = a->servers[s].bouncer;
                fds[nfds++] = (struct pollfd){eng_event_fd(a->servers[s].bouncer), POLLIN, 0};
            }
        }
        nfds_t recfd = nfds;
        if (a->recorder)
            fds[nfds++] = (struct pollfd){ui_recorder_fd(a->recorder), POLLIN, 0};
        int n = poll(fds, nfds, timeout);
        if (n < 0 && errno != EINTR) {
            free(fds);
            free(others);
            break;
        }
        for (nfds_t k = npanefds; n > 0 && k < recfd; k++)
            if (fds[k].revents & POLLIN)
                route_fleet_events(a, others[k - npanefds]);
        if (a->recorder && recfd < nfds && (fds[recfd].revents & POLLIN))
            recorder_news(a);
        if (fds[2].revents & POLLIN)
            drain_signals(a);
        if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
            a->quit = true; /* the terminal went away */
        if (fds[0].revents & POLLIN)
            read_keys(a);
        if (a->eng && (fds[1].revents & POLLIN)) {
            eng_event *ev;
            int guard = 0;
            while (guard++ < 100000 && (ev = eng_event_next(a->eng)))
                route_event(a, ev);
        }
        for (nfds_t k = 3; n > 0 && k < npanefds; k++) {
            int i = owner[k - 3];
            if ((fds[k].revents & POLLIN) && a->panes[i] && a->cls[i]->on_fd &&
                (a->cls[i]->on_fd(a->panes[i]) & PANE_REDRAW))
                app_mark_dirty(a, a->panes[i]);
        }
        free(fds);
        free(others);
        now = app_now();
        if (now >= a->next_tick) {
            tick(a);
            a->next_tick = now + a->refresh;
        }
    }

    le_cancel(); /* a pending prompt's callback runs before its pane goes */
    for (int i = 0; i < a->npanes; i++) {
        if (a->panes[i] && a->cls[i]->destroy)
            a->cls[i]->destroy(a->panes[i]);
        a->panes[i] = NULL;
    }
    stop_curses(a);
    restore_signals();
    return 0;
}
