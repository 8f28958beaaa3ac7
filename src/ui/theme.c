/* theme.c — theme files, colour pairs and the attribute of each element.
 * The active theme is UI-thread state (only the UI thread draws). */
#include "ui/theme.h"
#include "ui/tui.h"
#include "common/filecap.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const element_names[TH_COUNT] = {
#define THEME_NAME(id, name) name,
    THEME_ELEMENTS(THEME_NAME)
#undef THEME_NAME
};

/* One row per element: fg, bg, attrs (dark background). */
static const theme_style builtin_default[TH_COUNT] = {
    [TH_NORMAL] = {-1, -1, 0},
    [TH_HEADER] = {15, 4, THA_BOLD},
    [TH_PANEBAR] = {7, -1, 0},
    [TH_PANEBAR_ACTIVE] = {0, 6, THA_BOLD},
    [TH_FOOTER] = {-1, -1, 0},
    [TH_FOOTER_KEY] = {0, 6, 0},
    [TH_MESSAGE] = {-1, -1, 0},
    [TH_MESSAGE_ERROR] = {9, -1, THA_BOLD},
    [TH_TITLE] = {14, -1, THA_BOLD},
    [TH_LABEL] = {6, -1, 0},
    [TH_VALUE] = {15, -1, THA_BOLD},
    [TH_DIM] = {8, -1, 0},
    [TH_SELECTED] = {0, 6, 0},
    [TH_TAGGED] = {3, -1, THA_BOLD},
    [TH_GOOD] = {2, -1, THA_BOLD},
    [TH_WARN] = {3, -1, THA_BOLD},
    [TH_BAD] = {1, -1, THA_BOLD},
    [TH_GAUGE_USED] = {2, -1, THA_BOLD},
    [TH_GAUGE_FREE] = {8, -1, 0},
    [TH_GAUGE_WAIT] = {1, -1, THA_BOLD},
    [TH_GRID_HEADER] = {15, 4, THA_BOLD},
    [TH_GRID_NULL] = {8, -1, 0},
    [TH_GRID_NUMBER] = {6, -1, 0},
    [TH_SEARCH_MATCH] = {0, 3, 0},
    [TH_SQL_KEYWORD] = {12, -1, THA_BOLD},
    [TH_SQL_STRING] = {2, -1, 0},
    [TH_SQL_COMMENT] = {8, -1, 0},
    [TH_SQL_NUMBER] = {5, -1, 0},
    [TH_ERROR_MARK] = {15, 1, THA_BOLD},
    [TH_PROMPT] = {11, -1, THA_BOLD},
};

/* Without colours, elements told apart by colour need an attribute. */
static const unsigned mono_attrs[TH_COUNT] = {
    [TH_HEADER] = THA_REVERSE,
    [TH_PANEBAR_ACTIVE] = THA_REVERSE | THA_BOLD,
    [TH_FOOTER_KEY] = THA_REVERSE,
    [TH_MESSAGE_ERROR] = THA_BOLD,
    [TH_TITLE] = THA_BOLD,
    [TH_VALUE] = THA_BOLD,
    [TH_DIM] = THA_DIM,
    [TH_SELECTED] = THA_REVERSE,
    [TH_TAGGED] = THA_BOLD,
    [TH_WARN] = THA_BOLD,
    [TH_BAD] = THA_BOLD | THA_UNDERLINE,
    [TH_GAUGE_USED] = THA_BOLD,
    [TH_GAUGE_WAIT] = THA_BOLD,
    [TH_GRID_HEADER] = THA_BOLD | THA_UNDERLINE,
    [TH_GRID_NULL] = THA_DIM,
    [TH_SEARCH_MATCH] = THA_REVERSE | THA_UNDERLINE,
    [TH_SQL_KEYWORD] = THA_BOLD,
    [TH_SQL_COMMENT] = THA_DIM,
    [TH_ERROR_MARK] = THA_REVERSE | THA_BOLD,
    [TH_PROMPT] = THA_BOLD,
};

static struct {
    bool color;
    bool activated;
    unsigned long attr[TH_COUNT];
    char name[256];
} active;

const char *theme_element_name(theme_element el)
{
    return (el >= 0 && el < TH_COUNT) ? element_names[el] : "?";
}

void theme_builtin_default(theme_spec *out)
{
    memcpy(out->el, builtin_default, sizeof builtin_default);
}

static const char *const color_names[8] = {"black", "red",     "green", "yellow",
                                           "blue",  "magenta", "cyan",  "white"};

