/* jsonparse.h — a small, strict JSON reader for server output (EXPLAIN
 * (FORMAT JSON)). Hostile-input safe: depth- and size-limited, rejects
 * anything RFC 8259 does not allow (trailing commas, comments, bare words,
 * unescaped control characters, invalid UTF-8, lone surrogates), never reads
 * past the given length. Strings are decoded to NUL-terminated UTF-8; a
 * string holding \u0000 is refused (C strings cannot carry it). */
#ifndef PGDECK_JSONPARSE_H
#define PGDECK_JSONPARSE_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 256 /* nesting of arrays/objects */

typedef enum json_kind {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} json_kind;

typedef struct json_value json_value;
struct json_value {
    json_kind kind;
    bool boolean;
    double number;
    char *string;      /* JSON_STRING: decoded text */
    size_t n;          /* JSON_ARRAY / JSON_OBJECT: element count */
    json_value *items; /* elements (array) or member values (object) */
    char **keys;       /* JSON_OBJECT: member names, parallel to items */
};

/* Parses text[0..len) as one JSON value (surrounding white space allowed).
 * NULL with *err (malloc'd, names the byte offset) on any error. */
json_value *json_parse(const char *text, size_t len, char **err);
void json_free(json_value *v);

/* The first member named key of an object; NULL if v is not an object or
 * has no such member. */
const json_value *json_get(const json_value *v, const char *key);
/* Typed look-ups: NULL / def when the member is missing or of another kind. */
const char *json_get_string(const json_value *v, const char *key);
double json_get_number(const json_value *v, const char *key, double def);

#endif
