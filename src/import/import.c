/* import.c — the COPY import's coordinator (see import.h for the guarantees):
 * its thread opens the file, resolves the columns, runs one job or cuts the
 * file into parts run by one thread each, then commits (two-phase with
 * several parts) or undoes; it publishes progress and the result.
 *
 * Threads: the coordinator thread (one per import) and, with jobs > 1, one
 * thread per part. Each talks to the engine through its own session and its
 * own tag "import:SERIAL:JOB"; import_on_event() (import_job.c) routes the
 * engine's events to the matching thread's queue by that tag. Nothing here
 * touches a PGconn. Who may touch which field: import_int.h. */
#include "import/import_int.h"

#include "common/clock.h"
#include "common/sqlquote.h"
#include "common/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void import_format_eta(const import_progress *p, char *out, size_t n)
{
    double rate = p->elapsed > 0 ? (double)p->bytes_done / p->elapsed : 0;
    /* a file that grew while read has done > total: no estimate then */
    if (rate > 0 && p->bytes_total >= p->bytes_done) {
        long s = (long)((double)(p->bytes_total - p->bytes_done) / rate);
        snprintf(out, n, "%ld:%02ld", s / 60, s % 60);
    } else {
        snprintf(out, n, "--:--");
    }
}

static atomic_uint serial_counter;

static void set_njobs(importer *im, int njobs)
{
    pthread_mutex_lock(&im->lock);
    im->njobs = njobs;
    pthread_mutex_unlock(&im->lock);
}

static void set_phase(importer *im, const char *phase)
{
    pthread_mutex_lock(&im->lock);
    im->phase = phase;
    pthread_mutex_unlock(&im->lock);
}

/* Runs in the part's thread (jobs > 1): BEGIN; [DELETE]; COPY; PREPARE. */
static void *job_main(void *arg)
{
    job *j = arg;
    importer *im = j->im;
    j->session = eng_session_open(im->e);
    j->binary = im->binary;
    bool ok;
    for (;;) {
        ok = job_exec(j, "BEGIN", 0, NULL) &&
             job_exec(j, "SET LOCAL client_encoding = 'UTF8'", 0, NULL);
        if (ok && j->index == 0 && im->spec.truncate) {
            char *q = import_qualified_name(im->spec.schema, im->spec.table);
            char *sql = xasprintf("DELETE FROM %s", q);
            ok = job_exec(j, sql, 0, NULL);
            free(sql);
            free(q);
        }
        ok = ok && job_copy(j);
        if (ok || !j->binary_refused || j->status != IMPORT_RUNNING)
            break;
        /* a field without a certain binary form: this part again, as text */
        job_exec_quiet(j, "ROLLBACK");
        job_text_again(j);
    }
    if (ok) {
        char *lit = sql_quote_literal(j->gid);
        char *sql = xasprintf("PREPARE TRANSACTION %s", lit);
        ok = job_exec(j, sql, 0, NULL);
        j->prepared = ok;
        free(sql);
        free(lit);
    }
    if (!ok && j->status != IMPORT_CONN_LOST)
        job_exec_quiet(j, "ROLLBACK");
    j->ok = ok;
    if (ok)
        j->status = IMPORT_OK;
    job_close_session(j);
    return NULL;
}

static void result_from_job(importer *im, job *j)
{
    import_result *r = &im->res;
    r->status = j->status == IMPORT_RUNNING ? IMPORT_DATA_ERROR : j->status;
    free(r->message);
    r->message = strdup_or_null(j->message);
    r->detail = strdup_or_null(j->detail);
    r->hint = strdup_or_null(j->hint);
    r->sqlstate = strdup_or_null(j->sqlstate);
    r->line = j->err_line;
    r->record = strdup_or_null(j->err_record);
}

static void finish_import(importer *im)
{
    pthread_mutex_lock(&im->lock);
    im->res.seconds = (double)(clock_mono_ns() - im->start_ns) / 1e9;
    im->phase = "done";
    pthread_mutex_unlock(&im->lock);
    atomic_store(&im->done, true);
    if (write(im->done_pipe[1], "x", 1) < 0) {
        /* nobody polls: import_done() still answers */
    }
}

