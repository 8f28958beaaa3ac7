/* sqltool.c — a helper for the oracle tests (psql, pg_stat_statements):
 *   sqltool split FILE     each statement sql_split finds, one per line,
 *                          blanks removed (the form the tests compare)
 *   sqltool fingerprint    the statement on stdin: "HASH<TAB>NORMALIZED" */
#include "common/fingerprint.h"
#include "common/sqlsplit.h"
#include "common/strbuf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(FILE *f, size_t *len)
{
    strbuf sb;
    sb_init(&sb);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_append_n(&sb, buf, n);
    *len = sb.len;
    return sb_steal(&sb);
}

static void print_without_blanks(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\r\n\f\v", s[i]) || s[i] == '\0')
            putchar(s[i]);
    putchar('\n');
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "split") == 0) {
        FILE *f = fopen(argv[2], "rb");
        if (!f) {
            perror(argv[2]);
            return 2;
        }
        size_t len;
        char *text = slurp(f, &len);
        fclose(f);
        sql_stmt *st;
        size_t n = sql_split(text, len, &st, NULL);
        for (size_t i = 0; i < n; i++)
            print_without_blanks(text + st[i].start, st[i].end - st[i].start);
        free(st);
        free(text);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "fingerprint") == 0) {
        size_t len;
        char *text = slurp(stdin, &len);
        strbuf out;
        sb_init(&out);
        uint64_t h = sql_fingerprint(text, &out);
        printf("%016llx\t%s\n", (unsigned long long)h, out.data);
        sb_free(&out);
        free(text);
        return 0;
    }
    fprintf(stderr, "usage: sqltool split FILE | sqltool fingerprint < SQL\n");
    return 2;
}
