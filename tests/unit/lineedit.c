/* Unit tests for the readline bridge: editing keys, accept/cancel, history
 * per kind (no password lines), ~ filename completion, word completion and
 * the horizontally scrolled drawing. */
#include "ui/lineedit.h"
#include "ui/tui.h"
#include "../lib/tap.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char got[4096];
static int calls;
static bool cancelled;

static void done(void *ctx, const char *line)
{
    (void)ctx;
    calls++;
    cancelled = line == NULL;
    snprintf(got, sizeof got, "%s", line ? line : "");
}

static void type(const char *s)
{
    for (; *s; s++)
        le_key((unsigned char)*s, false, false);
}

static void start(const char *kind, const char *initial, bool files)
{
    calls = 0;
    got[0] = '\0';
    cancelled = false;
    le_start(":", initial, kind, files, done, NULL);
}

static const char *row_text(WINDOW *w, int y)
{
    static char out[256];
    int n = mvwinnstr(w, y, 0, out, (int)sizeof out - 1);
    if (n < 0)
        out[0] = '\0';
    return out;
}

int main(void)
{
    plan_no_plan();
    setlocale(LC_ALL, "C.UTF-8");

    start("cmd", NULL, false);
    ok(le_active(), "active after le_start");
    type("hello\n");
    is_int(calls, 1, "Enter accepts");
    is_str(got, "hello", "the line");
    ok(!le_active(), "inactive after accept");

    start("cmd", NULL, false);
    type("abc");
    le_key(27, false, false);
    ok(calls == 1 && cancelled, "Esc cancels (done gets NULL)");
    start("cmd", NULL, false);
    type("abc");
    le_key(3, false, false);
    ok(calls == 1 && cancelled, "Ctrl-C cancels");
    start("cmd", NULL, false);
    le_key(4, false, false);
    ok(calls == 1 && cancelled, "Ctrl-D on an empty line cancels");

    start("cmd", "abc", false);
    type("d\n");
    is_str(got, "abcd", "initial text, cursor at its end");
    start("cmd", NULL, false);
    type("ac");
    le_key(KEY_LEFT, true, false);
    type("b\n");
    is_str(got, "abc", "Left moves the cursor");
    start("cmd", NULL, false);
    type("bc");
    le_key(KEY_HOME, true, false);
    type("a");
    le_key(KEY_END, true, false);
    type("d\n");
    is_str(got, "abcd", "Home and End");
    start("cmd", NULL, false);
    type("abx");
    le_key(KEY_BACKSPACE, true, false);
    type("c\n");
    is_str(got, "abc", "Backspace");
    start("cmd", NULL, false);
    type("ab");
    le_key(KEY_LEFT, true, false);
    le_key(KEY_DC, true, false);
    type("\n");
    is_str(got, "a", "Delete");
    start("cmd", NULL, false);
    le_key(0xe9, false, false);   /* é */
    le_key(0x65e5, false, false); /* 日 */
    type("\n");
    is_str(got, "\xc3\xa9\xe6\x97\xa5", "wide characters become UTF-8");
    start("cmd", NULL, false);
    type("one two");
    le_key('b', false, true); /* M-b: back a word */
    type("X\n");
    is_str(got, "one Xtwo", "Alt keys reach readline (M-b)");

    /* history per kind */
    start("hist", NULL, false);
    type("first\n");
    start("hist", NULL, false);
    type("second\n");
    start("hist", NULL, false);
    le_key(KEY_UP, true, false);
    type("\n");
    is_str(got, "second", "Up: the last line of this kind");
    start("hist", NULL, false);
    le_key(KEY_UP, true, false);
    le_key(KEY_UP, true, false);
    type("\n");
    is_str(got, "first", "Up Up: the one before");
    start("other", NULL, false);
    le_key(KEY_UP, true, false);
    type("\n");
    is_str(got, "", "another kind has its own (empty) history");
    int before = le_history_count("hist");
    start("hist", NULL, false);
    type("set password = hunter2\n");
    is_int(le_history_count("hist"), before, "a line with a password is not kept");
    ok(le_secret_line("ALTER ROLE x PASSWORD 'y'"), "PASSWORD in any case is secret");
    ok(!le_secret_line("select 1"), "ordinary lines are not");

    /* completion */
    char dir[] = "/tmp/pgdeck-le-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[256];
    snprintf(path, sizeof path, "%s/data-file.csv", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    setenv("HOME", dir, 1);
    start("file", NULL, true);
    type("~/data-f\t\n");
    is_str(got, path, "Tab completes a ~ file name, the answer is expanded");
    static const char *const words[] = {"theme", "refresh", "quit", NULL};
    le_set_words(words);
    start("cmd", NULL, false);
    type("th\t\n");
    is_str(got, "theme ", "Tab completes a command word");
    le_set_words(NULL);

    /* drawing: prompt, scrolled so the cursor shows */
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm", out, in);
    if (scr) {
        set_term(scr);
        WINDOW *w = newpad(1, 20);
        start("cmd", NULL, false);
        type("short");
        le_draw(w, 0, 0, 20, A_BOLD, A_NORMAL);
        is_int(getcurx(w), 6, "cursor after the text");
        is_str(row_text(w, 0), ":short              ", "prompt and text");
        type("-and-a-much-longer-line-end");
        le_draw(w, 0, 0, 20, A_BOLD, A_NORMAL);
        int cx = getcurx(w);
        const char *r = row_text(w, 0);
        ok(r[0] == ':' && strstr(r, "line-end") != NULL, "long line scrolled to the cursor: %s", r);
        ok(cx > 10 && cx <= 19, "cursor inside the field, after the text (%d)", cx);
        le_cancel();
        delwin(w);
        endwin();
        delscreen(scr);
    }
    fclose(out);
    fclose(in);
    /* saved and loaded again: 0600 whatever the umask, no password lines */
    char hpath[256];
    snprintf(hpath, sizeof hpath, "%s/state/pgdeck/history", dir);
    start("hist", NULL, false);
    type("back \\ slash\n");
    mode_t old = umask(0);
    char *err = NULL;
    ok(le_history_save(hpath, &err), "history saved%s%s", err ? ": " : "", err ? err : "");
    umask(old);
    struct stat st;
    ok(stat(hpath, &st) == 0 && (st.st_mode & 0777) == 0600, "history file is 0600 (umask 0)");
    FILE *hf = fopen(hpath, "r");
    char buf[4096] = "";
    size_t nr = hf ? fread(buf, 1, sizeof buf - 1, hf) : 0;
    buf[nr] = '\0';
    if (hf)
        fclose(hf);
    ok(strstr(buf, "hunter2") == NULL, "the password line is not in the file");
    ok(strstr(buf, "hist\tsecond\n") != NULL, "lines are saved by kind");
    int nhist = le_history_count("hist");
    le_shutdown();
    is_int(le_history_count("hist"), 0, "shutdown forgets");
    ok(le_history_load(hpath, &err), "history loaded");
    is_int(le_history_count("hist"), nhist, "the same lines come back");
    start("hist", NULL, false);
    le_key(KEY_UP, true, false);
    type("\n");
    is_str(got, "back \\ slash", "a backslash survives the round trip");
    le_shutdown();
    hf = fopen(hpath, "w");
    fputs("esc\ta\\tb\\nc\\\\d\nbroken line without a kind\n", hf);
    fclose(hf);
    ok(le_history_load(hpath, &err), "a hand-written history loads");
    start("esc", NULL, false);
    le_key(KEY_UP, true, false);
    type("\n");
    is_str(got, "a\tb\nc\\d", "\\t \\n \\\\ escapes decoded");
    ok(le_history_load("/nonexistent/dir/history", &err), "a missing file is no error");
    le_shutdown();

    /* loading attaches: an accepted line is in the file at once; a foreign
     * kind (the editor's) is neither loaded nor dropped by a save */
    hf = fopen(hpath, "w");
    fputs("editor\tselect 'kept'\nhist\tolder\n", hf);
    fclose(hf);
    le_history_foreign("editor");
    ok(le_history_load(hpath, &err), "a file with a foreign kind loads");
    is_int(le_history_count("editor"), 0, "the foreign kind is not loaded");
    start("hist", NULL, false);
    type("right away\n");
    hf = fopen(hpath, "r");
    nr = hf ? fread(buf, 1, sizeof buf - 1, hf) : 0;
    buf[nr] = '\0';
    if (hf)
        fclose(hf);
    ok(strstr(buf, "hist\tright away\n") != NULL, "the accepted line was saved at once");
    ok(strstr(buf, "editor\tselect 'kept'\n") != NULL, "the foreign line is kept as it was");
    ok(strstr(buf, "hist\tolder\n") != NULL, "and the older line of the kind too");
    ok(stat(hpath, &st) == 0 && (st.st_mode & 0777) == 0600, "still 0600");
    le_shutdown();
    unlink(hpath);
    snprintf(hpath, sizeof hpath, "%s/state/pgdeck", dir);
    rmdir(hpath);
    snprintf(hpath, sizeof hpath, "%s/state", dir);
    rmdir(hpath);
    unlink(path);
    rmdir(dir);
    return done_testing();
}
