/* api.c — the caller's side of engine.h: requests are copied into typed
 * messages and queued for the engine thread; nothing here blocks on the
 * database or touches a PGconn. */
#include "config.h"

#include "engine/engine_int.h"

#include "common/pool_defaults.h"

#include "common/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

void eng_pool_config_defaults(eng_pool_config *cfg)
{
    *cfg = (eng_pool_config){POOL_SETTINGS_INIT};
    cfg->slow_threshold_ms = POOL_DEFAULT_SLOW_THRESHOLD_MS;
    cfg->slowlog_size = 256;
}

request *request_new(req_kind kind)
{
    request *r = xcalloc(1, sizeof *r);
    r->kind = kind;
    return r;
}

static void free_params(int n, char **p)
{
    if (!p)
        return;
    for (int i = 0; i < n; i++)
        free(p[i]);
    free(p);
}

void request_free(request *r)
{
    if (!r)
        return;
    free(r->tag);
    free(r->sql);
    free_params(r->nparams, r->params);
    if (r->sqls) {
        for (int i = 0; i < r->nstmts; i++) {
            free(r->sqls[i]);
            if (r->pparams)
                free_params(r->pnparams ? r->pnparams[i] : 0, r->pparams[i]);
        }
        free(r->sqls);
        free(r->pparams);
        free(r->pnparams);
    }
    free(r->buf);
    free(r->errmsg);
    free(r);
}

static char **copy_params(int n, const char *const *params)
{
    if (n <= 0 || !params)
        return NULL;
    char **p = xcalloc((size_t)n, sizeof *p);
    for (int i = 0; i < n; i++)
        p[i] = params[i] ? xstrdup(params[i]) : NULL;
    return p;
}

static eng_id submit(engine *e, request *r)
{
    eng_id id = atomic_fetch_add(&e->next_id, 1);
    r->id = id;
    msgq_push(e->reqq, r); /* r belongs to the engine thread from here */
    return id;
}

static void fix_config(eng_pool_config *c)
{
    if (c->max_size < 1)
        c->max_size = 1;
    if (c->max_size > ENG_MAX_CONNS)
        c->max_size = ENG_MAX_CONNS;
    if (c->min_size < 0)
        c->min_size = 0;
    if (c->min_size > c->max_size)
        c->min_size = c->max_size;
    if (c->prepared_max < 1)
        c->prepared_max = 1;
    if (c->slowlog_size < 1)
        c->slowlog_size = 1;
    if (c->connect_timeout <= 0)
        c->connect_timeout = 10;
    if (c->timeout <= 0)
        c->timeout = 30;
}

engine *engine_start(const eng_conninfo *ci, const eng_pool_config *cfg, char **err)
{
    if (!eng_conninfo_check(ci, err))
        return NULL;
    engine *e = xcalloc(1, sizeof *e);
    e->ci = eng_conninfo_dup(ci);
    if (cfg)
        e->cfg = *cfg;
    else
        eng_pool_config_defaults(&e->cfg);
    fix_config(&e->cfg);

    /* libpq parameters: the user's own, plus our application name as a
     * fallback so the user's application_name wins. */
    int n = e->ci->n;
    e->kw = xcalloc((size_t)n + 4, sizeof *e->kw);
    e->val = xcalloc((size_t)n + 4, sizeof *e->val);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(e->ci->keys[i], "fallback_application_name") == 0)
            continue;
        e->kw[k] = e->ci->keys[i];
        e->val[k] = e->ci->values[i];
        k++;
    }
    e->kw[k] = "fallback_application_name";
    e->val[k] = "pgdeck";
    k++;
    session_apply(e, &k, e->cfg.nsession, e->cfg.session_names, e->cfg.session_values);
    e->cfg.nsession = 0; /* the caller's arrays: not ours to keep */
    e->cfg.session_names = e->cfg.session_values = NULL;
    e->kw[k] = NULL;

    e->resolve = resolve_plan_new(e->kw, e->val);
    atomic_init(&e->next_id, 1);
    atomic_init(&e->next_session, 1);
    e->reqq = msgq_new();
    e->evq = msgq_new();
    e->wake_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (e->wake_efd < 0) {
        *err = xasprintf("eventfd: %s", strerror(errno));
        msgq_free(e->reqq, NULL);
        msgq_free(e->evq, NULL);
        eng_conninfo_free(e->ci);
        resolve_plan_free(e->resolve);
        free(e->kw);
        free(e->val);
        free(e->session_options);
        free(e->session_appname);
        free(e);
        return NULL;
    }
    pthread_mutex_init(&e->stats_lock, NULL);
    pthread_cond_init(&e->ready_cond, NULL);
    pthread_mutex_init(&e->metrics_lock, NULL);
    pthread_mutex_init(&e->copy_lock, NULL);
    e->retry_delay_s = 1;
    e->rng = (uint64_t)mono_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)e;
    hist_init(&e->st.wait);
    hist_init(&e->st.query);
    hist_init(&e->st.checkout);
    hist_window_init(&e->st.wait_recent, RECENT_SLOT_NS);
    hist_window_init(&e->st.query_recent, RECENT_SLOT_NS);
    /* e->pub_hist and the windows are calloc'd: empty, and not resident
     * until used (the console's idle RSS is a target) */
    metrics_init(e);
    char *disp = eng_conninfo_display(e->ci);
    snprintf(e->pub.conn_display, sizeof e->pub.conn_display, "%s", disp);
    free(disp);
    e->pub.pool_min = e->cfg.min_size;
    e->pub.pool_max = e->cfg.max_size;

    if (pthread_create(&e->thread, NULL, engine_loop, e) != 0) {
        *err = xstrdup("cannot start the engine thread");
        engine_stop(e);
        return NULL;
    }
    e->thread_started = true;
    return e;
}

