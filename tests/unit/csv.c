/* Unit tests for src/import/csv.c: COPY CSV parsing, line numbers, sniffing,
 * type inference, names. No server. */
#include "import/csv.h"
#include "common/xalloc.h"

#include "../lib/tap.h"

#include <stdbool.h>
#include <string.h>

typedef struct scanned {
    int n;
    csv_rec r[64];
    csv_status last;
} scanned;

/* Scans all of buf, feeding it `step` bytes at a time (0 = all at once). */
static void scan_all(const csv_dialect *d, const char *buf, size_t len, size_t step, scanned *out)
{
    csv_scanner s;
    size_t start = 0, avail;
    memset(out, 0, sizeof *out);
    csv_scanner_init(&s, d, 0, 1);
    avail = step ? (step < len ? step : len) : len;
    for (;;) {
        bool eof = avail == len;
        csv_rec r;
        csv_status st = csv_scan(&s, buf + start, avail - start, eof, &r);
        if (st == CSV_RECORD) {
            if (out->n < 64)
                out->r[out->n++] = r;
            start += r.len;
            continue;
        }
        if (st == CSV_MORE) {
            avail = avail + step > len ? len : avail + step;
            continue;
        }
        out->last = st;
        if (st == CSV_UNTERMINATED && out->n < 64)
            out->r[out->n] = r;
        return;
    }
}

static void test_scanner(void)
{
    csv_dialect d;
    csv_dialect_default(&d);
    const char *f = "id,note\n1,\"a\nb\"\n2,\"x\r\ny\"\r\n3,\"q\"\"q\"\r4,plain\n";
    size_t steps[] = {0, 1, 2, 3, 7};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        scanned sc;
        scan_all(&d, f, strlen(f), steps[k], &sc);
        is_int(sc.n, 5, "5 records with mixed endings and quoted newlines (step %zu)", steps[k]);
        is_int(sc.last, CSV_END, "ends cleanly (step %zu)", steps[k]);
        is_int(sc.r[0].line, 1, "header on line 1");
        is_int(sc.r[1].line, 2, "record 1 on line 2");
        is_int(sc.r[1].end_line, 3, "quoted LF: record ends on line 3");
        is_int(sc.r[1].quoted_lf, 1, "one quoted LF");
        is_int(sc.r[2].line, 4, "quoted LF counted: next record on line 4");
        is_int(sc.r[2].eol, CSV_EOL_CRLF, "CRLF terminator");
        is_int(sc.r[3].line, 6, "quoted CRLF counted once");
        is_int(sc.r[3].eol, CSV_EOL_CR, "lone CR terminator");
        is_int(sc.r[4].line, 7, "after a CR line");
        is_int(sc.r[4].nfields, 2, "two fields");
    }

    scanned sc;
    const char *bad = "a,b\n1,2\n3,\"open\n4,5\n";
    scan_all(&d, bad, strlen(bad), 0, &sc);
    is_int(sc.last, CSV_UNTERMINATED, "unterminated quote at eof");
    is_int(sc.r[sc.n].line, 3, "unterminated field starts on line 3");

    const char *counts = "a,b,c\n1,2\n1,2,3,4\n,,\n";
    scan_all(&d, counts, strlen(counts), 0, &sc);
    is_int(sc.r[1].nfields, 2, "too few fields counted");
    is_int(sc.r[2].nfields, 4, "too many fields counted");
    is_int(sc.r[3].nfields, 3, "empty fields counted");

    const char *marker = "a\n\\.\nb\n\"\\.\"\n\\.x\n\\.";
    scan_all(&d, marker, strlen(marker), 1, &sc);
    is_int(sc.n, 6, "marker file: 6 records");
    ok(!sc.r[0].end_marker && sc.r[1].end_marker, "\\. alone is the end marker");
    ok(!sc.r[3].end_marker, "quoted \\. is data");
    ok(!sc.r[4].end_marker, "\\.x is data");
    ok(sc.r[5].end_marker, "\\. at eof without newline is the marker");

    static const char utf[] =
        "a,b\n1,\xc3\xa9\n2,\xff\n3,\"x\n\xe2\x82\"\n4,\xed\xa0\x80\n5,x\0y\n";
    scan_all(&d, utf, sizeof utf - 1, 3, &sc);
    is_int(sc.n, 6, "utf8 file: 6 records");
    ok(!sc.r[1].bad_encoding, "valid UTF-8 accepted");
    ok(sc.r[2].bad_encoding && sc.r[2].bad_line == 3, "invalid byte on line 3");
    ok(sc.r[3].bad_encoding && sc.r[3].bad_line == 5, "truncated sequence reported on line 5");
    ok(sc.r[4].bad_encoding, "surrogate rejected");
    ok(sc.r[5].bad_encoding, "NUL byte rejected");

    csv_dialect l1 = d;
    l1.encoding = CSV_ENC_LATIN1;
    scan_all(&l1, utf, sizeof utf - 1, 0, &sc);
    ok(!sc.r[2].bad_encoding, "LATIN1: every byte but NUL is fine");
    ok(sc.r[5].bad_encoding, "LATIN1: NUL rejected");

    csv_dialect semi = d;
    semi.delim = ';';
    const char *s2 = "a;b\n\"1;2\";3\n";
    scan_all(&semi, s2, strlen(s2), 0, &sc);
    is_int(sc.r[1].nfields, 2, "quoted delimiter is data");

    /* no trailing newline */
    scan_all(&d, "x,y", 3, 0, &sc);
    is_int(sc.n, 1, "last record without newline");
    is_int(sc.r[0].eol, CSV_EOL_NONE, "no terminator");
    scan_all(&d, "", 0, 0, &sc);
    is_int(sc.n, 0, "empty input: no record");
}

