/* pane_editor.c — pane 4, Editor: a multi-line SQL buffer (editbuf.c) with
 * highlighting (sqlhl.c), completion (complete.c) and history (history.c),
 * a status line, and the result grid (grid.c) below.
 *
 * Running: the buffer is split with the same splitter as `pgdeck run`
 * (common/sqlsplit.h); statements go one after the other through ONE engine
 * session (so BEGIN ... COMMIT spans runs: the session keeps its connection
 * while a transaction is open and is closed — the connection returned to the
 * pool — when a run leaves it idle). $n placeholders are asked for and bound
 * server-side. Pipeline mode sends the statements with eng_pipeline and
 * lists each one's outcome; F9 measures the same statements one by one
 * inside BEGIN ... ROLLBACK (nothing applied twice) for comparison. */
#include "config.h"

#include "common/clock.h"
#include "common/sqlclass.h"
#include "common/sqlsplit.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "ui/editor_explain.h"
#include "ui/app.h"
#include "ui/complete.h"
#include "ui/editbuf.h"
#include "ui/editor_link.h"
#include "ui/grid.h"
#include "ui/history.h"
#include "ui/keymap.h"
#include "ui/pane.h"
#include "ui/sqlhl.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TAG_RUN "editor:run"
#define TAG_CMP "editor:cmp"
#define TAG_RO "editor:ro"
#define TAG_AUTOBEGIN "editor:autobegin"
#define TAG_QUIT "editor:quit" /* COMMIT / ROLLBACK asked for on quit */

typedef enum run_kind { RUN_NONE, RUN_STMTS, RUN_PIPELINE } run_kind;

typedef struct stmt_job {
    char *sql;
    size_t start; /* byte offset in the buffer when it ran */
    int nparams;
    char **params;
} stmt_job;

typedef struct editor_pane {
    app *a;
    engine *e;
    const pgdeck_config *cfg;
    bool shown;
    /* editing */
    editbuf eb;
    history hist;
    int hist_pos; /* hist.n = the draft */
    char *hist_draft;
    bool meta_pending; /* Esc typed: the next key is Alt-key */
    bool rsearch;      /* C-r reverse history search */
    strbuf rs_query;
    int rs_idx;
    char *rs_orig;
    int ed_top;    /* the first screen row of the buffer shown (soft wrap) */
    long err_mark; /* byte offset of the last error's position, -1 */
    completer cpl;
    cpl_list menu; /* the last Tab's candidates: Tab again cycles through them */
    int menu_idx;
    bool menu_armed;
    size_t menu_point, menu_len; /* the buffer as the last Tab left it */
    /* results */
    grid g;
    bool focus_grid;
    /* the run */
    run_kind running;
    eng_id cur_id;
    eng_session sess;
    bool ro_wrapped; /* --readonly: pgdeck began the statement's transaction */
    bool ro_closing; /* --readonly: that transaction's COMMIT is queued */
    bool cancel_req;
    bool last_key_canceled; /* the previous key was a C-c that canceled a run */
    /* quitting with an open transaction: asked, then COMMIT/ROLLBACK sent */
    bool quit_ask;
    eng_id quit_id;
    const char *quit_verb;
    stmt_job *jobs;
    int njobs, next_job;
    int ask_job, ask_param; /* parameter prompts in progress */
    bool run_after_ask;
    double t_start;
    bool ddl_ran;
    int nresults;
    /* status */
    bool have_status;
    uint64_t rows;
    double elapsed_ms, wall_ms;
    bool prepared;
    int prepare_count;
    char txn;
    const char *outcome; /* "ok", "error", "canceled", ... */
    /* pipeline mode */
    bool pipeline;
    eng_pipe_sync sync;
    bool pipe_measured; /* the last run was a pipeline that finished */
    bool last_was_pipeline;
    double pipe_ms;
    int pipe_n, pipe_failed;
    uint64_t pipe_committed; /* rows of the pipelined statements that committed */
    /* one-by-one comparison */
    bool cmp_running;
    eng_session cmp_sess;
    eng_id *cmp_ids;
    int cmp_n, cmp_done; /* requests: BEGIN, statements, ROLLBACK */
    double cmp_ms;
    bool cmp_failed;
    char *cmp_error;
    editor_explain *edx; /* F3/F4: the plan tree of the statement under the cursor */
} editor_pane;

static editor_pane *EP(pane *p)
{
    return (editor_pane *)p;
}

static const pane_key editor_keys[] = {
    {"F5", "Run", "run the whole buffer (statements one after the other, or pipelined)"},
    {"F8", "RunStmt", "run the statement under the cursor"},
    {"F7", "Pipeline", "pipeline mode on/off (:pipeline on|off, :pipeline sync each|end)"},
    {"F9", "Compare",
     "after a pipelined run: time the same statements one by one (BEGIN...ROLLBACK)"},
    {"F6", "Grid", "focus: editor <-> result grid"},
    {"F3", "Explain", "EXPLAIN of the statement under the cursor, as a tree (t: text)"},
    {"F4", "Analyze",
     "EXPLAIN ANALYZE of it, in a transaction rolled back (asks when it may write)"},
    {"C-c", "Cancel",
     "cancel the running statement on the server; with nothing running, clear the buffer (C-y "
     "brings it back)"},
    {"Tab", NULL,
     "complete by context: relations after FROM/JOIN, alias. columns, FK join conditions"},
    {"C-r", NULL, "reverse search the history (C-r again: older; Enter takes it)"},
    {"Up/Down", NULL, "one screen row (long lines wrap); history at the first/last row"},
    {"C-a C-e C-k C-u C-w C-y", NULL, "readline editing: line start/end, kill, yank (M-y older)"},
    {"M-b M-f M-d", NULL, "word left / right / kill word"},
    {"[ ]", NULL, "grid: previous / next result set"},
    {"Arrows PgUp PgDn", NULL, "grid: scroll by row, page, column (Home/End, g/G)"},
    {"e f", NULL, "grid: expand the current column / freeze columns up to it"},
    {"r Enter", NULL, "grid: record view (one column per line; Left/Right: records)"},
    {"/ n N", NULL, "grid: search, next, previous"},
    {"x", "Export", "grid: export the result to CSV, TSV or JSON (by extension)"},
    {NULL, NULL, NULL},
};

/* ---- helpers ------------------------------------------------------------- */

static const char *quit_question(const editor_pane *p);
static int quit_event(editor_pane *p, const eng_event *ev);

static void free_jobs(editor_pane *p)
{
    for (int i = 0; i < p->njobs; i++) {
        free(p->jobs[i].sql);
        for (int k = 0; k < p->jobs[i].nparams; k++)
            free(p->jobs[i].params[k]);
        free(p->jobs[i].params);
    }
    free(p->jobs);
    p->jobs = NULL;
    p->njobs = p->next_job = 0;
}

static bool starts_with_any(const char *sql, const char *const *words)
{
    size_t len = strlen(sql);
    for (int i = 0; words[i]; i++)
        if (sql_starts_with(sql, len, words[i]))
            return true;
    return false;
}

static bool is_ddl(const char *sql)
{
    static const char *const ddl[] = {"CREATE", "ALTER",  "DROP",     "COMMENT", "GRANT",
                                      "REVOKE", "IMPORT", "SECURITY", "REINDEX", NULL};
    return starts_with_any(sql, ddl);
}

static bool is_txn_control(const char *sql)
{
    return sql_txn_control(sql, strlen(sql)) != SQL_TXN_NONE;
}

static bool not_in_txn_block(const char *sql)
{
    return sql_no_txn_block(sql, strlen(sql)) != NULL;
}

/* --readonly puts every statement in a READ ONLY transaction, so the server
 * refuses writes. Not a session setting: through PgBouncer's transaction
 * pooling a SET lands on one server connection, leaks to the next client of
 * it and is missing on the next one the editor gets. */
static void ensure_session(editor_pane *p)
{
    if (!p->sess)
        p->sess = eng_session_open(p->e);
}

