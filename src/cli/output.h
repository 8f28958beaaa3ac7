/* output.h — prints engine results the way `pgdeck run` shows them:
 *   table  psql's aligned format: centered header, a separator line, numbers
 *          right-aligned, multi-line values with '+' marks, control bytes
 *          escaped (\r, \xNN), tabs expanded, "(N rows)" footer; statements
 *          without rows print their command tag ("INSERT 0 1").
 *   csv    RFC 4180 with a header line and LF line ends: fields holding ',',
 *          '"', CR or LF are quoted; NULL is an empty field and the empty
 *          string is "" (as COPY ... CSV does). Command tags are not printed.
 *   json   one array of objects per result set, one object per line; numbers
 *          and booleans typed, NULL as null, json/jsonb embedded as JSON,
 *          numeric NaN/Infinity as strings. Command tags are not printed.
 * Nothing here includes libpq-fe.h: results are read through engine.h. */
#ifndef PGDECK_OUTPUT_H
#define PGDECK_OUTPUT_H

#include "common/strbuf.h"
#include "engine/engine.h"

#include <stdbool.h>
#include <stdio.h>

typedef enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON } out_format;

/* "table", "csv", "json" (also "aligned" for table). */
bool output_parse_format(const char *name, out_format *fmt);

/* Prints one result (rows, a command completion or an empty query). */
void output_result(FILE *out, out_format fmt, const eng_result *r);

/* Terminal display width of a UTF-8 string as output_result's table format
 * would draw it on one line (control bytes escaped, tabs expanded). */
int output_display_width(const char *s, size_t len);

/* Makes wide-character widths work: called once at start-up (LC_CTYPE from
 * the environment, C.UTF-8 when that is not a UTF-8 locale). */
void output_init_locale(void);

#endif
