/* strbuf.c — growable string buffer. */
#include "common/strbuf.h"

#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(strbuf *sb)
{
    sb->cap = 64;
    sb->len = 0;
    sb->data = xmalloc(sb->cap);
    sb->data[0] = '\0';
}

/* What a stolen-from buffer points at: empty, owns nothing (cap == 0). */
static char sb_empty[1];

void sb_free(strbuf *sb)
{
    if (sb->cap)
        free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

void sb_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}

void sb_reserve(strbuf *sb, size_t extra)
{
    if (sb->cap == 0)
        sb->data = NULL; /* after sb_steal or sb_free: start a fresh allocation */
    sb->data = xgrow(sb->data, &sb->cap, sb->len + extra + 1, 1);
}

void sb_append_n(strbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_append(strbuf *sb, const char *s)
{
    sb_append_n(sb, s, strlen(s));
}

void sb_append_c(strbuf *sb, char c)
{
    sb_append_n(sb, &c, 1);
}

void sb_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0)
        return;
    sb_reserve(sb, (size_t)n);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

char *sb_steal(strbuf *sb)
{
    char *s = sb->data;
    sb->data = sb_empty;
    sb->len = sb->cap = 0;
    return s;
}
