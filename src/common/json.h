/* json.h — writing JSON strings and numbers. */
#ifndef PGDECK_JSON_H
#define PGDECK_JSON_H

#include "common/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends s[0..len) as a quoted JSON string: control characters escaped,
 * invalid UTF-8 bytes as \ufffd, so the output is always valid JSON; DEL,
 * C1 (U+0080–U+009F) and bidi controls as \u00XX / \u202e (termsafe.h). */
void json_append_string(strbuf *sb, const char *s, size_t len);
/* A C string as a JSON string, or null for NULL. */
void json_append_cstr(strbuf *sb, const char *s);
/* A figure: null for NaN and infinities, integers with every digit, large
 * values (epoch seconds) with three decimals, the rest with six digits. */
void json_append_number(strbuf *sb, double v);
/* A numeric text is a JSON number unless it is NaN or +-Infinity. */
bool json_number_ok(const char *v);

#endif
