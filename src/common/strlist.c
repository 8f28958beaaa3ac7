/* strlist.c — the newest-max string list (strlist.h). */
#include "common/strlist.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

void strlist_push_capped(char ***items, int *n, int *cap, int max, const char *s)
{
    if (max > 0 && *n >= max) {
        free((*items)[0]);
        memmove(*items, *items + 1, (size_t)(*n - 1) * sizeof **items);
        (*n)--;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *items = xrealloc(*items, (size_t)*cap * sizeof **items);
    }
    (*items)[(*n)++] = xstrdup(s);
}