static void submit_control(editor_pane *p, const char *sql, const char *tag)
{
    eng_exec_args a = {0};
    a.sql = sql;
    a.session = p->sess;
    a.flags = ENG_EXEC_SIMPLE | ENG_EXEC_NOMETRICS;
    a.tag = tag;
    eng_exec(p->e, &a);
}

/* Why a statement cannot run read-only-safe under --readonly, else NULL. */
static const char *readonly_refusal(const editor_pane *p, const char *sql)
{
    if (!app_readonly(p->a))
        return NULL;
    if (sql_leaves_read_only(sql))
        return "would change the read-only setting";
    if (not_in_txn_block(sql))
        return "cannot run inside a read-only transaction";
    if (p->pipeline && is_txn_control(sql))
        return "is transaction control, which would end the pipeline's read-only transaction";
    return NULL;
}
static void close_session(editor_pane *p)
{
    if (p->sess) {
        eng_session_close(p->e, p->sess);
        p->sess = 0;
    }
}

/* ---- running ------------------------------------------------------------- */

static bool autocommit_off(const editor_pane *p)
{
    return p->cfg && !p->cfg->autocommit;
}

/* What goes before a statement on the session. [editor] autocommit = off,
 * as psql's \set AUTOCOMMIT off: outside a transaction a BEGIN goes first,
 * so the statement stays uncommitted until COMMIT/ROLLBACK. --readonly: the
 * statement gets a READ ONLY transaction of its own (committed after it),
 * and a BEGIN of the user's is made read-only at once. Nothing before
 * transaction control itself or statements that refuse a transaction block
 * (VACUUM, CREATE DATABASE: --readonly refuses those). */
static void txn_before(editor_pane *p, const char *sql)
{
    bool ro = app_readonly(p->a);
    if (p->txn == 'T' || p->txn == 'E' || (!ro && !autocommit_off(p)))
        return;
    if (is_txn_control(sql) || not_in_txn_block(sql))
        return;
    submit_control(p, ro ? "BEGIN READ ONLY" : "BEGIN", TAG_AUTOBEGIN);
    p->txn = 'T'; /* the session's requests run in order: the statement is inside */
    p->ro_wrapped = ro && !autocommit_off(p);
}

static void txn_after_submit(editor_pane *p, const char *sql)
{
    if (app_readonly(p->a) && sql_txn_control(sql, strlen(sql)) == SQL_TXN_BEGIN)
        submit_control(p, "SET TRANSACTION READ ONLY", TAG_RO);
}

/* The statement ended: the READ ONLY transaction pgdeck began for it ends
 * too, before anything else runs on the session. */
static void txn_after_done(editor_pane *p, bool conn_lost)
{
    if (!p->ro_wrapped)
        return;
    p->ro_wrapped = false;
    if (conn_lost)
        return;
    submit_control(p, "COMMIT", TAG_RO);
    p->ro_closing = true;
    p->txn = 'I';
}

static void submit_next(editor_pane *p)
{
    stmt_job *j = &p->jobs[p->next_job++];
    txn_before(p, j->sql);
    eng_exec_args a = {0};
    a.sql = j->sql;
    a.nparams = j->nparams;
    a.params = (const char *const *)j->params;
    a.session = p->sess;
    a.flags = ENG_EXEC_STREAM;
    if (p->cfg && p->cfg->binary)
        a.flags |= ENG_EXEC_BINARY; /* [editor] binary = on */
    a.stream_batch = 1000;
    a.row_limit = p->cfg && p->cfg->row_limit > 0 ? (uint64_t)p->cfg->row_limit : 0;
    a.tag = TAG_RUN;
    p->cur_id = eng_exec(p->e, &a);
    txn_after_submit(p, j->sql);
}

static void submit_pipeline(editor_pane *p)
{
    const char **sqls = xcalloc((size_t)p->njobs, sizeof *sqls);
    int *np = xcalloc((size_t)p->njobs, sizeof *np);
    const char *const **params = xcalloc((size_t)p->njobs, sizeof *params);
    for (int i = 0; i < p->njobs; i++) {
        sqls[i] = p->jobs[i].sql;
        np[i] = p->jobs[i].nparams;
        params[i] = (const char *const *)p->jobs[i].params;
    }
    txn_before(p, sqls[0]);
    eng_pipeline_args a = {0};
    a.nstmts = p->njobs;
    a.sqls = sqls;
    a.nparams = np;
    a.params = params;
    a.sync = p->sync;
    a.session = p->sess;
    a.tag = TAG_RUN;
    p->cur_id = eng_pipeline(p->e, &a);
    free(sqls);
    free(np);
    free(params);
    p->next_job = p->njobs;
}

static void start_run(editor_pane *p)
{
    grid_clear(&p->g);
    p->g.focused = p->focus_grid;
    p->err_mark = -1;
    p->cancel_req = false;
    p->ddl_ran = false;
    p->nresults = 0;
    p->rows = 0;
    p->have_status = false;
    p->outcome = "running";
    p->pipe_measured = false;
    p->pipe_failed = 0;
    p->pipe_committed = 0;
    p->t_start = clock_mono_s();
    ensure_session(p);
    p->last_was_pipeline = p->pipeline && p->njobs > 0;
    if (p->pipeline && p->njobs > 0) {
        p->running = RUN_PIPELINE;
        grid_log(&p->g, TH_LABEL, "Pipeline: %d statement%s, sync %s", p->njobs,
                 p->njobs == 1 ? "" : "s", p->sync == ENG_SYNC_EACH ? "after each" : "at the end");
        submit_pipeline(p);
    } else {
        p->running = RUN_STMTS;
        submit_next(p);
    }
    app_mark_dirty(p->a, (pane *)p);
}

static void ask_next_param(editor_pane *p);

static void param_answer(pane *pp, const char *answer)
{
    editor_pane *p = EP(pp);
    if (!answer) {
        app_message(p->a, MSG_INFO, "Run canceled (no value for $%d)", p->ask_param + 1);
        free_jobs(p);
        p->run_after_ask = false;
        return;
    }
    stmt_job *j = &p->jobs[p->ask_job];
    j->params[p->ask_param] = xstrdup(answer);
    p->ask_param++;
    ask_next_param(p);
}

/* Asks for every $n of every statement in turn, then runs. */
static void ask_next_param(editor_pane *p)
{
    int multi = 0;
    for (int i = 0; i < p->njobs; i++)
        if (p->jobs[i].nparams > 0)
            multi++;
    while (p->ask_job < p->njobs) {
        stmt_job *j = &p->jobs[p->ask_job];
        while (p->ask_param < j->nparams && j->params[p->ask_param])
            p->ask_param++; /* given by the caller (app_editor_open) */
        if (p->ask_param < j->nparams) {
            char q[64];
            if (multi > 1)
                snprintf(q, sizeof q, "statement %d: $%d = ", p->ask_job + 1, p->ask_param + 1);
            else
                snprintf(q, sizeof q, "$%d = ", p->ask_param + 1);
            app_prompt(p->a, (pane *)p, q, "", false, param_answer);
            return;
        }
        p->ask_job++;
        p->ask_param = 0;
    }
    if (p->run_after_ask) {
        p->run_after_ask = false;
        start_run(p);
    }
}

/* Prepares jobs for text[from..to) of the buffer and runs them (after the
 * parameter prompts). */
