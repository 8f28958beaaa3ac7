/* sqlsplit.c — fuzz target for the SQL splitter: any bytes, and the
 * statements it returns must be in order, inside the text, numbered with
 * the right lines, and each must split back into exactly itself. */
#include "common/sqlsplit.h"
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    sql_stmt *st = NULL;
    bool unterminated = false;
    size_t n = sql_split(text, size, &st, &unterminated);
    FUZZ_CHECK((n == 0) == (st == NULL));
    size_t prev_end = 0;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(st[i].start < st[i].end);
        FUZZ_CHECK(st[i].end <= size);
        FUZZ_CHECK(st[i].start >= prev_end);
        FUZZ_CHECK(st[i].line == sql_line_of(text, st[i].start));
        FUZZ_CHECK(sql_stmt_at(st, n, st[i].start) == (int)i);
        FUZZ_CHECK(sql_stmt_at(st, n, st[i].end - 1) == (int)i);
        prev_end = st[i].end;
        /* A complete statement, split alone, is one statement: itself. */
        if (!unterminated || i + 1 < n) {
            sql_stmt *one = NULL;
            bool u1 = true;
            size_t n1 = sql_split(text + st[i].start, st[i].end - st[i].start, &one, &u1);
            FUZZ_CHECK(n1 == 1);
            FUZZ_CHECK(!u1);
            FUZZ_CHECK(one[0].start == 0 && one[0].end == st[i].end - st[i].start);
            free(one);
        }
        (void)sql_starts_with(text + st[i].start, st[i].end - st[i].start, "copy");
    }
    if (n > 0)
        FUZZ_CHECK(sql_stmt_at(st, n, size) == (int)n - 1);
    FUZZ_CHECK(sql_param_count(text, size) >= 0);
    free(st);
    return 0;
}
