/* recorder.c — the console's `:record` thread (recorder.h). The thread
 * only runs rec_recorder_run; what it says reaches the UI thread through a
 * mailbox under a mutex and a byte on a pipe (the app polls its read end). */
#include "ui/recorder.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ui_recorder {
    char *path;
    rec_target *servers; /* pointing into the three arrays below (ours) */
    eng_conninfo **ci;
    char **names, **targets;
    size_t n;
    double interval_s;
    pthread_t thread;
    atomic_int stop;
    int pipe[2];
    pthread_mutex_t lock; /* the mailbox below */
    long snapshots;
    char *warning, *error;
    bool said_error; /* the recorder gave its reason (maybe taken already) */
    bool ended;
};

static void wake(ui_recorder *r)
{
    char b = 1;
    if (write(r->pipe[1], &b, 1) < 0) {
        /* full: a wake-up is already pending */
    }
}

/* On the recorder's thread. */
static void on_message(void *arg, rec_msg_kind kind, const char *msg)
{
    ui_recorder *r = arg;
    pthread_mutex_lock(&r->lock);
    if (kind == REC_MSG_SNAPSHOT) {
        r->snapshots++;
    } else if (kind == REC_MSG_WARNING) {
        free(r->warning);
        r->warning = xstrdup(msg);
    } else if (kind == REC_MSG_ERROR) {
        free(r->error);
        r->error = xstrdup(msg);
        r->said_error = true;
    }
    pthread_mutex_unlock(&r->lock);
    if (kind != REC_MSG_THIN)
        wake(r);
}

static void *run(void *arg)
{
    ui_recorder *r = arg;
    rec_recorder_opts o = {
        .path = r->path,
        .servers = r->servers,
        .nservers = r->n,
        .pool = NULL, /* its own small pools: the console's stay the panes' */
        .interval_s = r->interval_s,
        .keep_detail_s = REC_DEFAULT_KEEP_DETAIL,
        .keep_s = REC_DEFAULT_KEEP,
        .on_message = on_message,
        .arg = r,
    };
    rec_status st = rec_recorder_run(&o, &r->stop);
    pthread_mutex_lock(&r->lock);
    if (st != REC_OK && !r->said_error)
        r->error =
            xstrdup(st == REC_DISK_FULL ? "recording stopped: disk full" : "recording failed");
    r->said_error = r->said_error || st != REC_OK;
    r->ended = true;
    pthread_mutex_unlock(&r->lock);
    wake(r);
    return NULL;
}

ui_recorder *ui_recorder_start(const char *path, const rec_target *servers, size_t n,
                               double interval_s, char **err)
{
    ui_recorder *r = xcalloc(1, sizeof *r);
    r->path = xstrdup(path);
    r->n = n;
    r->interval_s = interval_s > 0 ? interval_s : REC_DEFAULT_INTERVAL;
    r->servers = xcalloc(n ? n : 1, sizeof *r->servers);
    r->ci = xcalloc(n ? n : 1, sizeof *r->ci);
    r->names = xcalloc(n ? n : 1, sizeof *r->names);
    r->targets = xcalloc(n ? n : 1, sizeof *r->targets);
    for (size_t i = 0; i < n; i++) {
        r->ci[i] = eng_conninfo_dup(servers[i].ci);
        r->names[i] = xstrdup(servers[i].name);
        r->targets[i] = xstrdup(servers[i].target ? servers[i].target : "");
        r->servers[i] = (rec_target){.name = r->names[i], .ci = r->ci[i], .target = r->targets[i]};
    }
    r->pipe[0] = r->pipe[1] = -1;
    pthread_mutex_init(&r->lock, NULL);
    if (pipe(r->pipe) != 0) {
        *err = xasprintf("cannot start the recorder: %s", strerror(errno));
        ui_recorder_free(r);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(r->pipe[i], F_SETFL, fcntl(r->pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(r->pipe[i], F_SETFD, FD_CLOEXEC);
    }
    int rc = pthread_create(&r->thread, NULL, run, r);
    if (rc != 0) {
        *err = xasprintf("cannot start the recorder: %s", strerror(rc));
        r->ended = true; /* no thread to join */
        r->thread = pthread_self();
        ui_recorder_free(r);
        return NULL;
    }
    return r;
}

const char *ui_recorder_path(const ui_recorder *r)
{
    return r->path;
}

int ui_recorder_fd(const ui_recorder *r)
{
    return r->pipe[0];
}

void ui_recorder_news_take(ui_recorder *r, ui_recorder_news *out)
{
    char buf[64];
    while (read(r->pipe[0], buf, sizeof buf) > 0) {
    }
    pthread_mutex_lock(&r->lock);
    out->snapshots = r->snapshots;
    out->warning = r->warning;
    out->error = r->error;
    out->ended = r->ended;
    out->failed = r->said_error;
    r->warning = r->error = NULL;
    pthread_mutex_unlock(&r->lock);
}

void ui_recorder_stop(ui_recorder *r)
{
    atomic_store(&r->stop, 1);
}

void ui_recorder_free(ui_recorder *r)
{
    if (!r)
        return;
    atomic_store(&r->stop, 1);
    if (!pthread_equal(r->thread, pthread_self()) && r->pipe[0] >= 0)
        pthread_join(r->thread, NULL);
    for (int i = 0; i < 2; i++)
        if (r->pipe[i] >= 0)
            close(r->pipe[i]);
    pthread_mutex_destroy(&r->lock);
    for (size_t i = 0; i < r->n; i++) {
        free(r->names[i]);
        free(r->targets[i]);
        eng_conninfo_free(r->ci[i]);
    }
    free(r->servers);
    free(r->ci);
    free(r->names);
    free(r->targets);
    free(r->warning);
    free(r->error);
    free(r->path);
    free(r);
}