static void test_split(void)
{
    csv_dialect d;
    csv_dialect_default(&d);
    csv_row r;
    const char *rec = "1,,\"\",\"a\"\"b\",\"x,y\",\"l1\nl2\",ab\"c,d\"e, sp ";
    csv_split(&d, rec, strlen(rec), NULL, &r);
    is_int(r.n, 8, "8 fields");
    ok(r.f[1].is_null, "unquoted empty is NULL");
    ok(!r.f[2].is_null && r.f[2].len == 0, "quoted empty is the empty string");
    is_str(r.f[3].value, "a\"b", "doubled quote");
    is_str(r.f[4].value, "x,y", "quoted delimiter");
    is_str(r.f[5].value, "l1\nl2", "quoted newline");
    is_str(r.f[6].value, "abc,de", "quotes in the middle toggle, as COPY");
    is_str(r.f[7].value, " sp ", "spaces kept");
    is_int(r.f[4].raw_start, 13, "raw span start");
    csv_row_free(&r);

    csv_split(&d, "NA,\"NA\",x", 9, "NA", &r);
    ok(r.f[0].is_null && !r.f[1].is_null, "NULL string matches only unquoted");
    csv_row_free(&r);
    csv_split(&d, "a,", 2, NULL, &r);
    is_int(r.n, 2, "trailing delimiter: empty last field");
    ok(r.f[1].is_null, "... which is NULL");
    csv_row_free(&r);
}

static void test_sniff(void)
{
    csv_sniff s;
    const char *a = "id;name;amount\n1;\"Smith; J\";3.5\n2;Doe;4\n";
    csv_sniff_sample(a, strlen(a), true, &s);
    is_int(s.d.delim, ';', "semicolon sniffed");
    ok(s.d.header, "header sniffed (numbers below names)");
    is_int(s.nfields, 3, "3 fields");
    is_int(s.eol, CSV_EOL_LF, "LF");

    const char *b = "1\t2\t3\r\n4\t5\t6\r\n";
    csv_sniff_sample(b, strlen(b), true, &s);
    is_int(s.d.delim, '\t', "tab sniffed");
    ok(!s.d.header, "no header on numbers");
    is_int(s.eol, CSV_EOL_CRLF, "CRLF");

    const char *c = "\xEF\xBB\xBF"
                    "a|b\n1|2\r\n3|4\r";
    csv_sniff_sample(c, strlen(c), true, &s);
    ok(s.d.bom, "BOM seen");
    is_int(s.d.delim, '|', "pipe sniffed");
    is_int(s.eol, CSV_EOL_MIXED, "mixed endings");

    const char *lat = "name,city\nJos\xe9,K\xf6ln\n";
    csv_sniff_sample(lat, strlen(lat), true, &s);
    ok(!s.utf8_ok, "LATIN1 is not UTF-8");
    is_int(s.d.encoding, CSV_ENC_LATIN1, "LATIN1 offered");
    const char *win = "name\n\x93quoted\x94\n";
    csv_sniff_sample(win, strlen(win), true, &s);
    is_int(s.d.encoding, CSV_ENC_WIN1252, "WIN1252 offered for 0x93");

    /* A sample cut in the middle of a character is still UTF-8. */
    const char *cut = "a\n\xc3\xa9\xc3";
    csv_sniff_sample(cut, strlen(cut), false, &s);
    ok(s.utf8_ok, "cut sequence at sample end tolerated");

    csv_sniff_sample("", 0, true, &s);
    ok(s.empty, "empty file");
    csv_sniff_sample("\xEF\xBB\xBF", 3, true, &s);
    ok(s.empty && s.d.bom, "BOM only is empty");

    const char *sq = "'a','b'\n'1','x'\n";
    csv_sniff_sample(sq, strlen(sq), true, &s);
    is_int(s.d.quote, '\'', "single quote sniffed");
}

