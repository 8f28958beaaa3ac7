/* bindecode.c — binary values to the server's exact text output: int2/4/8,
 * float4/8 (shortest round-trip, as PG12+ with extra_float_digits > 0),
 * numeric (NaN, ±Infinity, dscale digits), bool, text-like types, uuid,
 * json/jsonb, date/timestamp/timestamptz (DateStyle ISO; timestamptz only
 * in a UTC zone), ±infinity and BC dates. Anything else: not decodable, and
 * the engine asks text for that statement. */
#include "common/bindecode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define POSTGRES_EPOCH_JDATE 2451545
#define USECS_PER_DAY INT64_C(86400000000)

enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_NAME = 19,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_JSON = 114,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043,
    OID_DATE = 1082,
    OID_TIMESTAMP = 1114,
    OID_TIMESTAMPTZ = 1184,
    OID_NUMERIC = 1700,
    OID_UUID = 2950,
    OID_JSONB = 3802,
};

void bindecode_ctx_init(bindecode_ctx *ctx, const char *datestyle, const char *timezone)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->float_shortest = true;
    ctx->dates_iso = datestyle && strncasecmp(datestyle, "ISO", 3) == 0;
    static const char *const utc[] = {
        "UTC",      "GMT",       "Etc/UTC",       "Etc/GMT",   "UCT",           "Etc/UCT", "Zulu",
        "Etc/Zulu", "Universal", "Etc/Universal", "Greenwich", "Etc/Greenwich", NULL};
    for (int i = 0; timezone && utc[i]; i++)
        if (strcmp(timezone, utc[i]) == 0)
            ctx->zone_utc = true;
}

/* The element type of an array type this file decodes, else 0. */
static uint32_t array_elem(uint32_t oid)
{
    static const uint32_t pairs[][2] = {
        {1000, OID_BOOL},      {1003, OID_NAME},        {1005, OID_INT2},    {1007, OID_INT4},
        {1009, OID_TEXT},      {1014, OID_BPCHAR},      {1015, OID_VARCHAR}, {1016, OID_INT8},
        {1021, OID_FLOAT4},    {1022, OID_FLOAT8},      {1028, OID_OID},     {1182, OID_DATE},
        {1115, OID_TIMESTAMP}, {1185, OID_TIMESTAMPTZ}, {1231, OID_NUMERIC}, {2951, OID_UUID},
        {199, OID_JSON},       {3807, OID_JSONB},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i][0] == oid)
            return pairs[i][1];
    return 0;
}

bool bindecode_oid_ok(uint32_t oid, const bindecode_ctx *ctx)
{
    uint32_t elem = array_elem(oid);
    if (elem)
        return bindecode_oid_ok(elem, ctx);
    switch (oid) {
    case OID_BOOL:
    case OID_NAME:
    case OID_INT8:
    case OID_INT2:
    case OID_INT4:
    case OID_TEXT:
    case OID_OID:
    case OID_JSON:
    case OID_BPCHAR:
    case OID_VARCHAR:
    case OID_NUMERIC:
    case OID_UUID:
    case OID_JSONB:
        return true;
    case OID_FLOAT4:
    case OID_FLOAT8:
        return ctx->float_shortest;
    case OID_DATE:
    case OID_TIMESTAMP:
        return ctx->dates_iso;
    case OID_TIMESTAMPTZ:
        return ctx->dates_iso && ctx->zone_utc;
    default:
        return false;
    }
}

static uint16_t be16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* ---- floats: the shortest digits that read back, laid out as float_out ---- */

