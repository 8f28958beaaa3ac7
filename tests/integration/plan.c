/* plan.c — plan trees from live EXPLAIN (FORMAT JSON) output on a throwaway
 * cluster (nothing saved): self time and shares add up, loops multiply,
 * never-executed nodes, misestimates both ways, buffers, the hottest node,
 * and the advisor's candidates from a VERBOSE plan. */
#include "monitor/advisor.h"
#include "monitor/plan.h"
#include "tests/integration/monitor_util.h"
#include "tests/lib/tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static engine *E;

static void exec_ok(const char *sql)
{
    char *err = NULL;
    eng_done_status st;
    eng_result *r = mu_run(E, sql, 0, NULL, &st, &err, NULL);
    if (st != ENG_DONE_OK)
        diag("%s: %s", sql, err ? err : "?");
    eng_result_free(r);
    free(err);
}

static plan *explain(const char *sql)
{
    char *err = NULL;
    eng_result *r = mu_run(E, sql, 0, NULL, NULL, &err, NULL);
    plan *p = NULL;
    if (r && eng_result_nrows(r) == 1) {
        const char *v = eng_result_value(r, 0, 0);
        free(err);
        err = NULL;
        p = plan_parse(v, strlen(v), &err);
    }
    if (!p)
        diag("%s: %s", sql, err ? err : "no plan");
    free(err);
    eng_result_free(r);
    return p;
}

static const plan_node *find(const plan *p, const char *type, const char *rel)
{
    for (size_t i = 0; i < p->nnodes; i++)
        if (strcmp(p->nodes[i]->type, type) == 0 &&
            (!rel || (p->nodes[i]->relation && strcmp(p->nodes[i]->relation, rel) == 0)))
            return p->nodes[i];
    return NULL;
}

static void test_analyze(void)
{
    plan *p = explain("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
                      "SELECT * FROM t JOIN u USING (id) WHERE t.a = 1 AND t.b = 1");
    ok(p && p->analyzed, "an ANALYZE plan");
    if (!p)
        return;
    const plan_node *join = find(p, "Hash Join", NULL), *scan_t = find(p, "Seq Scan", "t"),
                    *scan_u = find(p, "Seq Scan", "u");
    ok(join && scan_t && scan_u, "the join and both scans");
    if (!join || !scan_t || !scan_u) {
        plan_free(p);
        return;
    }
    ok(join->misestimated && join->misestimate >= 10, "the join: misestimated %.0fx under",
       join->misestimate);
    ok(scan_t->misestimated, "the scan with correlated filters too");
    ok(!scan_u->misestimated, "the full scan of u is not");
    is_int((long)join->actual_rows, 1000, "actual rows of the join");
    double sum_self = 0, sum_share = 0;
    for (size_t i = 0; i < p->nnodes; i++) {
        sum_self += p->nodes[i]->self_ms;
        sum_share += p->nodes[i]->share;
        ok(p->nodes[i]->self_ms >= 0, "self time of %s is not negative", p->nodes[i]->type);
    }
    ok(fabs(sum_self - p->root->total_ms) < 0.01 + p->root->total_ms * 1e-9,
       "self times add up to the root's time (%.3f vs %.3f)", sum_self, p->root->total_ms);
    ok(fabs(sum_share - 1) < 1e-9, "shares add up to 1");
    for (size_t i = 0; i < p->nnodes; i++)
        ok(p->nodes[i]->self_ms <= p->hottest->self_ms, "the hottest has the largest self time");
    ok(scan_u->has_buffers && scan_u->shared_hit + scan_u->shared_read > 0, "buffers of a scan");
    ok(!isnan(p->execution_ms) && !isnan(p->planning_ms), "planning and execution time");
    ok(scan_t->parent && scan_t->parent->parent == join, "parents link up");
    plan_free(p);
}

