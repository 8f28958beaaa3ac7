/* tap.h — a minimal TAP producer for C tests (automake's tap-driver reads it).
 *
 *   plan_no_plan();  ok(cond, "name %d", i);  is_int(got, want, "name");
 *   is_str(got, want, "name");  diag("fmt", ...);  return done_testing();
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

#define is_str(got, want, ...)                                                                     \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        int eq_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0);                 \
        if (!ok(eq_, __VA_ARGS__))                                                                 \
            diag("  got \"%s\", want \"%s\" (%s:%d)", g_ ? g_ : "(null)", w_ ? w_ : "(null)",    \
                 __FILE__, __LINE__);                                                              \
    } while (0)

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
