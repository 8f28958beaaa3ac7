/* sqlclass.h — what kind of statement a SQL text is, read from its leading
 * keywords with the SQL lexer (comments, case and quoted names handled):
 * the one place that knows which commands PostgreSQL refuses inside a
 * transaction block and which ones control a transaction. */
#ifndef PGDECK_SQLCLASS_H
#define PGDECK_SQLCLASS_H

#include <stdbool.h>
#include <stddef.h>

/* The command's name as PostgreSQL reports it ("VACUUM", "CREATE INDEX
 * CONCURRENTLY", ...) when the statement cannot run inside a transaction
 * block (PreventInTransactionBlock in PostgreSQL 15), else NULL. Where only
 * the catalog can tell (CREATE SUBSCRIPTION with a slot, REINDEX TABLE of a
 * partitioned table) it errs on the safe side when the text allows the
 * refusal, except REINDEX TABLE/INDEX, which is almost always allowed. */
const char *sql_no_txn_block(const char *sql, size_t len);

typedef enum sql_txn_kind {
    SQL_TXN_NONE,     /* not transaction control */
    SQL_TXN_BEGIN,    /* BEGIN, START TRANSACTION */
    SQL_TXN_COMMIT,   /* COMMIT, END */
    SQL_TXN_ROLLBACK, /* ROLLBACK, ABORT (not ROLLBACK TO) */
    SQL_TXN_OTHER,    /* SAVEPOINT, RELEASE, ROLLBACK TO, PREPARE TRANSACTION,
                       * COMMIT/ROLLBACK PREPARED */
} sql_txn_kind;

sql_txn_kind sql_txn_control(const char *sql, size_t len);

/* The text could make its own or a later transaction read-write, which a
 * read-only guard (the editor's --readonly, run's --retry-read-only) must
 * refuse: READ WRITE anywhere, SET/RESET or set_config() of
 * [default_]transaction_read_only or session_authorization, SESSION
 * AUTHORIZATION, RESET ALL. Read with the lexer, so comments cannot hide
 * the words; reading the setting (SHOW, current_setting) is allowed. */
bool sql_leaves_read_only(const char *sql);

#endif
