/* sqlclass.c — the statement classifier against a table of statements. The
 * refusals follow PostgreSQL 15's PreventInTransactionBlock callers
 * (tcop/utility.c, commands/{vacuum,cluster,indexcmds,dbcommands,
 * subscriptioncmds,discard}.c); pipeline_outcomes.t checks a few against a
 * real server. */
#include "common/sqlclass.h"
#include "tests/lib/tap.h"

#include <stdbool.h>
#include <string.h>

static const struct {
    const char *sql;
    const char *refused; /* NULL: may run inside a transaction block */
} no_txn[] = {
    {"VACUUM", "VACUUM"},
    {"vacuum analyze t", "VACUUM"},
    {"  VaCuUm (verbose, analyze) t;", "VACUUM"},
    {"-- nightly\nvacuum t", "VACUUM"},
    {"/* a /* nested */ comment */ VACUUM full", "VACUUM"},
    {"analyze t", NULL},
    {"select * from \"vacuum\"", NULL},
    {"select 'vacuum'", NULL},
    {"create index concurrently i on t(x)", "CREATE INDEX CONCURRENTLY"},
    {"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t(x)", "CREATE INDEX CONCURRENTLY"},
    {"create index i on t(x)", NULL},
    {"create index \"concurrently\" on t(x)", NULL},
    {"create table concurrently_log(x int)", NULL},
    {"select * from t where note = 'create index concurrently'", NULL},
    {"drop index concurrently i", "DROP INDEX CONCURRENTLY"},
    {"drop index i", NULL},
    {"CREATE DATABASE d", "CREATE DATABASE"},
    {"drop database if exists d", "DROP DATABASE"},
    {"create tablespace ts location '/x'", "CREATE TABLESPACE"},
    {"drop tablespace ts", "DROP TABLESPACE"},
    {"select spcname from pg_tablespace", NULL},
    {"select datname from pg_database", NULL},
    {"with d as (select 1) select * from pg_database, d", NULL},
    {"alter system set work_mem = '8MB'", "ALTER SYSTEM"},
    {"alter database d set tablespace ts", "ALTER DATABASE SET TABLESPACE"},
    {"alter database d set work_mem to '8MB'", NULL},
    {"alter database d rename to e", NULL},
    {"alter table t add column c int", NULL},
    {"alter table p detach partition c concurrently", "ALTER TABLE ... DETACH CONCURRENTLY"},
    {"alter table p detach partition c", NULL},
    {"reindex database d", "REINDEX DATABASE"},
    {"REINDEX SYSTEM d", "REINDEX SYSTEM"},
    {"reindex schema s", "REINDEX SCHEMA"},
    {"reindex table concurrently t", "REINDEX CONCURRENTLY"},
    {"reindex (concurrently, verbose) index i", "REINDEX CONCURRENTLY"},
    {"reindex (verbose) schema s", "REINDEX SCHEMA"},
    {"reindex table t", NULL},
    {"cluster", "CLUSTER"},
    {"CLUSTER VERBOSE;", "CLUSTER"},
    {"cluster t using i", NULL},
    {"cluster verbose t", NULL},
    {"discard all", "DISCARD ALL"},
    {"discard plans", NULL},
    {"commit prepared 'x'", "COMMIT PREPARED"},
    {"rollback prepared 'x'", "ROLLBACK PREPARED"},
    {"create subscription s connection 'c' publication p",
     "CREATE SUBSCRIPTION ... WITH (create_slot = true)"},
    {"drop subscription s", "DROP SUBSCRIPTION"},
    {"alter subscription s refresh publication", "ALTER SUBSCRIPTION ... REFRESH"},
    {"alter subscription s disable", NULL},
    {"(select 1)", NULL},
    {";; vacuum", "VACUUM"},
    {"select 1; vacuum", NULL},
    {"", NULL},
    {"-- only a comment", NULL},
    {"\"VACUUM\"", NULL},
};

static const struct {
    const char *sql;
    sql_txn_kind kind;
} txn[] = {
    {"begin", SQL_TXN_BEGIN},
    {"BEGIN ISOLATION LEVEL SERIALIZABLE", SQL_TXN_BEGIN},
    {"start transaction read only", SQL_TXN_BEGIN},
    {"/* c */ Commit", SQL_TXN_COMMIT},
    {"end", SQL_TXN_COMMIT},
    {"rollback", SQL_TXN_ROLLBACK},
    {"ABORT", SQL_TXN_ROLLBACK},
    {"rollback to savepoint a", SQL_TXN_OTHER},
    {"rollback work to a", SQL_TXN_OTHER},
    {"rollback prepared 'x'", SQL_TXN_OTHER},
    {"commit prepared 'x'", SQL_TXN_OTHER},
    {"savepoint a", SQL_TXN_OTHER},
    {"release savepoint a", SQL_TXN_OTHER},
    {"prepare transaction 'x'", SQL_TXN_OTHER},
    {"prepare q as select 1", SQL_TXN_NONE},
    {"select 'begin'", SQL_TXN_NONE},
    {"\"begin\"", SQL_TXN_NONE},
    {"with x as (select 1) select * from x", SQL_TXN_NONE},
    {"(select 1)", SQL_TXN_NONE},
    {"start", SQL_TXN_NONE},
};

/* the read-only guard: what could make a transaction read-write */
static const struct {
    const char *sql;
    bool leaves;
} ro[] = {
    {"begin read write", true},
    {"BEGIN READ/* hidden */WRITE", true},
    {"start transaction isolation level serializable,\n  read\twrite", true},
    {"set session characteristics as transaction read write", true},
    {"set transaction_read_only = off", true},
    {"SET default_transaction_read_only TO off", true},
    {"set \"default_transaction_read_only\" = off", true},
    {"select set_config('transaction_read_only', 'off', false)", true},
    {"set session authorization bob", true},
    {"select set_config('session_authorization', 'bob', false)", true},
    {"reset all", true},
    {"RESET /* x */ ALL", true},
    {"select 1", false},
    {"begin read only", false},
    {"select 'read' || 'write'", false},
    {"select read, write from t", false},
    {"reset work_mem", false},
    {"show transaction_isolation", false},
    {"-- read write\nselect 1", false},
    {"show transaction_read_only", false},
    {"select current_setting('transaction_read_only')", false},
    {"set local transaction_read_only = off", true},
    {"/* c */ SET LOCAL \"transaction_read_only\" = 0", true},
    {"select pg_catalog.set_config('default_transaction_read_only', 'off', true)", true},
};

int main(void)
{
    size_t n1 = sizeof no_txn / sizeof no_txn[0], n2 = sizeof txn / sizeof txn[0];
    plan_no_plan();
    for (size_t i = 0; i < n1; i++) {
        const char *got = sql_no_txn_block(no_txn[i].sql, strlen(no_txn[i].sql));
        const char *want = no_txn[i].refused;
        ok(got == want || (got && want && strcmp(got, want) == 0), "%s -> %s (got %s)",
           no_txn[i].sql, want ? want : "allowed", got ? got : "allowed");
    }
    for (size_t i = 0; i < n2; i++)
        is_int(sql_txn_control(txn[i].sql, strlen(txn[i].sql)), txn[i].kind, "txn kind of %s",
               txn[i].sql);
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        ok(sql_leaves_read_only(ro[i].sql) == ro[i].leaves, "read-only guard: %s -> %s", ro[i].sql,
           ro[i].leaves ? "refused" : "allowed");
    return done_testing();
}