void engine_stop(engine *e)
{
    if (!e)
        return;
    if (e->thread_started) {
        msgq_push(e->reqq, request_new(REQ_STOP));
        pthread_join(e->thread, NULL);
    }
    msgq_free(e->reqq, (void (*)(void *))request_free);
    msgq_free(e->evq, (void (*)(void *))eng_event_free);
    close(e->wake_efd);
    metrics_free(e);
    pthread_mutex_destroy(&e->stats_lock);
    pthread_cond_destroy(&e->ready_cond);
    pthread_mutex_destroy(&e->metrics_lock);
    pthread_mutex_destroy(&e->copy_lock);
    free(e->ready_err);
    free(e->kw);
    free(e->val);
    free(e->session_options);
    free(e->session_appname);
    resolve_plan_free(e->resolve);
    eng_conninfo_free(e->ci);
    free(e);
}

bool engine_pin_cpu(engine *e, int cpu)
{
    if (cpu < 0 || cpu >= CPU_SETSIZE)
        return false;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(e->thread, sizeof set, &set) == 0;
}

bool engine_wait_ready(engine *e, int timeout_ms, char **err)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    if (timeout_ms >= 0) {
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&e->stats_lock);
    int rc = 0;
    while (e->ready_state == 0 && rc == 0) {
        if (timeout_ms < 0)
            rc = pthread_cond_wait(&e->ready_cond, &e->stats_lock);
        else
            rc = pthread_cond_timedwait(&e->ready_cond, &e->stats_lock, &until);
    }
    bool up = e->ready_state == 1;
    if (!up && err) {
        if (e->ready_state == -1 && e->ready_err)
            *err = xstrdup(e->ready_err);
        else
            *err = xasprintf("timed out after %d ms waiting for a connection to %s", timeout_ms,
                             e->pub.conn_display);
    }
    pthread_mutex_unlock(&e->stats_lock);
    return up;
}

eng_id eng_exec(engine *e, const eng_exec_args *args)
{
    request *r = request_new(REQ_EXEC);
    r->sql = xstrdup(args->sql ? args->sql : "");
    r->nparams = args->nparams > 0 && args->params ? args->nparams : 0;
    r->params = copy_params(r->nparams, args->params);
    r->session = args->session;
    r->flags = args->flags;
    r->stream_batch = args->stream_batch > 0 ? args->stream_batch : 1000;
    r->row_limit = args->row_limit;
    r->tag = args->tag ? xstrdup(args->tag) : NULL;
    return submit(e, r);
}

eng_session eng_session_open(engine *e)
{
    eng_session s = atomic_fetch_add(&e->next_session, 1);
    request *r = request_new(REQ_SESSION_OPEN);
    r->session = s;
    submit(e, r);
    return s;
}

void eng_session_close(engine *e, eng_session s)
{
    if (!s)
        return;
    request *r = request_new(REQ_SESSION_CLOSE);
    r->session = s;
    submit(e, r);
}

