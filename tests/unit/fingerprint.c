/* fingerprint.c — normalization as PostgreSQL 15's pg_stat_statements shows
 * it (each expected text below is what a PG 15 server printed for the raw
 * statement), and hashes that agree between raw and normalized text. */
#include "common/fingerprint.h"
#include "tests/lib/tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A test name on one line: TAP reads line by line. */
static const char *show(const char *s, int slot)
{
    static char buf[2][512];
    size_t j = 0;
    for (; *s && j + 3 < sizeof buf[slot]; s++) {
        if (*s == '\n' || *s == '\t') {
            buf[slot][j++] = '\\';
            buf[slot][j++] = *s == '\n' ? 'n' : 't';
        } else {
            buf[slot][j++] = *s;
        }
    }
    buf[slot][j] = 0;
    return buf[slot];
}

static void check_norm(const char *raw, const char *want)
{
    strbuf sb;
    sb_init(&sb);
    uint64_t h1 = sql_fingerprint(raw, &sb);
    is_str(sb.data, want, "normalize: %s", show(raw, 0));
    uint64_t h2 = sql_fingerprint(raw, NULL);
    ok(h1 == h2, "same hash with and without text: %s", show(raw, 0));
    sb_free(&sb);
}

/* The hash of the raw statement equals the hash of pg_stat_statements' text. */
static void check_same(const char *a, const char *b)
{
    ok(sql_fingerprint(a, NULL) == sql_fingerprint(b, NULL), "same fingerprint: [%s] [%s]",
       show(a, 0), show(b, 1));
}

static void check_differ(const char *a, const char *b)
{
    ok(sql_fingerprint(a, NULL) != sql_fingerprint(b, NULL), "different fingerprints: [%s] [%s]",
       show(a, 0), show(b, 1));
}

/* raw statement, then pg_stat_statements' text for it (PG 15) */
static const char *const pgss[][2] = {
    {"select -1", "select $1"},
    {"select a -1 from t", "select a -$1 from t"},
    {"select a - -1 from t", "select a - $1 from t"},
    {"select -1::int", "select -$1::int"},
    {"select - 1.5", "select $1"},
    {"select true, false, null", "select $1, $2, $3"},
    {"select * from t where f = true and b is null and f is not true and not false",
     "select * from t where f = $1 and b is null and f is not true and not $2"},
    {"select * from t where a in (1,2,3)", "select * from t where a in ($1,$2,$3)"},
    {"select date '2020-01-01', interval '1 day'", "select date $1, interval $2"},
    {"select '2020-01-01'::date", "select $1::date"},
    {"select E'a\\'b', B'101', X'ff', U&'d\\0061t'", "select $1, $2, $3, $4"},
    {"select $$dollar$$, $q$x$q$", "select $1, $2"},
    {"select 'a'\n  'b'", "select $1"},
    {"select 1e10, .5, 1.5e-3", "select $1, $2, $3"},
    {"SELECT a FROM t WHERE a = -3 AND x < -2.5", "SELECT a FROM t WHERE a = $1 AND x < $2"},
    {"select -a from t", "select -a from t"},
    {"select (1) - 2", "select ($1) - $2"},
    {"select -2^2", "select $1^$2"},
    {"select a<-1 from t", "select a<$1 from t"},
    {"select a, count(*) from t group by 1 order by 2 desc, a limit 5",
     "select a, count(*) from t group by 1 order by 2 desc, a limit $1"},
    {"select a from t order by a + 1", "select a from t order by a + $1"},
    {"select n'abc'", "select n$1"},
    {"select case when a > 0 then -1 else -2 end from t",
     "select case when a > $1 then $2 else $3 end from t"},
    {"insert into t values (1, 'x', '2020-01-01', false, -0.5)",
     "insert into t values ($1, $2, $3, $4, $5)"},
    {"update t set a = -5 where b = 'q' returning a, -1",
     "update t set a = $1 where b = $2 returning a, $3"},
    {"select 1 <>-1, 2 != 3", "select $1 <>$2, $3 != $4"},
    {"select -1 -1", "select $1 -$2"},
    {"select 1 * -1, 1 + -1, (-1), array[-1, 2]", "select $1 * $2, $3 + $4, ($5), array[$6, $7]"},
    {"select x from t where x between -1 and -2", "select x from t where x between $1 and $2"},
    {"select 1::numeric(10,2), 'x'::varchar(20)", "select $1::numeric(10,2), $2::varchar(20)"},
    {"select \"A\", \"a\", a from (select 1 as \"A\", 2 as a) s",
     "select \"A\", \"a\", a from (select $1 as \"A\", $2 as a) s"},
    {"select a from t where a = any('{1,2}'::int[])", "select a from t where a = any($1::int[])"},
    {"select a from t offset 2 limit 3", "select a from t offset $1 limit $2"},
    {"select 1 union select -1", "select $1 union select $2"},
    {"select a from t where a = 1;", "select a from t where a = $1"},
    {"select coalesce(null, -1, 2)", "select coalesce($1, $2, $3)"},
    {"select now() - interval '5 min'", "select now() - interval $1"},
    {"select a from t where d > current_date - 7", "select a from t where d > current_date - $1"},
    {"select x from (values (1, 'a'), (2, 'b')) v(x, y) order by 1",
     "select x from (values ($1, $2), ($3, $4)) v(x, y) order by 1"},
    {"select a from t where f is null or f is not null",
     "select a from t where f is null or f is not null"},
    {"select a from t group by a having count(*) > 1 order by 1 limit 1",
     "select a from t group by a having count(*) > $1 order by 1 limit $2"},
    {"select sum(a) filter (where a > 0) over () from t",
     "select sum(a) filter (where a > $1) over () from t"},
    {"select cast(1 as numeric(10,2))", "select cast($1 as numeric(10,2))"},
    {"select 'x'::character varying(20), '2020-01-01'::timestamp(3), '1'::interval(2)",
     "select $1::character varying(20), $2::timestamp(3), $3::interval(2)"},
    {"select varchar(20) 'abc'", "select varchar(20) $1"},
    {"select x from generate_series(1, 10) as g(x) where x > -1",
     "select x from generate_series($1, $2) as g(x) where x > $3"},
    {"select extract(epoch from now()) + 1", "select extract($1 from now()) + $2"},
    {"select substring('abc' from 2 for 1), position('b' in 'abc'), trim(both 'x' from 'xax')",
     "select substring($1 from $2 for $3), position($4 in $5), trim(both $6 from $7)"},
    {"select now() at time zone 'UTC'", "select now() at time zone $1"},
    {"select row(1, 'a') = row(2, 'b')", "select row($1, $2) = row($3, $4)"},
    {"select array_agg(x order by x) from generate_series(1,3) x",
     "select array_agg(x order by x) from generate_series($1,$2) x"},
    {"select x from t where b similar to 'a%' and a not in (-1, -2)",
     "select x from t where b similar to $1 and a not in ($2, $3)"},
    {"select 1 from t where a is distinct from 5 and b is not distinct from null",
     "select $1 from t where a is distinct from $2 and b is not distinct from null"},
    {"values (1, -2), (3, 4)", "values ($1, $2), ($3, $4)"},
    {"select * from t limit all offset 1", "select * from t limit $1 offset $2"},
    {"select * from t fetch first 3 rows only", "select * from t fetch first $1 rows only"},
    {"select a from t where a between symmetric 1 and 2",
     "select a from t where a between symmetric $1 and $2"},
    {"select count(*) filter (where a > 1) from t", "select count(*) filter (where a > $1) from t"},
    {"select -x.a from t x", "select -x.a from t x"},
    {"select interval '1' day", "select interval $1 day"},
    {"select '1 day'::interval * -2", "select $1::interval * $2"},
    {"select exists(select 1 from t where a = -1)", "select exists(select $1 from t where a = $2)"},
    {"select a from t order by a using < limit 2", "select a from t order by a using < limit $1"},
    {"select '{\"a\":1}'::jsonb -> 'a', '{\"a\":1}'::jsonb ->> 'a'",
     "select $1::jsonb -> $2, $3::jsonb ->> $4"},
    {"select E'\\n' || 'x'", "select $1 || $2"},
    {"select 1.5e+10, 1e-5, 00012", "select $1, $2, $3"},
};

