/* import_job.c — a job's session: the engine's events routed to the job by
 * tag ("import:SERIAL:JOB", SERIAL per import, JOB "c" for the coordinator or
 * the part's index), statements run one at a time, the first failure kept.
 * Nothing here touches a PGconn: the engine API only. */
#include "import/import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void imsg_free(void *p)
{
    imsg *m = p;
    if (!m)
        return;
    eng_error_free(m->error);
    for (int i = 0; i < m->nvalues; i++)
        free(m->values[i]);
    free(m->values);
    free(m);
}

bool import_on_event(importer *im, const eng_event *ev)
{
    if (!im || !ev->tag || strncmp(ev->tag, IMPORT_TAG_PREFIX, strlen(IMPORT_TAG_PREFIX)) != 0)
        return false;
    unsigned serial;
    char who[16];
    if (sscanf(ev->tag + strlen(IMPORT_TAG_PREFIX), "%u:%15s", &serial, who) != 2 ||
        serial != im->serial)
        return false;
    job *j;
    if (strcmp(who, "c") == 0) {
        j = &im->coord;
    } else {
        int k = atoi(who);
        if (k < 0 || k >= im->nalloc)
            return false;
        j = &im->jobs[k];
    }
    imsg *m = xcalloc(1, sizeof *m);
    m->kind = ev->kind;
    m->id = ev->id;
    m->status = ev->status;
    m->rows = ev->rows;
    m->backend_pid = ev->backend_pid;
    if (ev->error)
        m->error = eng_error_dup(ev->error);
    if (ev->kind == EV_RESULT && ev->result) {
        const eng_result *r = ev->result;
        if (eng_result_status(r) == ENG_RES_ERROR && !m->error && eng_result_error(r))
            m->error = eng_error_dup(eng_result_error(r));
        if ((eng_result_status(r) == ENG_RES_TUPLES ||
             eng_result_status(r) == ENG_RES_ROWS_PARTIAL) &&
            eng_result_ncols(r) > 0) {
            m->nvalues = eng_result_nrows(r);
            m->values = xcalloc((size_t)m->nvalues + 1, sizeof *m->values);
            for (int i = 0; i < m->nvalues; i++)
                m->values[i] = xstrdup(eng_result_value(r, i, 0));
        }
    }
    msgq_push(j->q, m);
    return true;
}

static void hold(job *j, imsg *m)
{
    j->held = xgrow(j->held, &j->heldcap, j->nheld + 1, sizeof *j->held);
    j->held[j->nheld++] = m;
}

static void take_values(job *j, imsg *m)
{
    for (int i = 0; i < m->nvalues; i++) {
        j->values = xrealloc(j->values, sizeof *j->values * (size_t)(j->nvalues + 1));
        j->values[j->nvalues++] = m->values[i];
    }
    m->nvalues = 0;
}

static void clear_values(job *j)
{
    for (int i = 0; i < j->nvalues; i++)
        free(j->values[i]);
    free(j->values);
    j->values = NULL;
    j->nvalues = 0;
}

/* The EV_DONE of request id when it arrived, else NULL (never blocks when
 * timeout_ms == 0). Row results of id are kept in j->values. */
imsg *wait_done(job *j, eng_id id, int timeout_ms)
{
    for (size_t i = 0; i < j->nheld; i++) {
        imsg *m = j->held[i];
        if (m->id != id)
            continue;
        memmove(&j->held[i], &j->held[i + 1], (j->nheld - i - 1) * sizeof *j->held);
        j->nheld--;
        i--;
        if (m->kind == EV_DONE)
            return m;
        take_values(j, m);
        imsg_free(m);
    }
    for (;;) {
        imsg *m = timeout_ms ? msgq_wait(j->q, timeout_ms) : msgq_pop(j->q);
        if (!m)
            return NULL;
        if (m->id != id) {
            hold(j, m);
            continue;
        }
        if (m->kind == EV_DONE)
            return m;
        take_values(j, m);
        imsg_free(m);
    }
}

