/* filecap.c — see filecap.h. */
#include "common/filecap.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int filecap_open_regular(const char *path, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        *err = xasprintf("%s: cannot open: %s", path, strerror(e));
        if (fd >= 0)
            close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        *err = e == EISDIR ? xasprintf("%s: cannot open: %s", path, strerror(e))
                           : xasprintf("%s: cannot open: not a regular file (a device, pipe "
                                       "or socket): refused",
                                       path);
        close(fd);
        errno = e;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

void filecap_format_size(size_t n, char *buf, size_t cap)
{
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (u < 4 && n >= 1024 && n % 1024 == 0) {
        n /= 1024;
        u++;
    }
    snprintf(buf, cap, "%zu %s", n, units[u]);
}

char *filecap_read_stream(FILE *f, const char *name, size_t max, size_t *len, char **err)
{
    strbuf sb;
    sb_init(&sb);
    char buf[65536];
    for (;;) {
        size_t want = sizeof buf;
        if (sb.len + want > max + 1)
            want = max + 1 - sb.len; /* one byte past the cap tells "too large" */
        size_t n = fread(buf, 1, want, f);
        sb_append_n(&sb, buf, n);
        if (sb.len > max) {
            char sz[32];
            filecap_format_size(max, sz, sizeof sz);
            *err = xasprintf("%s: larger than %s: refused", name, sz);
            sb_free(&sb);
            return NULL;
        }
        if (n < want)
            break;
    }
    if (ferror(f)) {
        *err = xasprintf("%s: read error: %s", name, strerror(errno ? errno : EIO));
        sb_free(&sb);
        return NULL;
    }
    *len = sb.len;
    return sb_steal(&sb);
}

char *filecap_read_file(const char *path, size_t max, size_t *len, char **err)
{
    int fd = filecap_open_regular(path, err);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        *err = xasprintf("%s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    char *data = filecap_read_stream(f, path, max, len, err);
    int e = errno;
    fclose(f);
    errno = e;
    return data;
}

bool filecap_parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    if (!s || *s < '0' || *s > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift)
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v == 0 || v > (SIZE_MAX >> shift))
        return false;
    *out = (size_t)(v << shift);
    return true;
}
