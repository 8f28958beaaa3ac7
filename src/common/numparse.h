/* numparse.h — whole-string number parsing for options and : commands. */
#ifndef PGDECK_NUMPARSE_H
#define PGDECK_NUMPARSE_H

#include <stdbool.h>

/* A decimal integer in [lo, hi], the whole string and nothing else; false
 * (and *out untouched) for an empty string, trailing text, overflow or a
 * value out of range. */
bool parse_long_in(const char *s, long lo, long hi, long *out);

#endif
