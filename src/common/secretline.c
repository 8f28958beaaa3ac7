/* secretline.c — see secretline.h. */
#define _GNU_SOURCE 1 /* strcasestr */
#include "common/secretline.h"

#include <ctype.h>
#include <string.h>

bool secret_uri_credentials(const char *s)
{
    for (const char *p = strstr(s, "://"); p; p = strstr(p + 1, "://")) {
        /* a scheme before it: letters, digits, + - . (RFC 3986) */
        if (p == s || !isalnum((unsigned char)p[-1]))
            continue;
        const char *auth = p + 3;
        /* the userinfo ends at the last '@' before the path, query or a space */
        size_t n = strcspn(auth, "/?# \t\r\n'\"");
        const char *at = NULL;
        for (size_t i = 0; i < n; i++)
            if (auth[i] == '@')
                at = auth + i;
        if (at && memchr(auth, ':', (size_t)(at - auth)))
            return true;
    }
    return false;
}

bool secret_line(const char *line)
{
    if (!line)
        return false;
    /* "password" and "passwd" in any case cover PASSWORD '...' with any
     * spacing, \password, ALTER/CREATE ROLE|USER ... PASSWORD, password=... */
    if (strcasestr(line, "password") || strcasestr(line, "passwd"))
        return true;
    return secret_uri_credentials(line);
}
