/* plan.c — EXPLAIN (FORMAT JSON) into a plan tree (see plan.h). */
#include "monitor/plan.h"

#include "common/jsonparse.h"
#include "common/termsafe.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cond_keys[] = {
    "Index Cond",  "Recheck Cond", "Hash Cond",       "Merge Cond",
    "Join Filter", "Filter",       "One-Time Filter", NULL};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Not recursive: every node is in plan.nodes, which frees them all. */
static void node_free(plan_node *n)
{
    free(n->children);
    free(n->type);
    free(n->relation);
    free(n->alias);
    free(n->index);
    free(n->parent_rel);
    free(n->conds);
    free(n->sort_key);
    free(n);
}

void plan_free(plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nnodes; i++)
        node_free(p->nodes[i]);
    free(p->nodes);
    free(p);
}

static double num(const json_value *o, const char *key)
{
    return json_get_number(o, key, NAN);
}

static double zero_if_nan(double v)
{
    return isnan(v) ? 0 : v;
}

static plan_node *build(plan *p, const json_value *o, int depth, char **err)
{
    if (!o || o->kind != JSON_OBJECT) {
        *err = xstrdup("a plan node is not an object");
        return NULL;
    }
    const char *type = json_get_string(o, "Node Type");
    if (!type) {
        *err = xstrdup("a plan node has no \"Node Type\"");
        return NULL;
    }
    if (p->nnodes >= PLAN_MAX_NODES) {
        *err = xstrdup("the plan has too many nodes");
        return NULL;
    }
    plan_node *n = xcalloc(1, sizeof *n);
    /* the names EXPLAIN's text form uses: "Update on t", "HashAggregate",
     * "Partial GroupAggregate" */
    const char *op = json_get_string(o, "Operation");
    const char *strategy = json_get_string(o, "Strategy");
    const char *partial = json_get_string(o, "Partial Mode");
    char *named = NULL;
    if (strcmp(type, "ModifyTable") == 0 && op)
        type = op;
    else if (strcmp(type, "Aggregate") == 0 && strategy)
        type = strcmp(strategy, "Hashed") == 0   ? "HashAggregate"
               : strcmp(strategy, "Sorted") == 0 ? "GroupAggregate"
               : strcmp(strategy, "Mixed") == 0  ? "MixedAggregate"
                                                 : type;
    if (partial && strcmp(partial, "Simple") != 0)
        type = named = xasprintf("%s %s", partial, type);
    const char *jt = json_get_string(o, "Join Type");
    /* "Hash Join" + "Left" reads as EXPLAIN's text form: "Hash Left Join" */
    if (jt && strcmp(jt, "Inner") != 0 && strlen(type) > 5 &&
        strcmp(type + strlen(type) - 5, " Join") == 0)
        n->type = xasprintf("%.*s %s Join", (int)(strlen(type) - 5), type, jt);
    else if (jt && strcmp(jt, "Inner") != 0 && strcmp(type, "Nested Loop") == 0)
        n->type = xasprintf("Nested Loop %s Join", jt);
    else
        n->type = xstrdup(type);
    free(named);
    const char *rel = json_get_string(o, "Relation Name");
    const char *schema = json_get_string(o, "Schema");
    if (rel) {
        n->relation = schema ? xasprintf("%s.%s", schema, rel) : xstrdup(rel);
        n->schema_len = schema ? strlen(schema) : 0;
        n->is_table = true;
    } else if (json_get_string(o, "CTE Name"))
        n->relation = xasprintf("CTE %s", json_get_string(o, "CTE Name"));
    else if (json_get_string(o, "Function Name"))
        n->relation = xasprintf("%s()", json_get_string(o, "Function Name"));
    n->alias = dup_or_null(json_get_string(o, "Alias"));
    n->index = dup_or_null(json_get_string(o, "Index Name"));
    n->parent_rel = dup_or_null(json_get_string(o, "Parent Relationship"));
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; cond_keys[i]; i++) {
        const char *c = json_get_string(o, cond_keys[i]);
        if (c)
            sb_printf(&sb, "%s%s: %s", sb.len ? "\n" : "", cond_keys[i], c);
    }
    n->conds = sb_steal(&sb);
    const json_value *sk = json_get(o, "Sort Key");
    if (sk && sk->kind == JSON_ARRAY) {
        sb_init(&sb);
        for (size_t i = 0; i < sk->n; i++)
            if (sk->items[i].kind == JSON_STRING)
                sb_printf(&sb, "%s%s", sb.len ? ", " : "", sk->items[i].string);
        n->sort_key = sb_steal(&sb);
    }
    n->startup_cost = zero_if_nan(num(o, "Startup Cost"));
    n->total_cost = zero_if_nan(num(o, "Total Cost"));
    n->plan_rows = zero_if_nan(num(o, "Plan Rows"));
    n->plan_width = zero_if_nan(num(o, "Plan Width"));
    n->startup_ms = zero_if_nan(num(o, "Actual Startup Time"));
    n->loop_ms = zero_if_nan(num(o, "Actual Total Time"));
    n->loops = num(o, "Actual Loops");
    n->analyzed = !isnan(n->loops);
    n->never_executed = n->analyzed && n->loops == 0;
    if (!n->analyzed)
        n->loops = 1;
    n->actual_rows = zero_if_nan(num(o, "Actual Rows"));
    n->total_ms = zero_if_nan(num(o, "Actual Total Time")) * n->loops;
    n->has_buffers = json_get(o, "Shared Hit Blocks") != NULL;
    n->shared_hit = zero_if_nan(num(o, "Shared Hit Blocks"));
    n->shared_read = zero_if_nan(num(o, "Shared Read Blocks"));
    n->shared_dirtied = zero_if_nan(num(o, "Shared Dirtied Blocks"));
    n->shared_written = zero_if_nan(num(o, "Shared Written Blocks"));
    n->local_hit = zero_if_nan(num(o, "Local Hit Blocks"));
    n->local_read = zero_if_nan(num(o, "Local Read Blocks"));
    n->temp_read = zero_if_nan(num(o, "Temp Read Blocks"));
    n->temp_written = zero_if_nan(num(o, "Temp Written Blocks"));
    n->misestimate = 1;
    if (n->analyzed && !n->never_executed) {
        double est = n->plan_rows < 1 ? 1 : n->plan_rows;
        double act = n->actual_rows < 1 ? 1 : n->actual_rows;
        n->misestimate = act / est;
        n->misestimated =
            n->misestimate >= PLAN_MISESTIMATE || n->misestimate <= 1.0 / PLAN_MISESTIMATE;
    }
    n->depth = depth;
    n->pos = p->nnodes;
    if (p->nnodes % 64 == 0) /* grows in steps: a big plan is not quadratic */
        p->nodes = xrealloc(p->nodes, (p->nnodes + 64) * sizeof *p->nodes);
    p->nodes[p->nnodes++] = n;

    const json_value *kids = json_get(o, "Plans");
    double kids_ms = 0, kids_cost = 0;
    if (kids && kids->kind == JSON_ARRAY && kids->n > 0) {
        n->children = xcalloc(kids->n, sizeof *n->children);
        for (size_t i = 0; i < kids->n; i++) {
            plan_node *c = build(p, &kids->items[i], depth + 1, err);
            if (!c)
                return NULL; /* n is in p->nodes: freed with the plan */
            c->parent = n;
            n->children[n->nchildren++] = c;
            /* InitPlans run once apart from the node's own loops, but their
             * time is inside the node's: subtracting them is right too */
            kids_ms += c->total_ms;
            kids_cost += c->total_cost;
        }
    }
    n->self_ms = n->total_ms - kids_ms > 0 ? n->total_ms - kids_ms : 0;
    n->self_cost = n->total_cost - kids_cost > 0 ? n->total_cost - kids_cost : 0;
    return n;
}