/* Records of buf with dialect d. */
static int count_records(const csv_dialect *d, const char *buf)
{
    scanned sc;
    scan_all(d, buf, strlen(buf), 0, &sc);
    return sc.last == CSV_END ? sc.n : -1;
}

/* A guess never silently changes data: the quote stays '"' without strong
 * evidence; delimiter ties are settled by the extension or reported; the
 * header is judged with the dialect finally chosen, and doubts are reported. */
static void test_sniff_doubts(void)
{
    csv_sniff s;
    csv_given g;

    /* apostrophes that open fields, but do not wrap them */
    const char *ap = "id,word\n1,'tis\n2,rock 'n' roll\n3,'twas\n4,ok\n";
    csv_sniff_sample(ap, strlen(ap), true, &s);
    is_int(s.d.quote, '"', "apostrophes at the start of words: quote stays \"");
    is_int(count_records(&s.d, ap), 5, "... and every record stays a record");
    const char *excel = "code,name\n'0123,a\n'0456,b\n'0789,c\n";
    csv_sniff_sample(excel, strlen(excel), true, &s);
    is_int(s.d.quote, '"', "Excel's leading apostrophes: quote stays \"");
    is_int(count_records(&s.d, excel), 4, "... no unclosed quote");
    const char *wrapped = "'a','b'\n'1','x, y'\n'2','z'\n";
    csv_sniff_sample(wrapped, strlen(wrapped), true, &s);
    is_int(s.d.quote, '\'', "apostrophes wrapping whole fields on every record: quote '");
    const char *once = "a,b\n'1','x'\n2,y\n3,z\n4,w\n";
    csv_sniff_sample(once, strlen(once), true, &s);
    is_int(s.d.quote, '"', "wrapped fields on one record only: not enough evidence");

    /* one comma and one tab on every line: a tie */
    const char *tie = "name,x\tval\nab,c\t1\nde,f\t2\n";
    csv_sniff_sample(tie, strlen(tie), true, &s);
    ok(s.delim_alt != 0, "comma/tab tie reported as ambiguous");
    ok((s.d.delim == ',' && s.delim_alt == '\t') || (s.d.delim == '\t' && s.delim_alt == ','),
       "... between comma and tab");
    is_int(csv_delim_for_path("/x/data.TSV"), '\t', ".tsv names tab");
    is_int(csv_delim_for_path("a.tab"), '\t', ".tab names tab");
    is_int(csv_delim_for_path("a.csv"), ',', ".csv names comma");
    is_int(csv_delim_for_path("a.psv"), '|', ".psv names pipe");
    is_int(csv_delim_for_path("a.txt"), 0, ".txt names none");
    is_int(csv_delim_for_path("dir.csv/file"), 0, "a dot in a directory is no extension");
    csv_given_init(&g);
    g.ext_delim = '\t';
    csv_sniff_given(tie, strlen(tie), true, &g, &s);
    is_int(s.d.delim, '\t', ".tsv settles the tie: tab");
    is_int(s.delim_alt, 0, "... no question left");
    is_int(s.nfields, 2, "... 2 fields by tab");
    g.ext_delim = ',';
    csv_sniff_given(tie, strlen(tie), true, &g, &s);
    ok(s.d.delim == ',' && !s.delim_alt, ".csv settles the tie: comma");
    g.ext_delim = '|';
    csv_sniff_given(tie, strlen(tie), true, &g, &s);
    ok(s.delim_alt != 0, "an extension naming neither leaves the question");
    const char *clear = "a,b,c\n1,2,3\n4,5,6\n";
    g.ext_delim = '\t';
    csv_sniff_given(clear, strlen(clear), true, &g, &s);
    ok(s.d.delim == ',' && !s.delim_alt, "no tie: the sample wins over the extension");

    /* the header is judged with the given delimiter */
    const char *semi = "1;x,y\n2;3,4\n5;6,7\n";
    csv_sniff_sample(semi, strlen(semi), true, &s);
    ok(s.delim_alt != 0, "comma/semicolon tie reported");
    csv_given_init(&g);
    g.delim = ',';
    csv_sniff_given(semi, strlen(semi), true, &g, &s);
    ok(s.d.header && s.d.delim == ',', "given comma: y over numbers is a header");
    g.delim = ';';
    csv_sniff_given(semi, strlen(semi), true, &g, &s);
    ok(!s.d.header && s.d.delim == ';', "given semicolon: 1 over numbers is data");
    is_int(s.delim_alt, 0, "a given delimiter is no question");
    g.header = 1;
    csv_sniff_given(semi, strlen(semi), true, &g, &s);
    ok(s.d.header && !s.header_unsure, "a given header is kept");

    /* a NUL byte is named by line, and is no sign of another encoding */
    const char nulbuf[] = "a,b\n1,x\r\n2,y\0z\n";
    csv_sniff_sample(nulbuf, sizeof nulbuf - 1, true, &s);
    is_int(s.nul_line, 3, "NUL byte: its line");
    ok(s.utf8_ok && s.d.encoding == CSV_ENC_UTF8, "NUL byte: still UTF-8");
    csv_sniff_sample(ap, strlen(ap), true, &s);
    is_int(s.nul_line, 0, "no NUL byte: line 0");

    /* doubts about the header */
    const char *years = "region,2023,2024\nnorth,10,20\nsouth,30,40\n";
    csv_sniff_sample(years, strlen(years), true, &s);
    ok(s.header_unsure, "names that look like data above data: unsure");
    const char *mixed = "id,2023\n1,10\n2,20\n";
    csv_sniff_sample(mixed, strlen(mixed), true, &s);
    ok(s.header_unsure, "conflicting votes: unsure");
    const char *sure = "id,amount\n1,2.5\n2,3\n";
    csv_sniff_sample(sure, strlen(sure), true, &s);
    ok(s.d.header && !s.header_unsure, "names above numbers: a sure header");
    const char *nums = "1,2\n3,4\n";
    csv_sniff_sample(nums, strlen(nums), true, &s);
    ok(!s.d.header && !s.header_unsure, "numbers only: surely no header");
}

