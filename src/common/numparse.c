/* numparse.c — whole-string number parsing (numparse.h). */
#include "common/numparse.h"

#include <errno.h>
#include <stdlib.h>

bool parse_long_in(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}