plan *plan_parse(const char *json, size_t len, char **err)
{
    json_value *v = json_parse(json, len, err);
    if (!v)
        return NULL;
    const json_value *top = v->kind == JSON_ARRAY && v->n == 1 ? &v->items[0] : NULL;
    const json_value *root = top ? json_get(top, "Plan") : NULL;
    if (!root) {
        json_free(v);
        *err = xstrdup("not an EXPLAIN (FORMAT JSON) result: no [{\"Plan\": …}]");
        return NULL;
    }
    plan *p = xcalloc(1, sizeof *p);
    p->planning_ms = num(top, "Planning Time");
    p->execution_ms = num(top, "Execution Time");
    p->root = build(p, root, 0, err);
    json_free(v);
    if (!p->root) {
        plan_free(p); /* every node built so far is in p->nodes */
        return NULL;
    }
    p->analyzed = p->root->analyzed;
    p->total_cost = p->root->total_cost;
    double sum = 0;
    for (size_t i = 0; i < p->nnodes; i++)
        sum += p->analyzed ? p->nodes[i]->self_ms : p->nodes[i]->self_cost;
    for (size_t i = 0; i < p->nnodes; i++) {
        plan_node *n = p->nodes[i];
        double self = p->analyzed ? n->self_ms : n->self_cost;
        n->share = sum > 0 ? self / sum : 0;
        if (!p->hottest || self > (p->analyzed ? p->hottest->self_ms : p->hottest->self_cost))
            p->hottest = n;
    }
    return p;
}

