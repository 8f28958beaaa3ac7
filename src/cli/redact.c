/* redact.c — secrets the CLI must never print. Used only by the main thread. */
#include "config.h"

#include "cli/redact.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SECRETS 8

static char *secrets[MAX_SECRETS];
static int nsecrets;

static void wipe_free(char *s)
{
    if (!s)
        return;
    volatile char *v = s;
    while (*v)
        *v++ = 0;
    free(s);
}

void redact_add(const char *secret)
{
    if (!secret || !*secret)
        return;
    for (int i = 0; i < nsecrets; i++)
        if (strcmp(secrets[i], secret) == 0)
            return;
    if (nsecrets == MAX_SECRETS) {
        wipe_free(secrets[0]);
        memmove(secrets, secrets + 1, sizeof secrets[0] * (MAX_SECRETS - 1));
        nsecrets--;
    }
    secrets[nsecrets++] = xstrdup(secret);
}

/* Decodes %XX escapes as libpq does for URIs, so the decoded password is
 * redacted too (libpq may echo either form). */
static char *percent_decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static void add_uri_password(const char *uri)
{
    const char *p = strstr(uri, "://");
    if (!p)
        return;
    p += 3;
    size_t auth_len = strcspn(p, "/?");
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++)
        if (p[i] == '@')
            at = p + i; /* the last '@' ends the userinfo */
    if (!at)
        return;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    if (!colon)
        return;
    size_t n = (size_t)(at - colon - 1);
    char *raw = xstrndup(colon + 1, n);
    redact_add(raw);
    char *dec = percent_decode(colon + 1, n);
    redact_add(dec);
    wipe_free(raw);
    wipe_free(dec);
    /* query parameters: ...?password=... */
    const char *q = strchr(p, '?');
    while (q) {
        q++;
        if (strncasecmp(q, "password=", 9) == 0) {
            size_t len = strcspn(q + 9, "&");
            char *v = xstrndup(q + 9, len);
            redact_add(v);
            char *d = percent_decode(q + 9, len);
            redact_add(d);
            wipe_free(v);
            wipe_free(d);
        }
        q = strchr(q, '&');
    }
}

/* conninfo "key = value" pairs, values bare or single-quoted with \ escapes. */
static void add_kv_password(const char *s)
{
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        const char *key = s;
        while (*s && *s != '=' && !isspace((unsigned char)*s))
            s++;
        size_t keylen = (size_t)(s - key);
        while (isspace((unsigned char)*s))
            s++;
        if (*s != '=')
            return;
        s++;
        while (isspace((unsigned char)*s))
            s++;
        strbuf v;
        sb_init(&v);
        if (*s == '\'') {
            s++;
            while (*s && *s != '\'') {
                if (*s == '\\' && s[1])
                    s++;
                sb_append_c(&v, *s++);
            }
            if (*s)
                s++;
        } else {
            while (*s && !isspace((unsigned char)*s)) {
                if (*s == '\\' && s[1])
                    s++;
                sb_append_c(&v, *s++);
            }
        }
        if (keylen == 8 && strncasecmp(key, "password", 8) == 0)
            redact_add(v.data);
        volatile char *w = v.data;
        for (size_t i = 0; i < v.len; i++)
            w[i] = 0;
        sb_free(&v);
    }
}

void redact_add_from_conninfo(const char *conninfo)
{
    if (!conninfo)
        return;
    if (strncmp(conninfo, "postgresql://", 13) == 0 || strncmp(conninfo, "postgres://", 11) == 0)
        add_uri_password(conninfo);
    else if (strchr(conninfo, '='))
        add_kv_password(conninfo);
}

char *redact(const char *msg)
{
    strbuf out;
    sb_init(&out);
    if (!msg)
        return sb_steal(&out);
    const char *p = msg;
    while (*p) {
        size_t best = 0;
        for (int i = 0; i < nsecrets; i++) {
            size_t n = strlen(secrets[i]);
            if (n > best && strncmp(p, secrets[i], n) == 0)
                best = n;
        }
        if (best) {
            sb_append(&out, "****");
            p += best;
        } else {
            sb_append_c(&out, *p++);
        }
    }
    return sb_steal(&out);
}

void redact_clear(void)
{
    for (int i = 0; i < nsecrets; i++)
        wipe_free(secrets[i]);
    nsecrets = 0;
}
