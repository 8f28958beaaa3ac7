/* csvsniff.c — fuzz target for the sniffer, type inference and column
 * naming: any bytes. The guess must be one of the candidates, and the names
 * made from the first record must be unique, non-empty, valid UTF-8 and at
 * most 63 bytes. */
#include "import/csv.h"
#include "common/xalloc.h"
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    csv_sniff s;
    csv_sniff_sample(buf, size, size % 2 == 0, &s);
    FUZZ_CHECK(strchr(",;\t|", s.d.delim) != NULL);
    FUZZ_CHECK(s.d.quote == '"' || s.d.quote == '\'');
    FUZZ_CHECK(s.empty == (size == 0 || (size == 3 && s.d.bom)));
    FUZZ_CHECK(s.utf8_ok == (s.d.encoding == CSV_ENC_UTF8));
    FUZZ_CHECK(!s.delim_alt || (strchr(",;\t|", s.delim_alt) && s.delim_alt != s.d.delim));
    FUZZ_CHECK(s.d.delim != s.d.quote);

    size_t off = s.d.bom ? 3 : 0;
    csv_scanner sc;
    csv_rec r;
    csv_scanner_init(&sc, &s.d, off, 1);
    if (off <= size && csv_scan(&sc, buf + off, size - off, true, &r) == CSV_RECORD) {
        csv_row row;
        csv_split(&s.d, buf + off, r.body_len, NULL, &row);
        char **names = csv_column_names(&s.d, &row, row.n);
        for (int i = 0; i < row.n; i++) {
            size_t n = strlen(names[i]);
            FUZZ_CHECK(n > 0 && n <= CSV_NAMEDATALEN);
            FUZZ_CHECK(csv_utf8_check(names[i], n) == (size_t)-1);
            for (int k = 0; k < i; k++)
                FUZZ_CHECK(strcmp(names[i], names[k]) != 0);
        }
        csv_infer inf;
        csv_infer_init(&inf);
        for (int i = 0; i < row.n; i++)
            csv_infer_add(&inf, &row.f[i]);
        csv_type t = csv_infer_result(&inf);
        FUZZ_CHECK(t < CSV_T_COUNT);
        csv_names_free(names, row.n);
        csv_row_free(&row);
    }
    (void)csv_json_valid(buf, size);
    char *u = csv_to_utf8((csv_encoding)(size % 3), buf, size);
    FUZZ_CHECK(csv_utf8_check(u, strlen(u)) == (size_t)-1);
    free(u);
    char *path = xstrndup(buf, size); /* a C string: stops at the first NUL */
    char *t = csv_table_name_from_path(path);
    free(path);
    FUZZ_CHECK(strlen(t) > 0 && strlen(t) <= CSV_NAMEDATALEN);
    free(t);
    return 0;
}
