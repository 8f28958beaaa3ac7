/* utf8.h — strict UTF-8 decoding shared by every layer (CLI output, JSON, terminal escaping, error
 * carets). */
#ifndef PGDECK_UTF8_H
#define PGDECK_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one UTF-8 sequence at s (n bytes available). Returns its length
 * and the code point in *cp, or 0 when the bytes are not valid UTF-8. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Writes code point cp (at most U+10FFFF) as UTF-8 into out; returns its
 * length (1-4). */
size_t utf8_encode(uint32_t cp, char out[4]);

/* Bytes of the character at s (NUL-terminated): its UTF-8 length, or 1 for
 * a byte that does not start a valid sequence, so a scan always advances. */
size_t utf8_char_len(const char *s);

/* Where the character holding byte i of s begins: i backed up over
 * continuation bytes (never below 0). */
size_t utf8_char_start(const char *s, size_t i);

#endif
