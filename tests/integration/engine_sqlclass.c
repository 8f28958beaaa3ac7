/* engine_sqlclass.c — the statement classifier against the server itself:
 * each statement runs inside BEGIN ... ROLLBACK on a throwaway cluster, and
 * the server's 25001 ("cannot run inside a transaction block") must come
 * exactly for the statements sql_no_txn_block names. */
#include "common/sqlclass.h"
#include "tests/integration/engine_util.h"

static const char *const setup[] = {
    "create table t(x int)",
    "create index i on t(x)",
    "create table p(x int) partition by range (x)",
    "create table p1 partition of p for values from (0) to (10)",
    "create schema s",
    NULL,
};

/* Statements the server can run (or refuse) here; objects exist above. */
static const char *const stmts[] = {
    "vacuum t",
    "VACUUM (ANALYZE) t",
    "/* why */ vacuum",
    "analyze t",
    "create index concurrently i2 on t(x)",
    "create unique index concurrently if not exists i3 on t(x)",
    "create index \"concurrently\" on t(x)",
    "drop index concurrently i",
    "drop index i",
    "create database d_txn",
    "drop database if exists d_txn",
    "create tablespace ts_txn location '/nonexistent'",
    "drop tablespace if exists ts_txn",
    "alter system set work_mem = '8MB'",
    "alter database postgres set tablespace pg_default",
    "alter database postgres set work_mem to '8MB'",
    "alter table p detach partition p1 concurrently",
    "alter table p detach partition p1",
    "reindex schema s",
    "reindex table concurrently t",
    "reindex (concurrently) index i",
    "reindex table t",
    "cluster",
    "cluster verbose",
    "cluster t using i",
    "discard all",
    "discard plans",
    "commit prepared 'nope'",
    "rollback prepared 'nope'",
    "select datname from pg_database",
    "with x as (select 1) select spcname from pg_tablespace, x",
    "(select 'vacuum')",
    NULL,
};

/* Refused only when the catalog says so (the subscription has a slot): the
 * classifier names them all the same, so a pipeline never sends them
 * inside a transaction. */
static const char *const cautious[] = {
    "drop subscription if exists nosub",
    "create subscription sub connection 'dbname=nope' publication pub",
    NULL,
};

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    PGconn *c = tu_side(sb);
    for (int i = 0; setup[i]; i++)
        tu_side_ok(c, setup[i]);
    for (int i = 0; stmts[i]; i++) {
        tu_side_ok(c, "begin");
        PGresult *r = PQexec(c, stmts[i]);
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        bool server_refuses = state && strcmp(state, "25001") == 0;
        const char *ours = sql_no_txn_block(stmts[i], strlen(stmts[i]));
        ok(server_refuses == (ours != NULL), "%s: server %s, classifier %s", stmts[i],
           server_refuses ? "refuses"
           : state        ? state
                          : "runs it",
           ours ? ours : "allows");
        if (server_refuses && ours)
            ok(strstr(PQresultErrorMessage(r), ours) != NULL, "  the server names it %s too: %s",
               ours, PQresultErrorMessage(r));
        PQclear(r);
        tu_side_ok(c, "rollback");
    }
    for (int i = 0; cautious[i]; i++)
        ok(sql_no_txn_block(cautious[i], strlen(cautious[i])) != NULL,
           "%s: named as refused (the catalog decides)", cautious[i]);
    PQfinish(c);
    sandbox_stop(sb);
    return done_testing();
}
