/* fuzz.h — shared by the libFuzzer targets and their corpus replayers. A
 * target checks invariants with FUZZ_CHECK, which aborts (libFuzzer then
 * saves the input; the replayer's test fails). */
#ifndef PGDECK_FUZZ_H
#define PGDECK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