void plan_misestimate_text(const plan_node *n, char *buf, size_t size)
{
    if (!n->misestimated)
        snprintf(buf, size, "%s", "");
    else if (n->misestimate >= 1)
        snprintf(buf, size, "%.0fx under", n->misestimate);
    else
        snprintf(buf, size, "%.0fx over", 1 / n->misestimate);
}

static void rows_text(double v, strbuf *out)
{
    if (v >= 1e9)
        sb_printf(out, "%.1fG", v / 1e9);
    else if (v >= 1e6)
        sb_printf(out, "%.1fM", v / 1e6);
    else
        sb_printf(out, "%.0f", v);
}

static void safe(strbuf *out, const char *s)
{
    sb_append_term_safe(out, s, strlen(s), TS_FLAT);
}

void plan_node_line(const plan_node *n, bool analyzed, strbuf *out)
{
    safe(out, n->type);
    if (n->relation) {
        sb_append(out, " on ");
        safe(out, n->relation);
        if (n->alias && strcmp(n->alias, n->relation) != 0) {
            sb_append_c(out, ' ');
            safe(out, n->alias);
        }
    }
    if (n->index) {
        sb_append(out, " using ");
        safe(out, n->index);
    }
    sb_append(out, "  rows ");
    rows_text(n->plan_rows, out);
    if (analyzed) {
        if (n->never_executed) {
            sb_append(out, "  (never executed)");
            return;
        }
        sb_append(out, " est / ");
        rows_text(n->actual_rows, out);
        sb_append(out, " actual");
        char mis[32];
        plan_misestimate_text(n, mis, sizeof mis);
        if (mis[0])
            sb_printf(out, "  MISESTIMATE %s", mis);
        sb_printf(out, "  self %.3f ms %.0f%%", n->self_ms, n->share * 100);
        if (n->loops != 1)
            sb_printf(out, "  loops %.0f", n->loops);
    } else {
        sb_printf(out, " est  cost %.2f  self %.0f%%", n->total_cost, n->share * 100);
    }
    if (n->has_buffers) {
        double sh = n->shared_hit + n->shared_read + n->shared_dirtied + n->shared_written;
        double lo = n->local_hit + n->local_read, te = n->temp_read + n->temp_written;
        if (sh > 0)
            sb_printf(out, "  shared hit=%.0f read=%.0f", n->shared_hit, n->shared_read);
        if (n->shared_dirtied > 0 || n->shared_written > 0)
            sb_printf(out, " dirtied=%.0f written=%.0f", n->shared_dirtied, n->shared_written);
        if (lo > 0)
            sb_printf(out, "  local hit=%.0f read=%.0f", n->local_hit, n->local_read);
        if (te > 0)
            sb_printf(out, "  temp read=%.0f written=%.0f", n->temp_read, n->temp_written);
    }
}

