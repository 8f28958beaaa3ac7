/* output.c — table, CSV and JSON renderings of eng_result. */
#include "config.h"

#include "cli/output.h"

#include "common/json.h"
#include "common/termsafe.h"
#include "common/utf8.h"

#include "common/xalloc.h"

#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

/* Type OIDs psql also right-aligns beyond ENG_COL_NUMBER's set. */
enum { OID_XID = 28, OID_CID = 29, OID_MONEY = 790, OID_XID8 = 5069 };

bool output_parse_format(const char *name, out_format *fmt)
{
    if (strcasecmp(name, "table") == 0 || strcasecmp(name, "aligned") == 0)
        *fmt = OUT_TABLE;
    else if (strcasecmp(name, "csv") == 0)
        *fmt = OUT_CSV;
    else if (strcasecmp(name, "json") == 0)
        *fmt = OUT_JSON;
    else
        return false;
    return true;
}

void output_init_locale(void)
{
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    if (!cs || (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "utf8") != 0))
        setlocale(LC_CTYPE, "C.UTF-8");
    /* Numbers in our own output always use '.', whatever the locale says. */
    setlocale(LC_NUMERIC, "C");
}

/* ------------------------------------------------------------------------
 * Cells for the table format: escaped text, lines separated by '\n'. */

/* Appends the displayable form of s to out; returns the widest line. */
static int format_cell(const char *s, size_t len, strbuf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    int width = 0, maxw = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f) {
            size_t j = i;
            while (j < len && p[j] >= 0x20 && p[j] < 0x7f)
                j++;
            sb_append_n(out, s + i, j - i);
            width += (int)(j - i);
            i = j;
            continue;
        }
        if (c == '\n') {
            if (width > maxw)
                maxw = width;
            width = 0;
            sb_append_c(out, '\n');
            i++;
        } else if (c == '\t') {
            int spaces = 8 - width % 8;
            for (int k = 0; k < spaces; k++)
                sb_append_c(out, ' ');
            width += spaces;
            i++;
        } else {
            /* everything else through the one classification (termsafe.h) */
            size_t n;
            uint32_t cp;
            ts_kind k = term_classify(s + i, len - i, 0, &n, &cp);
            int w = k == TS_PRINT ? wcwidth((wchar_t)cp) : -1;
            if (k == TS_PRINT && w < 0) {
                char esc[16]; /* unprintable in this locale: psql's \uXXXX */
                int e = snprintf(esc, sizeof esc, "\\u%04X", (unsigned)cp);
                sb_append(out, esc);
                width += e;
            } else if (k == TS_PRINT) {
                sb_append_n(out, s + i, n);
                width += w;
            } else {
                width += term_append_escape(out, k, cp);
            }
            i += n;
        }
    }
    if (width > maxw)
        maxw = width;
    return maxw;
}

/* Width of already formatted text (printable characters only). */
static int text_width(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    int width = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            width++;
            i++;
            continue;
        }
        int w = p[i] < 0x80 ? 1 : wcwidth((wchar_t)cp);
        width += w > 0 ? w : 0;
        i += n;
    }
    return width;
}

int output_display_width(const char *s, size_t len)
{
    strbuf sb;
    sb_init(&sb);
    int w = format_cell(s, len, &sb);
    sb_free(&sb);
    return w;
}

static void put_spaces(FILE *out, int n)
{
    static const char spaces[] = "                                                                ";
    while (n > 0) {
        int k = n < (int)sizeof spaces - 1 ? n : (int)sizeof spaces - 1;
        fwrite(spaces, 1, (size_t)k, out);
        n -= k;
    }
}

/* One formatted cell cut into lines. */
typedef struct cell_lines {
    strbuf text;
    size_t pos; /* start of the next line to print */
    bool done;
} cell_lines;

/* Prints the next line of a cell: the text, alignment padding, then the
 * right-hand mark: '+' when the cell goes on, ' ' before a '|', nothing at
 * the end of a line of a left-aligned last column (psql's aligned format). */
static void print_cell_line(FILE *out, cell_lines *c, int width, bool right, bool center, bool last)
{
    const char *line = "";
    size_t len = 0;
    bool more = false;
    if (c->done && last && !center) {
        fputc(' ', out); /* psql pads nothing after an exhausted last column */
        return;
    }
    if (!c->done) {
        line = c->text.data + c->pos;
        const char *nl = memchr(line, '\n', c->text.len - c->pos);
        len = nl ? (size_t)(nl - line) : c->text.len - c->pos;
        if (nl) {
            c->pos += len + 1;
            more = true;
        } else {
            c->done = true;
        }
    }
    int pad = width - text_width(line, len);
    if (pad < 0)
        pad = 0;
    fputc(' ', out);
    if (center) {
        put_spaces(out, pad / 2);
        fwrite(line, 1, len, out);
        put_spaces(out, pad - pad / 2);
    } else if (right) {
        put_spaces(out, pad);
        fwrite(line, 1, len, out);
    } else {
        fwrite(line, 1, len, out);
        if (!last || more)
            put_spaces(out, pad);
    }
    if (more)
        fputc('+', out);
    else if (!last || center)
        fputc(' ', out);
}

