/* worker.h — a short-lived detached thread that makes one blocking call for
 * the engine thread (PQcancel in cancel.c, getaddrinfo in resolve.c) and
 * wakes the loop when its answer is in place. The job it works on starts
 * with an eng_worker header; whoever drops the last reference frees it, so
 * the engine can walk away from a worker that hangs. */
#ifndef PGDECK_ENGINE_WORKER_H
#define PGDECK_ENGINE_WORKER_H

#include "engine/engine.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct eng_worker {
    atomic_int refs;  /* the engine side and the worker; the last one frees */
    atomic_bool done; /* set by the worker once its answer is written */
    int wake_fd;      /* the worker's own dup of e->wake_efd (worker only) */
} eng_worker;

/* Runs fn(job) in a detached thread with a stack of stack_bytes; w is the
 * job's header. Returns false when no thread started; w then holds one
 * reference (the caller's), so worker_release frees the job. */
bool worker_start(engine *e, eng_worker *w, size_t stack_bytes, void *(*fn)(void *), void *job);

/* In the worker, after writing its answer: marks done and wakes the loop.
 * The worker still holds its reference; it drops it with worker_release. */
void worker_finish(eng_worker *w);

/* Drops one reference; true when it was the last (free the job now). */
bool worker_release(eng_worker *w);

#endif
