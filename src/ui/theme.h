/* theme.h — named screen elements and their colours/attributes.
 * themes/NAME.theme lines: `element = fg bg attr[,attr]` (colours: default,
 * black, red, green, yellow, blue, magenta, cyan, white, brightX, or 0-255;
 * attrs: normal, bold, dim, underline, reverse, italic, standout). */
#ifndef PGDECK_THEME_H
#define PGDECK_THEME_H

#include <stdbool.h>

/* X-macro: one line per element, its name in theme files. */
#define THEME_ELEMENTS(X)                                                                          \
    X(TH_NORMAL, "normal")                                                                         \
    X(TH_HEADER, "header")                                                                         \
    X(TH_PANEBAR, "panebar")                                                                       \
    X(TH_PANEBAR_ACTIVE, "panebar_active")                                                         \
    X(TH_FOOTER, "footer")                                                                         \
    X(TH_FOOTER_KEY, "footer_key")                                                                 \
    X(TH_MESSAGE, "message")                                                                       \
    X(TH_MESSAGE_ERROR, "message_error")                                                           \
    X(TH_TITLE, "title")                                                                           \
    X(TH_LABEL, "label")                                                                           \
    X(TH_VALUE, "value")                                                                           \
    X(TH_DIM, "dim")                                                                               \
    X(TH_SELECTED, "selected")                                                                     \
    X(TH_TAGGED, "tagged")                                                                         \
    X(TH_GOOD, "good")                                                                             \
    X(TH_WARN, "warn")                                                                             \
    X(TH_BAD, "bad")                                                                               \
    X(TH_GAUGE_USED, "gauge_used")                                                                 \
    X(TH_GAUGE_FREE, "gauge_free")                                                                 \
    X(TH_GAUGE_WAIT, "gauge_wait")                                                                 \
    X(TH_GRID_HEADER, "grid_header")                                                               \
    X(TH_GRID_NULL, "grid_null")                                                                   \
    X(TH_GRID_NUMBER, "grid_number")                                                               \
    X(TH_SEARCH_MATCH, "search_match")                                                             \
    X(TH_SQL_KEYWORD, "sql_keyword")                                                               \
    X(TH_SQL_STRING, "sql_string")                                                                 \
    X(TH_SQL_COMMENT, "sql_comment")                                                               \
    X(TH_SQL_NUMBER, "sql_number")                                                                 \
    X(TH_ERROR_MARK, "error_mark")                                                                 \
    X(TH_PROMPT, "prompt")

typedef enum theme_element {
#define THEME_ENUM(id, name) id,
    THEME_ELEMENTS(THEME_ENUM)
#undef THEME_ENUM
        TH_COUNT
} theme_element;

/* Curses attribute (colour pair | attributes) for an element of the active
 * theme; A_NORMAL-based attributes only when colours are off. */
unsigned long theme_attr(theme_element el);

/* ---- loading (the app, the tests) --------------------------------------- */

enum {
    THA_BOLD = 1,
    THA_DIM = 2,
    THA_UNDERLINE = 4,
    THA_REVERSE = 8,
    THA_ITALIC = 16,
    THA_STANDOUT = 32
};

typedef struct theme_style {
    short fg, bg;   /* -1 = the terminal's default, 0-255 */
    unsigned attrs; /* THA_* */
} theme_style;

typedef struct theme_spec {
    theme_style el[TH_COUNT];
} theme_spec;

/* The built-in default (dark) theme, also used when a theme file is bad. */
void theme_builtin_default(theme_spec *out);
/* Parses a theme file over the default theme. On error *err is
 * "FILE:LINE: what is wrong" (malloc'd), *out is the default, false returned. */
bool theme_parse_file(const char *path, theme_spec *out, char **err);
/* A theme NAME (looked up as NAME.theme in $XDG_CONFIG_HOME/pgdeck/themes,
 * PGDECK_DATADIR/themes, PGDECK_SRCDIR/themes) or a PATH (contains '/' or ends
 * in .theme): the file to read (malloc'd), or NULL. */
char *theme_find(const char *name_or_path);
/* Colours on or off (NO_COLOR, --no-color, no colour terminal): off means
 * attributes only, no colour pair is ever used. Call before theme_activate. */
void theme_set_color(bool on);
bool theme_color_on(void);
/* Makes spec the active theme (allocates colour pairs when colours are on). */
void theme_activate(const theme_spec *spec, const char *name);
const char *theme_active_name(void);
/* Find + parse + activate. On failure the default theme is activated and
 * false returned with *err (malloc'd). */
bool theme_load(const char *name_or_path, char **err);
/* Colour and attribute names for parsing (exposed for the tests). */
bool theme_parse_color(const char *word, short *out);
const char *theme_element_name(theme_element el);

#endif