/* COPY FREEZE is legal only when the table was created or truncated in the
 * current subtransaction: the one job's transaction with --create or
 * --truncate, streamed as one COPY (--max-errors runs each batch under a
 * savepoint, a subtransaction of its own). TRUNCATE may empty a partitioned
 * or foreign table, which FREEZE refuses: only a plain table qualifies. */
static bool freeze_allowed(importer *im, job *j)
{
    import_spec *s = &im->spec;
    if (s->max_errors > 0 || s->max_errors_pct > 0)
        return false;
    if (s->create)
        return true;
    if (!s->truncate)
        return false;
    char *q = import_qualified_name(s->schema, s->table);
    const char *params[1] = {q};
    bool plain = job_exec(j, "SELECT relkind FROM pg_class WHERE oid = $1::regclass", 1, params) &&
                 j->nvalues == 1 && j->values[0] && strcmp(j->values[0], "r") == 0;
    free(q);
    return plain;
}

static void run_single(importer *im)
{
    job *j = &im->jobs[0];
    import_spec *s = &im->spec;
    j->session = im->coord.session; /* one session, one transaction */
    j->start = 0;
    j->end = im->size;
    j->first = j->last = true;
    j->binary = im->binary;
    bool ok, frozen = false;
again:
    ok =
        job_exec(j, "BEGIN", 0, NULL) && job_exec(j, "SET LOCAL client_encoding = 'UTF8'", 0, NULL);
    if (ok && s->create) {
        set_phase(im, "creating");
        char *sql = import_create_sql(s);
        if (!sql) {
            job_fail(j, IMPORT_DATA_ERROR, "a name is not valid UTF-8 or a type is unknown", NULL);
            ok = false;
        } else {
            ok = job_exec(j, sql, 0, NULL);
            free(sql);
        }
    }
    if (ok && s->truncate) {
        char *q = import_qualified_name(s->schema, s->table);
        char *sql = xasprintf("TRUNCATE %s", q);
        ok = job_exec(j, sql, 0, NULL);
        free(sql);
        free(q);
    }
    if (ok && !frozen && freeze_allowed(im, j)) {
        /* the table is new (or emptied) in this very transaction: its rows
         * can be written frozen, sparing every later reader the hint-bit
         * writes and VACUUM the freezing (doc/benchmarks.md: the gain) */
        char *sql = import_copy_sql_freeze(im->copy_sql);
        free(im->copy_sql);
        im->copy_sql = sql;
        if (im->copy_sql_bin) {
            sql = import_copy_sql_freeze(im->copy_sql_bin);
            free(im->copy_sql_bin);
            im->copy_sql_bin = sql;
        }
        frozen = true;
    }
    if (ok) {
        set_phase(im, "copying");
        ok = job_copy(j);
        if (!ok && j->binary_refused && j->status == IMPORT_RUNNING) {
            /* a field without a certain binary form: nothing is committed
             * yet, so the whole transaction runs again as text COPY */
            job_exec_quiet(j, "ROLLBACK");
            job_text_again(j);
            set_phase(im, "copying");
            goto again;
        }
    }
    ok = ok && within_pct(im, j);
    if (ok) {
        set_phase(im, "committing");
        eng_exec_args a;
        memset(&a, 0, sizeof a);
        a.sql = "COMMIT";
        a.session = j->session;
        a.flags = ENG_EXEC_SIMPLE | ENG_EXEC_NOPREPARE;
        a.tag = j->tag;
        imsg *m = wait_done_forever(j, eng_exec(im->e, &a));
        if (m->status == ENG_DONE_OK) {
            j->status = IMPORT_OK;
        } else if (imsg_conn_lost(m)) {
            job_fail(j, IMPORT_UNKNOWN,
                     "connection lost during COMMIT: the import may or may not be committed", NULL);
        } else {
            job_fail_done(j, m, "COMMIT");
            /* COMMIT of a failed transaction reports ROLLBACK: nothing imported */
        }
        imsg_free(m);
    } else if (j->status != IMPORT_CONN_LOST) {
        job_exec_quiet(j, "ROLLBACK");
    }
    j->session = 0; /* the coordinator closes it */
    if (j->status == IMPORT_OK) {
        im->res.status = IMPORT_OK;
        im->res.rows = j->rows;
        im->res.binary_jobs = j->binary ? 1 : 0;
    } else {
        result_from_job(im, j);
    }
}

