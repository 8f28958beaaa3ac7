/* pool_cmd.c — the pool pane's ':' command parser. */
#include "ui/pool_cmd.h"

#include "../lib/tap.h"

static pool_cmd c;

static pool_cmd_kind parse(const char *line)
{
    pool_cmd_free(&c);
    pool_cmd_parse(line, &c);
    return c.kind;
}

int main(void)
{
    plan_no_plan();
    is_int(parse("pool max 6"), PCMD_POOL_MAX, "pool max 6");
    is_int(c.n, 6, "max is 6");
    is_int(parse("  pool   min  0 "), PCMD_POOL_MIN, "pool min 0 with spaces");
    is_int(c.n, 0, "min is 0");
    is_int(parse("pool max 0"), PCMD_ERROR, "max 0 refused");
    is_int(parse("pool max 65"), PCMD_ERROR, "max above 64 refused");
    is_int(parse("pool max six"), PCMD_ERROR, "max not a number");
    is_int(parse("pool max 4 5"), PCMD_ERROR, "extra words refused");
    ok(strstr(c.err, "pool max N") != NULL, "error says the usage: %s", c.err);
    is_int(parse("pool check"), PCMD_POOL_CHECK, "pool check");
    is_int(parse("pool recycle"), PCMD_POOL_RECYCLE, "pool recycle");
    is_int(parse("pool recycle now"), PCMD_ERROR, "pool recycle takes nothing");
    is_int(parse("pool"), PCMD_ERROR, "pool alone is a usage error");
    is_int(parse("pools"), PCMD_NOT_MINE, "pools is not mine");
    is_int(parse("theme light"), PCMD_NOT_MINE, "theme is not mine");
    is_int(parse(""), PCMD_NOT_MINE, "empty is not mine");

    is_int(parse("load -c 4 -t 3 select 1"), PCMD_LOAD, "load with options");
    ok(c.clients == 4 && c.seconds == 3.0, "clients 4, 3 s");
    is_str(c.sql, "select 1", "sql");
    is_int(parse("load select * from t where a = '-c 9'  "), PCMD_LOAD, "load with defaults");
    ok(c.clients == LOAD_DEFAULT_CLIENTS && c.seconds == LOAD_DEFAULT_SECONDS, "defaults");
    is_str(c.sql, "select * from t where a = '-c 9'", "options only before the SQL");
    is_int(parse("load -c8 -t2.5s select 2"), PCMD_LOAD, "glued option values");
    ok(c.clients == 8 && c.seconds == 2.5, "8 clients, 2.5 s");
    is_int(parse("load --clients 2 --time 1 -- -1"), PCMD_LOAD, "-- ends the options");
    is_str(c.sql, "-1", "sql after --");
    is_int(parse("load -c 0 select 1"), PCMD_ERROR, "0 clients refused");
    is_int(parse("load -t -1 select 1"), PCMD_ERROR, "negative time refused");
    is_int(parse("load -t nan select 1"), PCMD_ERROR, "nan refused");
    is_int(parse("load -c 4"), PCMD_ERROR, "no SQL");
    is_int(parse("load stop"), PCMD_LOAD_STOP, "load stop");
    is_int(parse("load stop select"), PCMD_LOAD, "stop followed by more is SQL");
    pool_cmd_free(&c);
    return done_testing();
}
