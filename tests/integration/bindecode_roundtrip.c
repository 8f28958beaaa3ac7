/* bindecode_roundtrip.t — every decodable type, thousands of values each
 * plus the edge cases, fetched as text and as binary from a real cluster:
 * bindecode_value must print the server's text byte for byte, under two
 * TimeZone settings (where the zone cannot be rendered, the type must say
 * it is not decodable rather than print something else). */
#include "common/bindecode.h"
#include "sandbox/sandbox.h"
#include "tests/lib/tap.h"
#include "tests/integration/engine_util.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const queries[] = {
    "SELECT i::int2 FROM generate_series(-32768, 32767, 7) i",
    "SELECT i::int4 FROM generate_series(-2147483648, 2147483647, 1000003) i",
    "SELECT (i * 3037000493)::int8 FROM generate_series(-3000, 3000) i UNION ALL "
    "SELECT v FROM (VALUES (9223372036854775807::int8), ('-9223372036854775808'::int8)) t(v)",
    "SELECT i::oid FROM generate_series(0, 4294967295, 1000003) i",
    "SELECT (sin(i) * 1e6)::float8 FROM generate_series(1, 3000) i UNION ALL "
    "SELECT (1.0 / i)::float8 FROM generate_series(1, 2000) i UNION ALL "
    "SELECT power(10::float8, i) FROM generate_series(-307, 308) i UNION ALL "
    "SELECT 1.5 * power(10::float8, i) FROM generate_series(-20, 20) i UNION ALL "
    "SELECT v::float8 FROM unnest(ARRAY['NaN','Infinity','-Infinity','-0','0','1e-308',"
    "'2.2250738585072014e-308','4.9e-324','1.7976931348623157e308','123456789012345',"
    "'1234567890123456','0.0001','0.00001','100000000000000','1e15','0.1','-3.14159']) v",
    "SELECT (sin(i) * 1e4)::float4 FROM generate_series(1, 3000) i UNION ALL "
    "SELECT (1.0 / i)::float4 FROM generate_series(1, 2000) i UNION ALL "
    "SELECT power(10::float8, i)::float4 FROM generate_series(-37, 38) i UNION ALL "
    "SELECT v::float4 FROM unnest(ARRAY['NaN','Infinity','-Infinity','-0','1e-37','3.4e38',"
    "'123456','1234567','999999','0.0001','0.00001','1.17549435e-38','1e-45']) v",
    "SELECT (sin(i) * 1e9)::numeric(20,6) FROM generate_series(1, 2000) i UNION ALL "
    "SELECT (i::numeric / 7) FROM generate_series(-1000, 1000) i UNION ALL "
    "SELECT v::numeric FROM unnest(ARRAY['NaN','Infinity','-Infinity','0','0.000','-0.5',"
    "'1e-100','1.000000000000000000000000000000','123456789012345678901234567890.123456789',"
    "'10000','100000000','0.0001','0.00010','-99999999.99990000','1e300']) v UNION ALL "
    "SELECT round(sqrt(i::numeric), 1000) FROM generate_series(1, 20) i",
    "SELECT (i % 3 = 0) FROM generate_series(1, 2000) i",
    "SELECT md5(i::text) || E'\\\\ \" \\t x' || repeat('é', i % 5) FROM generate_series(1, 2000) i",
    "SELECT (md5(i::text))::varchar(12), md5(i::text)::char(40), ('n' || i)::name, "
    "(i::text)::char(5) FROM generate_series(1, 2000) i",
    "SELECT md5(i::text)::uuid FROM generate_series(1, 3000) i UNION ALL "
    "SELECT '00000000-0000-0000-0000-000000000000'::uuid",
    "SELECT ('{\"k\": ' || i || ', \"s\": \"é\\u00e9 ☃\", \"a\": [1, 2.50, null]}')::json, "
    "('{\"k\": ' || i || ', \"s\": \"é\\u00e9 ☃\", \"a\": [1, 2.50, null, true]}')::jsonb "
    "FROM generate_series(1, 2000) i",
    "SELECT (DATE '2000-01-01' + i) FROM generate_series(-800000, 800000, 397) i UNION ALL "
    "SELECT v::date FROM unnest(ARRAY['infinity','-infinity','4713-01-01 BC','5874897-12-31',"
    "'2000-02-29','1900-02-28','2024-02-29','0001-01-01','0001-12-31 BC']) v",
    "SELECT TIMESTAMP '2000-01-01' + i * INTERVAL '1 day 3 hours 7 min 11.123457 s' "
    "FROM generate_series(-300000, 300000, 101) i UNION ALL "
    "SELECT v::timestamp FROM unnest(ARRAY['infinity','-infinity','4713-01-01 00:00:00 BC',"
    "'294276-12-31 23:59:59.999999','2024-02-29 12:00:00.5','1999-12-31 23:59:59.000001',"
    "'0001-01-01 00:00:00 BC']) v",
    "SELECT ARRAY[i, NULL, -i]::int4[], ARRAY[[i::int8, 2], [3, NULL]], "
    "ARRAY[md5(i::text), NULL, '', 'NULL', 'null', 'a\"b', 'c\\\\d', '{x}', 'a,b', ' s', "
    "E'tab\\there']::text[], ARRAY[i / 7.0, 'NaN']::numeric[], ARRAY[1.0 / i, "
    "'-Infinity']::float8[], "
    "ARRAY[i % 2 = 0, NULL], ARRAY[md5(i::text)::uuid], ARRAY[DATE '2000-01-01' + i * 100, "
    "'4713-01-01 BC'::date], ARRAY[TIMESTAMP '2000-01-01' + i * INTERVAL '1 min 0.5 s'], "
    "ARRAY['{\"a\": \"☃\"}'::jsonb, NULL], '{}'::int4[], "
    "('[' || i || ':' || (i + 1) || ']={7,8}')::int4[], '[0:1][-2:-1]={{1,2},{3,4}}'::text[], "
    "ARRAY[[['x']]]::varchar[], ARRAY[('n' || i)::name] "
    "FROM generate_series(1, 1000) i",
    "SELECT TIMESTAMPTZ '2000-01-01 00:00:00+00' + i * INTERVAL '1 day 3 hours 7 min 11.25 s' "
    "FROM generate_series(-300000, 300000, 101) i UNION ALL "
    "SELECT v::timestamptz FROM unnest(ARRAY['infinity','-infinity','4713-01-01 00:00:00+00 BC',"
    "'294276-12-31 23:59:59.999999+00','2024-02-29 12:00:00.5+00','2020-03-29 01:30:00+00']) v",
};