static void run_parallel(importer *im, int njobs)
{
    import_spec *s = &im->spec;
    job *c = &im->coord;
    bool created = false;
    uint64_t data_start = data_start_offset(im);
    uint64_t *starts = xcalloc((size_t)njobs, sizeof *starts);
    int np = split_parts(im, data_start, njobs, starts);

    if (s->create) {
        set_phase(im, "creating");
        char *sql = import_create_sql(s);
        bool ok = sql && job_exec(c, "BEGIN", 0, NULL) &&
                  job_exec(c, "SET LOCAL client_encoding = 'UTF8'", 0, NULL) &&
                  job_exec(c, sql, 0, NULL) && job_exec(c, "COMMIT", 0, NULL);
        if (!sql)
            job_fail(c, IMPORT_DATA_ERROR, "a name is not valid UTF-8 or a type is unknown", NULL);
        free(sql);
        if (!ok) {
            job_exec_quiet(c, "ROLLBACK");
            result_from_job(im, c);
            free(starts);
            return;
        }
        created = true;
    }
    set_phase(im, "copying");
    set_njobs(im, np);
    for (int k = 0; k < np; k++) {
        job *j = &im->jobs[k];
        j->start = starts[k];
        j->end = k + 1 < np ? starts[k + 1] : im->size;
        j->first = k == 0;
        j->last = k == np - 1;
        snprintf(j->gid, sizeof j->gid, "pgdeck_import_%d_%u_%d_%llu", (int)getpid(), im->serial, k,
                 (unsigned long long)(im->start_ns % 1000000000ull));
        j->thread_started = pthread_create(&j->thread, NULL, job_main, j) == 0;
        if (!j->thread_started)
            job_fail(j, IMPORT_DATA_ERROR, "cannot start a thread", NULL);
    }
    im->res.jobs = np;
    bool all_ok = true;
    for (int k = 0; k < np; k++) {
        if (im->jobs[k].thread_started)
            pthread_join(im->jobs[k].thread, NULL);
        all_ok = all_ok && im->jobs[k].ok;
    }
    free(starts);
    if (all_ok && !within_pct(im, &im->jobs[0])) {
        all_ok = false;
        im->jobs[0].ok = false;
    }

    if (all_ok) {
        set_phase(im, "committing");
        uint64_t rows = 0;
        int committed = 0;
        for (int k = 0; k < np; k++) {
            char *lit = sql_quote_literal(im->jobs[k].gid);
            char *sql = xasprintf("COMMIT PREPARED %s", lit);
            bool ok = job_exec(c, sql, 0, NULL);
            if (!ok && c->status == IMPORT_CONN_LOST) {
                /* once more, on a fresh connection: a prepared transaction survives */
                job_close_session(c);
                c->session = eng_session_open(im->e);
                c->status = IMPORT_RUNNING;
                ok = job_exec(c, sql, 0, NULL);
            }
            free(sql);
            free(lit);
            if (!ok)
                break;
            committed++;
            rows += im->jobs[k].rows;
        }
        if (committed == np) {
            im->res.status = IMPORT_OK;
            im->res.rows = rows;
            for (int k = 0; k < np; k++)
                im->res.binary_jobs += im->jobs[k].binary ? 1 : 0;
            return;
        }
        result_from_job(im, c);
        im->res.status = IMPORT_UNKNOWN; /* some parts may be committed */
        strbuf sb;
        sb_init(&sb);
        sb_printf(&sb, "%d of %d parts committed; still prepared:", committed, np);
        for (int k = committed; k < np; k++)
            sb_printf(&sb, " %s", im->jobs[k].gid);
        free(im->res.note);
        im->res.note = sb_steal(&sb);
        return;
    }
    /* a part failed: undo the others */
    job *worst = NULL;
    for (int k = 0; k < np; k++) {
        job *j = &im->jobs[k];
        if (j->prepared) {
            char *lit = sql_quote_literal(j->gid);
            char *sql = xasprintf("ROLLBACK PREPARED %s", lit);
            job_exec_quiet(c, sql);
            free(sql);
            free(lit);
        }
        if (j->ok)
            continue;
        /* report a data error before a consequence (canceled / lost) */
        if (!worst || (worst->status != IMPORT_DATA_ERROR && j->status == IMPORT_DATA_ERROR) ||
            (worst->status == j->status && j->err_line && worst->err_line &&
             j->err_line < worst->err_line))
            worst = j;
    }
    if (created) {
        char *q = import_qualified_name(s->schema, s->table);
        char *sql = xasprintf("DROP TABLE %s", q);
        job_exec_quiet(c, sql);
        free(sql);
        free(q);
    }
    result_from_job(im, worst ? worst : c);
}