static void format_node(const plan *p, const plan_node *n, bool ascii, strbuf *prefix, bool last,
                        strbuf *out)
{
    sb_append(out, n == p->hottest ? (ascii ? "> " : "▶ ") : "  ");
    sb_append_n(out, prefix->data ? prefix->data : "", prefix->len);
    if (n->depth > 0)
        sb_append(out, last ? (ascii ? "`- " : "└─ ") : (ascii ? "|- " : "├─ "));
    plan_node_line(n, p->analyzed, out);
    sb_append_c(out, '\n');
    size_t keep = prefix->len;
    if (n->depth > 0)
        sb_append(prefix, last ? "   " : (ascii ? "|  " : "│  "));
    for (size_t i = 0; i < n->nchildren; i++)
        format_node(p, n->children[i], ascii, prefix, i + 1 == n->nchildren, out);
    prefix->len = keep;
    if (prefix->data)
        prefix->data[keep] = '\0';
}

void plan_format_tree(const plan *p, bool ascii, strbuf *out)
{
    strbuf prefix;
    sb_init(&prefix);
    format_node(p, p->root, ascii, &prefix, true, out);
    sb_free(&prefix);
    if (!isnan(p->planning_ms))
        sb_printf(out, "Planning: %.3f ms", p->planning_ms);
    if (!isnan(p->execution_ms))
        sb_printf(out, "%sExecution: %.3f ms", isnan(p->planning_ms) ? "" : "  ", p->execution_ms);
    if (!isnan(p->planning_ms) || !isnan(p->execution_ms))
        sb_append_c(out, '\n');
    sb_printf(out, "Total cost: %.2f\n", p->total_cost);
}

static void text_node(const plan *p, const plan_node *n, int indent, strbuf *out)
{
    /* EXPLAIN's layout: a child's line is "->  " six columns right of its
     * parent's, its details two columns right of the arrow's text */
    int pad = n->depth == 0 ? 0 : indent;
    sb_printf(out, "%*s%s", pad, "", n->depth ? "->  " : "");
    safe(out, n->type);
    if (n->index) {
        sb_append(out, " using ");
        safe(out, n->index);
    }
    if (n->relation) {
        sb_append(out, " on ");
        safe(out, n->relation);
        if (n->alias && strcmp(n->alias, n->relation) != 0) {
            sb_append_c(out, ' ');
            safe(out, n->alias);
        }
    }
    sb_printf(out, "  (cost=%.2f..%.2f rows=%.0f width=%.0f)", n->startup_cost, n->total_cost,
              n->plan_rows, n->plan_width);
    if (n->never_executed)
        sb_append(out, " (never executed)");
    else if (n->analyzed)
        sb_printf(out, " (actual time=%.3f..%.3f rows=%.0f loops=%.0f)", n->startup_ms, n->loop_ms,
                  n->actual_rows, n->loops);
    sb_append_c(out, '\n');
    int detail = n->depth ? pad + 6 : 2;
    const char *c = n->conds;
    while (c && *c) {
        const char *nl = strchr(c, '\n');
        size_t len = nl ? (size_t)(nl - c) : strlen(c);
        sb_printf(out, "%*s", detail, "");
        sb_append_term_safe(out, c, len, TS_FLAT);
        sb_append_c(out, '\n');
        c = nl ? nl + 1 : NULL;
    }
    if (n->sort_key) {
        sb_printf(out, "%*sSort Key: ", detail, "");
        safe(out, n->sort_key);
        sb_append_c(out, '\n');
    }
    if (n->has_buffers && p->analyzed) {
        sb_printf(out, "%*sBuffers: shared hit=%.0f read=%.0f", detail, "", n->shared_hit,
                  n->shared_read);
        if (n->temp_read > 0 || n->temp_written > 0)
            sb_printf(out, ", temp read=%.0f written=%.0f", n->temp_read, n->temp_written);
        sb_append_c(out, '\n');
    }
    for (size_t i = 0; i < n->nchildren; i++)
        text_node(p, n->children[i], n->depth ? pad + 6 : 2, out);
}

void plan_format_text(const plan *p, strbuf *out)
{
    text_node(p, p->root, 0, out);
    if (!isnan(p->planning_ms))
        sb_printf(out, "Planning Time: %.3f ms\n", p->planning_ms);
    if (!isnan(p->execution_ms))
        sb_printf(out, "Execution Time: %.3f ms\n", p->execution_ms);
}