bool theme_parse_color(const char *word, short *out)
{
    if (strcmp(word, "default") == 0 || strcmp(word, "-1") == 0) {
        *out = -1;
        return true;
    }
    if (strcmp(word, "grey") == 0 || strcmp(word, "gray") == 0) {
        *out = 8;
        return true;
    }
    for (int i = 0; i < 8; i++) {
        if (strcmp(word, color_names[i]) == 0) {
            *out = (short)i;
            return true;
        }
        if (strncmp(word, "bright", 6) == 0 && strcmp(word + 6, color_names[i]) == 0) {
            *out = (short)(8 + i);
            return true;
        }
    }
    if (isdigit((unsigned char)word[0])) {
        char *end;
        errno = 0;
        long v = strtol(word, &end, 10);
        if (*end == '\0' && errno == 0 && v >= 0 && v <= 255) {
            *out = (short)v;
            return true;
        }
    }
    return false;
}

static bool parse_attr(const char *word, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"normal", 0},
                 {"none", 0},
                 {"bold", THA_BOLD},
                 {"dim", THA_DIM},
                 {"underline", THA_UNDERLINE},
                 {"reverse", THA_REVERSE},
                 {"italic", THA_ITALIC},
                 {"standout", THA_STANDOUT}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(word, names[i].name) == 0) {
            *out |= names[i].bit;
            return true;
        }
    return false;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* One "element = fg [bg [attr,attr]]" line; NULL or the problem (static text
 * or malloc'd into *owned). */
static const char *parse_line(char *line, theme_spec *spec, char **owned)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return "expected 'element = fg bg attrs'";
    *eq = '\0';
    char *name = trim(line), *rest = trim(eq + 1);
    int el = -1;
    for (int i = 0; i < TH_COUNT; i++)
        if (strcmp(name, element_names[i]) == 0)
            el = i;
    if (el < 0) {
        *owned = xasprintf("unknown element '%s'", name);
        return *owned;
    }
    char *words[4];
    int nw = 0;
    for (char *tok = strtok(rest, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (nw == 3) {
            *owned = xasprintf("too many fields for '%s' (want fg bg attrs)", name);
            return *owned;
        }
        words[nw++] = tok;
    }
    if (nw == 0) {
        *owned = xasprintf("no colours for '%s'", name);
        return *owned;
    }
    theme_style st = {-1, -1, 0};
    if (!theme_parse_color(words[0], &st.fg)) {
        *owned = xasprintf("unknown colour '%s'", words[0]);
        return *owned;
    }
    if (nw > 1 && !theme_parse_color(words[1], &st.bg)) {
        *owned = xasprintf("unknown colour '%s'", words[1]);
        return *owned;
    }
    if (nw > 2) {
        for (char *a = strtok(words[2], ","); a; a = strtok(NULL, ",")) {
            if (!parse_attr(a, &st.attrs)) {
                *owned = xasprintf("unknown attribute '%s'", a);
                return *owned;
            }
        }
    }
    spec->el[el] = st;
    return NULL;
}

bool theme_parse_file(const char *path, theme_spec *out, char **err)
{
    theme_builtin_default(out);
    /* A regular file of at most 1 MB (filecap.h): --theme=/dev/zero, a FIFO
     * or a huge file is refused at once instead of read for ever. */
    size_t size = 0;
    char *data = filecap_read_file(path, FILECAP_SETTINGS_MAX, &size, err);
    if (!data)
        return false;
    theme_spec spec;
    theme_builtin_default(&spec);
    char buf[1024];
    int lineno = 0;
    bool ok = true;
    size_t pos = 0;
    while (pos < size) {
        const char *start = data + pos;
        const char *nl = memchr(start, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - start) : size - pos;
        pos += len + (nl ? 1 : 0);
        lineno++;
        if (memchr(start, '\0', len)) {
            *err = xasprintf("%s:%d: NUL byte in line: not a theme file", path, lineno);
            ok = false;
            break;
        }
        if (len >= sizeof buf) {
            *err = xasprintf("%s:%d: line too long", path, lineno);
            ok = false;
            break;
        }
        memcpy(buf, start, len);
        buf[len] = '\0';
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char *line = trim(buf);
        if (*line == '\0')
            continue;
        char *owned = NULL;
        const char *problem = parse_line(line, &spec, &owned);
        if (problem) {
            *err = xasprintf("%s:%d: %s", path, lineno, problem);
            free(owned);
            ok = false;
            break;
        }
    }
    free(data);
    if (ok)
        *out = spec;
    return ok;
}

static bool file_exists(const char *p)
{
    FILE *f = fopen(p, "r");
    if (f)
        fclose(f);
    return f != NULL;
}

char *theme_find(const char *name)
{
    if (!name || !*name)
        return NULL;
    size_t n = strlen(name);
    if (strchr(name, '/') || (n > 6 && strcmp(name + n - 6, ".theme") == 0))
        return xstrdup(name);
    char *dirs[4];
    int nd = 0;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        dirs[nd++] = xasprintf("%s/pgdeck/themes", xdg);
    else if (home && *home)
        dirs[nd++] = xasprintf("%s/.config/pgdeck/themes", home);
    const char *envdata = getenv("PGDECK_DATADIR");
    if (envdata && *envdata)
        dirs[nd++] = xasprintf("%s/themes", envdata);
    dirs[nd++] = xstrdup(PGDECK_DATADIR "/themes");
    dirs[nd++] = xstrdup(PGDECK_SRCDIR "/themes");
    char *found = NULL;
    for (int i = 0; i < nd; i++) {
        if (!found) {
            char *p = xasprintf("%s/%s.theme", dirs[i], name);
            if (file_exists(p))
                found = p;
            else
                free(p);
        }
        free(dirs[i]);
    }
    return found;
}

void theme_set_color(bool on)
{
    active.color = on;
}

bool theme_color_on(void)
{
    return active.color;
}

static unsigned long curses_attrs(unsigned a)
{
    unsigned long r = A_NORMAL;
    if (a & THA_BOLD)
        r |= A_BOLD;
    if (a & THA_DIM)
        r |= A_DIM;
    if (a & THA_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & THA_REVERSE)
        r |= A_REVERSE;
    if (a & THA_ITALIC)
        r |= A_ITALIC;
    if (a & THA_STANDOUT)
        r |= A_STANDOUT;
    return r;
}

/* Nearest of the 8 basic colours for a 256-colour index (terminals with 8). */
static short basic_color(short c, bool *bright)
{
    *bright = false;
    if (c < 0 || c < COLORS)
        return c;
    if (c < 16) {
        *bright = true;
        return (short)(c - 8);
    }
    int r, g, b;
    if (c >= 232) {
        int level = (c - 232) * 10 + 8;
        r = g = b = level;
    } else {
        int i = c - 16;
        r = (i / 36) * 51;
        g = ((i / 6) % 6) * 51;
        b = (i % 6) * 51;
    }
    int bits = (r > 127 ? 1 : 0) | (g > 127 ? 2 : 0) | (b > 127 ? 4 : 0);
    *bright = (r + g + b) > 450;
    return (short)bits;
}

void theme_activate(const theme_spec *spec, const char *name)
{
    for (int i = 0; i < TH_COUNT; i++) {
        const theme_style *st = &spec->el[i];
        unsigned long a;
        if (!active.color) {
            a = curses_attrs(st->attrs | mono_attrs[i]);
        } else {
            bool bright_fg, bright_bg;
            short fg = basic_color(st->fg, &bright_fg);
            short bg = basic_color(st->bg, &bright_bg);
            a = curses_attrs(st->attrs);
            if (bright_fg)
                a |= A_BOLD;
            if (i + 1 < COLOR_PAIRS) {
                init_pair((short)(i + 1), fg, bg);
                a |= COLOR_PAIR(i + 1);
            }
        }
        active.attr[i] = a;
    }
    snprintf(active.name, sizeof active.name, "%s", name ? name : "default");
    active.activated = true;
}

const char *theme_active_name(void)
{
    return active.name;
}

unsigned long theme_attr(theme_element el)
{
    if (el < 0 || el >= TH_COUNT)
        return A_NORMAL;
    if (!active.activated) {
        theme_spec def;
        theme_builtin_default(&def);
        theme_activate(&def, "default");
    }
    return active.attr[el];
}

bool theme_load(const char *name, char **err)
{
    theme_spec spec;
    if (!name || !*name || strcmp(name, "builtin") == 0) {
        theme_builtin_default(&spec);
        theme_activate(&spec, "default");
        return true;
    }
    char *path = theme_find(name);
    if (!path && strcmp(name, "default") == 0) { /* not installed: the same, compiled in */
        theme_builtin_default(&spec);
        theme_activate(&spec, "default");
        return true;
    }
    if (!path) {
        *err = xasprintf("theme '%s' not found (looked for %s.theme in the theme directories)",
                         name, name);
        theme_builtin_default(&spec);
        theme_activate(&spec, "default");
        return false;
    }
    bool ok = theme_parse_file(path, &spec, err);
    theme_activate(&spec, ok ? name : "default");
    free(path);
    return ok;
}
