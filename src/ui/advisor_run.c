/* advisor_run.c — the index advisor's asynchronous run (see advisor_run.h). */
#include "ui/advisor_run.h"

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "monitor/advisor.h"
#include "monitor/monitor.h"
#include "monitor/plan.h"

#include <stdlib.h>
#include <string.h>

typedef enum step { ST_IDLE, ST_PROBE, ST_BASE, ST_TRY, ST_DONE } step;

struct advisor_run {
    app *a;
    engine *e;
    char *tag;
    char *stmt, *role, *search_path;
    eng_session s;
    step st;
    eng_id probe_id, base_id, rollback_id, create_id;
    eng_id *try_ids; /* per candidate: its EXPLAIN */
    strbuf json;     /* the EXPLAIN being read */
    plan *base;
    advisor adv;
    size_t answered;
    char *text;
    char *best;
    char *schema; /* hypopg's, quoted by the server */
};

advisor_run *advisor_run_new(app *a, const char *tag)
{
    advisor_run *r = xcalloc(1, sizeof *r);
    r->a = a;
    r->e = app_engine(a);
    r->tag = xstrdup(tag);
    sb_init(&r->json);
    r->text = xstrdup("");
    return r;
}

static void reset(advisor_run *r)
{
    if (r->s)
        eng_session_discard(r->e, r->s); /* cancels what is still queued */
    r->s = 0;
    plan_free(r->base);
    r->base = NULL;
    advisor_free(&r->adv);
    free(r->try_ids);
    r->try_ids = NULL;
    r->probe_id = r->base_id = r->rollback_id = 0;
    r->answered = 0;
    free(r->best);
    r->best = NULL;
    free(r->schema);
    r->schema = NULL;
    sb_reset(&r->json);
}

void advisor_run_free(advisor_run *r)
{
    if (!r)
        return;
    reset(r);
    free(r->stmt);
    free(r->role);
    free(r->search_path);
    free(r->tag);
    free(r->text);
    sb_free(&r->json);
    free(r);
}

static void set_text(advisor_run *r, char *t)
{
    free(r->text);
    r->text = t;
}

/* One step on the session: as the author through the sandbox function, or
 * as it is. */
static eng_id submit(advisor_run *r, const char *sql, int nparams, const char *const *params)
{
    const char *wrapped[2] = {NULL, r->search_path};
    if (r->role && nparams == 0) {
        wrapped[0] = sql;
        sql = mon_explain_run_sql();
        params = wrapped;
        nparams = 2;
    }
    eng_exec_args args = {.sql = sql,
                          .nparams = nparams,
                          .params = params,
                          .session = r->s,
                          .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE,
                          .tag = r->tag};
    return eng_exec(r->e, &args);
}

static eng_id submit_plain(advisor_run *r, const char *sql, unsigned flags)
{
    eng_exec_args args = {.sql = sql,
                          .session = r->s,
                          .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE | flags,
                          .tag = r->tag};
    return eng_exec(r->e, &args);
}

void advisor_run_start(advisor_run *r, const char *stmt, const char *as_role,
                       const char *search_path)
{
    reset(r);
    free(r->stmt);
    free(r->role);
    free(r->search_path);
    r->stmt = xstrdup(stmt);
    r->role = as_role ? xstrdup(as_role) : NULL;
    r->search_path = search_path ? xstrdup(search_path) : NULL;
    r->s = eng_session_open(r->e);
    if (r->role) {
        char *setup = mon_explain_setup_sql(r->role, app_readonly(r->a), MON_EXPLAIN_TIMEOUT_MS);
        submit_plain(r, setup, ENG_EXEC_SIMPLE);
        free(setup);
    } else {
        submit_plain(r, app_readonly(r->a) ? "BEGIN READ ONLY" : "BEGIN", 0);
    }
    /* the probe reads catalogs only: it runs as the console's role */
    r->probe_id = submit_plain(r, advisor_probe_sql(), 0);
    r->st = ST_PROBE;
    set_text(r, xstrdup("Index advisor: looking for hypopg…"));
}