static void put_float(strbuf *out, double v, bool single)
{
    if (v != v) {
        sb_append(out, "NaN");
        return;
    }
    if (v == 1.0 / 0.0 || v == -1.0 / 0.0) {
        sb_append(out, v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    /* the fewest digits that read back: round-tripping is monotonic in
     * the precision, so a binary search over 1..17 finds it */
    char buf[64];
    int lo = 1, hi = 17;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(buf, sizeof buf, "%.*e", mid - 1, v);
        if (single ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
            hi = mid;
        else
            lo = mid + 1;
    }
    snprintf(buf, sizeof buf, "%.*e", lo - 1, v);
    /* buf is [-]d[.ddd]e±XX: split into sign, digits and exponent */
    const char *p = buf;
    bool neg = *p == '-';
    if (neg)
        p++;
    char digits[32];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int exp = atoi(p + 1);
    if (neg)
        sb_append_c(out, '-');
    if (nd == 1 && digits[0] == '0') {
        sb_append_c(out, '0');
        return;
    }
    int fixed_max = single ? 6 : 15;
    if (exp >= -4 && exp < fixed_max) {
        if (exp < 0) {
            sb_append(out, "0.");
            for (int i = -1; i > exp; i--)
                sb_append_c(out, '0');
            sb_append_n(out, digits, (size_t)nd);
        } else {
            for (int i = 0; i <= exp; i++)
                sb_append_c(out, i < nd ? digits[i] : '0');
            if (nd > exp + 1) {
                sb_append_c(out, '.');
                sb_append_n(out, digits + exp + 1, (size_t)(nd - exp - 1));
            }
        }
        return;
    }
    sb_append_c(out, digits[0]);
    if (nd > 1) {
        sb_append_c(out, '.');
        sb_append_n(out, digits + 1, (size_t)(nd - 1));
    }
    sb_printf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/* ---- numeric: base-10000 digits, weight, sign, dscale ---- */

static bool put_numeric(strbuf *out, const unsigned char *p, int len)
{
    if (len < 8)
        return false;
    int ndigits = (int16_t)be16(p);
    int weight = (int16_t)be16(p + 2);
    uint16_t sign = be16(p + 4);
    int dscale = (int16_t)be16(p + 6);
    if (ndigits < 0 || len != 8 + 2 * ndigits || dscale < 0)
        return false;
    switch (sign) {
    case 0xC000:
        sb_append(out, "NaN");
        return true;
    case 0xD000:
        sb_append(out, "Infinity");
        return true;
    case 0xF000:
        sb_append(out, "-Infinity");
        return true;
    case 0x4000:
        sb_append_c(out, '-');
        break;
    case 0x0000:
        break;
    default:
        return false;
    }
    const unsigned char *d = p + 8;
#define NDIG(i) ((i) >= 0 && (i) < ndigits ? (int)be16(d + 2 * (i)) : 0)
    if (weight < 0) {
        sb_append_c(out, '0');
    } else {
        for (int i = 0; i <= weight; i++) {
            int v = NDIG(i);
            if (v > 9999)
                return false;
            if (i == 0)
                sb_printf(out, "%d", v);
            else
                sb_printf(out, "%04d", v);
        }
    }
    if (dscale > 0) {
        sb_append_c(out, '.');
        int written = 0;
        for (int i = weight + 1; written < dscale; i++) {
            char grp[8];
            snprintf(grp, sizeof grp, "%04d", NDIG(i) % 10000);
            for (int k = 0; k < 4 && written < dscale; k++, written++)
                sb_append_c(out, grp[k]);
        }
    }
#undef NDIG
    return true;
}

/* ---- dates: the server's Julian day arithmetic (j2date) ---- */

static void j2date(int jd, int *year, int *month, int *day)
{
    unsigned int julian = (unsigned int)jd + 32044;
    unsigned int quad = julian / 146097;
    unsigned int extra = (julian - quad * 146097) * 4 + 3;
    julian += 60 + quad * 3 + extra / 146097;
    quad = julian / 1461;
    julian -= quad * 1461;
    int y = (int)(julian * 4 / 1461);
    julian = ((y != 0) ? ((julian + 305) % 365) : ((julian + 306) % 366)) + 123;
    y += (int)(quad * 4);
    *year = y - 4800;
    quad = julian * 2141 / 65536;
    *day = (int)(julian - 7834 * quad / 256);
    *month = (int)((quad + 10) % 12 + 1);
}

/* Appends YYYY-MM-DD; true when the year is BC (the caller adds " BC"). */
static bool put_ymd(strbuf *out, int jd)
{
    int y, m, d;
    j2date(jd, &y, &m, &d);
    sb_printf(out, "%04d-%02d-%02d", y > 0 ? y : -(y - 1), m, d);
    return y <= 0;
}

static bool put_timestamp(strbuf *out, int64_t ts, bool tz)
{
    if (ts == INT64_MAX || ts == INT64_MIN) {
        sb_append(out, ts == INT64_MAX ? "infinity" : "-infinity");
        return true;
    }
    int64_t date = ts / USECS_PER_DAY;
    int64_t time = ts % USECS_PER_DAY;
    if (time < 0) {
        time += USECS_PER_DAY;
        date -= 1;
    }
    bool bc = put_ymd(out, (int)(date + POSTGRES_EPOCH_JDATE));
    int64_t secs = time / 1000000;
    int usec = (int)(time % 1000000);
    sb_printf(out, " %02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    if (usec) {
        char frac[8];
        snprintf(frac, sizeof frac, "%06d", usec);
        int n = 6;
        while (frac[n - 1] == '0')
            n--;
        sb_append_c(out, '.');
        sb_append_n(out, frac, (size_t)n);
    }
    if (tz)
        sb_append(out, "+00");
    if (bc)
        sb_append(out, " BC");
    return true;
}

static void put_uuid(strbuf *out, const unsigned char *p)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            sb_append_c(out, '-');
        sb_append_c(out, hex[p[i] >> 4]);
        sb_append_c(out, hex[p[i] & 15]);
    }
}

/* ---- arrays, quoted as array_out does ---- */

static void put_array_elem(strbuf *out, const char *s, size_t n)
{
    bool quote = n == 0 || (n == 4 && strncasecmp(s, "NULL", 4) == 0);
    for (size_t i = 0; i < n && !quote; i++)
        quote = strchr("\"\\{},", s[i]) || s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r');
    if (!quote) {
        sb_append_n(out, s, n);
        return;
    }
    sb_append_c(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            sb_append_c(out, '\\');
        sb_append_c(out, s[i]);
    }
    sb_append_c(out, '"');
}

static bool put_array(strbuf *out, uint32_t oid, const unsigned char *p, int len,
                      const bindecode_ctx *ctx)
{
    if (len < 12)
        return false;
    int ndim = (int32_t)be32(p);
    uint32_t elem = be32(p + 8);
    if (ndim < 0 || ndim > 6 || elem != array_elem(oid) || len < 12 + 8 * ndim)
        return false;
    if (ndim == 0) {
        sb_append(out, "{}");
        return true;
    }
    int dims[6], lbs[6];
    long total = 1;
    bool lb_one = true;
    for (int d = 0; d < ndim; d++) {
        dims[d] = (int32_t)be32(p + 12 + 8 * d);
        lbs[d] = (int32_t)be32(p + 16 + 8 * d);
        if (dims[d] <= 0)
            return false;
        total *= dims[d];
        lb_one &= lbs[d] == 1;
    }
    if (!lb_one) {
        for (int d = 0; d < ndim; d++)
            sb_printf(out, "[%d:%d]", lbs[d], lbs[d] + dims[d] - 1);
        sb_append_c(out, '=');
    }
    const unsigned char *q = p + 12 + 8 * ndim, *end = p + len;
    strbuf el;
    sb_init(&el);
    int idx[6] = {0};
    bool ok = true;
    for (int d = 0; d < ndim; d++)
        sb_append_c(out, '{');
    for (long k = 0; k < total && ok; k++) {
        if (k > 0) {
            /* close the dimensions that just ended, then open them again */
            int d = ndim - 1, closed = 0;
            while (d > 0 && idx[d] == dims[d]) {
                idx[d] = 0;
                idx[d - 1]++;
                closed++;
                d--;
            }
            for (int i = 0; i < closed; i++)
                sb_append_c(out, '}');
            sb_append_c(out, ',');
            for (int i = 0; i < closed; i++)
                sb_append_c(out, '{');
        }
        if (end - q < 4) {
            ok = false;
            break;
        }
        int n = (int32_t)be32(q);
        q += 4;
        if (n < 0) {
            sb_append(out, "NULL");
        } else if (end - q < n) {
            ok = false;
        } else {
            sb_reset(&el);
            ok = bindecode_value(elem, (const char *)q, n, ctx, &el);
            put_array_elem(out, el.data, el.len);
            q += n;
        }
        idx[ndim - 1]++;
    }
    for (int d = 0; d < ndim; d++)
        sb_append_c(out, '}');
    sb_free(&el);
    return ok && q == end;
}

bool bindecode_value(uint32_t oid, const char *data, int len, const bindecode_ctx *ctx, strbuf *out)
{
    if (array_elem(oid))
        return bindecode_oid_ok(oid, ctx) && len >= 0 &&
               put_array(out, oid, (const unsigned char *)data, len, ctx);
    const unsigned char *p = (const unsigned char *)data;
    if (!bindecode_oid_ok(oid, ctx) || len < 0)
        return false;
    switch (oid) {
    case OID_BOOL:
        if (len != 1)
            return false;
        sb_append_c(out, p[0] ? 't' : 'f');
        return true;
    case OID_INT2:
        if (len != 2)
            return false;
        sb_printf(out, "%d", (int)(int16_t)be16(p));
        return true;
    case OID_INT4:
        if (len != 4)
            return false;
        sb_printf(out, "%ld", (long)(int32_t)be32(p));
        return true;
    case OID_OID:
        if (len != 4)
            return false;
        sb_printf(out, "%lu", (unsigned long)be32(p));
        return true;
    case OID_INT8:
        if (len != 8)
            return false;
        sb_printf(out, "%lld", (long long)(int64_t)be64(p));
        return true;
    case OID_FLOAT4: {
        if (len != 4)
            return false;
        uint32_t u = be32(p);
        float f;
        memcpy(&f, &u, sizeof f);
        put_float(out, f, true);
        return true;
    }
    case OID_FLOAT8: {
        if (len != 8)
            return false;
        uint64_t u = be64(p);
        double f;
        memcpy(&f, &u, sizeof f);
        put_float(out, f, false);
        return true;
    }
    case OID_NUMERIC:
        return put_numeric(out, p, len);
    case OID_UUID:
        if (len != 16)
            return false;
        put_uuid(out, p);
        return true;
    case OID_JSONB:
        if (len < 1 || p[0] != 1)
            return false;
        sb_append_n(out, data + 1, (size_t)len - 1);
        return true;
    case OID_DATE: {
        if (len != 4)
            return false;
        int32_t d = (int32_t)be32(p);
        if (d == INT32_MAX || d == INT32_MIN) {
            sb_append(out, d == INT32_MAX ? "infinity" : "-infinity");
            return true;
        }
        if (put_ymd(out, d + POSTGRES_EPOCH_JDATE))
            sb_append(out, " BC");
        return true;
    }
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
        if (len != 8)
            return false;
        return put_timestamp(out, (int64_t)be64(p), oid == OID_TIMESTAMPTZ);
    default: /* text, varchar, name, bpchar, json: the same bytes */
        sb_append_n(out, data, (size_t)len);
        return true;
    }
}
