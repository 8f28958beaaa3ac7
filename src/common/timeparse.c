/* timeparse.c — moments and durations as typed (timeparse.h). */
#include "common/timeparse.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Digits [. digits]: a non-negative decimal without sign, exponent, hex or
 * "inf" (strtod takes all of those). Advances *p; false when no digit. */
static bool read_decimal(const char **p, double *out)
{
    const char *s = *p;
    double v = 0;
    int ndig = 0;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s++ - '0');
        ndig++;
    }
    if (*s == '.' && isdigit((unsigned char)s[1])) {
        double scale = 0.1;
        for (s++; isdigit((unsigned char)*s); s++, scale /= 10)
            v += (*s - '0') * scale;
    }
    if (ndig == 0)
        return false;
    *out = v;
    *p = s;
    return true;
}

/* Exactly `width` digits. */
static bool read_fixed(const char **p, int width, int *out)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *out = v;
    *p += width;
    return true;
}

bool duration_parse(const char *s, double *out)
{
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    double total = 0;
    int parts = 0;
    for (;;) {
        double v;
        if (!read_decimal(&p, &v))
            break;
        double unit;
        switch (*p) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            unit = 0;
        }
        if (unit == 0) {
            /* a bare number is seconds, but only alone: "1h30" is a typo */
            const char *rest = p;
            while (isspace((unsigned char)*rest))
                rest++;
            if (parts > 0 || *rest)
                return false;
            unit = 1;
        } else {
            p++;
        }
        total += v * unit;
        parts++;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (parts == 0 || *p || !(total > 0) || !isfinite(total))
        return false;
    *out = total;
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* HH:MM[:SS[.frac]]; *frac gets the fraction of a second. */
static bool read_clock(const char **p, int *h, int *m, int *sec, double *frac)
{
    const char *s = *p;
    *sec = 0;
    *frac = 0;
    if (!read_fixed(&s, 2, h) || *s++ != ':' || !read_fixed(&s, 2, m))
        return false;
    if (*s == ':') {
        s++;
        if (!read_fixed(&s, 2, sec))
            return false;
        if (*s == '.') {
            double f = 0, scale = 0.1;
            if (!isdigit((unsigned char)s[1]))
                return false;
            for (s++; isdigit((unsigned char)*s); s++, scale /= 10)
                f += (*s - '0') * scale;
            *frac = f;
        }
    }
    if (*h > 23 || *m > 59 || *sec > 59)
        return false;
    *p = s;
    return true;
}

/* Local time of a calendar day (mday may overflow: mktime normalises). */
static double local_epoch(int year, int mon, int mday, int h, int m, int sec)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    return t == (time_t)-1 ? NAN : (double)t;
}

static bool only_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return *p == '\0';
}

bool time_parse(const char *s, double now, double anchor, double *out)
{
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "now", 3) == 0 && only_space(p + 3)) {
        *out = now;
        return true;
    }
    if (*p == '-') {
        /* with its unit: "-2" could be hours as well as seconds */
        double d;
        if (!strpbrk(p + 1, "smhd") || !duration_parse(p + 1, &d))
            return false;
        *out = now - d;
        return true;
    }
    /* a date, a time of day, or epoch seconds: told apart by the 5th and 3rd bytes */
    int year, mon, mday, h = 0, m = 0, sec = 0;
    double frac = 0;
    const char *q = p;
    if (read_fixed(&q, 4, &year) && *q == '-') {
        q++;
        if (!read_fixed(&q, 2, &mon) || *q++ != '-' || !read_fixed(&q, 2, &mday))
            return false;
        if (mon < 1 || mon > 12 || mday < 1 || mday > days_in_month(year, mon) || year < 1970)
            return false;
        if ((*q == ' ' || *q == 'T') && isdigit((unsigned char)q[1])) {
            q++;
            if (!read_clock(&q, &h, &m, &sec, &frac))
                return false;
        }
        if (!only_space(q))
            return false;
        double t = local_epoch(year, mon, mday, h, m, sec);
        if (isnan(t))
            return false;
        *out = t + frac;
        return true;
    }
    q = p;
    if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == ':') {
        if (!read_clock(&q, &h, &m, &sec, &frac) || !only_space(q) || !isfinite(anchor))
            return false;
        time_t a = (time_t)floor(anchor);
        struct tm tm;
        if (!localtime_r(&a, &tm))
            return false;
        /* the occurrence nearest to the anchor: yesterday's, today's or tomorrow's */
        double best = NAN;
        for (int day = -1; day <= 1; day++) {
            double t = local_epoch(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday + day, h, m, sec);
            if (!isnan(t) && (isnan(best) || fabs(t - anchor) < fabs(best - anchor)))
                best = t;
        }
        if (isnan(best))
            return false;
        *out = best + frac;
        return true;
    }
    double v;
    q = p;
    if (!read_decimal(&q, &v) || !only_space(q))
        return false;
    *out = v;
    return true;
}

const char *time_format(double epoch, char *buf, size_t n)
{
    struct tm tm;
    time_t t = (time_t)floor(epoch);
    if (!isfinite(epoch) || !localtime_r(&t, &tm) ||
        strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(buf, n, "-");
    return buf;
}

const char *time_format_near(double epoch, double day, char *buf, size_t n)
{
    struct tm a, b;
    time_t t = (time_t)floor(epoch), d = (time_t)floor(day);
    if (!isfinite(epoch) || !isfinite(day) || !localtime_r(&t, &a) || !localtime_r(&d, &b) ||
        a.tm_year != b.tm_year || a.tm_yday != b.tm_yday)
        return time_format(epoch, buf, n);
    if (strftime(buf, n, "%H:%M:%S", &a) == 0)
        snprintf(buf, n, "-");
    return buf;
}