bool advisor_run_busy(const advisor_run *r)
{
    return r->st != ST_IDLE && r->st != ST_DONE;
}

const char *advisor_run_text(const advisor_run *r)
{
    return r->text;
}

const char *advisor_run_best(const advisor_run *r)
{
    return r->best;
}

static void finish(advisor_run *r, char *text)
{
    set_text(r, text);
    r->st = ST_DONE;
    /* everything queued ends with the rollback; the connection is closed */
    submit_plain(r, "ROLLBACK", 0);
    eng_session_discard(r->e, r->s);
    r->s = 0;
}

static void start_candidates(advisor_run *r)
{
    advisor_candidates(r->base, &r->adv);
    if (r->adv.n == 0) {
        finish(r, xstrdup("Index advisor: the plan has no filter, join condition or sort key on "
                          "a table column: no candidate index."));
        return;
    }
    r->try_ids = xcalloc(r->adv.n, sizeof *r->try_ids);
    char *sql = advisor_explain_sql(r->stmt);
    char *reset_sql = advisor_reset_sql(r->schema);
    for (size_t i = 0; i < r->adv.n; i++) {
        /* a savepoint each: a candidate the server refuses (no btree
         * operator class) does not abort the others */
        submit_plain(r, "SAVEPOINT pgdeck_advisor", 0);
        char *hypo = advisor_hypo_sql(r->schema, r->adv.c[i].create_sql);
        if (!hypo)
            hypo = xstrdup("SELECT NULL::pg_catalog.text"); /* never tried */
        submit(r, hypo, 0, NULL);
        free(hypo);
        r->try_ids[i] = submit(r, sql, 0, NULL);
        submit(r, reset_sql, 0, NULL);
        submit_plain(r, "ROLLBACK TO SAVEPOINT pgdeck_advisor", 0);
        r->adv.c[i].cost_before = r->base->total_cost;
    }
    free(sql);
    free(reset_sql);
    r->st = ST_TRY;
    set_text(r, xasprintf("Index advisor: trying %zu candidate index%s…", r->adv.n,
                          r->adv.n == 1 ? "" : "es"));
}

static char *report(advisor_run *r)
{
    strbuf sb;
    sb_init(&sb);
    size_t tried = 0, kept = 0;
    for (size_t i = 0; i < r->adv.n; i++) {
        tried += r->adv.c[i].tried;
        kept += r->adv.c[i].kept;
    }
    sb_printf(&sb, "Index advisor (hypopg): estimated cost %.2f; %zu candidate%s tried%s\n",
              r->base->total_cost, tried, tried == 1 ? "" : "s",
              r->role ? " as the statement's author" : "");
    if (!kept)
        sb_printf(&sb, "No index lowers the cost by %.0f %% or more.\n", ADVISOR_MIN_GAIN * 100);
    const advisor_candidate *best = NULL;
    for (size_t i = 0; i < r->adv.n; i++) {
        const advisor_candidate *c = &r->adv.c[i];
        if (!c->kept)
            continue;
        if (!best || c->cost_after < best->cost_after)
            best = c;
        sb_printf(&sb, "%s;\n    cost %.2f -> %.2f (-%.0f %%)\n", c->create_sql, c->cost_before,
                  c->cost_after, (1 - c->cost_after / c->cost_before) * 100);
    }
    if (best) {
        r->best = xstrdup(best->create_sql);
        sb_printf(&sb, "\nc creates the best one for real (asks first): %s\n", best->create_sql);
    }
    return sb_steal(&sb);
}

static plan *take_plan(advisor_run *r)
{
    char *err = NULL;
    plan *p = plan_parse(r->json.data, r->json.len, &err);
    free(err);
    sb_reset(&r->json);
    return p;
}

static bool is_try(const advisor_run *r, eng_id id)
{
    for (size_t i = 0; r->try_ids && i < r->adv.n; i++)
        if (r->try_ids[i] == id)
            return true;
    return false;
}

