/* rec_fixture — makes a recording from SQL, for tests that need one without
 * a server or a recorder (the report's and the replay's):
 *
 *   tests/lib/rec_fixture OUT.db FIXTURE.sql
 *
 * OUT.db gets record_db.c's schema (so the fixture cannot drift from it),
 * then FIXTURE.sql's rows. Exit 0, 1 with a message. */
#include "config.h"

#include "record/record_db.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: rec_fixture OUT.db FIXTURE.sql\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    size_t cap = 1 << 20;
    char *sql = calloc(1, cap);
    size_t n = fread(sql, 1, cap - 1, f);
    fclose(f);
    sql[n] = '\0';
    char *err = NULL;
    sqlite3 *db = rec_db_open(argv[1], true, &err);
    if (!db) {
        fprintf(stderr, "rec_fixture: %s\n", err);
        return 1;
    }
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "rec_fixture: %s: %s\n", argv[2], msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    sqlite3_close(db);
    free(sql);
    return rc == SQLITE_OK ? 0 : 1;
}
