/* pool_cmd.h — the pool pane's ':' commands, parsed apart from the pane so
 * they can be tested without a terminal:
 *   pool min N | pool max N | pool check | pool recycle
 *   load [-c CLIENTS] [-t SECONDS] SQL | load stop */
#ifndef PGDECK_POOL_CMD_H
#define PGDECK_POOL_CMD_H

#include <stdbool.h>

typedef enum pool_cmd_kind {
    PCMD_NOT_MINE, /* not a pool or load command */
    PCMD_ERROR,    /* mine, but malformed: see err */
    PCMD_POOL_MIN,
    PCMD_POOL_MAX,
    PCMD_POOL_CHECK,
    PCMD_POOL_RECYCLE,
    PCMD_LOAD,
    PCMD_LOAD_STOP,
} pool_cmd_kind;

#define LOAD_DEFAULT_CLIENTS 4
#define LOAD_DEFAULT_SECONDS 10.0
#define LOAD_MAX_CLIENTS 256
#define POOL_MAX_SIZE 64 /* ENG_MAX_CONNS */

typedef struct pool_cmd {
    pool_cmd_kind kind;
    int n;          /* pool min/max */
    int clients;    /* load */
    double seconds; /* load */
    char *sql;      /* load: malloc'd */
    char err[160];  /* PCMD_ERROR */
} pool_cmd;

/* Parses one command line (without the ':'); free with pool_cmd_free. */
void pool_cmd_parse(const char *line, pool_cmd *out);
void pool_cmd_free(pool_cmd *c);

#endif
