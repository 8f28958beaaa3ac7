/* editbuf.c — the editor buffer's readline keys, history file, completion. */
#include "ui/editbuf.h"
#include "ui/history.h"
#include "../lib/tap.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CTRL(c) ((c)&0x1f)

static void type(editbuf *b, const char *s)
{
    for (; *s; s++)
        eb_key(b, (unsigned char)*s, false, false);
}

int main(void)
{
    plan_no_plan();
    setlocale(LC_ALL, "C.UTF-8");
    editbuf b;
    eb_init(&b);

    type(&b, "select 1");
    is_str(b.text, "select 1", "typing inserts");
    eb_key(&b, CTRL('a'), false, false);
    is_int(b.point, 0, "C-a goes to the line start");
    eb_key(&b, CTRL('e'), false, false);
    is_int(b.point, 8, "C-e goes to the line end");
    eb_key(&b, 'b', false, true);
    is_int(b.point, 7, "M-b goes back one word");
    eb_key(&b, 'b', false, true);
    is_int(b.point, 0, "M-b again: the start");
    eb_key(&b, 'f', false, true);
    is_int(b.point, 6, "M-f goes to the word's end");
    eb_key(&b, CTRL('k'), false, false);
    is_str(b.text, "select", "C-k kills to the end of the line");
    eb_key(&b, CTRL('y'), false, false);
    is_str(b.text, "select 1", "C-y yanks it back");
    eb_key(&b, CTRL('w'), false, false);
    is_str(b.text, "select ", "C-w kills the word before");
    eb_key(&b, CTRL('u'), false, false);
    is_str(b.text, "", "C-u kills to the line start");
    eb_key(&b, CTRL('y'), false, false);
    is_str(b.text, "select 1", "consecutive kills were one kill-ring entry");

    /* M-d and M-y */
    eb_set(&b, "alpha beta gamma");
    b.point = 0;
    eb_key(&b, 'd', false, true);
    is_str(b.text, " beta gamma", "M-d kills the next word");
    eb_key(&b, CTRL('e'), false, false);
    eb_key(&b, 'x', false, false); /* breaks the kill sequence */
    eb_key(&b, CTRL('w'), false, false);
    is_str(b.text, " beta ", "C-w");
    eb_key(&b, CTRL('y'), false, false);
    is_str(b.text, " beta gammax", "C-y: newest kill");
    eb_key(&b, 'y', false, true);
    is_str(b.text, " beta alpha", "M-y: the older kill instead");

    /* lines, Up/Down at the edges */
    eb_set(&b, "select\n  1,\n  2");
    is_int(eb_line_count(&b), 3, "three lines");
    is_int(eb_key(&b, EBK_DOWN, true, false), EB_HIST_NEXT, "Down on the last line: history");
    is_int(eb_key(&b, EBK_UP, true, false), EB_MOVED, "Up moves a line");
    is_int(eb_line_of(&b, b.point), 1, "on line 2");
    eb_key(&b, EBK_UP, true, false);
    is_int(eb_key(&b, EBK_UP, true, false), EB_HIST_PREV, "Up on the first line: history");
    eb_key(&b, CTRL('e'), false, false);
    eb_key(&b, CTRL('k'), false, false);
    is_str(b.text, "select  1,\n  2", "C-k at a line end joins lines");

    /* UTF-8 */
    eb_set(&b, "");
    eb_key(&b, 0x00e9, false, false); /* é */
    eb_key(&b, 0x4e2d, false, false); /* 中 */
    is_int(b.len, 5, "wide characters are inserted as UTF-8");
    eb_key(&b, EBK_BACKSPACE, true, false);
    is_str(b.text, "\xc3\xa9", "backspace removes one whole character");
    eb_key(&b, EBK_LEFT, true, false);
    is_int(b.point, 0, "left steps over a whole character");
    eb_key(&b, EBK_DELETE, true, false);
    is_str(b.text, "", "delete removes one whole character");
    eb_key(&b, '\n', false, false);
    is_str(b.text, "\n", "Enter inserts a newline");

    /* soft wrap: Up/Down by screen row, Home/End by logical line */
    eb_set(&b, "0123456789abcdefghij");
    b.wrap = 10;
    is_int(eb_line_rows(&b, 0), 3, "20 characters at 10 columns: 2 rows and the end's row");
    int row, col;
    eb_locate(&b, b.point, &row, &col);
    ok(row == 2 && col == 0, "the end after a full row is at the next row's start (%d,%d)", row,
       col);
    is_int(eb_key(&b, EBK_UP, true, false), EB_MOVED, "Up inside a wrapped line moves");
    is_int(b.point, 10, "... one screen row up");
    eb_key(&b, EBK_UP, true, false);
    is_int(b.point, 0, "... and again");
    is_int(eb_key(&b, EBK_UP, true, false), EB_HIST_PREV, "Up on the first row: history");
    b.point = 13;
    b.goal_col = -1; /* as after any other key */
    eb_key(&b, EBK_UP, true, false);
    is_int(b.point, 3, "Up keeps the screen column");
    eb_key(&b, EBK_DOWN, true, false);
    is_int(b.point, 13, "Down comes back");
    eb_key(&b, EBK_HOME, true, false);
    is_int(b.point, 0, "Home: the start of the logical line, not of the row");
    eb_key(&b, CTRL('e'), false, false);
    is_int(b.point, 20, "C-e: the end of the logical line");
    eb_set(&b, "ab\xe4\xb8\xad\xe4\xb8\xad"
               "c\nxy");
    b.wrap = 5;
    b.point = 5; /* the second wide character */
    b.goal_col = -1;
    eb_locate(&b, b.point, &row, &col);
    ok(row == 1 && col == 0, "a wide character that does not fit starts the next row (%d,%d)", row,
       col);
    eb_key(&b, EBK_DOWN, true, false);
    is_int(b.point, 10, "Down from the last row: the next logical line");
    eb_key(&b, EBK_UP, true, false);
    is_int(b.point, 5, "Up from the next line: the last row of the wrapped one");
    b.wrap = 0;
    eb_set(&b, "abc\nx");
    b.point = 3;
    b.goal_col = -1;
    eb_key(&b, EBK_DOWN, true, false);
    is_int(b.point, 5, "no wrap: Down goes to the next line (clamped to its end)");

    /* clearing: the text goes to the kill ring */
    eb_set(&b, "select 42");
    eb_kill_all(&b);
    ok(b.len == 0 && b.point == 0, "eb_kill_all empties the buffer");
    eb_key(&b, CTRL('y'), false, false);
    is_str(b.text, "select 42", "C-y brings it back");

    eb_set(&b, "select * from public.ord");
    is_int(eb_word_before(&b), 14, "the word before the cursor includes the schema");
    eb_free(&b);

    /* history file: 0600 whatever the umask, no password lines, other kinds kept */
    char dir[] = "/tmp/pgdeck-hist-XXXXXX";
    ok(mkdtemp(dir) != NULL, "temp dir");
    char path[256];
    snprintf(path, sizeof path, "%s/sub/history", dir);
    umask(0);
    history h;
    char *err = NULL;
    ok(history_open(&h, path, &err), "open a missing history");
    ok(history_add(&h, "select 1", &err), "add");
    ok(history_add(&h, "alter role x PassWord 'secret'", &err), "add a password line");
    ok(history_add(&h, "select\n\t2", &err), "add a multi-line entry");
    struct stat st;
    memset(&st, 0, sizeof st);
    int src = stat(path, &st);
    ok(src == 0 && (st.st_mode & 0777) == 0600, "mode 0600 with umask 000 (%o)",
       (unsigned)(st.st_mode & 0777));
    history_close(&h);
    FILE *f = fopen(path, "a");
    fputs("command\tquit\n", f);
    fclose(f);
    ok(history_open(&h, path, &err), "reopen");
    is_int(h.n, 2, "two entries survive; the password line was never saved");
    is_str(h.n > 1 ? h.items[1] : NULL, "select\n\t2", "multi-line entry round trip");
    is_int(history_search(&h, "SELECT 1", h.n - 1, -1), 0, "reverse search, any case");
    ok(history_add(&h, "select 3", &err), "add after reopen");
    history_close(&h);
    f = fopen(path, "r");
    char line[256];
    int other = 0, secret = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "command\t", 8) == 0)
            other++;
        if (strstr(line, "secret"))
            secret++;
    }
    fclose(f);
    is_int(other, 1, "the console's prompt history lines are kept");
    is_int(secret, 0, "no password in the file");
    unlink(path);
    snprintf(path, sizeof path, "%s/sub", dir);
    rmdir(path);
    rmdir(dir);

    return done_testing();
}
