/* fingerprint.h — statement normalization as pg_stat_statements shows it:
 * constants (numbers, '...', E'...', B'...', X'...', $$...$$ strings, and
 * TRUE/FALSE/NULL used as values, as PostgreSQL 15 does; not IS [NOT] NULL,
 * not ORDER BY 1) become $1, $2, ... in order of appearance (numbering
 * continues after the highest $n the text already uses); a sign joins its
 * number ("= -1" -> "= $1"); comments are dropped; runs of blanks become one
 * space; the ending ';' is dropped. Details in fingerprint.c. Two
 * statements that differ only in constants or layout share a fingerprint,
 * and the normalized text of a pg_stat_statements row fingerprints the same
 * as the raw statements it came from. */
#ifndef PGDECK_FINGERPRINT_H
#define PGDECK_FINGERPRINT_H

#include "common/strbuf.h"

#include <stdint.h>

/* Returns a 64-bit hash of the normalized text (case of keywords folded,
 * identifiers kept as written); appends the normalized text to `out` when it
 * is not NULL. */
uint64_t sql_fingerprint(const char *sql, strbuf *out);

#endif
