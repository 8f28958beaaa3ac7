/* cli_wait.h — what a batch command does while the engine works: run one
 * statement and wait for its end, or sleep until a signal says stop. */
#ifndef PGDECK_CLI_WAIT_H
#define PGDECK_CLI_WAIT_H

#include "engine/engine.h"

#include <signal.h>
#include <stdbool.h>

/* Runs args and waits for its end. Returns its last result, or NULL with
 * *msg (malloc'd: the server's message, or how it ended) when the statement
 * failed; NULL with *msg NULL when it succeeded without a result.
 * *conn_lost says the connection went away. */
eng_result *cli_exec_wait(engine *e, const eng_exec_args *args, char **msg, bool *conn_lost);

/* Sleeps s seconds; false as soon as *stop is set (a signal handler's flag). */
bool cli_sleep(double s, const volatile sig_atomic_t *stop);

#endif
