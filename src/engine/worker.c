/* worker.c — detached workers for the engine's blocking calls (worker.h). */
#include "engine/worker.h"

#include "engine/engine_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

bool worker_start(engine *e, eng_worker *w, size_t stack_bytes, void *(*fn)(void *), void *job)
{
    atomic_init(&w->refs, 1);
    atomic_init(&w->done, false);
    w->wake_fd = fcntl(e->wake_efd, F_DUPFD_CLOEXEC, 0);
    if (w->wake_fd < 0)
        return false;
    atomic_store(&w->refs, 2); /* before the worker can drop its own */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, stack_bytes);
    pthread_t t;
    int rc = pthread_create(&t, &attr, fn, job);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        close(w->wake_fd);
        atomic_store(&w->refs, 1);
        return false;
    }
    return true;
}

void worker_finish(eng_worker *w)
{
    atomic_store(&w->done, true);
    uint64_t one = 1;
    while (write(w->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
    close(w->wake_fd);
}

bool worker_release(eng_worker *w)
{
    return atomic_fetch_sub(&w->refs, 1) == 1;
}