void eng_session_discard(engine *e, eng_session s)
{
    if (!s)
        return;
    request *r = request_new(REQ_SESSION_CLOSE);
    r->session = s;
    r->flags = 1; /* discard the connection */
    submit(e, r);
}

void eng_cancel(engine *e, eng_id id)
{
    request *r = request_new(REQ_CANCEL);
    r->target = id;
    submit(e, r);
}

eng_id eng_pipeline(engine *e, const eng_pipeline_args *args)
{
    request *r = request_new(REQ_PIPELINE);
    r->nstmts = args->nstmts > 0 ? args->nstmts : 0;
    r->sqls = xcalloc((size_t)r->nstmts + 1, sizeof *r->sqls);
    r->pnparams = xcalloc((size_t)r->nstmts + 1, sizeof *r->pnparams);
    r->pparams = xcalloc((size_t)r->nstmts + 1, sizeof *r->pparams);
    for (int i = 0; i < r->nstmts; i++) {
        r->sqls[i] = xstrdup(args->sqls[i] ? args->sqls[i] : "");
        int np = args->nparams && args->params ? args->nparams[i] : 0;
        if (np > 0 && args->params[i]) {
            r->pnparams[i] = np;
            r->pparams[i] = copy_params(np, args->params[i]);
        }
    }
    r->sync = args->sync;
    r->session = args->session;
    r->tag = args->tag ? xstrdup(args->tag) : NULL;
    return submit(e, r);
}

void eng_pool_resize(engine *e, int min_size, int max_size)
{
    request *r = request_new(REQ_POOL_RESIZE);
    r->min_size = min_size;
    r->max_size = max_size;
    submit(e, r);
}

void eng_pool_set_session(engine *e, int n, const char *const *names, const char *const *values)
{
    request *r = request_new(REQ_SET_SESSION);
    r->nstmts = r->nparams = n;
    r->sqls = xcalloc((size_t)(n > 0 ? n : 1), sizeof *r->sqls);
    r->params = xcalloc((size_t)(n > 0 ? n : 1), sizeof *r->params);
    for (int i = 0; i < n; i++) {
        r->sqls[i] = xstrdup(names[i]);
        r->params[i] = xstrdup(values[i]);
    }
    submit(e, r);
}

void eng_pool_check(engine *e)
{
    submit(e, request_new(REQ_POOL_CHECK));
}

void eng_pool_recycle(engine *e)
{
    submit(e, request_new(REQ_POOL_RECYCLE));
}

eng_id eng_load(engine *e, const eng_load_args *args)
{
    request *r = request_new(REQ_LOAD);
    r->clients = args->clients > 0 ? args->clients : 1;
    r->repeat = args->repeat;
    r->seconds = args->seconds;
    r->retry_lost = args->retry_lost > 0 ? args->retry_lost : 0;
    r->nstmts = args->nstmts > 0 ? args->nstmts : 0;
    r->sqls = xcalloc((size_t)r->nstmts + 1, sizeof *r->sqls);
    for (int i = 0; i < r->nstmts; i++)
        r->sqls[i] = xstrdup(args->sqls[i] ? args->sqls[i] : "");
    r->tag = args->tag ? xstrdup(args->tag) : NULL;
    return submit(e, r);
}

eng_id eng_copy_begin(engine *e, eng_session s, const char *sql, const char *tag)
{
    request *r = request_new(REQ_COPY);
    r->sql = xstrdup(sql ? sql : "");
    r->session = s;
    r->tag = tag ? xstrdup(tag) : NULL;
    eng_id id = atomic_fetch_add(&e->next_id, 1);
    r->id = id;
    /* registered before the engine sees it, so pending bytes count at once */
    copy_register(e, id);
    msgq_push(e->reqq, r);
    return id;
}

void eng_copy_data(engine *e, eng_id copy, char *buf, size_t len)
{
    request *r = request_new(REQ_COPY_DATA);
    r->target = copy;
    r->buf = buf;
    r->len = len;
    copy_pending_add(e, copy, (long)len);
    submit(e, r);
}

void eng_copy_end(engine *e, eng_id copy, const char *errmsg)
{
    request *r = request_new(REQ_COPY_END);
    r->target = copy;
    r->errmsg = errmsg ? xstrdup(errmsg) : NULL;
    submit(e, r);
}
