/* plan.h — an EXPLAIN (FORMAT JSON[, ANALYZE, BUFFERS]) plan as a tree, with
 * the figures a DBA reads first: rows estimated vs actual and the
 * misestimate factor, self time (a node's time minus its children's, times
 * its loops) and its share of the whole, loops, buffers, and the hottest
 * node. Pure code: the text comes from the server, which is another role's
 * input (relation names, filters), so it is parsed strictly
 * (common/jsonparse.h) and shown only through termsafe. */
#ifndef PGDECK_PLAN_H
#define PGDECK_PLAN_H

#include "common/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

#define PLAN_MISESTIMATE 10.0 /* flag rows off by this factor either way */
#define PLAN_MAX_NODES 100000 /* a plan with more nodes is refused */

typedef struct plan_node plan_node;
struct plan_node {
    char *type;        /* "Hash Join", "Seq Scan" ... (with Join Type: "Hash Left Join") */
    char *relation;    /* "schema.table" or NULL */
    size_t schema_len; /* relation starts with a schema of this length and '.' (VERBOSE) */
    bool is_table;     /* relation is a table or view (Relation Name), not a CTE or function */
    char *alias;       /* the alias the conditions use, or NULL */
    char *index;       /* index name or NULL */
    char *parent_rel;  /* "Outer", "Inner", "InitPlan", "SubPlan" ... or NULL */
    char *conds;       /* Filter / Index Cond / Hash Cond ... one per line, "" if none */
    char *sort_key;    /* "a, b DESC" or NULL */
    double startup_cost, total_cost;
    double plan_rows;           /* estimated rows per loop */
    double plan_width;          /* estimated bytes per row */
    double startup_ms, loop_ms; /* Actual Startup / Total Time, per loop */
    bool analyzed;              /* actual figures present */
    bool never_executed;
    double actual_rows; /* per loop */
    double loops;
    double total_ms;    /* Actual Total Time x loops */
    double self_ms;     /* total_ms minus the children's, >= 0 */
    double self_cost;   /* total cost minus the children's, >= 0 (no ANALYZE) */
    double share;       /* self_ms (or self_cost) / the plan's sum, 0..1 */
    double misestimate; /* actual / estimated (both at least 1); 1 without ANALYZE */
    bool misestimated;  /* misestimate >= 10 or <= 1/10 */
    double shared_hit, shared_read, shared_dirtied, shared_written;
    double local_hit, local_read, temp_read, temp_written;
    bool has_buffers;
    int depth;
    size_t pos;        /* index in plan.nodes */
    plan_node *parent; /* NULL for the root */
    size_t nchildren;
    plan_node **children;
};

typedef struct plan {
    plan_node *root;
    size_t nnodes;
    plan_node **nodes;  /* every node, depth first (root first) */
    plan_node *hottest; /* largest self time (or self cost without ANALYZE) */
    bool analyzed;
    double planning_ms, execution_ms; /* NAN when absent */
    double total_cost;
} plan;

/* Parses the single-row, single-column result of EXPLAIN (FORMAT JSON).
 * NULL with *err (malloc'd) when the text is not such a plan. */
plan *plan_parse(const char *json, size_t len, char **err);
void plan_free(plan *p);

/* "12x under" / "15x over" / "" (not misestimated). */
void plan_misestimate_text(const plan_node *n, char *buf, size_t size);

/* One line describing a node (no indentation, no bar): type, relation,
 * index, rows est/actual with the flag, self time and share, loops,
 * buffers. Names are escaped (termsafe, one line). */
void plan_node_line(const plan_node *n, bool analyzed, strbuf *out);

/* The plan in EXPLAIN's own text form (psql's "QUERY PLAN"), rebuilt from
 * the JSON: "->  " children, costs, actual figures, conditions. Escaped. */
void plan_format_text(const plan *p, strbuf *out);

/* The whole tree as text lines with box-drawing indentation ("├─ "), the
 * hottest node marked with "▶". ascii: "|- " and ">" instead. */
void plan_format_tree(const plan *p, bool ascii, strbuf *out);

#endif