static bool right_aligned(const eng_result *r, int col)
{
    if (eng_result_colkind(r, col) == ENG_COL_NUMBER)
        return true;
    uint32_t t = eng_result_coltype(r, col);
    return t == OID_XID || t == OID_CID || t == OID_MONEY || t == OID_XID8;
}

static void print_row_lines(FILE *out, cell_lines *cells, int ncols, const int *widths,
                            const bool *right, bool header)
{
    for (;;) {
        for (int j = 0; j < ncols; j++) {
            if (j > 0)
                fputc('|', out);
            print_cell_line(out, &cells[j], widths[j], !header && right[j], header, j == ncols - 1);
        }
        fputc('\n', out);
        bool all_done = true;
        for (int j = 0; j < ncols; j++)
            if (!cells[j].done)
                all_done = false;
        if (all_done)
            break;
    }
}

static void print_table(FILE *out, const eng_result *r)
{
    int ncols = eng_result_ncols(r), nrows = eng_result_nrows(r);
    if (ncols == 0) {
        fputs("--\n", out);
    } else {
        int *widths = xcalloc((size_t)ncols, sizeof *widths);
        bool *right = xcalloc((size_t)ncols, sizeof *right);
        cell_lines *cells = xcalloc((size_t)ncols, sizeof *cells);
        strbuf scratch;
        sb_init(&scratch);
        for (int j = 0; j < ncols; j++) {
            sb_init(&cells[j].text);
            right[j] = right_aligned(r, j);
            const char *name = eng_result_colname(r, j);
            sb_reset(&scratch);
            widths[j] = format_cell(name, strlen(name), &scratch);
        }
        for (int i = 0; i < nrows; i++) {
            for (int j = 0; j < ncols; j++) {
                if (eng_result_isnull(r, i, j))
                    continue;
                const char *v = eng_result_value(r, i, j);
                size_t len = (size_t)eng_result_length(r, i, j);
                /* fast path: short printable ASCII needs no formatting */
                bool plain = true;
                for (size_t k = 0; k < len && plain; k++)
                    plain = v[k] >= 0x20 && v[k] < 0x7f;
                int w;
                if (plain) {
                    w = (int)len;
                } else {
                    sb_reset(&scratch);
                    w = format_cell(v, len, &scratch);
                }
                if (w > widths[j])
                    widths[j] = w;
            }
        }

        /* header */
        for (int j = 0; j < ncols; j++) {
            const char *name = eng_result_colname(r, j);
            sb_reset(&cells[j].text);
            format_cell(name, strlen(name), &cells[j].text);
            cells[j].pos = 0;
            cells[j].done = false;
        }
        print_row_lines(out, cells, ncols, widths, right, true);
        for (int j = 0; j < ncols; j++) {
            if (j > 0)
                fputc('+', out);
            for (int k = 0; k < widths[j] + 2; k++)
                fputc('-', out);
        }
        fputc('\n', out);
        for (int i = 0; i < nrows; i++) {
            for (int j = 0; j < ncols; j++) {
                sb_reset(&cells[j].text);
                if (!eng_result_isnull(r, i, j))
                    format_cell(eng_result_value(r, i, j), (size_t)eng_result_length(r, i, j),
                                &cells[j].text);
                cells[j].pos = 0;
                cells[j].done = false;
            }
            print_row_lines(out, cells, ncols, widths, right, false);
        }
        for (int j = 0; j < ncols; j++)
            sb_free(&cells[j].text);
        sb_free(&scratch);
        free(cells);
        free(right);
        free(widths);
    }
    fprintf(out, "(%d row%s)\n\n", nrows, nrows == 1 ? "" : "s");
}

/* ------------------------------------------------------------------------
 * CSV */

static void csv_field(FILE *out, const char *v, size_t len, bool is_null, bool tty)
{
    if (is_null)
        return;
    /* Byte-exact for files and pipes; on a terminal, escaped as the table
     * format is (termsafe.h), so no value can drive the terminal. */
    if (tty && !term_is_safe(v, len, TS_KEEP_NL | TS_KEEP_TAB)) {
        strbuf sb;
        sb_init(&sb);
        sb_append_term_safe(&sb, v, len, TS_KEEP_NL | TS_KEEP_TAB);
        csv_field(out, sb.data, sb.len, false, false);
        sb_free(&sb);
        return;
    }
    bool quote = len == 0;
    for (size_t k = 0; k < len && !quote; k++)
        quote = v[k] == ',' || v[k] == '"' || v[k] == '\n' || v[k] == '\r';
    if (!quote) {
        fwrite(v, 1, len, out);
        return;
    }
    fputc('"', out);
    for (size_t k = 0; k < len; k++) {
        if (v[k] == '"')
            fputc('"', out);
        fputc(v[k], out);
    }
    fputc('"', out);
}

