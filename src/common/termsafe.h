/* termsafe.h — THE escaping of text that goes to a terminal.
 *
 * Every output path of pgdeck that can carry text it did not write (query
 * texts, values, server errors and notices, role and database names, file
 * bytes quoted in errors, config and theme echoes, the clipboard) goes
 * through this one classification, so that no byte from a server or a file
 * can drive the terminal (OSC 52 clipboard, OSC 0 title, CSI screen control)
 * or disguise text (bidi overrides). What is escaped, and how:
 *
 *   C0 controls and DEL        \x1B  (psql's form; CR as \r)
 *   C1 controls U+0080–U+009F  \u009B in UTF-8; the raw byte 0x9B as \x9B
 *                              when the text is not UTF-8 (TS_8BIT)
 *   invalid UTF-8 bytes        \xFF, one per byte
 *   bidi controls              <U+202E>: U+202A–U+202E, U+2066–U+2069,
 *                              U+200E, U+200F, U+061C
 *
 * Newline and tab are escaped too unless the caller's flags keep them. */
#ifndef PGDECK_TERMSAFE_H
#define PGDECK_TERMSAFE_H

#include "common/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TS_KEEP_NL = 1,  /* '\n' passes as is */
    TS_KEEP_TAB = 2, /* '\t' passes as is */
    TS_FLAT = 4,     /* '\n', '\r' and '\t' become one space (one-line output) */
    TS_8BIT = 8,     /* not UTF-8 (an 8-bit locale): bytes >= 0xA0 pass, 0x80–0x9F are C1 */
};

typedef enum ts_kind {
    TS_PRINT,   /* safe to write as is */
    TS_CONTROL, /* C0 or DEL */
    TS_C1,      /* U+0080–U+009F */
    TS_BIDI,    /* a bidirectional formatting character */
    TS_INVALID, /* a byte that is not part of valid UTF-8 */
} ts_kind;

/* True for the bidi controls listed above. */
bool term_is_bidi(uint32_t cp);
/* The class of a code point (already decoded): TS_PRINT, TS_CONTROL, TS_C1
 * or TS_BIDI. Newline and tab count as TS_CONTROL. */
ts_kind term_classify_cp(uint32_t cp);
/* Classifies the character at s (n > 0 bytes available): *len gets its
 * length in bytes (1 for an invalid byte), *cp its code point (the byte for
 * TS_INVALID). */
ts_kind term_classify(const char *s, size_t n, unsigned flags, size_t *len, uint32_t *cp);
/* Appends the visible form of one character of class k (not TS_PRINT) and
 * returns its width in columns (all escapes are ASCII). */
int term_append_escape(strbuf *sb, ts_kind k, uint32_t cp);
/* Appends s[0..len) with every unsafe character escaped. */
void sb_append_term_safe(strbuf *sb, const char *s, size_t len, unsigned flags);
/* The same as a new string (malloc'd); NULL gives "". */
char *term_escape(const char *s, unsigned flags);
/* Whether s[0..len) needs no escaping at all (a fast path for callers). */
bool term_is_safe(const char *s, size_t len, unsigned flags);

#endif
