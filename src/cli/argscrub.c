/* argscrub.c — see argscrub.h. */
#include "config.h"

#include "cli/argscrub.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Overwrites s[0..n) with 'x'; true when n > 0. */
static bool blank(char *s, size_t n)
{
    memset(s, 'x', n);
    return n > 0;
}

/* postgres://user:SECRET@host...: the userinfo's password, each URI in arg. */
static bool scrub_uri_userinfo(char *arg)
{
    bool any = false;
    for (char *p = strstr(arg, "://"); p; p = strstr(p + 3, "://")) {
        char *auth = p + 3;
        size_t n = strcspn(auth, "/?# \t\n");
        char *at = NULL;
        for (size_t i = 0; i < n; i++)
            if (auth[i] == '@')
                at = auth + i; /* the last '@' ends the userinfo */
        if (!at)
            continue;
        char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (colon)
            any |= blank(colon + 1, (size_t)(at - colon - 1));
    }
    return any;
}

/* password=SECRET as a conninfo keyword (value bare or single-quoted with
 * backslash escapes) or a URI query parameter (value up to & or #). */
static bool scrub_keyword(char *arg)
{
    bool any = false;
    for (char *p = arg; (p = strcasestr(p, "password")) != NULL; p += 8) {
        char before = p == arg ? ' ' : p[-1];
        bool in_query = before == '?' || before == '&';
        if (!(in_query || isspace((unsigned char)before) || before == '='))
            continue;
        char *v = p + 8;
        while (!in_query && isspace((unsigned char)*v))
            v++;
        if (*v != '=')
            continue;
        v++;
        while (!in_query && isspace((unsigned char)*v))
            v++;
        if (in_query) {
            any |= blank(v, strcspn(v, "&#"));
        } else if (*v == '\'') {
            char *q = v + 1;
            while (*q && *q != '\'') {
                if (*q == '\\' && q[1])
                    q++;
                q++;
            }
            any |= blank(v + 1, (size_t)(q - v - 1));
        } else {
            char *q = v;
            while (*q && !isspace((unsigned char)*q)) {
                if (*q == '\\' && q[1])
                    q++;
                q++;
            }
            any |= blank(v, (size_t)(q - v));
        }
    }
    return any;
}

bool argscrub_arg(char *arg)
{
    if (!arg)
        return false;
    bool a = scrub_uri_userinfo(arg);
    bool b = scrub_keyword(arg);
    return a || b;
}

void argscrub_argv(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        argscrub_arg(argv[i]);
}
