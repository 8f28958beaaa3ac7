/* editor_explain.c — the editor's EXPLAIN keys (see editor_explain.h). */
#include "ui/editor_explain.h"

#include "common/sqllex.h"
#include "common/sqlsplit.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "monitor/monitor.h"
#include "monitor/plan.h"
#include "ui/plan_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct editor_explain {
    app *a;
    pane *owner;
    engine *e;
    eng_session session; /* ANALYZE: BEGIN, the EXPLAIN, ROLLBACK */
    eng_id explain_id, rollback_id;
    char *pending; /* the statement waiting for y/n */
    char *stmt;    /* the statement explained (for the advisor) */
    bool analyze;
    strbuf json; /* the plan's text as it arrives */
    plan_view *view;
};

editor_explain *edx_new(app *a, pane *owner)
{
    editor_explain *x = xcalloc(1, sizeof *x);
    x->a = a;
    x->owner = owner;
    x->e = app_engine(a);
    sb_init(&x->json);
    return x;
}

static void drop_session(editor_explain *x)
{
    if (x->session) {
        /* the statement ran on it: closed, not returned to the pool */
        eng_session_discard(x->e, x->session);
        x->session = 0;
    }
}

void edx_free(editor_explain *x)
{
    if (!x)
        return;
    if (x->explain_id)
        eng_cancel(x->e, x->explain_id);
    drop_session(x);
    plan_view_free(x->view);
    sb_free(&x->json);
    free(x->pending);
    free(x->stmt);
    free(x);
}

bool edx_may_write(const char *sql)
{
    static const char *const reads[] = {"select", "values", "table", "show", "with", NULL};
    static const char *const writes[] = {"insert", "update", "delete", "merge", "into",
                                         "for",    "call",   "copy",   NULL};
    sql_lexer lx;
    sql_lex_init(&lx, sql, strlen(sql));
    sql_token t;
    bool first = true;
    for (;;) {
        sql_lex_next(&lx, &t);
        if (t.kind == SQL_TOK_EOF)
            return first; /* empty: nothing to ask about, the server says so */
        if (t.kind == SQL_TOK_OP && t.end - t.start == 1 && sql[t.start] == '(')
            continue; /* (SELECT …) */
        if (t.kind != SQL_TOK_WORD) {
            if (first)
                return true;
            continue;
        }
        if (first) {
            bool r = false;
            for (int i = 0; reads[i]; i++)
                r = r || sql_tok_is(sql, &t, reads[i]);
            if (!r)
                return true;
            first = false;
            continue;
        }
        /* SELECT … INTO, FOR UPDATE, a data-modifying WITH: writes or locks */
        for (int i = 0; writes[i]; i++)
            if (sql_tok_is(sql, &t, writes[i]))
                return true;
    }
}

static eng_id submit(editor_explain *x, const char *sql, eng_session s, unsigned flags)
{
    eng_exec_args args = {.sql = sql,
                          .session = s,
                          .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE | flags,
                          .tag = EDX_TAG};
    return eng_exec(x->e, &args);
}

static void run(editor_explain *x, const char *stmt, bool analyze)
{
    plan_view_free(x->view);
    x->view = NULL;
    sb_reset(&x->json);
    x->analyze = analyze;
    free(x->stmt);
    x->stmt = xstrdup(stmt);
    char *sql = mon_explain_json_sql(stmt, analyze, false);
    if (analyze) {
        x->session = eng_session_open(x->e);
        submit(x, app_readonly(x->a) ? "BEGIN READ ONLY" : "BEGIN", x->session, 0);
        x->explain_id = submit(x, sql, x->session, 0);
        /* queued with the EXPLAIN: runs after an error or a cancel too */
        x->rollback_id = submit(x, "ROLLBACK", x->session, 0);
    } else {
        x->explain_id = submit(x, sql, 0, 0);
    }
    free(sql);
    app_message(x->a, MSG_INFO, "%s … (C-c cancels)",
                analyze ? "EXPLAIN ANALYZE, in a transaction rolled back" : "EXPLAIN");
}

void edx_start(editor_explain *x, const char *sql, bool analyze, app_confirm_cb cb)
{
    if (x->explain_id || x->session) {
        app_message(x->a, MSG_WARN, "An EXPLAIN is running (C-c cancels it)");
        return;
    }
    if (sql_param_count(sql, strlen(sql)) > 0) {
        app_message(x->a, MSG_ERROR,
                    "EXPLAIN of a statement with $n parameters: put the values in the text");
        return;
    }
    if (analyze && edx_may_write(sql)) {
        free(x->pending);
        x->pending = xstrdup(sql);
        app_confirm(x->a, x->owner,
                    "EXPLAIN ANALYZE runs the statement (it may write), then rolls it back. "
                    "Run it? (y/n)",
                    cb);
        return;
    }
    run(x, sql, analyze);
}

void edx_confirmed(editor_explain *x, bool yes)
{
    char *sql = x->pending;
    x->pending = NULL;
    if (yes && sql)
        run(x, sql, true);
    else
        app_message(x->a, MSG_INFO, "EXPLAIN ANALYZE not run");
    free(sql);
}

int edx_on_event(editor_explain *x, const eng_event *ev)
{
    if (x->view && plan_view_on_event(x->view, ev))
        return PANE_REDRAW;
    if (ev->id && ev->id == x->explain_id) {
        if (ev->kind == EV_RESULT && ev->result &&
            eng_result_status(ev->result) == ENG_RES_TUPLES) {
            for (int i = 0; i < eng_result_nrows(ev->result); i++)
                sb_append(&x->json, eng_result_value(ev->result, i, 0));
        } else if (ev->kind == EV_DONE) {
            x->explain_id = 0;
            if (ev->status != ENG_DONE_OK) {
                app_message(x->a, MSG_ERROR, "EXPLAIN: %s",
                            ev->error && ev->error->message ? ev->error->message
                                                            : eng_done_status_name(ev->status));
                return PANE_REDRAW;
            }
            char *err = NULL;
            plan *pl = plan_parse(x->json.data, x->json.len, &err);
            if (!pl) {
                app_message(x->a, MSG_ERROR, "EXPLAIN: cannot read the plan: %s", err);
                free(err);
                return PANE_REDRAW;
            }
            x->view = plan_view_new(
                pl, x->analyze ? "EXPLAIN (ANALYZE, BUFFERS) — executed in a transaction, "
                                 "rolled back"
                               : "EXPLAIN");
            plan_view_set_advisor(x->view, x->a, EDX_TAG "-advisor", x->stmt, NULL, NULL);
        }
        return PANE_REDRAW;
    }
    if (ev->id && ev->id == x->rollback_id && ev->kind == EV_DONE) {
        x->rollback_id = 0;
        drop_session(x);
    }
    return PANE_REDRAW;
}

bool edx_open(const editor_explain *x)
{
    return x->view != NULL;
}

bool edx_running(const editor_explain *x)
{
    return x->explain_id != 0;
}

void edx_cancel(editor_explain *x)
{
    if (x->explain_id)
        eng_cancel(x->e, x->explain_id);
}

void edx_draw(editor_explain *x, WINDOW *w, int rows, int cols)
{
    plan_view_draw(x->view, w, rows, cols);
}

int edx_key(editor_explain *x, int ch, bool is_key)
{
    int r = plan_view_key(x->view, ch, is_key);
    if (r & PLAN_VIEW_CLOSE) {
        plan_view_free(x->view);
        x->view = NULL;
    }
    /* a key the tree does not take goes to the global keymap (panes, F10),
     * never into the buffer behind it */
    return r & (PANE_HANDLED | PANE_REDRAW);
}