/* Waits for id's end; a cancel request is passed on to the engine once. */
imsg *wait_done_forever(job *j, eng_id id)
{
    bool canceled = false;
    for (;;) {
        imsg *m = wait_done(j, id, 100);
        if (m)
            return m;
        if (!canceled && atomic_load(&j->im->cancel)) {
            eng_cancel(j->im->e, id);
            canceled = true;
        }
        if (atomic_load(&j->im->abandon)) {
            /* the owner is freeing us and no longer pumps events: give up
             * waiting; the engine resets the session when it is closed */
            m = xcalloc(1, sizeof *m);
            m->kind = EV_DONE;
            m->id = id;
            m->status = ENG_DONE_CANCELED;
            return m;
        }
    }
}

void job_fail(job *j, import_status st, const char *msg, const eng_error *err)
{
    if (j->status != IMPORT_RUNNING && j->status != IMPORT_OK)
        return; /* the first failure is the one to report */
    j->status = st;
    j->ok = false;
    free(j->message);
    j->message = xstrdup(err && err->message ? err->message : msg ? msg : "failed");
    if (err) {
        j->detail = strdup_or_null(err->detail);
        j->hint = strdup_or_null(err->hint);
        j->sqlstate = strdup_or_null(err->sqlstate);
    }
}

bool imsg_conn_lost(const imsg *m)
{
    return m->status == ENG_DONE_CONN || (m->error && m->error->conn_lost);
}

/* Fails the job from a DONE that was not OK. */
void job_fail_done(job *j, const imsg *m, const char *what)
{
    if (m->status == ENG_DONE_CANCELED || atomic_load(&j->im->cancel)) {
        job_fail(j, IMPORT_CANCELED, "canceled by user", NULL);
    } else if (imsg_conn_lost(m)) {
        job_fail(j, IMPORT_CONN_LOST, "connection lost", m->error);
    } else if (m->status == ENG_DONE_TIMEOUT) {
        job_fail(j, IMPORT_CONN_LOST, "no connection from the pool in time", m->error);
    } else {
        char *msg = xasprintf("%s failed", what);
        job_fail(j, IMPORT_DATA_ERROR, msg, m->error);
        free(msg);
    }
}

/* Runs one statement on the job's session; false (and the job failed) unless OK. */
bool job_exec(job *j, const char *sql, int nparams, const char *const *params)
{
    eng_exec_args a;
    memset(&a, 0, sizeof a);
    a.sql = sql;
    a.nparams = nparams;
    a.params = params;
    a.session = j->session;
    a.flags = ENG_EXEC_NOPREPARE | (nparams ? 0 : ENG_EXEC_SIMPLE);
    a.tag = j->tag;
    clear_values(j);
    eng_id id = eng_exec(j->im->e, &a);
    imsg *m = wait_done_forever(j, id);
    if (m->backend_pid && j->index <= 0)
        atomic_store(&j->im->backend_pid, m->backend_pid);
    bool ok = m->status == ENG_DONE_OK;
    if (!ok)
        job_fail_done(j, m, sql);
    imsg_free(m);
    return ok;
}

/* Best effort (ROLLBACK after a failure): the outcome does not change ours. */
void job_exec_quiet(job *j, const char *sql)
{
    import_status st = j->status;
    char *msg = j->message;
    j->message = NULL;
    j->status = IMPORT_RUNNING;
    (void)job_exec(j, sql, 0, NULL);
    free(j->message);
    j->message = msg;
    j->status = st;
}

void job_init(importer *im, job *j, int index)
{
    memset(j, 0, sizeof *j);
    j->im = im;
    j->index = index;
    j->q = msgq_new();
    j->status = IMPORT_RUNNING;
    if (index < 0)
        snprintf(j->tag, sizeof j->tag, IMPORT_TAG_PREFIX "%u:c", im->serial);
    else
        snprintf(j->tag, sizeof j->tag, IMPORT_TAG_PREFIX "%u:%d", im->serial, index);
}

void job_destroy(job *j)
{
    msgq_free(j->q, imsg_free);
    for (size_t i = 0; i < j->nheld; i++)
        imsg_free(j->held[i]);
    free(j->held);
    clear_values(j);
    free(j->message);
    free(j->detail);
    free(j->hint);
    free(j->sqlstate);
    free(j->err_record);
    free(j->map);
}

void job_close_session(job *j)
{
    if (j->session) {
        eng_session_close(j->im->e, j->session);
        j->session = 0;
    }
}
