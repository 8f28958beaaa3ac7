/* Unit tests for the keymap: lookup, key names, overrides, generated help. */
#include "ui/keymap.h"
#include "ui/tui.h"
#include "../lib/tap.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static km_key K(int code)
{
    km_key k = {code, false, false};
    return k;
}
static km_key KK(int code)
{
    km_key k = {code, true, false};
    return k;
}
static km_key M(int code)
{
    km_key k = {code, false, true};
    return k;
}

static bool lines_have(char **lines, size_t n, const char *a, const char *b)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(lines[i], a) && (!b || strstr(lines[i], b)))
            return true;
    return false;
}

int main(void)
{
    plan_no_plan();
    setlocale(LC_ALL, "C.UTF-8");
    keymap km;
    keymap_defaults(&km);

    /* the contract's keys */
    is_int(keymap_lookup(&km, KK(KEY_F(1))), KM_HELP, "F1 help");
    is_int(keymap_lookup(&km, K('?')), KM_HELP, "? help");
    is_int(keymap_lookup(&km, KK(KEY_F(10))), KM_QUIT, "F10 quit");
    is_int(keymap_lookup(&km, K('q')), KM_QUIT, "q quit");
    is_int(keymap_lookup(&km, K('\t')), KM_PANE_NEXT, "Tab next pane");
    is_int(keymap_lookup(&km, KK(KEY_BTAB)), KM_PANE_PREV, "S-Tab previous pane");
    for (int i = 0; i < 5; i++) {
        is_int(keymap_lookup(&km, M('1' + i)), KM_PANE_1 + i, "M-%d pane %d", i + 1, i + 1);
        is_int(keymap_lookup(&km, K('1' + i)), KM_PANE_1 + i, "%d pane %d", i + 1, i + 1);
    }
    is_int(keymap_lookup(&km, K(':')), KM_COMMAND, ": command line");
    is_int(keymap_lookup(&km, K('/')), KM_SEARCH, "/ search");
    is_int(keymap_lookup(&km, K(27)), KM_BACK, "Esc back");
    is_int(keymap_lookup(&km, K(3)), KM_CANCEL, "C-c cancel");
    is_int(keymap_lookup(&km, K('+')), KM_REFRESH_SLOWER, "+ slower");
    is_int(keymap_lookup(&km, K('-')), KM_REFRESH_FASTER, "- faster");
    is_int(keymap_lookup(&km, K(' ')), KM_PAUSE, "Space pause");
    is_int(keymap_lookup(&km, K('p')), KM_PAUSE, "p pause (where a pane takes Space, as Activity)");
    is_int(keymap_lookup(&km, K('x')), KM_NONE, "x unbound");
    is_int(keymap_lookup(&km, M('q')), KM_NONE, "M-q unbound");
    /* replay (issue 17): keys no pane of a recording uses; F2 reaches the
     * keymap from any pane, the editor's text included */
    is_int(keymap_lookup(&km, K(',')), KM_REPLAY_PREV, ", one snapshot back");
    is_int(keymap_lookup(&km, K('.')), KM_REPLAY_NEXT, ". one snapshot forward");
    is_int(keymap_lookup(&km, K('<')), KM_REPLAY_BACK_MIN, "< a minute back");
    is_int(keymap_lookup(&km, K('>')), KM_REPLAY_FWD_MIN, "> a minute forward");
    is_int(keymap_lookup(&km, K('[')), KM_REPLAY_BACK_10MIN, "[ ten minutes back");
    is_int(keymap_lookup(&km, K(']')), KM_REPLAY_FWD_10MIN, "] ten minutes forward");
    is_int(keymap_lookup(&km, K('{')), KM_REPLAY_FIRST, "{ the first snapshot");
    is_int(keymap_lookup(&km, K('}')), KM_REPLAY_LAST, "} the last");
    is_int(keymap_lookup(&km, K('@')), KM_REPLAY_GOTO, "@ go to a time");
    is_int(keymap_lookup(&km, KK(KEY_F(2))), KM_LIVE, "F2 live <-> recording");
    ok(km_key_anywhere(KK(KEY_F(2))), "F2 works from anywhere");
    ok(km_cmd_is_replay(KM_LIVE) && km_cmd_is_replay(KM_REPLAY_PREV) && !km_cmd_is_replay(KM_PAUSE),
       "the replay commands are told apart");
    {
        char **gl, **rl;
        size_t ng = keymap_help_lines(&km, &gl), nr = keymap_replay_help_lines(&km, &rl);
        is_int((int)nr, 10, "the help's Replay section: ten commands");
        bool mixed = false;
        for (size_t i = 0; i < ng; i++)
            mixed |= strstr(gl[i], "Replay:") != NULL;
        ok(!mixed, "... and none of them in the global section");
        keymap_free_lines(gl, ng);
        keymap_free_lines(rl, nr);
    }

    /* key specs and names round-trip */
    const char *specs[] = {"q",     "?",    "F1",    "F10", "F12", "Tab", "S-Tab",
                           "Space", "Esc",  "Enter", "C-c", "C-x", "M-1", "M-x",
                           "Up",    "PgDn", "Home",  "Del", "é"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        km_key k;
        char buf[32];
        ok(km_parse_key(specs[i], &k), "parse %s", specs[i]);
        is_str(km_key_name(k, buf, sizeof buf), specs[i], "name of %s", specs[i]);
    }
    const char *bad[] = {"", "F0", "F99", "C-", "C-1", "xy", "M-", "M-M-1", "Fx1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        km_key k;
        ok(!km_parse_key(bad[i], &k), "refuse '%s'", bad[i]);
    }
    ok(km_key_printable(K('q')) && !km_key_printable(K('\t')) && !km_key_printable(M('1')),
       "printable keys");
    ok(km_key_anywhere(KK(KEY_F(10))) && km_key_anywhere(M('2')) && !km_key_anywhere(K('q')),
       "F-keys and Alt keys work from anywhere");

    /* generated help */
    char **lines;
    size_t n = keymap_help_lines(&km, &lines);
    ok(n >= 15, "help has a line per bound command (%zu)", n);
    ok(lines_have(lines, n, "F1, ?", "help"), "help line for F1, ?");
    ok(lines_have(lines, n, "F10, q", "Quit"), "help line for F10, q");
    ok(lines_have(lines, n, "M-1, 1", "Pane 1"), "help line for M-1, 1");
    keymap_free_lines(lines, n);

    /* footer */
    km_footer_item items[16], last[2];
    size_t nlast;
    size_t nf = keymap_footer(&km, items, 16, last, &nlast);
    ok(nf >= 4 && strcmp(items[0].key, "F1") == 0 && strcmp(items[0].label, "Help") == 0,
       "footer starts with F1 Help");
    ok(nlast == 1 && strcmp(last[0].key, "F10") == 0 && strcmp(last[0].label, "Quit") == 0,
       "footer ends with F10 Quit");

    /* overrides: replace, add, move */
    config_keybind b[] = {{(char[]){"quit"}, (char[]){"C-q"}},
                          {(char[]){"help"}, (char[]){"h"}},
                          {(char[]){"help"}, (char[]){"F2"}},
                          {(char[]){"pause"}, (char[]){"p"}},
                          {(char[]){"pane_next"}, (char[]){"q"}}};
    char *err = NULL;
    ok(keymap_apply_config(&km, b, 5, &err), "overrides apply");
    is_int(keymap_lookup(&km, K(17)), KM_QUIT, "C-q quits");
    is_int(keymap_lookup(&km, KK(KEY_F(10))), KM_NONE, "F10 no longer quits (replaced)");
    is_int(keymap_lookup(&km, K('h')), KM_HELP, "h helps");
    is_int(keymap_lookup(&km, KK(KEY_F(2))), KM_HELP, "F2 helps (second override adds)");
    is_int(keymap_lookup(&km, K('?')), KM_NONE, "? no longer helps");
    is_int(keymap_lookup(&km, K('p')), KM_PAUSE, "p pauses");
    is_int(keymap_lookup(&km, K('q')), KM_PANE_NEXT, "q moved to pane_next");
    is_int(keymap_lookup(&km, K('\t')), KM_NONE, "Tab replaced");
    n = keymap_help_lines(&km, &lines);
    ok(lines_have(lines, n, "h, F2", "help"), "help screen shows the new help keys");
    ok(lines_have(lines, n, "C-q", "Quit"), "help screen shows the new quit key");
    ok(!lines_have(lines, n, "F10", NULL), "help screen no longer shows F10");
    keymap_free_lines(lines, n);
    nf = keymap_footer(&km, items, 16, last, &nlast);
    ok(strcmp(items[0].key, "h") == 0 && strcmp(last[0].key, "C-q") == 0,
       "footer follows the overrides");

    config_keybind bad1[] = {{(char[]){"frobnicate"}, (char[]){"x"}}};
    err = NULL;
    ok(!keymap_apply_config(&km, bad1, 1, &err) && err && strstr(err, "frobnicate"),
       "unknown command refused: %s", err ? err : "");
    free(err);
    config_keybind mixed[] = {{(char[]){"pause"}, (char[]){"z"}},
                              {(char[]){"nope"}, (char[]){"y"}}};
    err = NULL;
    ok(!keymap_apply_config(&km, mixed, 2, &err), "a bad entry after a good one is refused");
    free(err);
    is_int(keymap_lookup(&km, K('z')), KM_NONE, "... and nothing of it applies");
    is_int(keymap_lookup(&km, K('p')), KM_PAUSE, "... the earlier binding stays");
    config_keybind bad2[] = {{(char[]){"quit"}, (char[]){"C-"}}};
    err = NULL;
    ok(!keymap_apply_config(&km, bad2, 1, &err) && err && strstr(err, "bad key"),
       "bad key refused: %s", err ? err : "");
    free(err);
    is_int(km_cmd_from_name("pane_3"), KM_PANE_3, "command names");
    is_str(km_cmd_name(KM_REFRESH_FASTER), "refresh_faster", "command name");
    return done_testing();
}