static void run_range(editor_pane *p, size_t from, size_t to, const char *const *given, int ngiven)
{
    if (p->running != RUN_NONE || p->cmp_running || p->run_after_ask) {
        app_message(p->a, MSG_WARN, "A statement is running (Ctrl-C cancels it)");
        return;
    }
    const char *text = p->eb.text;
    sql_stmt *st = NULL;
    bool unterminated = false;
    size_t n = sql_split(text + from, to - from, &st, &unterminated);
    if (n == 0) {
        free(st);
        app_message(p->a, MSG_INFO, "Nothing to run");
        return;
    }
    free_jobs(p);
    p->jobs = xcalloc(n, sizeof *p->jobs);
    p->njobs = (int)n;
    for (size_t i = 0; i < n; i++) {
        stmt_job *j = &p->jobs[i];
        j->start = from + st[i].start;
        j->sql = xstrndup(text + from + st[i].start, st[i].end - st[i].start);
        j->nparams = sql_param_count(j->sql, strlen(j->sql));
        j->params = j->nparams ? xcalloc((size_t)j->nparams, sizeof *j->params) : NULL;
        if (i == 0 && given)
            for (int k = 0; k < j->nparams && k < ngiven; k++)
                j->params[k] = xstrdup(given[k] ? given[k] : "");
        const char *why = readonly_refusal(p, j->sql);
        if (why) {
            app_message(p->a, MSG_ERROR, "--readonly: statement %zu %s; not run", i + 1, why);
            free(st);
            free_jobs(p);
            return;
        }
    }
    free(st);
    /* the history keeps what ran */
    char *ran = xstrndup(text + from, to - from);
    char *herr = NULL;
    if (!history_add(&p->hist, ran, &herr)) {
        app_message(p->a, MSG_WARN, "history: %s", herr);
        free(herr);
    }
    free(ran);
    p->hist_pos = p->hist.n;
    if (unterminated)
        app_message(p->a, MSG_WARN, "The text ends inside a quote or comment");
    p->ask_job = 0;
    p->ask_param = 0;
    p->run_after_ask = true;
    ask_next_param(p);
}

static void run_all(editor_pane *p)
{
    run_range(p, 0, p->eb.len, NULL, 0);
}

static void run_current(editor_pane *p)
{
    sql_stmt *st = NULL;
    size_t n = sql_split(p->eb.text, p->eb.len, &st, NULL);
    int i = sql_stmt_at(st, n, p->eb.point);
    if (i < 0) {
        free(st);
        app_message(p->a, MSG_INFO, "No statement under the cursor");
        return;
    }
    size_t from = st[i].start, to = st[i].end;
    free(st);
    run_range(p, from, to, NULL, 0);
}

static void explain_confirm_cb(pane *pp, bool yes)
{
    edx_confirmed(EP(pp)->edx, yes);
}

/* F3/F4: the statement under the cursor, as F8 finds it. */
static void explain_current(editor_pane *p, bool analyze)
{
    sql_stmt *st = NULL;
    size_t n = sql_split(p->eb.text, p->eb.len, &st, NULL);
    int i = sql_stmt_at(st, n, p->eb.point);
    if (i < 0) {
        free(st);
        app_message(p->a, MSG_INFO, "No statement under the cursor");
        return;
    }
    char *sql = xstrndup(p->eb.text + st[i].start, st[i].end - st[i].start);
    free(st);
    edx_start(p->edx, sql, analyze, explain_confirm_cb);
    free(sql);
}

static void finish_run(editor_pane *p)
{
    p->running = RUN_NONE;
    p->cur_id = 0;
    p->wall_ms = (clock_mono_s() - p->t_start) * 1000.0;
    /* idle: the connection goes back to the pool; a transaction keeps it
     * (and a queued read-only COMMIT closes it when it is done) */
    if (p->txn != 'T' && p->txn != 'E' && !p->ro_closing)
        close_session(p);
    int err_set = 0;
    /* an error shows the log; a canceled stream keeps its rows in view */
    bool error = p->outcome && strcmp(p->outcome, "ok") != 0 && strcmp(p->outcome, "canceled") != 0;
    int t = grid_first_table(&p->g);
    if (!error && t > 0)
        grid_show(&p->g, t);
    else
        grid_show(&p->g, err_set);
    if (p->ddl_ran)
        cpl_request(&p->cpl, p->e);
    app_mark_dirty(p->a, (pane *)p);
}

static void cancel_run(editor_pane *p)
{
    if (p->running != RUN_NONE && p->cur_id) {
        p->cancel_req = true;
        eng_cancel(p->e, p->cur_id);
        p->outcome = "canceling";
    }
    if (p->cmp_running)
        for (int i = p->cmp_done; i < p->cmp_n; i++)
            eng_cancel(p->e, p->cmp_ids[i]);
    app_message(p->a, MSG_INFO, "Canceling...");
}

static const char *done_word(eng_done_status st)
{
    /* a lost connection leaves the statement's fate open: say so */
    return st == ENG_DONE_CONN ? "unknown (connection lost)" : eng_done_status_name(st);
}

static void mark_error(editor_pane *p, const stmt_job *j, const eng_error *err)
{
    if (!err || err->position <= 0 || !j)
        return;
    /* the statement's characters -> bytes of the buffer */
    size_t off = 0, len = strlen(j->sql);
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (int i = 1; i < err->position && off < len; i++) {
        size_t r = mbrlen(j->sql + off, len - off, &st);
        if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
            memset(&st, 0, sizeof st);
            r = 1;
        }
        off += r;
    }
    p->err_mark = (long)(j->start + off);
}

static void on_stmt_done(editor_pane *p, const eng_event *ev)
{
    stmt_job *j = p->next_job > 0 ? &p->jobs[p->next_job - 1] : NULL;
    grid_end_table(&p->g);
    p->have_status = true;
    p->rows = ev->rows;
    p->elapsed_ms = ev->elapsed_ms;
    p->prepared = ev->prepared;
    p->prepare_count = ev->prepare_count;
    p->txn = ev->txn_status;
    p->outcome = done_word(ev->status);
    int idx = p->next_job;
    if (ev->status == ENG_DONE_OK) {
        if (j && is_ddl(j->sql))
            p->ddl_ran = true;
        grid_log(&p->g, TH_GOOD, "%d: ok, %llu row%s, %.3f ms%s", idx, (unsigned long long)ev->rows,
                 ev->rows == 1 ? "" : "s", ev->elapsed_ms, ev->prepared ? " (prepared)" : "");
    } else if (ev->status == ENG_DONE_CANCELED) {
        grid_log(&p->g, TH_WARN, "%d: canceled after %.1f ms (the server stopped the statement)",
                 idx, ev->elapsed_ms);
    } else {
        grid_log(&p->g, TH_BAD, "%d: %s", idx, done_word(ev->status));
        if (ev->error) {
            grid_log_error(&p->g, ev->error, j ? j->sql : NULL, j ? strlen(j->sql) : 0);
            mark_error(p, j, ev->error);
        }
        if (ev->status == ENG_DONE_CONN)
            p->txn = 'U';
    }
    txn_after_done(p, ev->status == ENG_DONE_CONN);
    if (ev->status == ENG_DONE_OK && !p->cancel_req && p->next_job < p->njobs) {
        submit_next(p);
        return;
    }
    if (ev->status == ENG_DONE_OK && p->next_job < p->njobs)
        grid_log(&p->g, TH_WARN, "statements %d..%d not run (canceled)", p->next_job + 1, p->njobs);
    else if (ev->status != ENG_DONE_OK && p->next_job < p->njobs)
        grid_log(&p->g, TH_WARN, "statements %d..%d not run", p->next_job + 1, p->njobs);
    if (p->njobs > 1 || ev->status != ENG_DONE_OK)
        p->rows = (uint64_t)grid_total_rows(&p->g) ? (uint64_t)grid_total_rows(&p->g) : ev->rows;
    finish_run(p);
    if (ev->status == ENG_DONE_CANCELED)
        app_message(p->a, MSG_WARN, "canceled");
    else if (ev->status != ENG_DONE_OK && ev->error)
        app_message(p->a, MSG_ERROR, "%s", ev->error->message);
}

/* SET TRANSACTION READ ONLY after a BEGIN, or the COMMIT of a statement's
 * read-only transaction, is done. */
static int readonly_event(editor_pane *p, const eng_event *ev)
{
    if (ev->kind != EV_DONE)
        return 0;
    if (ev->status != ENG_DONE_OK)
        app_message(p->a, MSG_ERROR, "--readonly: %s",
                    ev->error ? ev->error->message : done_word(ev->status));
    if (!p->ro_closing)
        return PANE_REDRAW;
    p->ro_closing = false;
    if (p->running == RUN_NONE) {
        p->txn = ev->txn_status;
        if (p->txn != 'T' && p->txn != 'E')
            close_session(p);
    }
    return PANE_REDRAW;
}

