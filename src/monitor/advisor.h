/* advisor.h — the index advisor's pure part: candidate indexes from a plan
 * (filters, join conditions and sort keys of real tables), the SQL that
 * tries each one as a hypothetical index (hypopg), the 30 % rule, and the
 * precise message when hypopg is missing. The caller runs the SQL on ONE
 * session (hypopg's indexes live in the backend that made them):
 *   1. advisor_probe_sql(): is hypopg installed / available?
 *   2. EXPLAIN (VERBOSE, FORMAT JSON) of the statement: the plan's cost, and
 *      conditions qualified by alias so columns map to their tables;
 *   3. per candidate: advisor_hypo_sql(), the EXPLAIN again (cost after),
 *      advisor_reset_sql();
 *   4. keep those advisor_keep() accepts. */
#ifndef PGDECK_ADVISOR_H
#define PGDECK_ADVISOR_H

#include "engine/engine.h"
#include "monitor/plan.h"

#include <stdbool.h>
#include <stddef.h>

#define ADVISOR_MIN_GAIN 0.30     /* keep an index lowering the total cost this much */
#define ADVISOR_MAX_CANDIDATES 24 /* tried per statement */

typedef struct advisor_candidate {
    char *relation;   /* schema.table as the plan names it (unquoted parts) */
    char *columns;    /* "a, b" (unquoted, for people) */
    char *create_sql; /* CREATE INDEX ON "schema"."table" ("a", "b") */
    double cost_before, cost_after;
    bool tried, kept;
    bool created; /* made for real (the caller sets it) */
} advisor_candidate;

typedef struct advisor {
    size_t n;
    advisor_candidate *c;
} advisor;

/* Candidates from a VERBOSE plan: single columns first (in order of
 * appearance), then pairs of columns of the same table used in one node.
 * At most ADVISOR_MAX_CANDIDATES, no duplicates. */
void advisor_candidates(const plan *p, advisor *out);
void advisor_free(advisor *a);
bool advisor_keep(double before, double after);

/* One row: installed (bool), available (bool), the server's major
 * version, hypopg's schema (quoted by the server, NULL when absent). */
const char *advisor_probe_sql(void);
/* From the probe: NULL when hypopg is usable, else the reason and the
 * remedy as one malloc'd message. */
char *advisor_missing_message(const eng_result *r);
/* hypopg's schema from the probe (malloc'd, quoted), NULL when absent. */
char *advisor_schema(const eng_result *r);
/* Makes the hypothetical index (one row, its oid as text); NULL for a text
 * that cannot be quoted safely. No parameter. malloc'd. */
char *advisor_hypo_sql(const char *schema, const char *create_sql);
/* Drops every hypothetical index. malloc'd. */
char *advisor_reset_sql(const char *schema);
/* EXPLAIN (VERBOSE, FORMAT JSON) of a statement. malloc'd. */
char *advisor_explain_sql(const char *statement);

#endif