bool advisor_run_on_event(advisor_run *r, const eng_event *ev)
{
    if (!ev->tag || strcmp(ev->tag, r->tag) != 0)
        return false;
    if (ev->id && ev->id == r->create_id && ev->kind == EV_DONE) {
        r->create_id = 0;
        if (ev->status == ENG_DONE_OK)
            set_text(r, xasprintf("Created: %s\n(EXPLAIN again to see the new plan)", r->best));
        else
            set_text(r,
                     xasprintf("CREATE INDEX failed: %s\n",
                               ev->error ? ev->error->message : eng_done_status_name(ev->status)));
        return true;
    }
    if (r->st == ST_IDLE || r->st == ST_DONE)
        return true;
    if (ev->kind == EV_RESULT && ev->result && eng_result_status(ev->result) == ENG_RES_TUPLES) {
        if (ev->id == r->probe_id) {
            char *missing = advisor_missing_message(ev->result);
            free(r->schema);
            r->schema = advisor_schema(ev->result);
            if (!missing && !r->schema)
                missing = xstrdup("hypopg's schema is unknown");
            if (missing) {
                finish(r, xasprintf("Index advisor: %s", missing));
                free(missing);
            }
        } else if (ev->id == r->base_id || is_try(r, ev->id)) {
            for (int i = 0; i < eng_result_nrows(ev->result); i++)
                sb_append(&r->json, eng_result_value(ev->result, i, 0));
        }
        return true;
    }
    if (ev->kind != EV_DONE)
        return true;
    if (ev->id == r->probe_id) {
        r->probe_id = 0;
        if (r->st != ST_PROBE)
            return true; /* finished: hypopg is missing */
        if (ev->status != ENG_DONE_OK) {
            finish(r, xasprintf("Index advisor: %s",
                                ev->error ? ev->error->message : eng_done_status_name(ev->status)));
            return true;
        }
        char *sql = advisor_explain_sql(r->stmt);
        sb_reset(&r->json);
        r->base_id = submit(r, sql, 0, NULL);
        free(sql);
        r->st = ST_BASE;
        return true;
    }
    if (ev->id == r->base_id) {
        r->base_id = 0;
        if (ev->status != ENG_DONE_OK) {
            finish(r, xasprintf("Index advisor: EXPLAIN failed: %s",
                                ev->error ? ev->error->message : eng_done_status_name(ev->status)));
            return true;
        }
        r->base = take_plan(r);
        if (!r->base) {
            finish(r, xstrdup("Index advisor: cannot read the plan"));
            return true;
        }
        start_candidates(r);
        return true;
    }
    for (size_t i = 0; r->st == ST_TRY && i < r->adv.n; i++) {
        if (ev->id != r->try_ids[i])
            continue;
        plan *p = ev->status == ENG_DONE_OK ? take_plan(r) : NULL;
        sb_reset(&r->json);
        if (p) {
            r->adv.c[i].tried = true;
            r->adv.c[i].cost_after = p->total_cost;
            r->adv.c[i].kept = advisor_keep(r->adv.c[i].cost_before, p->total_cost);
            plan_free(p);
        }
        if (++r->answered == r->adv.n)
            finish(r, report(r));
        else
            set_text(
                r, xasprintf("Index advisor: %zu of %zu candidates tried…", r->answered, r->adv.n));
    }
    return true;
}

bool advisor_run_create(advisor_run *r)
{
    if (!r->best || r->create_id || advisor_run_busy(r))
        return false;
    if (app_readonly(r->a)) {
        app_message(r->a, MSG_ERROR, "--readonly: the index is not created");
        return false;
    }
    /* the DBA's own action, on a pooled connection: not in the sandbox */
    eng_exec_args args = {
        .sql = r->best, .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE, .tag = r->tag};
    r->create_id = eng_exec(r->e, &args);
    set_text(r, xasprintf("Creating: %s…", r->best));
    return true;
}
