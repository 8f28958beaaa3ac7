/* osc52.h — copy text to the terminal's clipboard with the OSC 52 escape
 * sequence (works over ssh and inside tmux with set-clipboard on). */
#ifndef PGDECK_OSC52_H
#define PGDECK_OSC52_H

#include <stdbool.h>
#include <stddef.h>

/* Standard base64 of data[0..len), malloc'd and NUL-terminated. */
char *osc52_base64(const char *data, size_t len);
/* Writes ESC ] 52 ; c ; BASE64 BEL to /dev/tty, the text with control and
 * bidi characters escaped (termsafe.h), never raw. False when the terminal
 * cannot be opened or written. */
bool osc52_copy(const char *text);

#endif
