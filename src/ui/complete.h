/* complete.h — Tab completion for the editor, aware of the statement around
 * the cursor: after FROM / JOIN tables, views and schemas; after `alias.` the
 * columns of the table that alias names (aliases are read from the
 * statement's FROM / JOIN / UPDATE / INTO clauses, `schema.table` too); after
 * JOIN t [alias] a join condition from the foreign keys (`ON t.x = o.y`);
 * after ON the bare condition; columns of the statement's tables after
 * SELECT, WHERE, BY, SET ...; keywords once a letter is typed.
 *
 * Three parts, all pure but the first (unit-testable without a terminal or a
 * server):
 * - the catalog snapshot (completer): read in the background through the
 *   engine API — cpl_request() submits one query tagged "editor:catalog",
 *   cpl_on_event() takes its rows; the pane asks again after DDL. Tests fill
 *   it by hand with cpl_add / cpl_add_fk.
 * - the context (complete_ctx.c): which row of the context table applies at
 *   the cursor, what the word typed is, which relations the statement names.
 * - the candidates (complete.c): what that row asks for, from the snapshot. */
#ifndef PGDECK_COMPLETE_H
#define PGDECK_COMPLETE_H

#include "engine/engine.h"

#include <stdbool.h>
#include <stddef.h>

#define CPL_TAG "editor:catalog"

typedef enum cpl_kind {
    CPL_SCHEMA = 's',
    CPL_RELATION = 't', /* table, view, materialized view, foreign or partitioned table */
    CPL_COLUMN = 'c',
    CPL_FUNCTION = 'f',
    CPL_PATH = 'p',    /* a schema of the search path, in order */
    CPL_JOIN = 'j',    /* candidates only: a join condition */
    CPL_KEYWORD = 'k', /* candidates only */
} cpl_kind;

/* What a context completes (bits), in the order candidates are listed. */
enum {
    CPL_W_JOIN = 1 << 0,      /* "ON j.x = e.y": the relation just joined to an earlier one */
    CPL_W_COND = 1 << 1,      /* "j.x = e.y" (after ON) */
    CPL_W_COLUMNS = 1 << 2,   /* of the statement's relations (of all, when it names none) */
    CPL_W_RELATIONS = 1 << 3, /* on the search path (or of the schema typed before the dot) */
    CPL_W_SCHEMAS = 1 << 4,
    CPL_W_FUNCTIONS = 1 << 5, /* once a letter is typed */
    CPL_W_KEYWORDS = 1 << 6,  /* once a letter is typed */
};

typedef struct cpl_entry {
    char kind;
    char *schema; /* of a relation, column or function; NULL for schemas */
    char *rel;    /* the relation of a column */
    char *name;
} cpl_entry;

typedef struct cpl_fk {
    char *id; /* the constraint (its oid): column pairs of one key share it */
    char *schema, *rel, *ref_schema, *ref_rel;
    int ncols;
    char **cols, **ref_cols;
} cpl_fk;

typedef struct completer {
    cpl_entry *e;
    int n, cap;
    cpl_fk *fk;
    int nfk, fkcap;
    bool loaded;
    eng_id pending; /* the catalog query in flight, 0 none */
    bool stale;     /* DDL ran while a query was in flight: ask again */
} completer;

void cpl_init(completer *c);
void cpl_free(completer *c);
/* A catalog object: (CPL_SCHEMA, NULL, NULL, name), (CPL_RELATION, schema,
 * NULL, name), (CPL_COLUMN, schema, rel, name), (CPL_FUNCTION, schema, NULL,
 * name), (CPL_PATH, NULL, NULL, schema). Without CPL_PATH entries the search
 * path is public, pg_catalog. */
void cpl_add(completer *c, char kind, const char *schema, const char *rel, const char *name);
/* One column pair of a foreign key (id names the key). */
void cpl_add_fk(completer *c, const char *id, const char *schema, const char *rel, const char *col,
                const char *ref_schema, const char *ref_rel, const char *ref_col);
/* Submits the catalog query (or remembers to, when one is in flight). */
void cpl_request(completer *c, engine *e);
/* An event with CPL_TAG: rows replace the catalog. true when it was ours. */
bool cpl_on_event(completer *c, engine *e, const eng_event *ev);

/* ---- the context at the cursor (complete_ctx.c) ------------------------- */

typedef struct cpl_scope {
    char *schema; /* NULL when not qualified */
    char *rel;
    char *alias; /* NULL when none */
} cpl_scope;

typedef struct cpl_ctx {
    const char *rule; /* the context table's row: its keyword ("from"), or "" */
    unsigned what;    /* CPL_W_* */
    size_t from;      /* the part being completed starts here (after the last dot) */
    char *qual[2];    /* the parts before the dot(s), unquoted: alias or table, or schema */
    int nqual;
    char *prefix;     /* the part typed after the last dot (quotes removed) */
    bool quoted;      /* ... typed after a double quote: matched with case */
    bool lower_kw;    /* the statement's keywords are typed in lower case */
    cpl_scope *scope; /* the relations the statement names, in order */
    int nscope;
    int joined; /* scope index of the relation the JOIN before the cursor names, -1 */
} cpl_ctx;

/* The context of text[0..len) with the cursor at point. */
void cpl_context(const char *text, size_t len, size_t point, cpl_ctx *ctx);
void cpl_ctx_free(cpl_ctx *ctx);

/* ---- candidates ----------------------------------------------------------- */

typedef struct cpl_item {
    char *text; /* what replaces text[from..point) */
    char kind;  /* cpl_kind */
} cpl_item;

typedef struct cpl_list {
    cpl_item *items;
    int n, cap;
    size_t from;      /* the bytes [from, point) of the text the candidate replaces */
    const char *rule; /* the context used ("" none) */
} cpl_list;

/* Candidates at the cursor, grouped in CPL_W_* order, sorted and unique in
 * each group. Names that need it come double-quoted. */
void cpl_complete(const completer *c, const char *text, size_t len, size_t point, cpl_list *out);
/* Candidates for an already computed context (the unit tests use it). */
void cpl_candidates(const completer *c, const cpl_ctx *ctx, cpl_list *out);
void cpl_list_free(cpl_list *l);
/* The longest common prefix of the candidates (malloc'd, UTF-8 whole). */
char *cpl_common_prefix(const cpl_list *l);

#endif