static void *coord_main(void *arg)
{
    importer *im = arg;
    import_spec *s = &im->spec;
    job *c = &im->coord;
    struct stat st;

    char *err = NULL;
    im->fd = import_open_file(s->path, &st, &err);
    if (im->fd < 0) {
        im->res.status = IMPORT_FILE_ERROR;
        im->res.message = err;
        finish_import(im);
        return NULL;
    }
    im->size = (uint64_t)st.st_size;
    pthread_mutex_lock(&im->lock);
    im->res.bytes = im->size;
    pthread_mutex_unlock(&im->lock);
    if (im->size <= (s->d.bom ? 3u : 0u)) {
        im->res.status = IMPORT_DATA_ERROR;
        im->res.message = xasprintf("%s is empty: nothing imported", s->path);
        finish_import(im);
        return NULL;
    }

    c->session = eng_session_open(im->e);
    int njobs = s->jobs > 0 ? s->jobs : 1;
    if (njobs > 1) {
        if (!job_exec(c, "SELECT current_setting('max_prepared_transactions')::int", 0, NULL)) {
            result_from_job(im, c);
            goto out;
        }
        int mpt = c->nvalues ? atoi(c->values[0]) : 0;
        if (mpt < njobs) {
            int run = mpt > 1 ? mpt : 1;
            free(im->res.note);
            im->res.note = xasprintf("--jobs %d ran as %d: the server's "
                                     "max_prepared_transactions is too low for an "
                                     "all-or-nothing parallel load",
                                     njobs, run);
            if (mpt == 0) {
                free(im->res.note);
                im->res.note = xasprintf("--jobs %d ran as 1 job: the server has "
                                         "max_prepared_transactions = 0, and only two-phase "
                                         "commit makes a parallel load all-or-nothing",
                                         njobs);
            }
            njobs = run;
        }
    }
    if (!resolve_targets(im, c)) {
        result_from_job(im, c);
        goto out;
    }
    im->copy_sql = import_copy_sql(s, (const char *const *)im->targets, im->ntargets);
    if (!im->copy_sql) {
        im->res.status = IMPORT_DATA_ERROR;
        im->res.message = xstrdup("a column name is not valid UTF-8");
        goto out;
    }
    if (!binary_choose(im, c)) {
        result_from_job(im, c);
        goto out;
    }
    if (s->reject_path) {
        im->reject = fopen(s->reject_path, "w");
        if (!im->reject) {
            im->res.status = IMPORT_FILE_ERROR;
            im->res.message = xasprintf("%s: %s", s->reject_path, strerror(errno));
            goto out;
        }
        fputs("line,error,record\n", im->reject);
    }
    set_njobs(im, njobs);
    im->res.jobs = njobs;
    set_phase(im, "copying");
    if (njobs == 1)
        run_single(im);
    else
        run_parallel(im, njobs);
out:
    im->res.rejected = atomic_load(&im->rejected);
    if (im->res.status != IMPORT_OK)
        im->res.rows = 0;
    /* certain only when no COMMIT could have taken effect */
    im->res.nothing_imported = im->res.status != IMPORT_OK && im->res.status != IMPORT_UNKNOWN;
    if (im->reject) {
        bool wrote = write_rejects(im);
        if (fclose(im->reject) != 0 || !wrote) {
            if (im->res.status == IMPORT_OK) {
                free(im->res.note);
                im->res.note = xasprintf("%s: could not write every rejected record: %s",
                                         s->reject_path, strerror(errno));
            }
        }
        im->reject = NULL;
    }
    job_close_session(c);
    finish_import(im);
    return NULL;
}