static theme_element outcome_el(eng_stmt_outcome o)
{
    switch (o) {
    case ENG_OUT_OK:
        return TH_GOOD;
    case ENG_OUT_ERROR:
        return TH_BAD;
    default:
        return TH_WARN;
    }
}

static void on_pipe_stmt(editor_pane *p, const eng_event *ev)
{
    int i = ev->stmt_index;
    stmt_job *j = i >= 0 && i < p->njobs ? &p->jobs[i] : NULL;
    const eng_error *err = ev->result ? eng_result_error(ev->result) : NULL;
    if (!err && ev->error)
        err = ev->error;
    char first[80] = "";
    if (j) {
        size_t k = 0;
        for (const char *s = j->sql; *s && k + 1 < sizeof first; s++)
            first[k++] = (*s == '\n' || *s == '\t') ? ' ' : *s;
        first[k] = '\0';
    }
    const char *tag = ev->result ? eng_result_cmdstatus(ev->result) : NULL;
    grid_log(&p->g, outcome_el(ev->outcome), "%3d  %-11s %-14s %s", i + 1,
             eng_stmt_outcome_name(ev->outcome), ev->outcome == ENG_OUT_OK && tag ? tag : "",
             first);
    if (err && ev->outcome != ENG_OUT_ABORTED) {
        grid_log_error(&p->g, err, j ? j->sql : NULL, j ? strlen(j->sql) : 0);
        if (p->err_mark < 0)
            mark_error(p, j, err);
    }
    if (ev->outcome == ENG_OUT_OK && j && is_ddl(j->sql))
        p->ddl_ran = true;
    if (ev->outcome != ENG_OUT_OK)
        p->pipe_failed++;
    else if (ev->result)
        p->pipe_committed += eng_result_cmdtuples(ev->result);
    if (ev->result) {
        eng_res_status rs = eng_result_status(ev->result);
        if (rs == ENG_RES_TUPLES || rs == ENG_RES_ROWS_PARTIAL) {
            eng_result *r = app_steal_result(p->a, ev);
            char title[32];
            snprintf(title, sizeof title, "statement %d", i + 1);
            grid_add_result(&p->g, r, title);
            grid_end_table(&p->g);
        }
    }
}

static void on_pipe_done(editor_pane *p, const eng_event *ev)
{
    p->have_status = true;
    p->elapsed_ms = ev->elapsed_ms;
    p->rows = ev->rows;
    p->prepared = ev->prepared;
    p->prepare_count = ev->prepare_count;
    p->txn = ev->txn_status;
    p->outcome = p->pipe_failed ? "error" : done_word(ev->status);
    txn_after_done(p, ev->status == ENG_DONE_CONN);
    if (ev->status != ENG_DONE_OK && !p->pipe_failed)
        p->pipe_failed = 1;
    if (ev->error && ev->status != ENG_DONE_OK)
        grid_log(&p->g, TH_BAD, "pipeline: %s: %s", done_word(ev->status), ev->error->message);
    grid_log(&p->g, TH_LABEL, "pipeline: %d statement%s in %.3f ms (client-measured), %s", p->njobs,
             p->njobs == 1 ? "" : "s", ev->elapsed_ms,
             p->pipe_failed ? "NOT everything applied" : "all ok");
    if (ev->status == ENG_DONE_OK) {
        p->pipe_measured = true;
        p->pipe_ms = ev->elapsed_ms;
        p->pipe_n = p->njobs;
        if (!p->pipe_failed)
            grid_log(&p->g, TH_DIM,
                     "F9 (or :pipeline compare) times the same statements one by one");
    }
    finish_run(p);
}

/* ---- one-by-one comparison ----------------------------------------------- */

static void compare_start(editor_pane *p)
{
    if (p->running != RUN_NONE || p->cmp_running) {
        app_message(p->a, MSG_WARN, "A statement is running");
        return;
    }
    if (!p->pipe_measured || p->pipe_failed || p->njobs == 0) {
        app_message(p->a, MSG_WARN, "Compare needs a pipelined run that succeeded (F7, then F5)");
        return;
    }
    if (p->txn == 'T' || p->txn == 'E') {
        app_message(p->a, MSG_WARN, "Finish the open transaction first (COMMIT or ROLLBACK)");
        return;
    }
    for (int i = 0; i < p->njobs; i++)
        if (is_txn_control(p->jobs[i].sql) || not_in_txn_block(p->jobs[i].sql)) {
            app_message(p->a, MSG_WARN,
                        "Statement %d cannot be measured inside BEGIN...ROLLBACK; not compared",
                        i + 1);
            return;
        }
    p->cmp_running = true;
    p->cmp_sess = eng_session_open(p->e);
    p->cmp_n = p->njobs + 2;
    p->cmp_done = 0;
    p->cmp_ms = 0;
    p->cmp_failed = false;
    free(p->cmp_error);
    p->cmp_error = NULL;
    free(p->cmp_ids);
    p->cmp_ids = xcalloc((size_t)p->cmp_n, sizeof *p->cmp_ids);
    for (int i = 0; i < p->cmp_n; i++) {
        eng_exec_args a = {0};
        a.session = p->cmp_sess;
        a.tag = TAG_CMP;
        a.flags = ENG_EXEC_NOMETRICS;
        if (i == 0 || i == p->cmp_n - 1) {
            a.sql = i == 0 ? (app_readonly(p->a) ? "BEGIN READ ONLY" : "BEGIN") : "ROLLBACK";
            a.flags |= ENG_EXEC_SIMPLE;
        } else {
            stmt_job *j = &p->jobs[i - 1];
            a.sql = j->sql;
            a.nparams = j->nparams;
            a.params = (const char *const *)j->params;
        }
        p->cmp_ids[i] = eng_exec(p->e, &a);
    }
    grid_log(&p->g, TH_LABEL,
             "one by one: running %d statements inside BEGIN ... ROLLBACK "
             "(rolled back: nothing is applied twice)",
             p->njobs);
    grid_show(&p->g, 0);
    app_mark_dirty(p->a, (pane *)p);
}

static void compare_event(editor_pane *p, const eng_event *ev)
{
    if (ev->kind != EV_DONE || !p->cmp_running)
        return;
    int i = p->cmp_done++;
    if (i > 0 && i < p->cmp_n - 1) {
        p->cmp_ms += ev->elapsed_ms;
        if (ev->status != ENG_DONE_OK && !p->cmp_failed) {
            p->cmp_failed = true;
            p->cmp_error = xasprintf("statement %d: %s", i,
                                     ev->error ? ev->error->message : done_word(ev->status));
        }
    }
    if (p->cmp_done < p->cmp_n)
        return;
    p->cmp_running = false;
    eng_session_close(p->e, p->cmp_sess);
    p->cmp_sess = 0;
    if (p->cmp_failed) {
        grid_log(&p->g, TH_WARN,
                 "one by one: not comparable (%s); rolled back. The pipelined "
                 "run's writes are committed: statements that conflict with them cannot run again",
                 p->cmp_error);
    } else {
        double ratio = p->pipe_ms > 0 ? p->cmp_ms / p->pipe_ms : 0;
        grid_log(&p->g, TH_GOOD,
                 "pipelined %.3f ms  vs  one by one %.3f ms (in BEGIN...ROLLBACK, rolled back): "
                 "%.1fx, %d round trips saved",
                 p->pipe_ms, p->cmp_ms, ratio, p->njobs - 1);
        app_message(p->a, MSG_INFO, "pipelined %.2f ms vs one by one %.2f ms (%.1fx)", p->pipe_ms,
                    p->cmp_ms, ratio);
    }
    grid_show(&p->g, 0);
}

/* ---- events -------------------------------------------------------------- */

