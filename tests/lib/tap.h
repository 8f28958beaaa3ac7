/* tap.h — a minimal TAP producer for C tests (automake's tap-driver reads it).
 *
 *   plan_no_plan();  ok(cond, "name %d", i);  is_int(got, want, "name");
 *   is_str(got, want, "name");  diag("fmt", ...);  return done_testing();
 *   skip("why", "name");  (a case this server cannot run, e.g. an older PostgreSQL)
 */
#ifndef PGDECK_TAP_H
#define PGDECK_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void plan_no_plan(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
}

__attribute__((format(printf, 1, 2))) static inline void diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_n++;
    printf("%sok %d - ", cond ? "" : "not ", tap_n);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (!cond)
        tap_failed++;
    return cond;
}

#define is_int(got, want, ...)                                                                     \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (!ok(g_ == w_, __VA_ARGS__))                                                            \
            diag("  got %lld, want %lld (%s:%d)", g_, w_, __FILE__, __LINE__);                     \
    } while (0)

/* A function, not a macro body, so the compiler never sees a NULL reach %s. */
__attribute__((format(printf, 5, 6))) static inline void
tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
    int eq = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
    char name[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    if (!ok(eq, "%s", name))
        diag("  got \"%s\", want \"%s\" (%s:%d)", got ? got : "(null)", want ? want : "(null)",
             file, line);
}

#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/* One case the server cannot run (a feature its version lacks): passes as
 * skipped, with the reason, so a missing feature is neither a failure nor a
 * silent pass. */
__attribute__((format(printf, 2, 3))) static inline void skip(const char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_n++;
    printf("ok %d - ", tap_n);
    vprintf(fmt, ap);
    printf(" # SKIP %s\n", why);
    va_end(ap);
}

/* Skips the rest of a test program (e.g. no PostgreSQL server binaries). */
#define skip_all(...)                                                                              \
    do {                                                                                           \
        printf("1..0 # SKIP ");                                                                    \
        printf(__VA_ARGS__);                                                                       \
        putchar('\n');                                                                             \
        exit(0);                                                                                   \
    } while (0)

static inline int done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
