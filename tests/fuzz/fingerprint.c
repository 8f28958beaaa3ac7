/* fingerprint.c — fuzz target for normalization: any text, and normalizing
 * the normalized text changes nothing — neither the text nor the hash (the
 * property that lets a pg_stat_statements row match its raw statements). */
#include "common/fingerprint.h"
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>
#include <string.h>

static bool has_glued_placeholder(const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool word_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
        if (word_char && p[1] == '$' && p[2] >= '0' && p[2] <= '9')
            return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *sql = malloc(size + 1);
    memcpy(sql, data, size);
    sql[size] = '\0';

    strbuf once, twice;
    sb_init(&once);
    sb_init(&twice);
    uint64_t h_raw = sql_fingerprint(sql, &once);
    FUZZ_CHECK(sql_fingerprint(sql, NULL) == h_raw);
    FUZZ_CHECK(once.len <= 8 * size + 16);
    uint64_t h_norm = sql_fingerprint(once.data, &twice);
    FUZZ_CHECK(h_norm == h_raw);
    /* The text is stable too, unless a word got glued to a $n the way
     * pg_stat_statements prints it ("n$1"): that word may have been a
     * keyword that steered the first pass (ORDER BY 1 stays "1"). */
    FUZZ_CHECK(strcmp(once.data, twice.data) == 0 || has_glued_placeholder(once.data));
    FUZZ_CHECK(sql_fingerprint(twice.data, NULL) == h_raw);

    sb_free(&once);
    sb_free(&twice);
    free(sql);
    return 0;
}
