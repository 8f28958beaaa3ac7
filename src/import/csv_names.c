/* csv_names.c — column names from a header (or columnN), made unique after
 * truncation to PostgreSQL's 63 bytes, and a table name from a file name.
 * See csv.h ("names"). */
#include "import/csv.h"

#include "common/utf8.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_truncate_utf8(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return;
    n = max;
    n = utf8_char_start(s, n); /* s[n] would continue a character: cut before its lead byte */
    s[n] = '\0';
}

static bool name_taken(char **names, int upto, const char *name)
{
    for (int k = 0; k < upto; k++)
        if (strcmp(names[k], name) == 0)
            return true;
    return false;
}

void csv_names_dedupe(char **names, int n)
{
    for (int i = 1; i < n; i++) {
        if (!name_taken(names, i, names[i]))
            continue;
        for (int k = 2;; k++) {
            char suffix[16];
            snprintf(suffix, sizeof suffix, "_%d", k);
            char *base = xstrdup(names[i]);
            csv_truncate_utf8(base, CSV_NAMEDATALEN - strlen(suffix));
            char *cand = xasprintf("%s%s", base, suffix);
            free(base);
            if (!name_taken(names, i, cand) && !name_taken(names + i + 1, n - i - 1, cand)) {
                free(names[i]);
                names[i] = cand;
                break;
            }
            free(cand);
        }
    }
}

char **csv_column_names(const csv_dialect *d, const csv_row *header, int n)
{
    char **names = xcalloc((size_t)(n > 0 ? n : 1), sizeof *names);
    for (int i = 0; i < n; i++) {
        if (header && i < header->n && header->f[i].len > 0) {
            names[i] = csv_to_utf8(d->encoding, header->f[i].value, header->f[i].len);
            csv_truncate_utf8(names[i], CSV_NAMEDATALEN);
        }
        if (!names[i] || !names[i][0]) {
            free(names[i]);
            names[i] = xasprintf("column%d", i + 1);
        }
    }
    csv_names_dedupe(names, n);
    return names;
}

void csv_names_free(char **names, int n)
{
    if (!names)
        return;
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

char *csv_table_name_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        len = (size_t)(dot - base);
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)base[i];
        if (isalnum(c) && c < 0x80)
            sb_append_c(&sb, (char)tolower(c));
        else if (sb.len && sb.data[sb.len - 1] != '_')
            sb_append_c(&sb, '_');
    }
    while (sb.len && sb.data[sb.len - 1] == '_')
        sb.data[--sb.len] = '\0';
    if (sb.len && isdigit((unsigned char)sb.data[0])) {
        char *t = xasprintf("t_%s", sb.data);
        sb_reset(&sb);
        sb_append(&sb, t);
        free(t);
    }
    if (sb.len == 0)
        sb_append(&sb, "import");
    char *r = sb_steal(&sb);
    csv_truncate_utf8(r, CSV_NAMEDATALEN);
    return r;
}
