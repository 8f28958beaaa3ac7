/* password.h — reads a password without echo, the way psql's simple_prompt
 * does: from /dev/tty (so that stdin can carry a script), or from stdin and
 * stderr when there is no terminal. */
#ifndef PGDECK_PASSWORD_H
#define PGDECK_PASSWORD_H

#include <stddef.h>

/* Prints `prompt`, reads one line with echo off. Returns a malloc'd string
 * without the newline (possibly empty), or NULL at end of input. The caller
 * wipes it with password_free once it has been handed to libpq. */
char *password_prompt(const char *prompt);
/* Overwrites the string's bytes, then frees it. NULL is fine. */
void password_free(char *pw);

#endif
