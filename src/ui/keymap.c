/* keymap.c — global key bindings, their names, and the generated help/footer. */
#include "ui/keymap.h"
#include "ui/tui.h"
#include "common/xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

typedef struct cmd_info {
    const char *name;
    const char *label; /* footer word or NULL */
    const char *help;
    const char *keys; /* default keys, space-separated specs */
} cmd_info;

static const cmd_info cmds[KM_COUNT] = {
    [KM_NONE] = {"none", NULL, "", ""},
    [KM_HELP] = {"help", "Help", "Show this help (Esc closes it)", "F1 ?"},
    [KM_QUIT] = {"quit", "Quit", "Quit (asks to confirm while something runs)", "F10 q"},
    [KM_PANE_NEXT] = {"pane_next", "Pane", "Next pane", "Tab"},
    [KM_PANE_PREV] = {"pane_prev", NULL, "Previous pane", "S-Tab"},
    [KM_PANE_1] = {"pane_1", NULL, "Pane 1 (digits work outside text input)", "M-1 1"},
    [KM_PANE_2] = {"pane_2", NULL, "Pane 2", "M-2 2"},
    [KM_PANE_3] = {"pane_3", NULL, "Pane 3", "M-3 3"},
    [KM_PANE_4] = {"pane_4", NULL, "Pane 4", "M-4 4"},
    [KM_PANE_5] = {"pane_5", NULL, "Pane 5", "M-5 5"},
    [KM_PANE_6] = {"pane_6", NULL, "Pane 6", "M-6 6"},
    [KM_PANE_7] = {"pane_7", NULL, "Pane 7", "M-7 7"},
    [KM_COMMAND] = {"command", "Cmd", "Command line (:help lists the commands)", ":"},
    [KM_SEARCH] = {"search", "Search", "Search in the list (n / N: next / previous match)", "/"},
    [KM_BACK] = {"back", NULL, "Close the prompt or overlay, or go back in the pane", "Esc"},
    [KM_CANCEL] = {"cancel", NULL, "Cancel what the pane runs (never quits)", "C-c"},
    [KM_REFRESH_SLOWER] = {"refresh_slower", "Slower", "Refresh interval +0.5 s (max 60)", "+"},
    [KM_REFRESH_FASTER] = {"refresh_faster", "Faster", "Refresh interval -0.5 s (min 0.5)", "-"},
    [KM_PAUSE] = {"pause", "Pause", "Pause / resume the refresh", "Space p"},
    [KM_REDRAW] = {"redraw", NULL, "Redraw the whole screen", "C-l"},
    [KM_REPLAY_PREV] = {"replay_prev", "Prev", "Replay: one snapshot back", ","},
    [KM_REPLAY_NEXT] = {"replay_next", "Next", "Replay: one snapshot forward", "."},
    [KM_REPLAY_BACK_MIN] = {"replay_back_min", "-1m", "Replay: a minute back", "<"},
    [KM_REPLAY_FWD_MIN] = {"replay_fwd_min", "+1m", "Replay: a minute forward", ">"},
    [KM_REPLAY_BACK_10MIN] = {"replay_back_10min", "-10m", "Replay: ten minutes back", "["},
    [KM_REPLAY_FWD_10MIN] = {"replay_fwd_10min", "+10m", "Replay: ten minutes forward", "]"},
    [KM_REPLAY_FIRST] = {"replay_first", "First", "Replay: the first snapshot", "{"},
    [KM_REPLAY_LAST] = {"replay_last", "Last", "Replay: the last snapshot", "}"},
    [KM_REPLAY_GOTO] = {"replay_goto", "Goto",
                        "Replay: go to a time you type (03:12, 2026-12-04 03:12:00; as :goto)",
                        "@"},
    [KM_LIVE] = {"live", "Live",
                 "Live data <-> the recording open (:replay FILE opens one, --replay starts on "
                 "one)",
                 "F2"},
};