static int editor_on_event(pane *pp, const eng_event *ev)
{
    editor_pane *p = EP(pp);
    if (ev->kind == EV_POOL || !ev->tag)
        return 0;
    if (strncmp(ev->tag, EDX_TAG, strlen(EDX_TAG)) == 0)
        return edx_on_event(p->edx, ev);
    if (cpl_on_event(&p->cpl, p->e, ev))
        return 0;
    if (strcmp(ev->tag, TAG_CMP) == 0) {
        compare_event(p, ev);
        return PANE_REDRAW;
    }
    if (strcmp(ev->tag, TAG_QUIT) == 0)
        return quit_event(p, ev);
    if (strcmp(ev->tag, TAG_RO) == 0)
        return readonly_event(p, ev);
    if (strcmp(ev->tag, TAG_AUTOBEGIN) == 0) {
        /* its failure shows in the statement after it, on the same session */
        return 0;
    }
    if (strcmp(ev->tag, TAG_RUN) != 0 || ev->id != p->cur_id)
        return 0;
    switch (ev->kind) {
    case EV_RESULT: {
        eng_res_status st = eng_result_status(ev->result);
        if (st == ENG_RES_TUPLES || st == ENG_RES_ROWS_PARTIAL) {
            eng_result *r = app_steal_result(p->a, ev);
            char title[48];
            snprintf(title, sizeof title, "statement %d", p->next_job);
            int before = p->g.nsets;
            int set = grid_add_result(&p->g, r, title);
            if (before == 1 && p->g.nsets > 1 && set > 0)
                grid_show(&p->g, set); /* the first rows show while more arrive */
            p->rows = (uint64_t)grid_total_rows(&p->g);
        } else if (st == ENG_RES_COMMAND) {
            const char *tag = eng_result_cmdstatus(ev->result);
            if (tag && *tag)
                grid_log(&p->g, TH_NORMAL, "%s", tag);
        }
        return PANE_REDRAW;
    }
    case EV_NOTICE:
        if (ev->error) {
            grid_log(&p->g, TH_WARN, "%s:  %s",
                     ev->error->severity ? ev->error->severity : "NOTICE", ev->error->message);
            if (strncmp(ev->error->message, "stopped at", 10) == 0) {
                app_message(p->a, MSG_WARN, "%s", ev->error->message);
                grid_set *last = p->g.sets[p->g.nsets - 1];
                if (last->kind == GS_TABLE) { /* the cap shows with the rows */
                    char *t = xasprintf("%s (stopped at the row cap)", last->title);
                    free(last->title);
                    last->title = t;
                }
            }
        }
        return PANE_REDRAW;
    case EV_PIPE_STMT:
        on_pipe_stmt(p, ev);
        return PANE_REDRAW;
    case EV_DONE:
        if (p->running == RUN_PIPELINE)
            on_pipe_done(p, ev);
        else
            on_stmt_done(p, ev);
        return PANE_REDRAW;
    default:
        return 0;
    }
}

/* ---- drawing ------------------------------------------------------------- */

/* the screen width of one character, as wg_text draws it (the editbuf's
 * layout uses it, so wrapping and drawing agree) */
static int char_cols(const char *s, size_t n)
{
    if (n == 1 && (unsigned char)s[0] >= 0x20 && (unsigned char)s[0] < 0x7f)
        return 1;
    char buf[16];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return wg_text_width(buf);
}

static unsigned long class_attr(unsigned char c)
{
    switch (c) {
    case HL_KEYWORD:
        return theme_attr(TH_SQL_KEYWORD);
    case HL_STRING:
        return theme_attr(TH_SQL_STRING);
    case HL_COMMENT:
        return theme_attr(TH_SQL_COMMENT);
    case HL_NUMBER:
        return theme_attr(TH_SQL_NUMBER);
    default:
        return theme_attr(TH_NORMAL);
    }
}

/* Draws the buffer into rows x cols at y, long lines wrapped (soft wrap:
 * editbuf's layout); returns the cursor's screen position through cy/cx.
 * ed_top is the first screen row shown, counted from the buffer's start. */
static void draw_buffer(editor_pane *p, WINDOW *w, int y, int rows, int cols, int *cy, int *cx)
{
    editbuf *b = &p->eb;
    b->wrap = cols;
    b->width = char_cols;
    int crow, ccol;
    eb_locate(b, b->point, &crow, &ccol);
    size_t cur_ls = b->point;
    while (cur_ls > 0 && b->text[cur_ls - 1] != '\n')
        cur_ls--;
    int cur = crow; /* the cursor's row from the buffer's start */
    for (size_t ls = 0; ls < cur_ls;) {
        cur += eb_line_rows(b, ls);
        const char *nl = memchr(b->text + ls, '\n', b->len - ls);
        ls = nl ? (size_t)(nl - b->text) + 1 : b->len;
    }
    if (cur < p->ed_top)
        p->ed_top = cur;
    if (cur >= p->ed_top + rows)
        p->ed_top = cur - rows + 1;
    unsigned char *cls = xmalloc(b->len + 1);
    sqlhl_classify(b->text, b->len, cls);
    int top = 0; /* the row of the line being drawn, from the buffer's start */
    for (size_t ls = 0; ls <= b->len && top - p->ed_top < rows;) {
        int nrows = eb_line_rows(b, ls);
        eb_walk wk;
        eb_cell c;
        eb_walk_start(b, ls, &wk);
        if (top + nrows > p->ed_top) {
            while (eb_walk_next(b, &wk, &c)) {
                int r = top + c.row - p->ed_top;
                if (r < 0 || r >= rows || c.col + c.width > cols)
                    continue;
                unsigned long at =
                    (long)c.pos == p->err_mark ? theme_attr(TH_ERROR_MARK) : class_attr(cls[c.pos]);
                wg_text_n(w, y + r, c.col, b->text + c.pos, c.len, c.width, at);
            }
            int er, ec;
            eb_walk_end(b, &wk, &er, &ec);
            int r = top + er - p->ed_top;
            if ((long)wk.pos == p->err_mark && r >= 0 && r < rows && ec < cols)
                wg_text(w, y + r, ec, " ", 1, theme_attr(TH_ERROR_MARK));
        } else { /* above the window: only its end matters */
            const char *nl = memchr(b->text + ls, '\n', b->len - ls);
            wk.pos = nl ? (size_t)(nl - b->text) : b->len;
        }
        top += nrows;
        if (wk.pos >= b->len)
            break;
        ls = wk.pos + 1;
    }
    free(cls);
    *cy = y + cur - p->ed_top;
    *cx = ccol;
}

static void status_text(editor_pane *p, char *buf, size_t n)
{
    char run[160] = "";
    if (p->running != RUN_NONE) {
        double s = clock_mono_s() - p->t_start;
        snprintf(run, sizeof run, "%s %.1f s, %llu rows so far (C-c cancels)",
                 p->cancel_req ? "canceling" : "running", s, (unsigned long long)p->rows);
    } else if (p->cmp_running) {
        snprintf(run, sizeof run, "measuring one by one... (C-c cancels)");
    } else if (p->have_status) {
        char prep[64];
        int th = p->cfg ? p->cfg->prepare_threshold : 5;
        if (p->last_was_pipeline)
            snprintf(prep, sizeof prep, "pipelined, %d statement%s", p->njobs,
                     p->njobs == 1 ? "" : "s");
        else if (p->prepared)
            snprintf(prep, sizeof prep, "prepared (run %d)", p->prepare_count);
        else if (th < 0)
            snprintf(prep, sizeof prep, "not prepared (prepare_threshold off)");
        else
            snprintf(prep, sizeof prep, "not prepared (%d/%d)", p->prepare_count, th);
        /* a pipeline that failed: what stayed, not what ran and was rolled back */
        uint64_t shown = p->last_was_pipeline && p->pipe_failed ? p->pipe_committed : p->rows;
        snprintf(run, sizeof run, "%s | %llu row%s%s | %.3f ms | %s", p->outcome ? p->outcome : "",
                 (unsigned long long)shown, shown == 1 ? "" : "s",
                 p->last_was_pipeline && p->pipe_failed ? " committed" : "", p->elapsed_ms, prep);
    }
    const char *txn = "idle";
    if (p->txn == 'T')
        txn = "in transaction (connection kept)";
    else if (p->txn == 'E')
        txn = "transaction aborted (ROLLBACK)";
    else if (p->txn == 'U' && p->have_status)
        txn = "unknown";
    char pipe[48];
    if (p->pipeline)
        snprintf(pipe, sizeof pipe, "Pipeline: on (sync %s)",
                 p->sync == ENG_SYNC_EACH ? "each" : "end");
    else
        snprintf(pipe, sizeof pipe, "Pipeline: off");
    snprintf(buf, n, " %s | %s%s | %s%s%s", pipe, autocommit_off(p) ? "autocommit off | " : "", txn,
             run, p->focus_grid ? " | [grid]" : "", app_readonly(p->a) ? " | read-only" : "");
}

