/* utf8.h — strict UTF-8 decoding shared by the CLI's output and the JSON writer. */
#ifndef PGDECK_UTF8_H
#define PGDECK_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one UTF-8 sequence at s (n bytes available). Returns its length
 * and the code point in *cp, or 0 when the bytes are not valid UTF-8. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif
