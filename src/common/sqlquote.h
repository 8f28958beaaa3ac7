/* sqlquote.h — identifiers and literals quoted as libpq's PQescapeIdentifier
 * and PQescapeLiteral do, for the layers that may not include libpq-fe.h
 * (names and values reach SQL text only through these). */
#ifndef PGDECK_SQLQUOTE_H
#define PGDECK_SQLQUOTE_H

#include "common/strbuf.h"

/* s between two `quote` characters, each one inside doubled. */
void sql_append_quoted(strbuf *sb, const char *s, char quote);
/* "name" with '"' doubled, always quoted (PQescapeIdentifier). malloc'd. */
char *sql_quote_ident(const char *name);
/* 'value' with quotes doubled, and E'…' with backslashes doubled when it
 * holds one, so it reads the same whatever standard_conforming_strings says
 * (PQescapeLiteral). malloc'd. */
char *sql_quote_literal(const char *value);

#endif
