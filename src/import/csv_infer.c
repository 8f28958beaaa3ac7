/* csv_infer.c — column types from sample values: the set of types a value
 * can be loaded as, narrowed over a column's values; strict JSON for jsonb.
 * See csv.h ("type inference"). */
#include "import/csv.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[] = {
#define CSV_TYPE_NAME(id, name) name,
    CSV_TYPES(CSV_TYPE_NAME)
#undef CSV_TYPE_NAME
};

const char *csv_type_name(csv_type t)
{
    return t < CSV_T_COUNT ? type_names[t] : "text";
}

bool csv_type_parse(const char *name, csv_type *out)
{
    static const struct {
        const char *n;
        csv_type t;
    } alias[] = {{"boolean", CSV_T_BOOL},
                 {"int", CSV_T_INT4},
                 {"integer", CSV_T_INT4},
                 {"bigint", CSV_T_INT8},
                 {"decimal", CSV_T_NUMERIC},
                 {"double precision", CSV_T_FLOAT8},
                 {"double", CSV_T_FLOAT8},
                 {"float", CSV_T_FLOAT8},
                 {"timestamp without time zone", CSV_T_TIMESTAMP},
                 {"timestamp with time zone", CSV_T_TIMESTAMPTZ},
                 {"json", CSV_T_JSONB},
                 {"varchar", CSV_T_TEXT},
                 {"string", CSV_T_TEXT}};
    for (int t = 0; t < CSV_T_COUNT; t++)
        if (strcasecmp(name, type_names[t]) == 0) {
            *out = (csv_type)t;
            return true;
        }
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (strcasecmp(name, alias[i].n) == 0) {
            *out = alias[i].t;
            return true;
        }
    return false;
}

#define T(x) (1u << (x))

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYYY-MM-DD with a real calendar day; returns 10 or 0. */
static size_t parse_date(const char *s, size_t n)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n < 10 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' ||
        !all_digits(s + 8, 2))
        return 0;
    int y = atoi(s), m = num2(s + 5), d = num2(s + 8);
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 10;
}

/* HH:MM[:SS[.f...]] */
static size_t parse_time(const char *s, size_t n)
{
    if (n < 5 || !all_digits(s, 2) || s[2] != ':' || !all_digits(s + 3, 2))
        return 0;
    if (num2(s) > 23 || num2(s + 3) > 59)
        return 0;
    size_t i = 5;
    if (i + 3 <= n && s[i] == ':' && all_digits(s + i + 1, 2)) {
        if (num2(s + i + 1) > 60)
            return 0;
        i += 3;
        if (i < n && s[i] == '.') {
            size_t j = i + 1;
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
            if (j == i + 1)
                return 0;
            i = j;
        }
    }
    return i;
}

/* Z, +HH, +HHMM, +HH:MM (and -) */
static bool is_tz(const char *s, size_t n)
{
    if (n == 1 && (s[0] == 'Z' || s[0] == 'z'))
        return true;
    if (n < 3 || (s[0] != '+' && s[0] != '-') || !all_digits(s + 1, 2) || num2(s + 1) > 15)
        return false;
    if (n == 3)
        return true;
    if (n == 5 && all_digits(s + 3, 2))
        return num2(s + 3) < 60;
    if (n == 6 && s[3] == ':' && all_digits(s + 4, 2))
        return num2(s + 4) < 60;
    return false;
}

static bool is_uuid(const char *s, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static unsigned number_types(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t int_start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int_digits = i - int_start;
    if (i == n) {
        if (int_digits == 0)
            return 0;
        if (int_digits > 1 && s[int_start] == '0')
            return 0; /* leading zeros: an identifier, keep it as text */
        if (int_digits > 19)
            return T(CSV_T_NUMERIC) | T(CSV_T_FLOAT8);
        unsigned long long v = 0;
        for (size_t k = int_start; k < n; k++)
            v = v * 10 + (unsigned long long)(s[k] - '0');
        bool neg = s[0] == '-';
        unsigned m = T(CSV_T_NUMERIC) | T(CSV_T_FLOAT8);
        if (int_digits == 19 && v > (neg ? 9223372036854775808ull : 9223372036854775807ull))
            return m;
        if (v <= (neg ? 2147483648ull : 2147483647ull))
            m |= T(CSV_T_INT4);
        return m | T(CSV_T_INT8);
    }
    size_t frac = 0;
    if (s[i] == '.') {
        i++;
        size_t fs = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        frac = i - fs;
    }
    if (int_digits + frac == 0)
        return 0;
    if (i == n)
        return T(CSV_T_NUMERIC) | T(CSV_T_FLOAT8);
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i < n && all_digits(s + i, n - i))
            return T(CSV_T_FLOAT8);
    }
    return 0;
}

