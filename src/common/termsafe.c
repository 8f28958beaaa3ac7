/* termsafe.c — see termsafe.h. */
#include "common/termsafe.h"

#include "common/utf8.h"

#include <stdio.h>
#include <string.h>

bool term_is_bidi(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

ts_kind term_classify_cp(uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7F)
        return TS_CONTROL;
    if (cp >= 0x80 && cp <= 0x9F)
        return TS_C1;
    if (term_is_bidi(cp))
        return TS_BIDI;
    return TS_PRINT;
}

ts_kind term_classify(const char *s, size_t n, unsigned flags, size_t *len, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    *len = 1;
    *cp = p[0];
    if (p[0] < 0x80)
        return term_classify_cp(p[0]);
    if (flags & TS_8BIT)
        return p[0] <= 0x9F ? TS_C1 : TS_PRINT;
    size_t k = utf8_decode(p, n, cp);
    if (k == 0) {
        *cp = p[0];
        return TS_INVALID;
    }
    *len = k;
    return term_classify_cp(*cp);
}

int term_append_escape(strbuf *sb, ts_kind k, uint32_t cp)
{
    char buf[16];
    int n;
    if (k == TS_CONTROL && cp == '\r')
        n = snprintf(buf, sizeof buf, "\\r");
    else if (k == TS_CONTROL || k == TS_INVALID)
        n = snprintf(buf, sizeof buf, "\\x%02X", (unsigned)(cp & 0xFF));
    else if (k == TS_C1)
        n = snprintf(buf, sizeof buf, "\\u%04X", (unsigned)cp);
    else if (k == TS_BIDI)
        n = snprintf(buf, sizeof buf, "<U+%04X>", (unsigned)cp);
    else
        return 0;
    sb_append_n(sb, buf, (size_t)n);
    return n;
}

/* One character of class k at s: kept, flattened or escaped per flags. */
static void append_one(strbuf *sb, const char *s, size_t len, ts_kind k, uint32_t cp,
                       unsigned flags)
{
    if (k == TS_PRINT) {
        sb_append_n(sb, s, len);
        return;
    }
    if (k == TS_CONTROL) {
        if ((flags & TS_FLAT) && (cp == '\n' || cp == '\r' || cp == '\t')) {
            sb_append_c(sb, ' ');
            return;
        }
        if ((cp == '\n' && (flags & TS_KEEP_NL)) || (cp == '\t' && (flags & TS_KEEP_TAB))) {
            sb_append_c(sb, (char)cp);
            return;
        }
    }
    /* a raw C1 byte of an 8-bit text shows as the byte, not as a code point */
    if (k == TS_C1 && (flags & TS_8BIT)) {
        sb_printf(sb, "\\x%02X", (unsigned)cp);
        return;
    }
    term_append_escape(sb, k, cp);
}

void sb_append_term_safe(strbuf *sb, const char *s, size_t len, unsigned flags)
{
    size_t i = 0;
    while (i < len) {
        /* runs of printable ASCII in one copy */
        size_t j = i;
        while (j < len && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7F)
            j++;
        if (j > i) {
            sb_append_n(sb, s + i, j - i);
            i = j;
            continue;
        }
        size_t n;
        uint32_t cp;
        ts_kind k = term_classify(s + i, len - i, flags, &n, &cp);
        append_one(sb, s + i, n, k, cp, flags);
        i += n;
    }
}

char *term_escape(const char *s, unsigned flags)
{
    strbuf sb;
    sb_init(&sb);
    if (s)
        sb_append_term_safe(&sb, s, strlen(s), flags);
    return sb_steal(&sb);
}

bool term_is_safe(const char *s, size_t len, unsigned flags)
{
    size_t i = 0;
    while (i < len) {
        size_t n;
        uint32_t cp;
        ts_kind k = term_classify(s + i, len - i, flags, &n, &cp);
        if (k != TS_PRINT && !(k == TS_CONTROL && ((cp == '\n' && (flags & TS_KEEP_NL)) ||
                                                   (cp == '\t' && (flags & TS_KEEP_TAB)))))
            return false;
        i += n;
    }
    return true;
}
