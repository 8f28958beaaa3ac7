/* cli_wait.c — see cli_wait.h. */
#include "config.h"

#include "cli/cli_wait.h"

#include "common/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

eng_result *cli_exec_wait(engine *e, const eng_exec_args *args, char **msg, bool *conn_lost)
{
    eng_id id = eng_exec(e, args);
    eng_result *res = NULL;
    eng_done_status status = ENG_DONE_CONN;
    char *done_msg = NULL;
    *msg = NULL;
    for (;;) {
        eng_event *ev = eng_event_wait(e, 1000);
        if (!ev)
            continue;
        bool done = false;
        if (ev->id == id && ev->kind == EV_RESULT && ev->result) {
            eng_result_free(res);
            res = ev->result;
            ev->result = NULL;
        } else if (ev->id == id && ev->kind == EV_DONE) {
            status = ev->status;
            if (ev->error && ev->error->message)
                done_msg = xstrdup(ev->error->message);
            done = true;
        }
        eng_event_free(ev);
        if (done)
            break;
    }
    /* the server's own words first: an error result's message */
    if (res && eng_result_status(res) == ENG_RES_ERROR) {
        const eng_error *re = eng_result_error(res);
        *msg = xstrdup(re && re->message ? re->message : "error");
        eng_result_free(res);
        res = NULL;
    }
    if (status != ENG_DONE_OK) {
        eng_result_free(res);
        res = NULL;
        if (!*msg)
            *msg = done_msg ? done_msg : xstrdup(eng_done_status_name(status));
        else
            free(done_msg);
    } else {
        free(done_msg);
    }
    *conn_lost = status == ENG_DONE_CONN;
    return res;
}

bool cli_sleep(double s, const volatile sig_atomic_t *stop)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        if (*stop)
            return false;
    return !*stop;
}
