/* Unit tests for the shared widgets: safe text (widths, escapes, clipping),
 * gauge, sparkline and the list (navigation, search, scrolling). Drawn into
 * an off-screen pad of a curses screen whose output goes to /dev/null. */
#include "ui/widgets.h"
#include "ui/app.h"
#include "ui/theme.h"
#include "ui/tui.h"
#include "../lib/tap.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* The list's '/' needs an app: not exercised here (the TUI tests do). */
void app_prompt_ctx(app *a, const char *question, const char *initial, const char *history_kind,
                    bool complete_files, app_prompt_fn fn, void *ctx)
{
    (void)a, (void)question, (void)initial, (void)history_kind, (void)complete_files;
    fn(ctx, NULL);
}
static char last_message[256];
void app_message(app *a, msg_level lvl, const char *fmt, ...)
{
    (void)a, (void)lvl;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
}

/* Row y of w as UTF-8 (wide characters once, their continuation cells skipped). */
static const char *row_text(WINDOW *w, int y)
{
    static char out[1024];
    size_t n = 0;
    int cols = getmaxx(w);
    for (int x = 0; x < cols && n < sizeof out - 8; x++) {
        cchar_t cc;
        if (mvwin_wch(w, y, x, &cc) == ERR)
            break;
        wchar_t wch[CCHARW_MAX + 1];
        attr_t at;
        short pair;
        getcchar(&cc, wch, &at, &pair, NULL);
        if (wch[0] == L'\0')
            continue;
        for (int i = 0; wch[i] && i < CCHARW_MAX; i++) {
            mbstate_t st;
            memset(&st, 0, sizeof st);
            size_t r = wcrtomb(out + n, wch[i], &st);
            if (r != (size_t)-1)
                n += r;
        }
        int wdt = wcwidth(wch[0]);
        if (wdt == 2)
            x++;
    }
    out[n] = '\0';
    return out;
}

static const char *cell(void *ctx, int row, int col, char *buf, size_t n)
{
    (void)ctx;
    if (col == 0) {
        snprintf(buf, n, "%d", row);
        return buf;
    }
    if (row == 42)
        return "needle in row 42";
    snprintf(buf, n, "text %d", row * 7);
    return buf;
}

