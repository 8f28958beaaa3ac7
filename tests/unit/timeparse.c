/* timeparse.c — the moments `pgdeck report --from/--to` and the replay's
 * jump accept, in two time zones (POSIX TZ strings: no tzdata needed). */
#include "common/timeparse.h"
#include "tests/lib/tap.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

static void zone(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static void accepts(const char *s, double now, double anchor, double want)
{
    double got = -1;
    bool r = time_parse(s, now, anchor, &got);
    ok(r && fabs(got - want) < 1e-6, "time_parse(\"%s\") = %.3f", s, want);
    if (!r || fabs(got - want) >= 1e-6)
        diag("  got %s %.3f", r ? "true" : "false", got);
}

static void refuses(const char *s)
{
    double got = 42;
    bool r = time_parse(s, 1e9, 1e9, &got);
    ok(!r && got == 42, "time_parse refuses \"%s\"", s);
}

static void duration(const char *s, double want)
{
    double got = -1;
    bool r = duration_parse(s, &got);
    if (want < 0)
        ok(!r, "duration_parse refuses \"%s\"", s);
    else
        ok(r && got == want, "duration_parse(\"%s\") = %g (got %g)", s, want, got);
}

int main(void)
{
    plan_no_plan();

    /* 2026-12-04 03:12:00 UTC */
    const double t0312 = 1796353920;
    zone("UTC0");
    accepts("2026-12-04 03:12", 0, 0, t0312);
    accepts("2026-12-04 03:12:00", 0, 0, t0312);
    accepts("2026-12-04T03:12:30", 0, 0, t0312 + 30);
    accepts("2026-12-04 03:12:30.25", 0, 0, t0312 + 30.25);
    accepts("  2026-12-04 03:12  ", 0, 0, t0312);
    accepts("2026-12-04", 0, 0, t0312 - 3 * 3600 - 12 * 60);
    accepts("1796353920", 0, 0, t0312);
    accepts("1796353920.5", 0, 0, t0312 + 0.5);
    accepts("now", t0312, 0, t0312);
    accepts("-2h", t0312, 0, t0312 - 7200);
    accepts("-1h30m", t0312, 0, t0312 - 5400);
    accepts("-90s", t0312, 0, t0312 - 90);
    accepts("-7d", t0312, 0, t0312 - 7 * 86400);

    /* a time of day: the occurrence nearest to the anchor */
    accepts("03:12", 0, t0312 + 3600, t0312);
    accepts("03:12", 0, t0312 - 3600, t0312);
    accepts("03:12:05", 0, t0312, t0312 + 5);
    /* anchor just after midnight: 23:50 is the evening before */
    const double midnight = t0312 - 3 * 3600 - 12 * 60; /* 2026-12-04 00:00 */
    accepts("23:50", 0, midnight + 40 * 60, midnight - 10 * 60);
    /* anchor late in the evening: 00:10 is the next day's */
    accepts("00:10", 0, midnight + 86400 - 20 * 60, midnight + 86400 + 10 * 60);

    refuses("");
    refuses("yesterday");
    refuses("nowish");
    refuses("25:00");
    refuses("03:60");
    refuses("3:12");
    refuses("2026-02-30");
    refuses("2026-13-01");
    refuses("2026-12-04 03:12 junk");
    refuses("2026-12-04 3:12");
    refuses("-2");
    refuses("-2x");
    refuses("-");
    refuses("+2h");
    refuses("1e9");
    refuses("0x10");
    refuses("inf");
    refuses("12ab");
    accepts("2028-02-29 12:00", 0, 0, 1835438400);

    /* local time: Central Europe, UTC+1 in winter, UTC+2 in summer */
    zone("CET-1CEST,M3.5.0,M10.5.0/3");
    accepts("2026-12-04 04:12", 0, 0, t0312);
    accepts("04:12", 0, t0312, t0312);
    /* 2026-07-01 12:00 CEST = 10:00 UTC */
    accepts("2026-07-01 12:00", 0, 0, 1782900000);

    char buf[32];
    is_str(time_format(t0312, buf, sizeof buf), "2026-12-04 04:12:00", "time_format, local");
    is_str(time_format(NAN, buf, sizeof buf), "-", "time_format(NAN)");
    is_str(time_format_near(t0312 + 65, t0312, buf, sizeof buf), "04:13:05",
           "time_format_near: same day, the time only");
    is_str(time_format_near(t0312 + 86400, t0312, buf, sizeof buf), "2026-12-05 04:12:00",
           "time_format_near: another day, the date too");
    zone("UTC0");
    is_str(time_format(t0312 + 0.9, buf, sizeof buf), "2026-12-04 03:12:00",
           "time_format truncates the fraction");

    duration("90s", 90);
    duration("10m", 600);
    duration("2h", 7200);
    duration("7d", 7 * 86400);
    duration("1h30m", 5400);
    duration("1.5h", 5400);
    duration("30", 30);
    duration(" 5m ", 300);
    duration("", -1);
    duration("0s", -1);
    duration("1h30", -1);
    duration("h", -1);
    duration("-5m", -1);
    duration("5 m", -1);
    duration("5w", -1);

    return done_testing();
}
