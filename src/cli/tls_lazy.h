/* tls_lazy.h — long-lived commands re-exec themselves once so that gnutls
 * is not initialised at load time (see tls_lazy.c). */
#ifndef PGDECK_CLI_TLS_LAZY_H
#define PGDECK_CLI_TLS_LAZY_H

/* The environment variable that marks the re-executed image. */
#define TLS_LAZY_MARK "PGDECK_GNUTLS_LAZY"

/* Call first in main, before any thread starts: returns only in the image
 * that runs (the re-executed one, or this one when exec is not possible),
 * with the environment as the user gave it. */
void tls_lazy_reexec(char **argv);

#endif