static void print_csv(FILE *out, const eng_result *r)
{
    int ncols = eng_result_ncols(r), nrows = eng_result_nrows(r);
    bool tty = isatty(fileno(out));
    for (int j = 0; j < ncols; j++) {
        if (j > 0)
            fputc(',', out);
        const char *name = eng_result_colname(r, j);
        csv_field(out, name, strlen(name), false, tty);
    }
    fputc('\n', out);
    for (int i = 0; i < nrows; i++) {
        for (int j = 0; j < ncols; j++) {
            if (j > 0)
                fputc(',', out);
            csv_field(out, eng_result_value(r, i, j), (size_t)eng_result_length(r, i, j),
                      eng_result_isnull(r, i, j), tty);
        }
        fputc('\n', out);
    }
}

/* ------------------------------------------------------------------------
 * JSON */

static void print_json(FILE *out, const eng_result *r)
{
    int ncols = eng_result_ncols(r), nrows = eng_result_nrows(r);
    strbuf sb;
    sb_init(&sb);
    char **keys = xcalloc((size_t)(ncols ? ncols : 1), sizeof *keys);
    for (int j = 0; j < ncols; j++) {
        const char *name = eng_result_colname(r, j);
        sb_reset(&sb);
        json_append_string(&sb, name, strlen(name));
        keys[j] = sb_steal(&sb);
    }
    fputs("[", out);
    for (int i = 0; i < nrows; i++) {
        sb_reset(&sb);
        sb_append(&sb, i ? ",\n{" : "\n{");
        for (int j = 0; j < ncols; j++) {
            if (j > 0)
                sb_append_c(&sb, ',');
            sb_append(&sb, keys[j]);
            sb_append_c(&sb, ':');
            if (eng_result_isnull(r, i, j)) {
                sb_append(&sb, "null");
                continue;
            }
            const char *v = eng_result_value(r, i, j);
            size_t len = (size_t)eng_result_length(r, i, j);
            switch (eng_result_colkind(r, j)) {
            case ENG_COL_NUMBER:
                if (json_number_ok(v) && *v != '+')
                    sb_append_n(&sb, v, len);
                else
                    json_append_string(&sb, v, len);
                break;
            case ENG_COL_BOOL:
                sb_append(&sb, v[0] == 't' ? "true" : "false");
                break;
            case ENG_COL_JSON:
                sb_append_n(&sb, v, len);
                break;
            case ENG_COL_TEXT:
            default:
                json_append_string(&sb, v, len);
                break;
            }
        }
        sb_append_c(&sb, '}');
        fwrite(sb.data, 1, sb.len, out);
    }
    fputs(nrows ? "\n]\n" : "]\n", out);
    for (int j = 0; j < ncols; j++)
        free(keys[j]);
    free(keys);
    sb_free(&sb);
}

void output_result(FILE *out, out_format fmt, const eng_result *r)
{
    switch (eng_result_status(r)) {
    case ENG_RES_TUPLES:
    case ENG_RES_ROWS_PARTIAL:
        if (eng_result_is_copy_out(r)) {
            /* COPY TO STDOUT: the data itself, as psql writes it; on a
             * terminal escaped as --format csv is (doc/security.md) */
            bool tty = isatty(fileno(out));
            for (int i = 0; i < eng_result_nrows(r); i++) {
                const char *v = eng_result_value(r, i, 0);
                size_t n = (size_t)eng_result_length(r, i, 0);
                if (tty && !term_is_safe(v, n, TS_KEEP_NL | TS_KEEP_TAB)) {
                    strbuf sb;
                    sb_init(&sb);
                    sb_append_term_safe(&sb, v, n, TS_KEEP_NL | TS_KEEP_TAB);
                    fwrite(sb.data, 1, sb.len, out);
                    sb_free(&sb);
                } else {
                    fwrite(v, 1, n, out);
                }
            }
        } else if (fmt == OUT_TABLE) {
            print_table(out, r);
            /* INSERT/UPDATE/DELETE ... RETURNING: the rows, then the tag (psql) */
            const char *tag = eng_result_cmdstatus(r);
            if (strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
                strncmp(tag, "DELETE", 6) == 0)
                fprintf(out, "%s\n", tag);
        } else if (fmt == OUT_CSV) {
            print_csv(out, r);
        } else {
            print_json(out, r);
        }
        break;
    case ENG_RES_COMMAND:
        if (fmt == OUT_TABLE) {
            const char *tag = eng_result_cmdstatus(r);
            if (tag && *tag)
                fprintf(out, "%s\n", tag);
        }
        break;
    case ENG_RES_EMPTY:
    case ENG_RES_ERROR:
    case ENG_RES_PIPELINE_ABORTED:
    case ENG_RES_COPY_IN:
        break;
    }
}
