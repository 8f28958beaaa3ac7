/* json.h — writing JSON strings and numbers. */
#ifndef PGDECK_JSON_H
#define PGDECK_JSON_H

#include "common/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends s[0..len) as a quoted JSON string: control characters escaped,
 * invalid UTF-8 bytes as \ufffd, so the output is always valid JSON. */
void json_append_string(strbuf *sb, const char *s, size_t len);
/* A numeric text is a JSON number unless it is NaN or +-Infinity. */
bool json_number_ok(const char *v);

#endif
