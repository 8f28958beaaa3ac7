/* replay.c — runs a fuzz target over its committed corpus (and any files
 * named on the command line) as an ordinary TAP test, so CI exercises the
 * targets without clang. FUZZ_CORPUS names the directory under tests/fuzz. */
#include "tests/fuzz/fuzz.h"
#include "tests/lib/tap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            uint8_t *nbuf = realloc(buf, cap);
            if (!nbuf) {
                free(buf);
                buf = NULL;
            }
            buf = nbuf;
        }
    }
    fclose(f);
    if (!buf)
        return 0;
    /* An exact-size copy, so ASan sees any read past the input's end. */
    uint8_t *exact = malloc(len ? len : 1);
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 1;
}

int main(int argc, char **argv)
{
    plan_no_plan();
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            ok(replay_file(argv[i]), "%s", argv[i]);
        return done_testing();
    }
    const char *top = getenv("top_srcdir");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/%s", top ? top : PGDECK_SRCDIR, FUZZ_CORPUS);
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    ok(n > 2, "corpus %s is readable and not empty", dir);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            ok(replay_file(path), "%s/%s", FUZZ_CORPUS, names[i]->d_name);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    return done_testing();
}
