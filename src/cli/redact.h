/* redact.h — keeps secrets (passwords given on the command line or typed at
 * the -W prompt) out of every message pgdeck prints. libpq's own messages may
 * quote a whole conninfo string or URI (e.g. a malformed URI), so the CLI
 * passes every error text through redact() before printing it. */
#ifndef PGDECK_REDACT_H
#define PGDECK_REDACT_H

/* Remembers a secret (copied); empty strings are ignored. */
void redact_add(const char *secret);
/* Finds passwords inside a conninfo string ("password=...") or a URI
 * ("postgres://user:SECRET@host") and remembers them. */
void redact_add_from_conninfo(const char *conninfo);
/* A malloc'd copy of msg with every remembered secret replaced by "****". */
char *redact(const char *msg);
/* Wipes and forgets every secret. */
void redact_clear(void);

#endif