/* Named keys: spec <-> code. */
static const struct {
    const char *name;
    int code;
    bool is_key;
} named[] = {
    {"Space", ' ', false},       {"Tab", '\t', false},       {"S-Tab", KEY_BTAB, true},
    {"BTab", KEY_BTAB, true},    {"Enter", '\n', false},     {"Esc", 27, false},
    {"BS", KEY_BACKSPACE, true}, {"Del", KEY_DC, true},      {"Ins", KEY_IC, true},
    {"Home", KEY_HOME, true},    {"End", KEY_END, true},     {"PgUp", KEY_PPAGE, true},
    {"PgDn", KEY_NPAGE, true},   {"Up", KEY_UP, true},       {"Down", KEY_DOWN, true},
    {"Left", KEY_LEFT, true},    {"Right", KEY_RIGHT, true},
};

/* ---- terminal keys (see keymap.h) --------------------------------------- */

static km_term_keys term_keys;

/* A code no key uses yet (ncurses numbers extended keys above KEY_MAX). */
static int free_key_code(void)
{
    for (int code = KEY_MAX + 1; code < KEY_MAX + 2048; code++) {
        char *bound = keybound(code, 0);
        free(bound);
        if (!bound && !has_key(code))
            return code;
    }
    return 0;
}

static int terminal_key(const char *cap, const char *fallback_seq)
{
    char *seq = tigetstr(cap);
    if (seq && seq != (char *)-1) {
        int code = key_defined(seq);
        if (code > 0)
            return code;
    }
    /* the description lacks it (TERM=screen, linux, ...): use xterm's */
    int code = key_defined(fallback_seq);
    if (code > 0)
        return code;
    if (code == 0 && (code = free_key_code()) > 0 && define_key(fallback_seq, code) == OK)
        return code;
    return 0;
}

void km_terminal_keys(km_term_keys *out)
{
    /* VT220 Home / End, sent by tmux whatever TERM says */
    if (key_defined("\033[1~") == 0)
        define_key("\033[1~", KEY_HOME);
    if (key_defined("\033[4~") == 0)
        define_key("\033[4~", KEY_END);
    term_keys.ctrl_home = terminal_key("kHOM5", "\033[1;5H");
    term_keys.ctrl_end = terminal_key("kEND5", "\033[1;5F");
    if (out)
        *out = term_keys;
}

const km_term_keys *km_terminal_keys_get(void)
{
    return &term_keys;
}

const char *km_cmd_name(km_cmd c)
{
    return (c > KM_NONE && c < KM_COUNT) ? cmds[c].name : "none";
}

km_cmd km_cmd_from_name(const char *name)
{
    for (int c = KM_NONE + 1; c < KM_COUNT; c++)
        if (strcmp(name, cmds[c].name) == 0)
            return (km_cmd)c;
    return KM_NONE;
}

const char *km_cmd_help(km_cmd c)
{
    return (c > KM_NONE && c < KM_COUNT) ? cmds[c].help : "";
}

bool km_cmd_is_replay(km_cmd c)
{
    return c >= KM_REPLAY_PREV && c <= KM_LIVE;
}

const char *km_cmd_label(km_cmd c)
{
    return (c > KM_NONE && c < KM_COUNT) ? cmds[c].label : NULL;
}

