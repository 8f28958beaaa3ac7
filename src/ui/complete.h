/* complete.h — Tab completion for the editor: SQL keywords plus schemas,
 * tables (and views), columns and functions read from the catalog.
 *
 * The catalog is read in the background: cpl_request() submits one query
 * through the engine with the tag "editor:catalog" and cpl_on_event() takes
 * its rows; the pane asks again after DDL. Matching is pure (unit-testable):
 * "sch." completes the schema's tables and functions, "tbl." the table's
 * columns, a bare word everything; keywords follow the case typed. */
#ifndef PGDECK_COMPLETE_H
#define PGDECK_COMPLETE_H

#include "engine/engine.h"

#include <stdbool.h>
#include <stddef.h>

#define CPL_TAG "editor:catalog"

typedef enum cpl_kind {
    CPL_SCHEMA = 's',
    CPL_TABLE = 't',
    CPL_COLUMN = 'c',
    CPL_FUNCTION = 'f'
} cpl_kind;

typedef struct cpl_entry {
    char kind;
    char *qual; /* schema of a table/function, table of a column; NULL for schemas */
    char *name;
} cpl_entry;

typedef struct completer {
    cpl_entry *e;
    int n, cap;
    bool loaded;
    eng_id pending; /* the catalog query in flight, 0 none */
    bool stale;     /* DDL ran while a query was in flight: ask again */
} completer;

void cpl_init(completer *c);
void cpl_free(completer *c);
void cpl_add(completer *c, char kind, const char *qual, const char *name);
/* Submits the catalog query (or remembers to, when one is in flight). */
void cpl_request(completer *c, engine *e);
/* An event with CPL_TAG: rows replace the catalog. true when it was ours. */
bool cpl_on_event(completer *c, engine *e, const eng_event *ev);

/* Candidates for word[0..n) (sorted, unique, malloc'd; *out freed with
 * cpl_free_list). Each candidate is the full word to put in place of the
 * part after the last '.'. */
int cpl_candidates(const completer *c, const char *word, size_t n, char ***out);
void cpl_free_list(char **list, int n);
/* The longest common prefix of the candidates (malloc'd). */
char *cpl_common_prefix(char **list, int n);

#endif