static void test_loops_and_never_executed(void)
{
    exec_ok("SET enable_hashjoin = off");
    exec_ok("SET enable_mergejoin = off");
    plan *p = explain("EXPLAIN (ANALYZE, FORMAT JSON) "
                      "SELECT * FROM (VALUES (1), (2), (3)) v(id) JOIN u ON u.id = v.id");
    exec_ok("RESET enable_hashjoin");
    exec_ok("RESET enable_mergejoin");
    const plan_node *inner = NULL;
    for (size_t i = 0; p && i < p->nnodes; i++)
        if (p->nodes[i]->loops > 1)
            inner = p->nodes[i];
    ok(inner != NULL, "a nested loop's inner side runs several times");
    if (inner)
        ok(fabs(inner->total_ms - inner->loop_ms * inner->loops) < 1e-9,
           "its total time is the per-loop time times loops (%.0f loops)", inner->loops);
    plan_free(p);

    p = explain("EXPLAIN (ANALYZE, FORMAT JSON) "
                "SELECT * FROM u WHERE false AND id IN (SELECT id FROM t)");
    ok(p != NULL, "a plan with a never executed part");
    plan_free(p);
    p = explain("EXPLAIN (ANALYZE, FORMAT JSON) "
                "SELECT (SELECT count(*) FROM t WHERE a = 1) FROM u WHERE id < 0");
    const plan_node *ne = NULL;
    for (size_t i = 0; p && i < p->nnodes; i++)
        if (p->nodes[i]->never_executed)
            ne = p->nodes[i];
    ok(ne != NULL, "an InitPlan never executed is marked");
    if (ne)
        ok(!ne->misestimated && ne->self_ms == 0, "and neither misestimated nor timed");
    plan_free(p);

    p = explain("EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM t WHERE a < 100");
    const plan_node *over = p ? find(p, "Seq Scan", "t") : NULL;
    ok(over && !over->misestimated, "an exact estimate is not flagged");
    plan_free(p);
    exec_ok("CREATE TEMP TABLE skew AS SELECT 1 AS k FROM generate_series(1, 5000)");
    exec_ok("ANALYZE skew");
    exec_ok("DELETE FROM skew");
    p = explain("EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM skew WHERE k = 1");
    over = p ? find(p, "Seq Scan", "skew") : NULL;
    ok(over && over->misestimated && over->misestimate < 1, "an overestimate is flagged too");
    char buf[32] = "";
    if (over)
        plan_misestimate_text(over, buf, sizeof buf);
    ok(strstr(buf, "x over") != NULL, "as \"over\": %s", buf);
    plan_free(p);
}

static void test_plain_and_advisor(void)
{
    plan *p = explain("EXPLAIN (FORMAT JSON) SELECT * FROM t WHERE a = 1 ORDER BY b");
    ok(p && !p->analyzed, "a plain plan");
    if (p) {
        ok(p->hottest && p->hottest->self_cost > 0, "its hottest node by self cost");
        ok(!p->root->misestimated, "no misestimate without ANALYZE");
    }
    plan_free(p);
    p = explain("EXPLAIN (VERBOSE, FORMAT JSON) "
                "SELECT * FROM t JOIN u USING (id) WHERE t.a = 1 AND t.b = 1 ORDER BY u.pad");
    advisor adv;
    memset(&adv, 0, sizeof adv);
    if (p)
        advisor_candidates(p, &adv);
    bool ta = false, tab = false, uid = false, upad = false;
    for (size_t i = 0; i < adv.n; i++) {
        diag("candidate: %s", adv.c[i].create_sql);
        ta = ta || strcmp(adv.c[i].create_sql, "CREATE INDEX ON \"public\".\"t\" (\"a\")") == 0;
        tab = tab ||
              strcmp(adv.c[i].create_sql, "CREATE INDEX ON \"public\".\"t\" (\"a\", \"b\")") == 0;
        uid = uid || strcmp(adv.c[i].create_sql, "CREATE INDEX ON \"public\".\"u\" (\"id\")") == 0;
        upad =
            upad || strcmp(adv.c[i].create_sql, "CREATE INDEX ON \"public\".\"u\" (\"pad\")") == 0;
    }
    ok(ta, "a filter column");
    ok(tab, "two filter columns of one table");
    ok(uid, "a join column");
    ok(upad, "a sort key");
    ok(advisor_keep(100, 70) && !advisor_keep(100, 71), "the 30 %% rule");
    advisor_free(&adv);
    plan_free(p);
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1;
    E = tu_engine(sb, &cfg);
    exec_ok(
        "CREATE TABLE t AS SELECT i % 100 a, i % 100 b, i id FROM generate_series(1, 100000) i");
    exec_ok("CREATE TABLE u AS SELECT i id, 'x' || i pad FROM generate_series(1, 100000) i");
    exec_ok("ANALYZE t");
    exec_ok("ANALYZE u");
    test_analyze();
    test_loops_and_never_executed();
    test_plain_and_advisor();
    tu_stop(E);
    sandbox_stop(sb);
    return done_testing();
}