bool km_parse_key(const char *spec, km_key *out)
{
    km_key k = {0, false, false};
    if (!spec || !*spec)
        return false;
    if (strncmp(spec, "M-", 2) == 0 && spec[2]) {
        if (!km_parse_key(spec + 2, &k) || k.meta)
            return false;
        k.meta = true;
        *out = k;
        return true;
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(spec, named[i].name) == 0) {
            k.code = named[i].code;
            k.is_key = named[i].is_key;
            *out = k;
            return true;
        }
    if (spec[0] == 'F' && spec[1] >= '1' && spec[1] <= '9') {
        char *end;
        long n = strtol(spec + 1, &end, 10);
        if (*end == '\0' && n >= 1 && n <= 24) {
            k.code = KEY_F(n);
            k.is_key = true;
            *out = k;
            return true;
        }
        if (spec[2] != '\0')
            return false;
    }
    if (strncmp(spec, "C-", 2) == 0 && spec[2] && !spec[3]) {
        char c = spec[2];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || c == '[' || c == '\\' || c == ']' || c == '_') {
            k.code = c & 0x1f;
            *out = k;
            return true;
        }
        return false;
    }
    /* one printable character (UTF-8 or the locale's encoding) */
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t len = strlen(spec);
    size_t r = mbrtowc(&wc, spec, len, &st);
    if (r == (size_t)-1 || r == (size_t)-2 || r == 0 || r != len) {
        if (len == 1 && (unsigned char)spec[0] > 32 && (unsigned char)spec[0] < 127) {
            k.code = (unsigned char)spec[0];
            *out = k;
            return true;
        }
        return false;
    }
    if (wc <= 32 || wc == 127)
        return false;
    k.code = (int)wc;
    *out = k;
    return true;
}

const char *km_key_name(km_key k, char *buf, size_t n)
{
    char base[MB_LEN_MAX + 16];
    base[0] = '\0';
    if (k.is_key && k.code >= KEY_F(1) && k.code <= KEY_F(24)) {
        snprintf(base, sizeof base, "F%d", k.code - KEY_F(0));
    } else {
        for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
            if (named[i].code == k.code && named[i].is_key == k.is_key &&
                strcmp(named[i].name, "BTab") != 0) {
                snprintf(base, sizeof base, "%s", named[i].name);
                break;
            }
        if (!base[0]) {
            if (k.is_key)
                snprintf(base, sizeof base, "key%d", k.code);
            else if (k.code == 127 || k.code == 8)
                snprintf(base, sizeof base, "BS");
            else if (k.code > 0 && k.code < 32)
                snprintf(base, sizeof base, "C-%c", (char)(k.code + 'a' - 1));
            else {
                mbstate_t st;
                memset(&st, 0, sizeof st);
                char mb[MB_LEN_MAX + 1];
                size_t r = wcrtomb(mb, (wchar_t)k.code, &st);
                if (r == (size_t)-1)
                    snprintf(base, sizeof base, "U+%04X", (unsigned)k.code);
                else {
                    mb[r] = '\0';
                    memcpy(base, mb, r + 1); /* r <= MB_LEN_MAX < sizeof base */
                }
            }
        }
    }
    snprintf(buf, n, "%s%s", k.meta ? "M-" : "", base);
    return buf;
}

bool km_key_printable(km_key k)
{
    return !k.is_key && !k.meta && k.code > 32 && k.code != 127;
}

bool km_key_anywhere(km_key k)
{
    return k.meta || (k.is_key && k.code >= KEY_F(1) && k.code <= KEY_F(24));
}

static bool key_eq(km_key a, km_key b)
{
    return a.code == b.code && a.is_key == b.is_key && a.meta == b.meta;
}

static void unbind_key(keymap *km, km_key k)
{
    for (int c = 0; c < KM_COUNT; c++)
        for (int i = 0; i < km->nkeys[c]; i++)
            if (key_eq(km->keys[c][i], k)) {
                memmove(&km->keys[c][i], &km->keys[c][i + 1],
                        (size_t)(km->nkeys[c] - i - 1) * sizeof(km_key));
                km->nkeys[c]--;
                i--;
            }
}

static void bind_key(keymap *km, km_cmd c, km_key k)
{
    unbind_key(km, k);
    if (km->nkeys[c] < KM_MAX_BINDINGS)
        km->keys[c][km->nkeys[c]++] = k;
}

