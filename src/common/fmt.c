/* fmt.c — the display rules of fmt.h. */
#include "common/fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void fmt_duration(double s, char *buf, size_t n)
{
    if (isnan(s) || s < 0) {
        snprintf(buf, n, "%s", isnan(s) ? "" : "0.0s");
        return;
    }
    if (s < 60)
        snprintf(buf, n, "%.1fs", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else if (s < 86400)
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else
        snprintf(buf, n, "%dd%02dh", (int)(s / 86400), (int)(s / 3600) % 24);
}

void fmt_ms(double ms, char *buf, size_t n)
{
    if (isnan(ms)) {
        snprintf(buf, n, "-");
        return;
    }
    if (ms < 1)
        snprintf(buf, n, "%.3f", ms);
    else if (ms < 100)
        snprintf(buf, n, "%.1f", ms);
    else if (ms < 10000)
        snprintf(buf, n, "%.0f", ms);
    else if (ms < 600000)
        snprintf(buf, n, "%.1fs", ms / 1000);
    else if (ms < 36000000)
        snprintf(buf, n, "%.1fm", ms / 60000);
    else
        snprintf(buf, n, "%.1fh", ms / 3600000);
}

void fmt_ms_unit(double ms, char *buf, size_t n)
{
    fmt_ms(ms, buf, n);
    /* below ten seconds fmt_ms leaves the unit to the column title */
    if (!isnan(ms) && ms < 10000) {
        size_t len = strlen(buf);
        snprintf(buf + len, len < n ? n - len : 0, "ms");
    }
}

void fmt_count(double v, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "-");
        return;
    }
    double a = fabs(v);
    if (a < 10 && v != floor(v))
        snprintf(buf, n, "%.2f", v);
    else if (a < 1000)
        snprintf(buf, n, "%.0f", v);
    else if (a < 1e6)
        snprintf(buf, n, "%.1fk", v / 1e3);
    else if (a < 1e9)
        snprintf(buf, n, "%.1fM", v / 1e6);
    else
        snprintf(buf, n, "%.1fG", v / 1e9);
}

void fmt_bytes(double v, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "-");
        return;
    }
    const char *unit = "BKMGT";
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, n, u == 0 || v >= 100 ? "%.0f%c" : "%.1f%c", v, unit[u]);
}