static void test_types(void)
{
    struct {
        const char *v;
        csv_type t;
    } cases[] = {{"42", CSV_T_INT4},
                 {"-2147483648", CSV_T_INT4},
                 {"2147483648", CSV_T_INT8},
                 {"9223372036854775807", CSV_T_INT8},
                 {"9223372036854775808", CSV_T_NUMERIC},
                 {"3.14", CSV_T_NUMERIC},
                 {".5", CSV_T_NUMERIC},
                 {"1e10", CSV_T_FLOAT8},
                 {"-2.5E-3", CSV_T_FLOAT8},
                 {"007", CSV_T_TEXT},
                 {"true", CSV_T_BOOL},
                 {"F", CSV_T_BOOL},
                 {"2024-02-29", CSV_T_DATE},
                 {"2023-02-29", CSV_T_TEXT},
                 {"2024-01-31 12:30:00", CSV_T_TIMESTAMP},
                 {"2024-01-31T12:30:00.123", CSV_T_TIMESTAMP},
                 {"2024-01-31 12:30:00+02", CSV_T_TIMESTAMPTZ},
                 {"2024-01-31T12:30:00Z", CSV_T_TIMESTAMPTZ},
                 {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", CSV_T_UUID},
                 {"{\"a\": [1, 2.5e3, null, true]}", CSV_T_JSONB},
                 {"[1,2", CSV_T_TEXT},
                 {"hello", CSV_T_TEXT},
                 {"1.2.3", CSV_T_TEXT}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        csv_infer ci;
        char *v = xstrdup(cases[i].v);
        csv_field f = {v, strlen(v), false, false, 0, 0};
        csv_infer_init(&ci);
        csv_infer_add(&ci, &f);
        is_str(csv_type_name(csv_infer_result(&ci)), csv_type_name(cases[i].t), "type of %s",
               cases[i].v);
        free(v);
    }
    csv_infer ci;
    char one[] = "1", dec[] = "2.5", empty[] = "", ex[] = "1e3";
    csv_field a = {one, 1, false, false, 0, 0}, b = {dec, 3, false, false, 0, 0},
              n = {empty, 0, true, false, 0, 0}, e = {ex, 3, false, false, 0, 0};
    csv_infer_init(&ci);
    csv_infer_add(&ci, &a);
    csv_infer_add(&ci, &n);
    csv_infer_add(&ci, &b);
    is_str(csv_type_name(csv_infer_result(&ci)), "numeric", "int + decimal + NULL -> numeric");
    csv_infer_add(&ci, &e);
    is_str(csv_type_name(csv_infer_result(&ci)), "float8", "... + exponent -> float8");
    csv_infer_init(&ci);
    csv_infer_add(&ci, &n);
    is_str(csv_type_name(csv_infer_result(&ci)), "text", "only NULLs -> text");
    csv_type t;
    ok(csv_type_parse("BIGINT", &t) && t == CSV_T_INT8, "type alias bigint");
    ok(!csv_type_parse("int4; drop table x", &t), "unknown type refused");
    ok(!csv_json_valid("{\"a\":1}x", 8), "trailing garbage is not JSON");
    char deep[200];
    memset(deep, '[', sizeof deep);
    ok(!csv_json_valid(deep, sizeof deep), "deep nesting refused, no crash");
}

static void test_names(void)
{
    csv_dialect d;
    csv_dialect_default(&d);
    csv_row r;
    char longname[80];
    memset(longname, 'x', 70);
    longname[70] = 0;
    char rec[600];
    snprintf(rec, sizeof rec, "id,ID,id,,\"x\"\"); DROP TABLE t; --\",select,%s,%s", longname,
             longname);
    csv_split(&d, rec, strlen(rec), NULL, &r);
    char **names = csv_column_names(&d, &r, r.n);
    is_str(names[0], "id", "kept literally");
    is_str(names[1], "ID", "case kept: a different identifier");
    is_str(names[2], "id_2", "duplicate suffixed");
    is_str(names[3], "column4", "empty header named by position");
    is_str(names[4], "x\"); DROP TABLE t; --", "hostile name kept literally");
    is_str(names[5], "select", "reserved word kept (it is quoted later)");
    is_int(strlen(names[6]), 63, "truncated to 63 bytes");
    is_int(strlen(names[7]), 63, "duplicate after truncation stays within 63 bytes");
    ok(strcmp(names[6], names[7]) != 0, "duplicates after truncation made unique");
    ok(strcmp(names[7] + 61, "_2") == 0, "... with a suffix");
    csv_names_free(names, r.n);
    csv_row_free(&r);

    char u[80];
    memset(u, 'a', 62);
    strcpy(u + 62, "\xc3\xa9z");
    csv_truncate_utf8(u, 63);
    is_int(strlen(u), 62, "truncation never splits a character");

    csv_dialect l = d;
    l.encoding = CSV_ENC_LATIN1;
    csv_split(&l, "caf\xe9", 4, NULL, &r);
    names = csv_column_names(&l, &r, 1);
    is_str(names[0], "caf\xc3\xa9", "LATIN1 header converted to UTF-8");
    csv_names_free(names, 1);
    csv_row_free(&r);

    names = csv_column_names(&d, NULL, 2);
    is_str(names[1], "column2", "no header: columnN");
    csv_names_free(names, 2);

    char *t = csv_table_name_from_path("/tmp/Sales Report 2024.CSV");
    is_str(t, "sales_report_2024", "table name from file");
    free(t);
    t = csv_table_name_from_path("2024.csv");
    is_str(t, "t_2024", "leading digit prefixed");
    free(t);
    t = csv_table_name_from_path("/x/.csv");
    is_str(t, "csv", "dot file");
    free(t);
    t = csv_table_name_from_path("/x/@@@.csv");
    is_str(t, "import", "nothing left: import");
    free(t);
    char *c = csv_to_utf8(CSV_ENC_WIN1252, "\x80", 1);
    is_str(c, "\xe2\x82\xac", "WIN1252 euro");
    free(c);
}

int main(void)
{
    plan_no_plan();
    test_scanner();
    test_split();
    test_sniff();
    test_sniff_doubts();
    test_types();
    test_names();
    return done_testing();
}
