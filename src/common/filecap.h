/* filecap.h — reading a whole file with a size cap, refusing what is not a
 * regular file. For settings, themes and scripts: /dev/zero, /dev/urandom,
 * a FIFO or a directory must give a clear error at once, never a loop, a
 * hang (opening a FIFO nobody writes to) or memory growing without end. */
#ifndef PGDECK_FILECAP_H
#define PGDECK_FILECAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Settings and theme files: 1 MB at most, lines of at most a few KB. */
#define FILECAP_SETTINGS_MAX ((size_t)1 << 20)

/* Opens path read-only (O_NONBLOCK while opening, so a FIFO cannot block)
 * and checks that it is a regular file. Returns the fd, or -1 with *err
 * (malloc'd, "PATH: cannot open: ...") and errno: open()'s (ENOENT...),
 * EISDIR for a directory, EINVAL for a device, FIFO or socket. */
int filecap_open_regular(const char *path, char **err);
/* Reads f to its end, at most max bytes: more is an error naming `name` and
 * the cap. Returns the bytes (NUL-terminated, malloc'd) and *len, or NULL
 * with *err. */
char *filecap_read_stream(FILE *f, const char *name, size_t max, size_t *len, char **err);
/* filecap_open_regular + filecap_read_stream. */
char *filecap_read_file(const char *path, size_t max, size_t *len, char **err);
/* "1 MB", "1 GB", "512 bytes"...: a size for messages. */
void filecap_format_size(size_t n, char *buf, size_t cap);
/* Parses a size: digits with an optional k/K, M or G suffix (1024-based,
 * optional trailing B). false when malformed or 0. */
bool filecap_parse_size(const char *s, size_t *out);

#endif
