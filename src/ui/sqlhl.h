/* sqlhl.h — SQL syntax highlighting for the editor: each byte of the text
 * gets a class (keyword, string — '...', E'...', "ident" excluded —, dollar-
 * quoted body, comment, number). Built on common/sqllex.h, the same scanner
 * the statement splitter uses, so highlighting and splitting agree on where
 * quotes and comments end. No curses here: the pane maps classes to
 * TH_SQL_* theme elements. */
#ifndef PGDECK_SQLHL_H
#define PGDECK_SQLHL_H

#include <stdbool.h>
#include <stddef.h>

typedef enum sqlhl_class {
    HL_PLAIN = 0,
    HL_KEYWORD,
    HL_STRING, /* also dollar-quoted bodies */
    HL_COMMENT,
    HL_NUMBER,
} sqlhl_class;

/* Fills cls[0..len) with one class per byte of text[0..len). */
void sqlhl_classify(const char *text, size_t len, unsigned char *cls);

/* True when word[0..n) is an SQL keyword (case-insensitive). */
bool sqlhl_is_keyword(const char *word, size_t n);

/* The keywords, upper case, sorted, NULL-terminated (completion uses them). */
extern const char *const sqlhl_keywords[];

#endif