importer *import_start(engine *e, const import_spec *spec)
{
    importer *im = xcalloc(1, sizeof *im);
    im->e = e;
    import_spec_copy(&im->spec, spec);
    im->serial = atomic_fetch_add(&serial_counter, 1) + 1;
    im->fd = -1;
    im->phase = "starting";
    im->res.status = IMPORT_RUNNING;
    im->start_ns = clock_mono_ns();
    pthread_mutex_init(&im->lock, NULL);
    pthread_mutex_init(&im->reject_lock, NULL);
    if (pipe(im->done_pipe) != 0) {
        im->done_pipe[0] = im->done_pipe[1] = -1;
    } else {
        for (int k = 0; k < 2; k++) {
            fcntl(im->done_pipe[k], F_SETFD, FD_CLOEXEC);
            fcntl(im->done_pipe[k], F_SETFL, O_NONBLOCK);
        }
    }
    job_init(im, &im->coord, -1);
    im->nalloc = spec->jobs > 1 ? spec->jobs : 1;
    im->jobs = xcalloc((size_t)im->nalloc, sizeof *im->jobs);
    for (int k = 0; k < im->nalloc; k++)
        job_init(im, &im->jobs[k], k);
    if (pthread_create(&im->thread, NULL, coord_main, im) != 0) {
        im->res.status = IMPORT_FILE_ERROR;
        im->res.message = xstrdup("cannot start the import thread");
        im->res.nothing_imported = true;
        atomic_store(&im->done, true);
        im->thread = pthread_self();
    }
    return im;
}

void import_cancel(importer *im)
{
    if (im)
        atomic_store(&im->cancel, true);
}

bool import_done(importer *im)
{
    return atomic_load(&im->done);
}

int import_done_fd(importer *im)
{
    return im->done_pipe[0];
}

void import_get_progress(importer *im, import_progress *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&im->lock);
    out->phase = im->phase;
    out->bytes_total = im->res.bytes;
    out->jobs = im->njobs ? im->njobs : 1;
    out->elapsed =
        atomic_load(&im->done) ? im->res.seconds : (double)(clock_mono_ns() - im->start_ns) / 1e9;
    pthread_mutex_unlock(&im->lock);
    for (int k = 0; k < im->nalloc; k++) { /* allocated at start, freed in import_free */
        out->bytes_done += atomic_load(&im->jobs[k].bytes_done);
        out->rows_sent += atomic_load(&im->jobs[k].rows_sent);
    }
    if (out->bytes_done > out->bytes_total)
        out->bytes_done = out->bytes_total;
    out->rejected = atomic_load(&im->rejected);
    out->backend_pid = atomic_load(&im->backend_pid);
}

const import_result *import_get_result(importer *im)
{
    return atomic_load(&im->done) ? &im->res : NULL;
}

void import_free(importer *im)
{
    if (!im)
        return;
    if (!atomic_load(&im->done)) {
        import_cancel(im);
        atomic_store(&im->abandon, true);
    }
    if (!pthread_equal(im->thread, pthread_self()))
        pthread_join(im->thread, NULL);
    for (int k = 0; k < im->nalloc; k++)
        job_destroy(&im->jobs[k]);
    free(im->jobs);
    job_destroy(&im->coord);
    if (im->fd >= 0)
        close(im->fd);
    if (im->done_pipe[0] >= 0) {
        close(im->done_pipe[0]);
        close(im->done_pipe[1]);
    }
    csv_names_free(im->targets, im->ntargets);
    free(im->keep);
    free(im->copy_sql);
    free(im->copy_sql_bin);
    free(im->bin_types);
    free(im->res.message);
    free(im->res.detail);
    free(im->res.hint);
    free(im->res.sqlstate);
    free(im->res.record);
    free(im->res.note);
    import_spec_free(&im->spec);
    pthread_mutex_destroy(&im->lock);
    pthread_mutex_destroy(&im->reject_lock);
    free(im);
}
