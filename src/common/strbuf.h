/* strbuf.h — a growable, always NUL-terminated byte buffer. */
#ifndef PGDECK_STRBUF_H
#define PGDECK_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *data; /* NUL-terminated; never NULL after sb_init */
    size_t len;
    size_t cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
void sb_reserve(strbuf *sb, size_t extra);
void sb_append(strbuf *sb, const char *s);
void sb_append_n(strbuf *sb, const char *s, size_t n);
void sb_append_c(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the string to the caller (free()) and leaves sb empty, owning
 * nothing: it may be appended to again, and sb_free on it is a no-op. */
char *sb_steal(strbuf *sb);

#endif