static void editor_draw(pane *pp, WINDOW *w, int rows, int cols)
{
    editor_pane *p = EP(pp);
    if (rows <= 0 || cols <= 0)
        return;
    if (edx_open(p->edx)) {
        werase(w);
        edx_draw(p->edx, w, rows, cols);
        return;
    }
    int ed_rows = rows >= 10 ? rows * 2 / 5 : (rows + 1) / 2;
    if (ed_rows < 1)
        ed_rows = 1;
    int cy = 0, cx = 0;
    draw_buffer(p, w, 0, ed_rows, cols, &cy, &cx);
    if (ed_rows < rows) {
        char st[512];
        if (p->quit_ask) {
            snprintf(st, sizeof st, " %s", quit_question(p));
        } else if (p->rsearch) {
            const char *m = p->rs_idx >= 0 && p->rs_idx < p->hist.n ? "" : " (no match)";
            snprintf(st, sizeof st, " (reverse-i-search)'%s'%s  Enter: take  C-r: older  Esc: back",
                     p->rs_query.data, m);
        } else {
            status_text(p, st, sizeof st);
        }
        wg_field(w, ed_rows, 0, st, cols, WG_LEFT, theme_attr(TH_TITLE));
    }
    if (ed_rows + 1 < rows) {
        p->g.focused = p->focus_grid;
        grid_draw(&p->g, w, ed_rows + 1, 0, rows - ed_rows - 1, cols);
    }
    if (cy >= ed_rows)
        cy = ed_rows - 1;
    if (cx >= cols)
        cx = cols - 1;
    wmove(w, cy < 0 ? 0 : cy, cx < 0 ? 0 : cx);
}

/* ---- history and search -------------------------------------------------- */

static void hist_step(editor_pane *p, int dir)
{
    int to = p->hist_pos + dir;
    if (to < 0 || to > p->hist.n)
        return;
    if (p->hist_pos == p->hist.n) {
        free(p->hist_draft);
        p->hist_draft = xstrdup(p->eb.text);
    }
    p->hist_pos = to;
    eb_set(&p->eb, to == p->hist.n ? (p->hist_draft ? p->hist_draft : "") : p->hist.items[to]);
    if (dir < 0)
        p->eb.point = 0; /* Up again goes further back at once */
    p->err_mark = -1;
}

static void rsearch_update(editor_pane *p, int from)
{
    int i = history_search(&p->hist, p->rs_query.data, from, -1);
    if (i >= 0) {
        p->rs_idx = i;
        eb_set(&p->eb, p->hist.items[i]);
        const char *hit = strcasestr(p->hist.items[i], p->rs_query.data);
        if (hit)
            p->eb.point = (size_t)(hit - p->hist.items[i]);
    } else {
        p->rs_idx = -1;
    }
}

static int rsearch_key(editor_pane *p, int ch, bool is_key)
{
    if (!is_key && (ch == 27 || ch == 7 || ch == 3)) { /* Esc, C-g, C-c: back */
        eb_set(&p->eb, p->rs_orig ? p->rs_orig : "");
        p->rsearch = false;
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (!is_key && ch == 18) { /* C-r: older */
        rsearch_update(p, (p->rs_idx >= 0 ? p->rs_idx : p->hist.n) - 1);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 || ch == 8))) {
        if (p->rs_query.len > 0) {
            size_t l = utf8_char_start(p->rs_query.data, p->rs_query.len - 1);
            p->rs_query.len = l;
            p->rs_query.data[l] = '\0';
        }
        rsearch_update(p, p->hist.n - 1);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (!is_key && ch >= 32 && ch != 127) {
        char mb[8];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t n = wcrtomb(mb, (wchar_t)ch, &st);
        if (n != (size_t)-1)
            sb_append_n(&p->rs_query, mb, n);
        rsearch_update(p, p->rs_idx >= 0 ? p->rs_idx : p->hist.n - 1);
        return PANE_HANDLED | PANE_REDRAW;
    }
    /* anything else takes the match and goes on as a normal key */
    p->rsearch = false;
    p->hist_pos = p->hist.n;
    if (!is_key && (ch == '\n' || ch == '\r'))
        return PANE_HANDLED | PANE_REDRAW;
    return -1;
}

/* ---- completion ---------------------------------------------------------- */

/* Puts text in place of the buffer's [from, point). */
static void replace_before_point(editor_pane *p, size_t from, const char *text)
{
    eb_delete(&p->eb, from, p->eb.point, false);
    p->eb.point = from;
    eb_insert(&p->eb, text, strlen(text));
}

static void menu_clear(editor_pane *p)
{
    cpl_list_free(&p->menu);
    p->menu_idx = -1;
    p->menu_armed = false;
}

/* The candidates on the message line, the current one in brackets. */
static void menu_message(editor_pane *p)
{
    strbuf sb;
    sb_init(&sb);
    int first = p->menu_idx > 0 ? p->menu_idx : 0;
    if (p->menu_idx >= 0)
        sb_printf(&sb, "%d/%d: ", p->menu_idx + 1, p->menu.n);
    for (int i = first, k = 0; i < p->menu.n && k < 40; i++, k++) {
        if (k)
            sb_append(&sb, "  ");
        sb_printf(&sb, i == p->menu_idx ? "[%s]" : "%s", p->menu.items[i].text);
    }
    if (p->menu.n - first > 40)
        sb_printf(&sb, "  ... (%d)", p->menu.n);
    if (p->menu_idx < 0)
        sb_append(&sb, "   (Tab again: one by one)");
    app_message(p->a, MSG_INFO, "%s", sb.data);
    sb_free(&sb);
}

/* A unique completion ends with a space only where nothing follows on the
 * line (never a stray space before existing text), and not after a schema
 * (a dot comes next). */
static void space_after(editor_pane *p, char kind)
{
    char next = p->eb.point < p->eb.len ? p->eb.text[p->eb.point] : '\n';
    if (next == '\n' && kind != CPL_SCHEMA)
        eb_insert(&p->eb, " ", 1);
}

/* Tab: completes the common prefix and lists the candidates; Tab again puts
 * each candidate in turn (the list stays until another key). */
static void complete_word(editor_pane *p)
{
    if (p->menu_armed && p->menu.n > 0 && p->eb.point == p->menu_point &&
        p->eb.len == p->menu_len) {
        p->menu_idx = (p->menu_idx + 1) % p->menu.n;
        replace_before_point(p, p->menu.from, p->menu.items[p->menu_idx].text);
        p->menu_point = p->eb.point;
        p->menu_len = p->eb.len;
        menu_message(p);
        return;
    }
    menu_clear(p);
    if (!p->cpl.loaded && !p->cpl.pending)
        cpl_request(&p->cpl, p->e); /* the first load failed (no server then) */
    cpl_list l;
    cpl_complete(&p->cpl, p->eb.text, p->eb.len, p->eb.point, &l);
    size_t typed = p->eb.point - l.from;
    if (l.n == 0) {
        app_message(p->a, MSG_INFO, "%s",
                    p->cpl.loaded ? "No completion"
                                  : "No completion (the catalog is still loading)");
        cpl_list_free(&l);
        return;
    }
    if (l.n == 1) {
        replace_before_point(p, l.from, l.items[0].text);
        space_after(p, l.items[0].kind);
        cpl_list_free(&l);
        return;
    }
    char *pre = cpl_common_prefix(&l);
    if (strlen(pre) > typed)
        replace_before_point(p, l.from, pre); /* keywords may change case */
    free(pre);
    p->menu = l;
    p->menu_idx = -1;
    p->menu_armed = true;
    p->menu_point = p->eb.point;
    p->menu_len = p->eb.len;
    menu_message(p);
}

