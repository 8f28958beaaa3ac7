/* jsonparse.c — a strict recursive-descent JSON reader (see jsonparse.h).
 * Recursion is bounded by JSON_MAX_DEPTH, so hostile nesting cannot exhaust
 * the stack. */
#include "common/jsonparse.h"

#include "common/strbuf.h"
#include "common/utf8.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    const char *s;
    size_t len, pos;
    char *err;
} reader;

static bool fail(reader *r, const char *what)
{
    if (!r->err)
        r->err = xasprintf("invalid JSON at byte %zu: %s", r->pos, what);
    return false;
}

static void skip_ws(reader *r)
{
    while (r->pos < r->len) {
        char c = r->s[r->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        r->pos++;
    }
}

static bool literal(reader *r, const char *word)
{
    size_t n = strlen(word);
    if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n) != 0)
        return fail(r, "unexpected character");
    r->pos += n;
    return true;
}

static int hex4(reader *r)
{
    if (r->len - r->pos < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = r->s[r->pos + (size_t)i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    r->pos += 4;
    return v;
}

static void put_utf8(strbuf *sb, uint32_t cp)
{
    char o[4];
    sb_append_n(sb, o, utf8_encode(cp, o));
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    uint32_t cp;
    return utf8_decode(s, n, &cp);
}

static bool parse_string(reader *r, char **out)
{
    strbuf sb;
    sb_init(&sb);
    r->pos++; /* the opening quote */
    for (;;) {
        if (r->pos >= r->len) {
            sb_free(&sb);
            return fail(r, "unterminated string");
        }
        unsigned char c = (unsigned char)r->s[r->pos];
        if (c == '"') {
            r->pos++;
            break;
        }
        if (c < 0x20) {
            sb_free(&sb);
            return fail(r, "control character in string");
        }
        if (c != '\\') {
            size_t n = utf8_seq((const unsigned char *)r->s + r->pos, r->len - r->pos);
            if (!n) {
                sb_free(&sb);
                return fail(r, "invalid UTF-8");
            }
            sb_append_n(&sb, r->s + r->pos, n);
            r->pos += n;
            continue;
        }
        r->pos++;
        if (r->pos >= r->len) {
            sb_free(&sb);
            return fail(r, "unterminated escape");
        }
        char e = r->s[r->pos++];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            sb_append_c(&sb, map[simple - "\"\\/bfnrt"]);
            continue;
        }
        if (e != 'u') {
            r->pos--;
            sb_free(&sb);
            return fail(r, "bad escape");
        }
        int hi = hex4(r);
        uint32_t cp = (uint32_t)hi;
        if (hi < 0) {
            sb_free(&sb);
            return fail(r, "bad \\u escape");
        }
        if (hi >= 0xD800 && hi <= 0xDBFF) {
            int lo = -1;
            if (r->len - r->pos >= 2 && r->s[r->pos] == '\\' && r->s[r->pos + 1] == 'u') {
                r->pos += 2;
                lo = hex4(r);
            }
            if (lo < 0xDC00 || lo > 0xDFFF) {
                sb_free(&sb);
                return fail(r, "lone surrogate");
            }
            cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
        } else if (hi >= 0xDC00 && hi <= 0xDFFF) {
            sb_free(&sb);
            return fail(r, "lone surrogate");
        } else if (hi == 0) {
            sb_free(&sb);
            return fail(r, "\\u0000 in string");
        }
        put_utf8(&sb, cp);
    }
    *out = sb_steal(&sb);
    return true;
}

static bool parse_number(reader *r, double *out)
{
    size_t start = r->pos;
    const char *s = r->s;
    if (r->pos < r->len && s[r->pos] == '-')
        r->pos++;
    if (r->pos >= r->len)
        return fail(r, "bad number");
    if (s[r->pos] == '0') {
        r->pos++;
    } else if (s[r->pos] >= '1' && s[r->pos] <= '9') {
        while (r->pos < r->len && s[r->pos] >= '0' && s[r->pos] <= '9')
            r->pos++;
    } else {
        return fail(r, "bad number");
    }
    if (r->pos < r->len && s[r->pos] == '.') {
        r->pos++;
        size_t d = r->pos;
        while (r->pos < r->len && s[r->pos] >= '0' && s[r->pos] <= '9')
            r->pos++;
        if (r->pos == d)
            return fail(r, "bad number");
    }
    if (r->pos < r->len && (s[r->pos] == 'e' || s[r->pos] == 'E')) {
        r->pos++;
        if (r->pos < r->len && (s[r->pos] == '+' || s[r->pos] == '-'))
            r->pos++;
        size_t d = r->pos;
        while (r->pos < r->len && s[r->pos] >= '0' && s[r->pos] <= '9')
            r->pos++;
        if (r->pos == d)
            return fail(r, "bad number");
    }
    size_t n = r->pos - start;
    if (n > 64)
        return fail(r, "number too long");
    char buf[72];
    memcpy(buf, s + start, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    if (!isfinite(*out))
        return fail(r, "number out of range");
    return true;
}

static bool parse_value(reader *r, json_value *v, int depth);

static bool parse_container(reader *r, json_value *v, int depth, bool object)
{
    if (depth >= JSON_MAX_DEPTH)
        return fail(r, "nested too deeply");
    char close = object ? '}' : ']';
    size_t cap = 0;
    v->kind = object ? JSON_OBJECT : JSON_ARRAY;
    r->pos++;
    skip_ws(r);
    if (r->pos < r->len && r->s[r->pos] == close) {
        r->pos++;
        return true;
    }
    for (;;) {
        if (v->n == cap) {
            cap = cap ? cap * 2 : 4;
            v->items = xrealloc(v->items, cap * sizeof *v->items);
            if (object)
                v->keys = xrealloc(v->keys, cap * sizeof *v->keys);
        }
        skip_ws(r);
        if (object) {
            if (r->pos >= r->len || r->s[r->pos] != '"')
                return fail(r, "expected a member name");
            char *key = NULL;
            if (!parse_string(r, &key))
                return false;
            v->keys[v->n] = key;
            memset(&v->items[v->n], 0, sizeof v->items[v->n]);
            v->n++;
            skip_ws(r);
            if (r->pos >= r->len || r->s[r->pos] != ':')
                return fail(r, "expected ':'");
            r->pos++;
        } else {
            memset(&v->items[v->n], 0, sizeof v->items[v->n]);
            v->n++;
        }
        if (!parse_value(r, &v->items[v->n - 1], depth + 1))
            return false;
        skip_ws(r);
        if (r->pos >= r->len)
            return fail(r, "unterminated");
        char c = r->s[r->pos++];
        if (c == close)
            return true;
        if (c != ',') {
            r->pos--;
            return fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
}

static bool parse_value(reader *r, json_value *v, int depth)
{
    skip_ws(r);
    if (r->pos >= r->len)
        return fail(r, "unexpected end");
    switch (r->s[r->pos]) {
    case '{':
        return parse_container(r, v, depth, true);
    case '[':
        return parse_container(r, v, depth, false);
    case '"':
        v->kind = JSON_STRING;
        return parse_string(r, &v->string);
    case 't':
        v->kind = JSON_BOOL;
        v->boolean = true;
        return literal(r, "true");
    case 'f':
        v->kind = JSON_BOOL;
        return literal(r, "false");
    case 'n':
        v->kind = JSON_NULL;
        return literal(r, "null");
    default:
        v->kind = JSON_NUMBER;
        return parse_number(r, &v->number);
    }
}

static void free_inner(json_value *v)
{
    free(v->string);
    for (size_t i = 0; i < v->n; i++) {
        free_inner(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
}

json_value *json_parse(const char *text, size_t len, char **err)
{
    reader r = {.s = text, .len = len};
    json_value *v = xcalloc(1, sizeof *v);
    bool okv = parse_value(&r, v, 0);
    if (okv) {
        skip_ws(&r);
        if (r.pos != r.len)
            okv = fail(&r, "trailing characters");
    }
    if (!okv) {
        json_free(v);
        *err = r.err;
        return NULL;
    }
    return v;
}

void json_free(json_value *v)
{
    if (!v)
        return;
    free_inner(v);
    free(v);
}

const json_value *json_get(const json_value *v, const char *key)
{
    if (!v || v->kind != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return &v->items[i];
    return NULL;
}

const char *json_get_string(const json_value *v, const char *key)
{
    const json_value *m = json_get(v, key);
    return m && m->kind == JSON_STRING ? m->string : NULL;
}

double json_get_number(const json_value *v, const char *key, double def)
{
    const json_value *m = json_get(v, key);
    return m && m->kind == JSON_NUMBER ? m->number : def;
}
