/* tls_lazy.c — the console and top re-exec themselves once with
 * GNUTLS_NO_IMPLICIT_INIT=1.
 *
 * libpq links libldap (LDAP service lookups), and Debian's libldap links
 * gnutls, whose load-time constructor initialises its crypto backends and
 * p11-kit: about 1 MB of resident memory in a console that never uses it.
 * The variable must be set before the libraries load, hence the exec.
 * Nothing is lost: OpenLDAP calls gnutls_global_init() itself before its
 * first TLS session (tls_g.c, tlsg_init), and libpq's own SSL and GSSAPI
 * use OpenSSL and krb5, which this does not touch. Short commands (run,
 * import, explain) skip it: an exec costs them more start-up than the
 * memory is worth. */
#include "cli/tls_lazy.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GNUTLS_VAR "GNUTLS_NO_IMPLICIT_INIT"

void tls_lazy_reexec(char **argv)
{
#if defined(__linux__)
    const char *mark = getenv(TLS_LAZY_MARK);
    if (mark) {
        /* the re-executed image: give children the user's environment */
        if (strcmp(mark, "set") == 0)
            unsetenv(GNUTLS_VAR);
        unsetenv(TLS_LAZY_MARK);
        return;
    }
    if (getenv(GNUTLS_VAR))
        return; /* the user's own choice, already in effect */
    if (setenv(TLS_LAZY_MARK, "set", 1) != 0)
        return;
    /* exec the path the link names, not the link: under valgrind readlink
     * gives the client's path, while the link itself is the tool's binary */
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0 && setenv(GNUTLS_VAR, "1", 1) == 0) {
        self[n] = '\0';
        execv(self, argv); /* fails for a binary replaced since: run on */
    }
    /* no exec (no /proc, say): run on as before, environment restored */
    unsetenv(GNUTLS_VAR);
    unsetenv(TLS_LAZY_MARK);
#else
    (void)argv;
#endif
}