int main(void)
{
    plan_no_plan();
    if (!setlocale(LC_ALL, "C.UTF-8"))
        skip_all("no C.UTF-8 locale");
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm", out, in);
    if (!scr)
        skip_all("no xterm terminfo entry");
    set_term(scr);
    theme_set_color(false);

    /* widths */
    is_int(wg_text_width("abc"), 3, "ASCII width");
    is_int(wg_text_width("日本"), 4, "CJK takes two columns each");
    is_int(wg_text_width("e\xcc\x81"), 1, "a combining mark takes none");
    is_int(wg_text_width("\xff"), 4, "an invalid byte is \\xNN");
    is_int(wg_text_width("a\tb\nc"), 5, "tab and newline are one space");
    is_int(wg_text_width("\x01"), 4, "a control character is \\xNN");
    is_int(wg_text_width("\xe6\x97"), 8, "a truncated sequence: each byte escaped");
    is_int(wg_text_width("a\xe2\x80\xae"
                         "b"),
           10, "a bidi override is shown as <U+202E>");
    is_int(wg_text_width("\xc2\x9b"), 8, "a C1 control is escaped");
    is_int(wg_text_width(""), 0, "empty");
    is_int(wg_text_width(NULL), 0, "NULL");

    WINDOW *w = newpad(6, 20);
    /* drawing: escapes, clipping, wide chars at the edge */
    is_int(wg_text(w, 0, 0, "ok\xff!", 20, A_NORMAL), 7, "drawn columns");
    is_str(row_text(w, 0), "ok\\xff!             ", "invalid byte drawn as \\xff");
    werase(w);
    wg_text(w, 0, 0,
            "ab\xe2\x80\xae"
            "cd",
            20, A_NORMAL);
    is_str(row_text(w, 0), "ab<U+202E>cd        ", "a bidi override drawn visibly");
    werase(w);
    is_int(wg_text(w, 0, 0, "abcdef", 3, A_NORMAL), 3, "clipped to 3 columns");
    is_str(row_text(w, 0), "abc                 ", "only 3 columns written");
    werase(w);
    is_int(wg_text(w, 0, 0, "a日本", 4, A_NORMAL), 4, "wide char at the edge");
    is_str(row_text(w, 0), "a日                 ", "the wide char that does not fit is a blank");
    werase(w);
    is_int(wg_text(w, 0, 18, "日本語", 10, A_NORMAL), 2, "clipped by the window's edge");
    werase(w);
    is_int(wg_text(w, 0, 0, "x\xff", 3, A_NORMAL), 3, "an escape split at the edge");
    is_str(row_text(w, 0), "x\\x                 ", "... shows its first part");
    is_int(wg_text(w, 9, 0, "abc", 3, A_NORMAL), 0, "a row outside the window draws nothing");
    is_int(wg_text(w, 0, -1, "abc", 3, A_NORMAL), 0, "a negative column draws nothing");
    werase(w);
    wg_field(w, 1, 0, "42", 6, WG_RIGHT, A_NORMAL);
    is_str(row_text(w, 1), "    42              ", "right-aligned field");
    wg_field(w, 2, 0, "toolongtext", 4, WG_LEFT, A_NORMAL);
    is_str(row_text(w, 2), "tool                ", "field clipped");
    /* every byte value survives */
    char all[256];
    for (int i = 0; i < 255; i++)
        all[i] = (char)(i + 1);
    all[255] = '\0';
    wg_text(w, 3, 0, all, 20, A_NORMAL);
    ok(1, "all byte values drawn without a crash");

    /* gauge and sparkline */
    werase(w);
    wg_seg segs[2] = {{2, A_BOLD}, {1, A_NORMAL}};
    wg_gauge(w, 0, 0, 10, segs, 2, 8, NULL, A_NORMAL);
    is_str(row_text(w, 0), "[||#     ]          ", "gauge: segments scaled to max");
    wg_gauge(w, 1, 0, 10, segs, 2, 8, "3/8", A_NORMAL);
    is_str(row_text(w, 1), "[||#  3/8]          ", "gauge: label inside");
    double vals[4] = {0, 1, 2, 4};
    wg_sparkline(w, 2, 0, 6, vals, 4, 0, A_NORMAL);
    is_str(row_text(w, 2), "  ▁▃▅█              ", "sparkline: newest right, scaled");
    setlocale(LC_ALL, "C");
    ok(!wg_unicode(), "C locale: no Unicode");
    setlocale(LC_ALL, "C.UTF-8");
    ok(wg_unicode(), "C.UTF-8: Unicode");

    /* list */
    static const wg_col cols[] = {{"id", 4, WG_RIGHT}, {"text", 0, 0}};
    wg_list l;
    wg_list_init(&l, cols, 2, cell, NULL);
    is_int(l.sel, -1, "empty list: no selection");
    wg_list_set_count(&l, 100);
    is_int(l.sel, 0, "rows: the first is selected");
    werase(w);
    wg_list_draw(&l, w, 0, 0, 6, 20);
    is_str(row_text(w, 0), "  id text           ", "header row");
    is_str(row_text(w, 1), "   0 text 0         ", "first row");
    is_int(l.page, 5, "page = rows - header");
    wg_list_key(&l, NULL, KEY_DOWN, true);
    is_int(l.sel, 1, "Down");
    wg_list_key(&l, NULL, KEY_NPAGE, true);
    is_int(l.sel, 6, "PgDn moves a page");
    ok(l.top <= 6 && l.top + l.page > 6, "the selection stays visible");
    wg_list_key(&l, NULL, KEY_END, true);
    is_int(l.sel, 99, "End");
    wg_list_key(&l, NULL, 'g', false);
    is_int(l.sel, 0, "g: top");
    wg_list_key(&l, NULL, KEY_UP, true);
    is_int(l.sel, 0, "Up at the top stays");
    is_int(wg_list_key(&l, NULL, 'x', false), PANE_IGNORED, "other keys are not the list's");
    l.search = strdup("NEEDLE");
    ok(wg_list_find(&l, 1, false), "search: found (case-insensitive)");
    is_int(l.sel, 42, "search: row 42");
    werase(w);
    wg_list_draw(&l, w, 0, 0, 6, 20);
    ok(l.top <= 42 && l.top + l.page > 42, "the match is scrolled into view");
    is_int(wg_list_key(&l, NULL, 'n', false), PANE_HANDLED | PANE_REDRAW, "n: next match");
    is_int(l.sel, 42, "n wraps around to the only match");
    free(l.search);
    l.search = strdup("no such text");
    wg_list_key(&l, NULL, 'n', false);
    ok(strstr(last_message, "Not found") != NULL, "n without a match says so (%s)", last_message);
    wg_list_set_count(&l, 10);
    is_int(l.sel, 9, "fewer rows: the selection is kept in range");
    wg_list_set_count(&l, 0);
    is_int(l.sel, -1, "no rows: no selection");
    wg_list_draw(&l, w, 0, 0, 1, 1);
    wg_list_draw(&l, w, 0, 0, 0, 0);
    ok(1, "tiny and empty areas draw without a crash");
    wg_list_free(&l);

    delwin(w);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    return done_testing();
}