void keymap_defaults(keymap *km)
{
    memset(km, 0, sizeof *km);
    for (int c = KM_NONE + 1; c < KM_COUNT; c++) {
        char specs[64];
        snprintf(specs, sizeof specs, "%s", cmds[c].keys);
        char *save = NULL;
        for (char *s = strtok_r(specs, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
            km_key k;
            if (km_parse_key(s, &k))
                bind_key(km, (km_cmd)c, k);
        }
    }
}

bool keymap_apply_config(keymap *dst, const config_keybind *binds, size_t n, char **err)
{
    /* all or nothing, as the config file itself */
    keymap copy = *dst, *km = &copy;
    bool replaced[KM_COUNT] = {false};
    for (size_t i = 0; i < n; i++) {
        km_cmd c = km_cmd_from_name(binds[i].command);
        if (c == KM_NONE) {
            *err = xasprintf(
                "[keys] %s: unknown command (known: help, quit, pane_next, "
                "pane_prev, pane_1..pane_7, command, search, back, cancel, "
                "refresh_slower, refresh_faster, pause, redraw, replay_prev, replay_next, "
                "replay_back_min, replay_fwd_min, replay_back_10min, "
                "replay_fwd_10min, replay_first, replay_last, replay_goto, live)",
                binds[i].command);
            return false;
        }
        km_key k;
        if (!km_parse_key(binds[i].key, &k)) {
            *err = xasprintf("[keys] %s = %s: bad key (e.g. q, F5, C-x, M-1, Space, Tab)",
                             binds[i].command, binds[i].key);
            return false;
        }
        if (!replaced[c]) {
            km->nkeys[c] = 0;
            replaced[c] = true;
        }
        bind_key(km, c, k);
    }
    *dst = copy;
    return true;
}

km_cmd keymap_lookup(const keymap *km, km_key k)
{
    /* Enter arrives as CR or LF; KEY_ENTER from keypads. */
    if (!k.is_key && k.code == '\r')
        k.code = '\n';
    for (int c = KM_NONE + 1; c < KM_COUNT; c++)
        for (int i = 0; i < km->nkeys[c]; i++)
            if (key_eq(km->keys[c][i], k))
                return (km_cmd)c;
    return KM_NONE;
}

const char *keymap_keys_string(const keymap *km, km_cmd c, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < km->nkeys[c] && used < n; i++) {
        char name[32];
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "",
                         km_key_name(km->keys[c][i], name, sizeof name));
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return buf;
}

static size_t help_lines_of(const keymap *km, bool replay, char ***lines)
{
    char **out = xcalloc(KM_COUNT, sizeof *out);
    size_t n = 0;
    for (int c = KM_NONE + 1; c < KM_COUNT; c++) {
        if (km->nkeys[c] == 0 || km_cmd_is_replay((km_cmd)c) != replay)
            continue;
        char keys[96];
        keymap_keys_string(km, (km_cmd)c, keys, sizeof keys);
        out[n++] = xasprintf("  %-*s %s", KM_HELP_KEY_WIDTH, keys, cmds[c].help);
    }
    *lines = out;
    return n;
}

size_t keymap_help_lines(const keymap *km, char ***lines)
{
    return help_lines_of(km, false, lines);
}

size_t keymap_replay_help_lines(const keymap *km, char ***lines)
{
    return help_lines_of(km, true, lines);
}

void keymap_free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

size_t keymap_footer(const keymap *km, km_footer_item *items, size_t max, km_footer_item *last,
                     size_t *nlast)
{
    size_t n = 0;
    *nlast = 0;
    for (int c = KM_NONE + 1; c < KM_COUNT; c++) {
        if (!cmds[c].label || km->nkeys[c] == 0)
            continue;
        km_footer_item it;
        km_key_name(km->keys[c][0], it.key, sizeof it.key);
        it.label = cmds[c].label;
        it.cmd = (km_cmd)c;
        it.anywhere = km_key_anywhere(km->keys[c][0]);
        if (c == KM_QUIT) {
            last[(*nlast)++] = it;
        } else if (n < max) {
            items[n++] = it;
        }
    }
    return n;
}