static PGresult *run(PGconn *c, const char *sql, int format)
{
    PGresult *r = PQexecParams(c, sql, 0, NULL, NULL, NULL, NULL, format);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        diag("%s: %s", sql, PQresultErrorMessage(r));
    return r;
}

/* Compares one query's text and binary results; returns the rows checked. */
static long compare(PGconn *c, const char *sql, const bindecode_ctx *ctx, bool *same,
                    bool *undecodable)
{
    PGresult *t = run(c, sql, 0), *b = run(c, sql, 1);
    long checked = 0;
    *same = PQntuples(t) > 0 && PQntuples(t) == PQntuples(b);
    *undecodable = false;
    strbuf sb;
    sb_init(&sb);
    for (int j = 0; *same && j < PQnfields(t); j++) {
        if (!bindecode_oid_ok((uint32_t)PQftype(b, j), ctx)) {
            *undecodable = true;
            continue;
        }
        for (int i = 0; i < PQntuples(t); i++) {
            if (PQgetisnull(t, i, j) != PQgetisnull(b, i, j)) {
                *same = false;
                break;
            }
            if (PQgetisnull(t, i, j))
                continue;
            sb_reset(&sb);
            if (!bindecode_value((uint32_t)PQftype(b, j), PQgetvalue(b, i, j), PQgetlength(b, i, j),
                                 ctx, &sb)) {
                diag("row %d col %d: the decoder refused a value", i, j);
                *same = false;
                break;
            }
            const char *want = PQgetvalue(t, i, j);
            if (sb.len != strlen(want) || memcmp(sb.data, want, sb.len) != 0) {
                diag("type %u: server '%s', decoded '%.*s'", PQftype(b, j), want, (int)sb.len,
                     sb.data);
                *same = false;
                break;
            }
            checked++;
        }
    }
    sb_free(&sb);
    PQclear(t);
    PQclear(b);
    return checked;
}

int main(void)
{
    int nq = (int)(sizeof queries / sizeof queries[0]);
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    PGconn *c = tu_side(sb);
    static const char *const zones[] = {"UTC", "Europe/Berlin"};
    for (int z = 0; z < 2; z++) {
        char set[96];
        snprintf(set, sizeof set, "SET TimeZone = '%s'", zones[z]);
        PQclear(PQexec(c, set));
        PQclear(PQexec(c, "SELECT setseed(0.5)"));
        bindecode_ctx ctx;
        bindecode_ctx_init(&ctx, PQparameterStatus(c, "DateStyle"),
                           PQparameterStatus(c, "TimeZone"));
        for (int q = 0; q < nq; q++) {
            bool same, undecodable;
            long n = compare(c, queries[q], &ctx, &same, &undecodable);
            bool tz_query = strstr(queries[q], "TIMESTAMPTZ") != NULL;
            if (tz_query && z == 1)
                ok(undecodable && same, "%s: timestamptz is left to text (%s)", zones[z],
                   queries[q]);
            else
                ok(same && !undecodable && n >= 1000, "%s: %ld values identical: %.60s", zones[z],
                   n, queries[q]);
        }
    }
    /* a DateStyle the decoder does not print must turn dates to text */
    PQclear(PQexec(c, "SET DateStyle = 'German, DMY'"));
    bindecode_ctx ctx;
    bindecode_ctx_init(&ctx, PQparameterStatus(c, "DateStyle"), PQparameterStatus(c, "TimeZone"));
    ok(!bindecode_oid_ok(1082, &ctx) && !bindecode_oid_ok(1114, &ctx),
       "DateStyle German: dates are left to text");
    strbuf s;
    sb_init(&s);
    ok(!bindecode_value(23, "abc", 3, &ctx, &s) && !bindecode_value(600, "", 0, &ctx, &s),
       "malformed or unknown values are refused");
    sb_free(&s);
    PQfinish(c);
    sandbox_stop(sb);
    return done_testing();
}
