/* bindecode.h — binary result values (resultFormat 1) rendered exactly as
 * the server's text output functions print them, for the types listed in
 * bindecode_oid_ok. No libpq: the engine passes the session's settings. */
#ifndef PGDECK_BINDECODE_H
#define PGDECK_BINDECODE_H

#include "common/strbuf.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct bindecode_ctx {
    bool float_shortest; /* extra_float_digits > 0 (PG12+ shortest round-trip) */
    bool dates_iso;      /* DateStyle starts with ISO */
    bool zone_utc;       /* TimeZone prints as +00 (UTC, GMT, Etc/UTC, ...) */
} bindecode_ctx;

/* Fills ctx from the session's reported DateStyle and TimeZone. */
void bindecode_ctx_init(bindecode_ctx *ctx, const char *datestyle, const char *timezone);

/* True when a column of this type can be decoded under ctx. */
bool bindecode_oid_ok(uint32_t oid, const bindecode_ctx *ctx);

/* Appends the text form of one non-NULL value; false on a malformed value. */
bool bindecode_value(uint32_t oid, const char *data, int len, const bindecode_ctx *ctx,
                     strbuf *out);

#endif