/* ---- keys ---------------------------------------------------------------- */

static int map_key(int ch)
{
    const km_term_keys *tk = km_terminal_keys_get();
    if (tk->ctrl_home && ch == tk->ctrl_home)
        return EBK_CHOME;
    if (tk->ctrl_end && ch == tk->ctrl_end)
        return EBK_CEND;
    switch (ch) {
    case KEY_LEFT:
        return EBK_LEFT;
    case KEY_RIGHT:
        return EBK_RIGHT;
    case KEY_UP:
        return EBK_UP;
    case KEY_DOWN:
        return EBK_DOWN;
    case KEY_HOME:
        return EBK_HOME;
    case KEY_END:
        return EBK_END;
    case KEY_BACKSPACE:
        return EBK_BACKSPACE;
    case KEY_DC:
        return EBK_DELETE;
    case KEY_ENTER:
        return EBK_ENTER;
    default:
        return 0;
    }
}

static void set_pipeline(editor_pane *p, bool on)
{
    p->pipeline = on;
    app_message(p->a, MSG_INFO, "Pipeline mode %s (sync %s)", on ? "on" : "off",
                p->sync == ENG_SYNC_EACH ? "after each statement" : "at the end: all or nothing");
}

/* ---- quitting with an open transaction ---------------------------------- */

static bool txn_open(const editor_pane *p)
{
    return p->sess && (p->txn == 'T' || p->txn == 'E');
}

static const char *quit_question(const editor_pane *p)
{
    return p->txn == 'E' ? "The transaction failed: r ROLLBACK and quit, s stay"
                         : "Open transaction: c COMMIT and quit, r ROLLBACK and quit, s stay";
}

/* pane_class.holds_server: a server switch must not drop a transaction. */
static bool editor_holds_server(const pane *pp)
{
    const editor_pane *p = (const editor_pane *)pp;
    return txn_open(p) || p->quit_id;
}

/* pane_class.switch_keep / switch_restore: the text the user typed
 * survives a switch to another server (the session does not). */
static char *editor_switch_keep(const pane *pp)
{
    const editor_pane *p = (const editor_pane *)pp;
    return p->eb.len ? xstrndup(p->eb.text, p->eb.len) : NULL;
}

static void editor_switch_restore(pane *pp, const char *kept)
{
    editor_pane *p = (editor_pane *)pp;
    eb_set(&p->eb, kept);
}

/* pane_class.on_quit: never roll back behind the user's back. */
static bool editor_on_quit(pane *pp)
{
    editor_pane *p = EP(pp);
    if (p->quit_id)
        return true; /* COMMIT / ROLLBACK on its way: its answer decides */
    if (p->running != RUN_NONE || p->cmp_running || !txn_open(p))
        return false; /* running: the app asks "quit anyway?" */
    p->quit_ask = true;
    p->focus_grid = false;
    app_message(p->a, MSG_WARN, "%s", quit_question(p));
    app_mark_dirty(p->a, pp);
    return true;
}

static void quit_send(editor_pane *p, const char *verb)
{
    eng_exec_args a = {0};
    a.sql = verb;
    a.session = p->sess;
    a.flags = ENG_EXEC_SIMPLE | ENG_EXEC_NOMETRICS;
    a.tag = TAG_QUIT;
    p->quit_verb = verb;
    p->quit_id = eng_exec(p->e, &a);
    app_message(p->a, MSG_INFO, "%s...", verb);
}

static int quit_key(editor_pane *p, int ch, bool is_key)
{
    int c = is_key ? 0 : ch;
    if ((c == 'c' || c == 'C') && p->txn == 'E') {
        app_message(p->a, MSG_WARN, "%s (a failed transaction cannot commit)", quit_question(p));
        return PANE_HANDLED | PANE_REDRAW;
    }
    p->quit_ask = false;
    if (c == 'c' || c == 'C')
        quit_send(p, "COMMIT");
    else if (c == 'r' || c == 'R')
        quit_send(p, "ROLLBACK");
    else
        app_message(p->a, MSG_INFO, "Not quitting: the transaction stays open");
    return PANE_HANDLED | PANE_REDRAW;
}

/* The answer to the COMMIT / ROLLBACK sent on quit: quit only when the
 * server said it is done. */
static int quit_event(editor_pane *p, const eng_event *ev)
{
    if (ev->kind != EV_DONE || ev->id != p->quit_id)
        return 0;
    p->quit_id = 0;
    p->txn = ev->txn_status;
    if (ev->status == ENG_DONE_OK)
        return PANE_QUIT;
    app_message(p->a, MSG_ERROR, "%s failed: %s; not quitting", p->quit_verb,
                ev->error ? ev->error->message : done_word(ev->status));
    if (p->txn != 'T' && p->txn != 'E')
        close_session(p);
    return PANE_REDRAW;
}

