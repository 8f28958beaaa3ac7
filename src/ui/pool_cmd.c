/* pool_cmd.c — parsing the pool pane's ':' commands. */
#include "ui/pool_cmd.h"

#include "common/numparse.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_space(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

/* The next word of s into buf; returns what follows it. */
static const char *word(const char *s, char *buf, size_t n)
{
    s = skip_space(s);
    size_t i = 0;
    while (*s && !isspace((unsigned char)*s)) {
        if (i + 1 < n)
            buf[i++] = *s;
        s++;
    }
    buf[i] = '\0';
    return s;
}

__attribute__((format(printf, 2, 3))) static void fail(pool_cmd *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    c->kind = PCMD_ERROR;
}

static bool parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && (*end == 's' || *end == 'S'))
        end++;
    if (!*s || *end || errno || !isfinite(v) || v <= 0 || v > 86400)
        return false;
    *out = v;
    return true;
}

static void parse_pool(const char *rest, pool_cmd *c)
{
    char w[32], arg[32], extra[8];
    rest = word(rest, w, sizeof w);
    if (strcmp(w, "check") == 0 || strcmp(w, "recycle") == 0) {
        word(rest, extra, sizeof extra);
        if (*extra)
            return fail(c, "pool %s takes no argument", w);
        c->kind = w[0] == 'c' ? PCMD_POOL_CHECK : PCMD_POOL_RECYCLE;
        return;
    }
    if (strcmp(w, "min") == 0 || strcmp(w, "max") == 0) {
        rest = word(rest, arg, sizeof arg);
        word(rest, extra, sizeof extra);
        bool is_max = w[1] == 'a';
        long v;
        if (*extra || !parse_long_in(arg, is_max ? 1 : 0, POOL_MAX_SIZE, &v))
            return fail(c, "usage: pool %s N (N from %d to %d)", w, is_max ? 1 : 0, POOL_MAX_SIZE);
        c->kind = is_max ? PCMD_POOL_MAX : PCMD_POOL_MIN;
        c->n = (int)v;
        return;
    }
    fail(c, "usage: pool min N | pool max N | pool check | pool recycle");
}

static void parse_load(const char *rest, pool_cmd *c)
{
    c->clients = LOAD_DEFAULT_CLIENTS;
    c->seconds = LOAD_DEFAULT_SECONDS;
    char w[64];
    const char *after = word(rest, w, sizeof w);
    if (strcmp(w, "stop") == 0 && !*skip_space(after)) {
        c->kind = PCMD_LOAD_STOP;
        return;
    }
    for (;;) {
        const char *here = skip_space(rest);
        after = word(here, w, sizeof w);
        char opt = 0;
        const char *val = NULL;
        char vbuf[64];
        if (strcmp(w, "-c") == 0 || strcmp(w, "--clients") == 0 || strcmp(w, "-t") == 0 ||
            strcmp(w, "--time") == 0) {
            opt = w[1] == 'c' || w[2] == 'c' ? 'c' : 't';
            after = word(after, vbuf, sizeof vbuf);
            val = vbuf;
        } else if ((strncmp(w, "-c", 2) == 0 || strncmp(w, "-t", 2) == 0) &&
                   isdigit((unsigned char)w[2])) {
            opt = w[1];
            val = w + 2;
        } else if (strcmp(w, "--") == 0) {
            rest = after;
            break;
        } else {
            rest = here;
            break;
        }
        if (opt == 'c') {
            long v;
            if (!parse_long_in(val, 1, LOAD_MAX_CLIENTS, &v))
                return fail(c, "load: -c wants a number of clients from 1 to %d", LOAD_MAX_CLIENTS);
            c->clients = (int)v;
        } else if (!parse_seconds(val, &c->seconds)) {
            return fail(c, "load: -t wants seconds (more than 0, at most 86400)");
        }
        rest = after;
    }
    rest = skip_space(rest);
    size_t n = strlen(rest);
    while (n > 0 && isspace((unsigned char)rest[n - 1]))
        n--;
    if (n == 0)
        return fail(c, "usage: load [-c CLIENTS] [-t SECONDS] SQL | load stop");
    c->sql = xstrndup(rest, n);
    c->kind = PCMD_LOAD;
}

void pool_cmd_parse(const char *line, pool_cmd *out)
{
    memset(out, 0, sizeof *out);
    char w[16];
    const char *rest = word(line, w, sizeof w);
    if (strcmp(w, "pool") == 0)
        parse_pool(rest, out);
    else if (strcmp(w, "load") == 0)
        parse_load(rest, out);
    else
        out->kind = PCMD_NOT_MINE;
}

void pool_cmd_free(pool_cmd *c)
{
    free(c->sql);
    c->sql = NULL;
}
