/* json.c — JSON text for values: one writer for the CLI, top and the grid's export. */
#include "common/json.h"

#include "common/termsafe.h"
#include "common/utf8.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

void json_append_string(strbuf *sb, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    sb_append_c(sb, '"');
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            size_t j = i;
            while (j < len && p[j] >= 0x20 && p[j] < 0x7f && p[j] != '"' && p[j] != '\\')
                j++;
            sb_append_n(sb, s + i, j - i);
            i = j;
            continue;
        }
        switch (c) {
        case '"':
            sb_append(sb, "\\\"");
            break;
        case '\\':
            sb_append(sb, "\\\\");
            break;
        case '\n':
            sb_append(sb, "\\n");
            break;
        case '\r':
            sb_append(sb, "\\r");
            break;
        case '\t':
            sb_append(sb, "\\t");
            break;
        case '\b':
            sb_append(sb, "\\b");
            break;
        case '\f':
            sb_append(sb, "\\f");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                sb_printf(sb, "\\u%04x", c);
            } else {
                uint32_t cp;
                size_t n = utf8_decode(p + i, len - i, &cp);
                if (n == 0) {
                    sb_append(sb, "\\ufffd");
                    i++;
                    continue;
                }
                /* C1 and bidi controls escaped, so that the JSON printed
                 * on a terminal cannot drive it or disguise text */
                if (term_classify_cp(cp) != TS_PRINT)
                    sb_printf(sb, "\\u%04x", (unsigned)cp);
                else
                    sb_append_n(sb, s + i, n);
                i += n;
                continue;
            }
        }
        i++;
    }
    sb_append_c(sb, '"');
}

/* A numeric text is a JSON number unless it is NaN or +-Infinity. */
bool json_number_ok(const char *v)
{
    if (*v == '-' || *v == '+')
        v++;
    return *v >= '0' && *v <= '9';
}

void json_append_cstr(strbuf *sb, const char *s)
{
    if (!s)
        sb_append(sb, "null");
    else
        json_append_string(sb, s, strlen(s));
}

void json_append_number(strbuf *sb, double v)
{
    if (isnan(v) || isinf(v))
        sb_append(sb, "null");
    else if (v == floor(v) && fabs(v) < 1e15)
        sb_printf(sb, "%.0f", v);
    else if (fabs(v) >= 1e6)
        sb_printf(sb, "%.3f", v); /* epoch seconds keep their precision */
    else
        sb_printf(sb, "%.6g", v);
}
