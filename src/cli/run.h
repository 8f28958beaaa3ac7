/* run.h — what `pgdeck run` (cmd_run.c: options, statements, script mode)
 * shares with its other modes: run_pipeline.c and run_load.c. */
#ifndef PGDECK_RUN_H
#define PGDECK_RUN_H

#include "cli/cliconf.h"
#include "cli/connargs.h"
#include "cli/output.h"
#include "engine/engine.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define RUN_PROG "pgdeck run"
#define RUN_MAX_JOBS 64 /* engines of one load (--jobs) */

enum stats_dest { STATS_OFF, STATS_STDERR, STATS_STDOUT };

/* One statement to run, with where it came from for error messages. */
typedef struct run_stmt {
    char *sql;
    const char *source; /* file name, "<stdin>", or NULL for -c */
    int line;           /* 1-based line of the statement's start in its source */
} run_stmt;

/* One -c text or -f file as read, for the script mode, which reads it
 * statement by statement as psql does (sqlsplit.h's sql_script). */
typedef struct run_input {
    char *text;
    size_t len;
    const char *source; /* file name, "<stdin>", or NULL for -c */
} run_input;

typedef struct run_opts {
    connargs ca;
    cliconf cc;
    char **inputs; /* "c:SQL" or "f:FILE", in command-line order */
    int ninputs;
    bool pipeline;
    bool binary; /* --binary: results in binary where they decode exactly */
    eng_pipe_sync sync;
    bool load;
    int clients;
    int jobs; /* engines the load is spread over; 0 until chosen */
    bool pin; /* each job's engine thread on its own CPU (--no-pin: not) */
    long repeat;
    double seconds;
    out_format fmt;
    enum stats_dest stats;
    size_t max_script;   /* --max-script-size: the cap on each -f script, bytes */
    int retry_read_only; /* --retry-read-only N: resends of a lost statement, 0 = none */
} run_opts;

typedef struct run_ctx {
    run_opts *o;
    engine *e;                /* the first engine: scripts and pipelines use only it */
    engine *es[RUN_MAX_JOBS]; /* a load's engines (--jobs), es[0] == e */
    int nes;
    eng_pool_config pool; /* the settings, before a load's share */
    run_stmt *stmts;      /* --pipeline and the load: every statement, split up front */
    size_t nstmts;
    run_input *texts; /* the script mode: the inputs, in order */
    size_t ntexts;
    double start_time; /* CLOCK_MONOTONIC when the work began, for --stats */
} run_ctx;

/* Set by SIGINT once connected: the running request is canceled. */
extern volatile sig_atomic_t run_interrupted;

/* CLOCK_MONOTONIC in seconds. */
double run_now(void);
/* The next event (blocks); a Ctrl-C cancels request `id` once. */
eng_event *run_next_event(engine *e, eng_id id);
/* Exit code for a request that ended with status s. */
int run_exit_for(eng_done_status s);
/* The server's error for statement st (NULL: the run as a whole), psql-style. */
void run_print_error(const run_stmt *st, const eng_error *err);
/* The source line of the error position in st. */
int run_error_line(const run_stmt *st, const eng_error *err);

/* --pipeline: every statement in pipeline mode, then the report. */
int run_pipeline(run_ctx *ctx);
/* --clients/--repeat/--time: the load and its summary. */
int run_load(run_ctx *ctx);
/* How many engines a load of `clients` runs on: `asked`, or with 0 one per
 * CPU (as pgbench -j, each engine thread drives its share of the clients);
 * never more than the clients. */
int run_load_jobs(int asked, int clients);
/* Engine `job`'s share of the load: its clients each get a connection. */
void run_load_pool(const run_opts *o, int job, eng_pool_config *pool);

#endif
