/* fmt.c — the display rules of common/fmt.h, at each unit's boundaries. */
#include "common/fmt.h"
#include "tests/lib/tap.h"

#include <math.h>

typedef void (*fmt_fn)(double, char *, size_t);

static void check(fmt_fn f, const char *name, double v, const char *want)
{
    char buf[32];
    f(v, buf, sizeof buf);
    is_str(buf, want, "%s(%g) = \"%s\"", name, v, want);
}

int main(void)
{
    plan_no_plan();

    check(fmt_duration, "fmt_duration", NAN, "");
    check(fmt_duration, "fmt_duration", -2, "0.0s");
    check(fmt_duration, "fmt_duration", 0.34, "0.3s");
    check(fmt_duration, "fmt_duration", 59.94, "59.9s");
    check(fmt_duration, "fmt_duration", 60, "1m00s");
    check(fmt_duration, "fmt_duration", 245, "4m05s");
    check(fmt_duration, "fmt_duration", 3599, "59m59s");
    check(fmt_duration, "fmt_duration", 3600, "1h00m");
    check(fmt_duration, "fmt_duration", 7380, "2h03m");
    check(fmt_duration, "fmt_duration", 86399, "23h59m");
    /* a day and more: days and hours (pane_pool's rule), not "26h03m" nor "12d" */
    check(fmt_duration, "fmt_duration", 86400, "1d00h");
    check(fmt_duration, "fmt_duration", 3 * 86400 + 4 * 3600 + 59, "3d04h");
    check(fmt_duration, "fmt_duration", 12 * 86400, "12d00h");

    check(fmt_ms, "fmt_ms", NAN, "-");
    check(fmt_ms, "fmt_ms", 0, "0.000");
    check(fmt_ms, "fmt_ms", 0.1234, "0.123");
    check(fmt_ms, "fmt_ms", 1, "1.0");
    check(fmt_ms, "fmt_ms", 12.34, "12.3");
    check(fmt_ms, "fmt_ms", 100, "100");
    check(fmt_ms, "fmt_ms", 1234.4, "1234");
    check(fmt_ms, "fmt_ms", 9999, "9999");
    check(fmt_ms, "fmt_ms", 10000, "10.0s");
    check(fmt_ms, "fmt_ms", 599000, "599.0s");
    check(fmt_ms, "fmt_ms", 600000, "10.0m");
    check(fmt_ms, "fmt_ms", 252000, "252.0s");
    check(fmt_ms, "fmt_ms", 36000000, "10.0h");
    /* in running text the unit is always there, and never twice */
    check(fmt_ms_unit, "fmt_ms_unit", NAN, "-");
    check(fmt_ms_unit, "fmt_ms_unit", 0.1234, "0.123ms");
    check(fmt_ms_unit, "fmt_ms_unit", 9999, "9999ms");
    check(fmt_ms_unit, "fmt_ms_unit", 12345, "12.3s");

    check(fmt_count, "fmt_count", NAN, "-");
    check(fmt_count, "fmt_count", 0, "0");
    check(fmt_count, "fmt_count", 0.25, "0.25");
    check(fmt_count, "fmt_count", 3, "3");
    check(fmt_count, "fmt_count", 12.7, "13");
    check(fmt_count, "fmt_count", 950, "950");
    check(fmt_count, "fmt_count", 12345, "12.3k");
    check(fmt_count, "fmt_count", 4100000, "4.1M");
    check(fmt_count, "fmt_count", 2e9, "2.0G");
    check(fmt_count, "fmt_count", -1500, "-1.5k");

    check(fmt_bytes, "fmt_bytes", NAN, "-");
    check(fmt_bytes, "fmt_bytes", 0, "0B");
    check(fmt_bytes, "fmt_bytes", 512, "512B");
    check(fmt_bytes, "fmt_bytes", 1023, "1023B");
    check(fmt_bytes, "fmt_bytes", 1536, "1.5K");
    check(fmt_bytes, "fmt_bytes", 120.0 * 1024 * 1024, "120M");
    check(fmt_bytes, "fmt_bytes", 3.2 * 1024 * 1024 * 1024, "3.2G");
    check(fmt_bytes, "fmt_bytes", 1024.0 * 1024 * 1024 * 1024, "1.0T");
    check(fmt_bytes, "fmt_bytes", 2048.0 * 1024 * 1024 * 1024 * 1024, "2048T");

    /* a short buffer is cut, never overrun */
    char small[4];
    fmt_ms(1234.0, small, sizeof small);
    is_str(small, "123", "fmt_ms truncates into a short buffer");
    return done_testing();
}
