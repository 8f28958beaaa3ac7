/* mkdirs.c — mkdir -p for a file's parents (mkdirs.h). */
#include "common/mkdirs.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <sys/stat.h>

void mkdir_parents(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0700);
            *s = '/';
        }
    free(p);
}