static int editor_on_key(pane *pp, int ch, bool is_key)
{
    editor_pane *p = EP(pp);
    if (p->quit_ask)
        return quit_key(p, ch, is_key);
    if (edx_open(p->edx))
        return edx_key(p->edx, ch, is_key);
    if (!is_key && ch == 3 && edx_running(p->edx)) {
        edx_cancel(p->edx);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (p->menu_armed && (is_key || ch != '\t'))
        menu_clear(p); /* any key but Tab keeps the candidate put in */
    bool after_cancel = p->last_key_canceled;
    p->last_key_canceled = false;
    /* keys that work whatever has the focus */
    if (is_key) {
        if (ch == KEY_F(5)) {
            run_all(p);
            return PANE_HANDLED | PANE_REDRAW;
        }
        if (ch == KEY_F(8)) {
            run_current(p);
            return PANE_HANDLED | PANE_REDRAW;
        }
        if (ch == KEY_F(7)) {
            set_pipeline(p, !p->pipeline);
            return PANE_HANDLED | PANE_REDRAW;
        }
        if (ch == KEY_F(9)) {
            compare_start(p);
            return PANE_HANDLED | PANE_REDRAW;
        }
        if (ch == KEY_F(3) || ch == KEY_F(4)) {
            explain_current(p, ch == KEY_F(4));
            return PANE_HANDLED | PANE_REDRAW;
        }
        if (ch == KEY_F(6)) {
            p->focus_grid = !p->focus_grid;
            p->meta_pending = false;
            return PANE_HANDLED | PANE_REDRAW;
        }
    }
    if (!is_key && ch == 3) {
        if (p->rsearch)
            return rsearch_key(p, ch, is_key);
        if (p->running != RUN_NONE || p->cmp_running) {
            cancel_run(p);
            p->last_key_canceled = true;
            return PANE_HANDLED | PANE_REDRAW;
        }
        if (p->focus_grid || p->eb.len == 0)
            return PANE_IGNORED; /* the app says there is nothing to cancel */
        if (after_cancel) {      /* C-c C-c to stop a run that just ended: keep the text */
            app_message(p->a, MSG_INFO, "Nothing to cancel (the run ended); C-c again clears");
            return PANE_HANDLED | PANE_REDRAW;
        }
        /* nothing runs: C-c clears the buffer, as in psql and pgcli */
        eb_kill_all(&p->eb);
        p->err_mark = -1;
        p->hist_pos = p->hist.n;
        app_message(p->a, MSG_INFO, "Buffer cleared (C-y brings it back)");
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (p->focus_grid) {
        if (!is_key && ch == 27 &&
            !grid_in_record_view(&p->g)) { /* Esc leaves the record view first */
            p->focus_grid = false;
            return PANE_HANDLED | PANE_REDRAW;
        }
        return grid_key(&p->g, pp, ch, is_key);
    }
    if (p->rsearch) {
        int r = rsearch_key(p, ch, is_key);
        if (r >= 0)
            return r;
    }
    bool meta = p->meta_pending;
    p->meta_pending = false;
    if (!is_key && ch == 27 && !meta) {
        p->meta_pending = true; /* Esc then a key: Alt-key, as in readline */
        return PANE_HANDLED;
    }
    if (!is_key && ch == 18 && !meta) {
        p->rsearch = true;
        sb_reset(&p->rs_query);
        p->rs_idx = -1;
        free(p->rs_orig);
        p->rs_orig = xstrdup(p->eb.text);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (!is_key && ch == '\t' && !meta) {
        /* after a word, or a blank after text (FROM |): complete; at a line
         * start or after a tab, a tab (pasted tabs stay tabs) */
        size_t pt = p->eb.point;
        char before = pt > 0 ? p->eb.text[pt - 1] : '\n';
        if (!p->menu_armed && eb_word_before(&p->eb) == pt &&
            (before != ' ' || pt < 2 || p->eb.text[pt - 2] == ' ' || p->eb.text[pt - 2] == '\n')) {
            eb_insert(&p->eb, "\t", 1);
            return PANE_HANDLED | PANE_REDRAW;
        }
        complete_word(p);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (p->menu_armed)
        menu_clear(p); /* any other key keeps the candidate */
    int code = ch;
    if (is_key) {
        code = map_key(ch);
        if (!code)
            return PANE_IGNORED;
    }
    eb_result r = eb_key(&p->eb, code, is_key, meta);
    switch (r) {
    case EB_IGNORED:
        return meta ? PANE_HANDLED : PANE_IGNORED;
    case EB_HIST_PREV:
        hist_step(p, -1);
        return PANE_HANDLED | PANE_REDRAW;
    case EB_HIST_NEXT:
        hist_step(p, 1);
        return PANE_HANDLED | PANE_REDRAW;
    case EB_CHANGED:
        p->err_mark = -1;
        return PANE_HANDLED | PANE_REDRAW;
    case EB_MOVED:
        return PANE_HANDLED | PANE_REDRAW;
    }
    return PANE_HANDLED | PANE_REDRAW;
}

static int editor_cmd_pipeline(void *self, const char *line)
{
    editor_pane *p = self;
    char w1[32] = "", w2[32] = "", w3[32] = "";
    int n = sscanf(line, "%31s %31s %31s", w1, w2, w3);
    if (n == 1) {
        app_message(p->a, MSG_INFO,
                    "Pipeline mode %s, sync %s (:pipeline on|off, :pipeline sync each|end, "
                    ":pipeline compare)",
                    p->pipeline ? "on" : "off", p->sync == ENG_SYNC_EACH ? "each" : "end");
    } else if (strcasecmp(w2, "on") == 0) {
        set_pipeline(p, true);
    } else if (strcasecmp(w2, "off") == 0) {
        set_pipeline(p, false);
    } else if (strcasecmp(w2, "sync") == 0 && n == 3 && strcasecmp(w3, "each") == 0) {
        p->sync = ENG_SYNC_EACH;
        app_message(p->a, MSG_INFO,
                    "Pipeline: a sync after each statement (each one commits alone)");
    } else if (strcasecmp(w2, "sync") == 0 && n == 3 && strcasecmp(w3, "end") == 0) {
        p->sync = ENG_SYNC_END;
        app_message(p->a, MSG_INFO, "Pipeline: one sync at the end (all or nothing)");
    } else if (strcasecmp(w2, "compare") == 0) {
        compare_start(p);
    } else {
        app_message(p->a, MSG_ERROR, "usage: :pipeline on|off | sync each|end | compare");
    }
    return PANE_HANDLED | PANE_REDRAW;
}

static const ui_command editor_commands[] = {
    {"pipeline", ":pipeline on|off|sync each|end|compare",
     "pipeline mode for the editor's runs; sync after each statement or once; compare timings",
     editor_cmd_pipeline},
    {NULL, NULL, NULL, NULL},
};

/* ---- the class ----------------------------------------------------------- */

static pane *editor_create(app *a)
{
    editor_pane *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->e = app_engine(a);
    p->cfg = app_config(a);
    eb_init(&p->eb);
    char *err = NULL;
    if (!history_open(&p->hist, NULL, &err)) {
        app_message(a, MSG_WARN, "history: %s", err);
        free(err);
    }
    p->hist_pos = p->hist.n;
    sb_init(&p->rs_query);
    p->err_mark = -1;
    p->txn = 'I';
    p->sync = ENG_SYNC_END;
    cpl_init(&p->cpl);
    p->menu_idx = -1;
    grid_init(&p->g, a, p->cfg && p->cfg->null_marker ? p->cfg->null_marker : NULL);
    p->edx = edx_new(a, (pane *)p);
    return (pane *)p;
}

static void editor_destroy(pane *pp)
{
    editor_pane *p = EP(pp);
    edx_free(p->edx);
    if (p->running != RUN_NONE && p->cur_id)
        eng_cancel(p->e, p->cur_id);
    close_session(p);
    if (p->cmp_sess)
        eng_session_close(p->e, p->cmp_sess);
    history_close(&p->hist);
    free(p->hist_draft);
    free(p->rs_orig);
    sb_free(&p->rs_query);
    eb_free(&p->eb);
    cpl_free(&p->cpl);
    cpl_list_free(&p->menu);
    grid_free(&p->g);
    free_jobs(p);
    free(p->cmp_ids);
    free(p->cmp_error);
    free(p);
}

static int editor_on_tick(pane *pp)
{
    editor_pane *p = EP(pp);
    return p->shown && (p->running != RUN_NONE || p->cmp_running) ? PANE_REDRAW : 0;
}

static void editor_on_show(pane *pp, bool shown)
{
    editor_pane *p = EP(pp);
    p->shown = shown;
    /* the completion catalog (thousands of names) is read when the editor is
     * first shown, not at start: a console kept on the monitors never pays
     * for it (about 0.4 MB of an idle console's memory) */
    if (shown && !p->cpl.loaded && !p->cpl.pending)
        cpl_request(&p->cpl, p->e);
    if (!shown && p->quit_ask) {
        p->quit_ask = false; /* went elsewhere: not quitting */
        app_message(p->a, MSG_INFO, "Not quitting: the editor's transaction stays open");
    }
}

static bool editor_text_input(const pane *pp)
{
    const editor_pane *p = (const editor_pane *)pp;
    return !p->focus_grid;
}

static bool editor_busy(const pane *pp)
{
    const editor_pane *p = (const editor_pane *)pp;
    return p->running != RUN_NONE || p->cmp_running;
}

const pane_class pane_editor_class = {
    .name = "Editor",
    .tag_prefix = "editor:",
    .create = editor_create,
    .destroy = editor_destroy,
    .draw = editor_draw,
    .on_key = editor_on_key,
    .on_event = editor_on_event,
    .on_tick = editor_on_tick,
    .on_show = editor_on_show,
    .text_input = editor_text_input,
    .busy = editor_busy,
    .commands = editor_commands,
    .keys = editor_keys,
    .on_quit = editor_on_quit,
    .holds_server = editor_holds_server,
    .switch_keep = editor_switch_keep,
    .switch_restore = editor_switch_restore,
};

/* editor_link.h: other panes hand SQL over (EXPLAIN from Slow/Activity). */
bool app_editor_open(app *a, const char *sql, int nparams, const char *const *params, bool run)
{
    editor_pane *p = (editor_pane *)app_find_pane(a, "Editor");
    if (!p || !sql)
        return false;
    if (run && (p->running != RUN_NONE || p->cmp_running))
        return false;
    /* never lose the user's text: append after it */
    size_t len = p->eb.len;
    while (len > 0 && (p->eb.text[len - 1] == ' ' || p->eb.text[len - 1] == '\n'))
        len--;
    p->eb.point = p->eb.len;
    if (len > 0 && p->eb.text[len - 1] != ';')
        eb_insert(&p->eb, ";", 1);
    if (len > 0)
        eb_insert(&p->eb, "\n\n", 2);
    size_t from = p->eb.point;
    eb_insert(&p->eb, sql, strlen(sql));
    size_t to = p->eb.len;
    eb_insert(&p->eb, ";", 1);
    p->focus_grid = false;
    app_show_pane(a, "Editor");
    if (run)
        run_range(p, from, to, params, nparams);
    app_mark_dirty(a, (pane *)p);
    return true;
}