int main(void)
{
    plan_no_plan();

    for (size_t i = 0; i < sizeof pgss / sizeof pgss[0]; i++) {
        check_norm(pgss[i][0], pgss[i][1]);
        check_same(pgss[i][0], pgss[i][1]);
    }

    /* Our own layout rules: comments go, blanks collapse, final ';' goes. */
    check_norm("select /* c */ 7 -- tail\n;", "select $1");
    check_norm("  SELECT\n\ta ,\n  b   FROM t  ;  ", "SELECT a , b FROM t");
    check_norm("select a/*x*/from t", "select a from t");
    check_norm("select 1; select 2;", "select $1; select $2");
    check_norm("select 1;; ;", "select $1");
    check_norm("select 1;;x", "select $1;;x");
    check_norm("", "");
    check_norm("-- only a comment", "");
    /* Numbering continues after the parameters the text already has. */
    check_norm("select $1::int + 5, $2", "select $1::int + $3, $2");
    check_norm("select -$1, - $2", "select -$1, - $2");
    check_norm("select 'unterminated", "select $1");
    check_norm("select x from t where a in (select 1)", "select x from t where a in (select $1)");
    check_norm("select a from t order by f(a, 1)", "select a from t order by f(a, $1)");

    /* Same statement, different constants, layout, case of keywords. */
    check_same("select * from t where a = 1", "SELECT *\n  FROM t -- c\n WHERE a = 42;");
    check_same("select * from users", "select * from USERS");
    check_same("select \"users\".a from users", "select users.a from users");
    check_same("select a from t where b = 'x'", "select a from t where b = $$y$$");
    check_same("select a from t where b = -1", "select a from t where b = 7");
    check_same("select a from t where b = -1::int", "select a from t where b = $1::int");
    check_same("select a from t where b = $1", "select a from t where b = $2");
    check_same("select a from t where b = true", "select a from t where b = 'f'");
    check_same("select a from t where b != 1", "select a from t where b <> 1");
    check_same("set work_mem = '4MB'", "set work_mem = '64MB'");

    /* Different statements stay different. */
    check_differ("select a from t", "select b from t");
    check_differ("select \"A\" from t", "select a from t");
    check_differ("select a from t where x = 1", "select a from t where x > 1");
    check_differ("select a - 1 from t", "select a + 1 from t");
    check_differ("select ab from t", "select a b from t");
    check_differ("select a from t where b is null", "select a from t where b is not null");
    check_differ("select * from t where a in (1,2)", "select * from t where a in (1,2,3)");

    /* Speed sanity: a long statement is linear (a timing-free check that it
     * finishes and produces one $n per constant). */
    strbuf big, norm;
    sb_init(&big);
    sb_init(&norm);
    sb_append(&big, "select * from t where a in (");
    for (int i = 0; i < 20000; i++)
        sb_printf(&big, "%s%d", i ? "," : "", i);
    sb_append(&big, ")");
    sql_fingerprint(big.data, &norm);
    ok(strstr(norm.data, "$20000)") != NULL && strstr(norm.data, "$20001") == NULL,
       "a 20000-element IN list gets $1..$20000");
    sb_free(&big);
    sb_free(&norm);

    return done_testing();
}