unsigned csv_value_types(const char *v, size_t n)
{
    unsigned m = T(CSV_T_TEXT);
    if (n == 0)
        return m;
    static const char *const bools[] = {"true", "false", "t", "f", "yes", "no", "on", "off"};
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
        if (strlen(bools[i]) == n && strncasecmp(v, bools[i], n) == 0)
            return m | T(CSV_T_BOOL);
    m |= number_types(v, n);
    size_t d = parse_date(v, n);
    if (d) {
        if (d == n)
            return m | T(CSV_T_DATE) | T(CSV_T_TIMESTAMP) | T(CSV_T_TIMESTAMPTZ);
        if (v[d] == ' ' || v[d] == 'T') {
            size_t t = parse_time(v + d + 1, n - d - 1);
            if (t) {
                size_t end = d + 1 + t;
                if (end == n)
                    return m | T(CSV_T_TIMESTAMP) | T(CSV_T_TIMESTAMPTZ);
                if (is_tz(v + end, n - end))
                    return m | T(CSV_T_TIMESTAMPTZ);
            }
        }
    }
    if (is_uuid(v, n))
        return m | T(CSV_T_UUID);
    if ((v[0] == '{' || v[0] == '[') && csv_json_valid(v, n))
        return m | T(CSV_T_JSONB);
    return m;
}

void csv_infer_init(csv_infer *ci)
{
    ci->mask = ~0u;
    ci->values = 0;
}

void csv_infer_add(csv_infer *ci, const csv_field *f)
{
    if (f->is_null)
        return;
    ci->mask &= csv_value_types(f->value, f->len);
    ci->values++;
}

csv_type csv_infer_result(const csv_infer *ci)
{
    if (ci->values == 0)
        return CSV_T_TEXT;
    for (int t = 0; t < CSV_T_COUNT; t++)
        if (ci->mask & T(t))
            return (csv_type)t;
    return CSV_T_TEXT;
}

/* JSON: a small recursive-descent validator; depth-limited for hostile input. */
typedef struct json_p {
    const char *s;
    size_t n, i;
    int depth;
} json_p;

static void json_ws(json_p *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static bool json_value(json_p *p);

static bool json_string(json_p *p)
{
    p->i++; /* opening quote */
    while (p->i < p->n) {
        unsigned char c = (unsigned char)p->s[p->i++];
        if (c == '"')
            return true;
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (p->i >= p->n)
                return false;
            c = (unsigned char)p->s[p->i++];
            if (c == 'u') {
                for (int k = 0; k < 4; k++)
                    if (p->i >= p->n || !isxdigit((unsigned char)p->s[p->i++]))
                        return false;
            } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
                return false;
            }
        }
    }
    return false;
}

/* Skips the digits at s[*i]; false when there is none. */
static bool json_digits(const json_p *p, size_t *i)
{
    size_t start = *i;
    while (*i < p->n && p->s[*i] >= '0' && p->s[*i] <= '9')
        (*i)++;
    return *i > start;
}

static bool json_number(json_p *p)
{
    size_t i = p->i;
    if (i < p->n && p->s[i] == '-')
        i++;
    if (i >= p->n)
        return false;
    if (p->s[i] == '0')
        i++;
    else if (!json_digits(p, &i)) /* 1-9 then digits; a leading 0 stands alone */
        return false;
    if (i < p->n && p->s[i] == '.') {
        i++;
        if (!json_digits(p, &i))
            return false;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-'))
            i++;
        if (!json_digits(p, &i))
            return false;
    }
    p->i = i;
    return true;
}

static bool json_word(json_p *p, const char *w)
{
    size_t l = strlen(w);
    if (p->n - p->i < l || memcmp(p->s + p->i, w, l) != 0)
        return false;
    p->i += l;
    return true;
}

static bool json_container(json_p *p, char close)
{
    if (++p->depth > 64)
        return false;
    p->i++;
    json_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        p->depth--;
        return true;
    }
    for (;;) {
        json_ws(p);
        if (close == '}') {
            if (p->i >= p->n || p->s[p->i] != '"' || !json_string(p))
                return false;
            json_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':')
                return false;
            p->i++;
        }
        if (!json_value(p))
            return false;
        json_ws(p);
        if (p->i >= p->n)
            return false;
        if (p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->s[p->i] != close)
            return false;
        p->i++;
        p->depth--;
        return true;
    }
}

static bool json_value(json_p *p)
{
    json_ws(p);
    if (p->i >= p->n)
        return false;
    switch (p->s[p->i]) {
    case '{':
        return json_container(p, '}');
    case '[':
        return json_container(p, ']');
    case '"':
        return json_string(p);
    case 't':
        return json_word(p, "true");
    case 'f':
        return json_word(p, "false");
    case 'n':
        return json_word(p, "null");
    default:
        return json_number(p);
    }
}

bool csv_json_valid(const char *s, size_t len)
{
    json_p p = {s, len, 0, 0};
    if (csv_utf8_check(s, len) != (size_t)-1)
        return false;
    if (!json_value(&p))
        return false;
    json_ws(&p);
    return p.i == p.n;
}
