/* osc52.c — clipboard through the terminal (OSC 52). */
#include "ui/osc52.h"

#include "common/termsafe.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *osc52_base64(const char *data, size_t len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = (const unsigned char *)data;
    char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        *o++ = tbl[s[i] >> 2];
        *o++ = tbl[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        *o++ = tbl[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
        *o++ = tbl[s[i + 2] & 63];
    }
    if (i < len) {
        *o++ = tbl[s[i] >> 2];
        if (i + 1 < len) {
            *o++ = tbl[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
            *o++ = tbl[(s[i + 1] & 15) << 2];
        } else {
            *o++ = tbl[(s[i] & 3) << 4];
            *o++ = '=';
        }
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

bool osc52_copy(const char *text)
{
    /* curses owns stdout's buffer: the sequence goes to the tty directly, and
     * is invisible (terminals that do not know it ignore it). */
    int fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return false;
    /* Never raw: the copied text is pasted into a shell or an editor later,
     * so control and bidi characters travel escaped (termsafe.h); newlines
     * and tabs of a multi-line statement stay. */
    char *safe = term_escape(text, TS_KEEP_NL | TS_KEEP_TAB);
    char *b64 = osc52_base64(safe, strlen(safe));
    free(safe);
    char *seq = xasprintf("\033]52;c;%s\a", b64);
    size_t len = strlen(seq), off = 0;
    bool ok = true;
    while (off < len) {
        ssize_t w = write(fd, seq + off, len - off);
        if (w <= 0) {
            ok = false;
            break;
        }
        off += (size_t)w;
    }
    free(seq);
    free(b64);
    close(fd);
    return ok;
}
