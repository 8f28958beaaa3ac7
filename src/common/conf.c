/* conf.c — pgdeck.conf: an INI-like file of [pool], [console], [editor],
 * [session], [keys] and [server NAME] (one per server of the fleet:
 * conninfo = ... or service = ..., optional pgbouncer = ADMIN CONNINFO).
 *
 *   # comment            ; comment
 *   refresh = 1.5        bare keys before any section: [console] or [pool]
 *   [pool]
 *   min_size = 2
 *   timeout = 30s        durations: 30, 30s, 500ms, 5min, 1h
 *   [console]
 *   theme = "solarized-dark"
 *   [editor]
 *   autocommit = off     statements run inside a transaction until COMMIT
 *   binary = on          results in binary where they decode exactly (off: the bench)
 *   [session]
 *   timezone = UTC       any server setting, sent at connect as -c name=value
 *   [keys]
 *   quit = F10 q         one or more key specs for a named command
 *
 * A file is applied all or nothing: it is parsed into a copy which replaces
 * the caller's settings only when every line was good. */
#include "common/conf.h"
#include "common/filecap.h"
#include "common/pool_defaults.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* A settings line longer than this is not a setting (a NUL-free binary file). */
#define CONFIG_LINE_MAX 8192

typedef enum setting_type {
    T_INT,     /* int within [min, max] */
    T_LONG,    /* long within [min, max] */
    T_BOOL,    /* on/off/true/false/yes/no/1/0 */
    T_SECONDS, /* duration stored in seconds; a bare number is seconds */
    T_MILLIS,  /* duration stored in milliseconds; a bare number is ms */
    T_STRING,  /* owned char *, not empty */
    T_OPTSTR,  /* owned char *, may be empty (NULL when empty if null_if_empty) */
} setting_type;

typedef struct setting {
    const char *section;
    const char *name;
    setting_type type;
    size_t offset;
    double min, max;
    bool null_if_empty;
} setting;

#define F(field) offsetof(pgdeck_config, field)

static const setting settings[] = {
// clang-format off
#define POOL_ROW(ctype, name, def, kind, lo, hi) {"pool", #name, kind, F(name), lo, hi, false},
    POOL_SETTINGS(POOL_ROW)
#undef POOL_ROW
    // clang-format on
    {"console", "refresh", T_SECONDS, F(refresh), 0.5, 60, false}, /* the console's bounds */
    {"console", "slow_threshold", T_MILLIS, F(slow_threshold), 0, 1e12, false},
    {"console", "theme", T_STRING, F(theme), 0, 0, false},
    {"console", "no_color", T_BOOL, F(no_color), 0, 0, false},
    {"console", "readonly", T_BOOL, F(readonly), 0, 0, false},
    {"console", "null_marker", T_OPTSTR, F(null_marker), 0, 0, false},
    {"console", "row_limit", T_LONG, F(row_limit), 1, (double)LONG_MAX, false},
    {"console", "pgbouncer", T_OPTSTR, F(pgbouncer), 0, 0, true},
    {"editor", "autocommit", T_BOOL, F(autocommit), 0, 0, false},
    {"editor", "binary", T_BOOL, F(binary), 0, 0, false},
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

static bool known_section(const char *name)
{
    return strcmp(name, "pool") == 0 || strcmp(name, "console") == 0 ||
           strcmp(name, "editor") == 0 || strcmp(name, "session") == 0 || strcmp(name, "keys") == 0;
}

void config_defaults(pgdeck_config *cfg)
{
    *cfg = (pgdeck_config){POOL_SETTINGS_INIT};
    cfg->refresh = 1.0;
    cfg->slow_threshold = POOL_DEFAULT_SLOW_THRESHOLD_MS;
    cfg->theme = xstrdup("default");
    cfg->no_color = false;
    cfg->readonly = false;
    cfg->null_marker = xstrdup("\xe2\x88\x85"); /* U+2205 EMPTY SET */
    cfg->row_limit = 1000000;
    cfg->pgbouncer = NULL;
    cfg->autocommit = true;
    cfg->binary = false; /* binary is slower today: doc/benchmarks.md */
    cfg->nsession = 0;
    cfg->nkeys = 0;
}

void config_free(pgdeck_config *cfg)
{
    free(cfg->theme);
    free(cfg->null_marker);
    free(cfg->pgbouncer);
    for (size_t i = 0; i < cfg->nsession; i++) {
        free(cfg->session_names[i]);
        free(cfg->session_values[i]);
    }
    for (size_t i = 0; i < cfg->nkeys; i++) {
        free(cfg->keys[i].command);
        free(cfg->keys[i].key);
    }
    for (size_t i = 0; i < cfg->nservers; i++) {
        free(cfg->servers[i].name);
        free(cfg->servers[i].conninfo);
        free(cfg->servers[i].pgbouncer);
    }
    memset(cfg, 0, sizeof *cfg);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void config_copy(pgdeck_config *dst, const pgdeck_config *src)
{
    *dst = *src;
    dst->theme = dup_or_null(src->theme);
    dst->null_marker = dup_or_null(src->null_marker);
    dst->pgbouncer = dup_or_null(src->pgbouncer);
    for (size_t i = 0; i < src->nsession; i++) {
        dst->session_names[i] = xstrdup(src->session_names[i]);
        dst->session_values[i] = xstrdup(src->session_values[i]);
    }
    for (size_t i = 0; i < src->nkeys; i++) {
        dst->keys[i].command = xstrdup(src->keys[i].command);
        dst->keys[i].key = xstrdup(src->keys[i].key);
    }
    for (size_t i = 0; i < src->nservers; i++) {
        dst->servers[i].name = xstrdup(src->servers[i].name);
        dst->servers[i].conninfo = dup_or_null(src->servers[i].conninfo);
        dst->servers[i].pgbouncer = dup_or_null(src->servers[i].pgbouncer);
    }
}

/* ---- values ------------------------------------------------------------ */

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"on", "true", "yes", "1"};
    static const char *const no[] = {"off", "false", "no", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_long(const char *v, long *out)
{
    if (!*v)
        return false;
    errno = 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end)
        return false;
    *out = n;
    return true;
}

/* A duration: a number and an optional unit (us, ms, s, min, h). A bare
 * number is in `bare_unit` seconds. Returns seconds. */
static bool parse_duration(const char *v, double bare_unit, double *seconds)
{
    static const struct {
        const char *name;
        double seconds;
    } units[] = {{"us", 1e-6},    {"ms", 1e-3},   {"s", 1},       {"sec", 1},     {"secs", 1},
                 {"second", 1},   {"seconds", 1}, {"min", 60},    {"mins", 60},   {"minute", 60},
                 {"minutes", 60}, {"h", 3600},    {"hour", 3600}, {"hours", 3600}};
    if (!*v || strchr(v, 'x') || strchr(v, 'X')) /* no hex floats */
        return false;
    errno = 0;
    char *end;
    double n = strtod(v, &end);
    if (errno || end == v || !isfinite(n))
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    double unit = bare_unit;
    if (*end) {
        bool found = false;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            if (strcasecmp(end, units[i].name) == 0) {
                unit = units[i].seconds;
                found = true;
                break;
            }
        }
        if (!found)
            return false;
    }
    *seconds = n * unit;
    return true;
}

static char *expectation(const setting *s)
{
    switch (s->type) {
    case T_INT:
    case T_LONG:
        if (s->max >= (double)INT_MAX)
            return xasprintf("an integer >= %.0f", s->min);
        return xasprintf("an integer from %.0f to %.0f", s->min, s->max);
    case T_BOOL:
        return xstrdup("on/off, true/false, yes/no or 1/0");
    case T_SECONDS:
        if (s->max < 1e6)
            return xasprintf("a duration from %gs to %gs, e.g. 1.5, 2s, 500ms", s->min, s->max);
        return xstrdup(s->min > 0 ? "a duration above 0, e.g. 1.5, 2s, 500ms"
                                  : "a duration >= 0, e.g. 30, 30s, 500ms, 5min");
    case T_MILLIS:
        return xstrdup("milliseconds >= 0, e.g. 50, 50ms, 0.5s");
    case T_STRING:
        return xstrdup("a non-empty value");
    case T_OPTSTR:
        break;
    }
    return xstrdup("a value");
}

/* Stores value v into cfg's field for s; false with *why (malloc'd). */
static bool apply_setting(pgdeck_config *cfg, const setting *s, const char *v, char **why)
{
    char *field = (char *)cfg + s->offset;
    bool good = false;
    switch (s->type) {
    case T_INT:
    case T_LONG: {
        long n;
        if (s->type == T_INT && strcmp(s->name, "prepare_threshold") == 0 &&
            (strcasecmp(v, "off") == 0 || strcasecmp(v, "never") == 0)) {
            n = -1; /* PgBouncer in transaction mode: never prepare */
            good = true;
        } else {
            good = parse_long(v, &n) && (double)n >= s->min && (double)n <= s->max;
        }
        if (good && s->type == T_INT)
            memcpy(field, &(int){(int)n}, sizeof(int));
        else if (good)
            memcpy(field, &n, sizeof n);
        break;
    }
    case T_BOOL: {
        bool b;
        good = parse_bool(v, &b);
        if (good)
            memcpy(field, &b, sizeof b);
        break;
    }
    case T_SECONDS:
    case T_MILLIS: {
        double secs;
        good = parse_duration(v, s->type == T_MILLIS ? 1e-3 : 1, &secs);
        double stored = s->type == T_MILLIS ? secs * 1000 : secs;
        if (good)
            good = stored >= s->min && stored <= s->max;
        if (good)
            memcpy(field, &stored, sizeof stored);
        break;
    }
    case T_STRING:
    case T_OPTSTR: {
        if (s->type == T_STRING && !*v)
            break;
        char *old;
        memcpy(&old, field, sizeof old);
        free(old);
        char *copy = (*v || !s->null_if_empty) ? xstrdup(v) : NULL;
        memcpy(field, &copy, sizeof copy);
        good = true;
        break;
    }
    }
    if (!good) {
        char *want = expectation(s);
        *why = xasprintf("bad value '%s' for %s: expected %s", v, s->name, want);
        free(want);
    }
    return good;
}

/* "min-size" and "Min_Size" name min_size: lower case, dashes as '_'. */
static void canonical_name(char *s)
{
    for (; *s; s++) {
        if (*s == '-')
            *s = '_';
        else if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
    }
}

/* The setting `name` in `section` (NULL: any section but [keys]). */
static const setting *find_setting(const char *section, const char *name)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if ((!section || strcmp(settings[i].section, section) == 0) &&
            strcmp(settings[i].name, name) == 0)
            return &settings[i];
    return NULL;
}

/* Key bindings: one (command, key) pair per key spec in value. */
static bool add_keys(pgdeck_config *cfg, const char *command, const char *value, bool split,
                     char **why)
{
    if (!*value) {
        *why = xasprintf("no key given for '%s'", command);
        return false;
    }
    const char *p = value;
    while (*p) {
        size_t n = split ? strcspn(p, " \t") : strlen(p);
        if (n > 0) {
            if (cfg->nkeys >= CONFIG_MAX_KEYS) {
                *why = xasprintf("too many key bindings (at most %d)", CONFIG_MAX_KEYS);
                return false;
            }
            cfg->keys[cfg->nkeys].command = xstrdup(command);
            cfg->keys[cfg->nkeys].key = xstrndup(p, n);
            cfg->nkeys++;
        }
        p += n;
        while (split && (*p == ' ' || *p == '\t'))
            p++;
    }
    return true;
}

bool config_session_name_ok(const char *name)
{
    if (!*name || (*name >= '0' && *name <= '9'))
        return false;
    int dots = 0;
    for (const char *p = name; *p; p++) {
        bool word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '_';
        if (*p == '.' && (p == name || !p[1] || p[-1] == '.'))
            return false;
        if (*p == '.')
            dots++;
        else if (!word)
            return false;
    }
    return dots <= 1;
}

const char *config_session_get(const pgdeck_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nsession; i++)
        if (strcasecmp(cfg->session_names[i], name) == 0)
            return cfg->session_values[i];
    return NULL;
}

/* [session] name = value: any server setting. The server checks the value
 * (a probe connection before the pool starts); here only the name. An
 * empty value removes the setting (the server's default again). */
static bool set_session(pgdeck_config *cfg, const char *name, const char *value, char **why)
{
    if (!config_session_name_ok(name)) {
        *why = xasprintf("bad setting name '%s' in [session]: expected letters, digits and '_', "
                         "with at most one '.'",
                         name);
        return false;
    }
    for (size_t i = 0; i < cfg->nsession; i++) {
        if (strcasecmp(cfg->session_names[i], name) != 0)
            continue;
        free(cfg->session_values[i]);
        if (*value) {
            cfg->session_values[i] = xstrdup(value);
            return true;
        }
        free(cfg->session_names[i]);
        cfg->nsession--;
        memmove(cfg->session_names + i, cfg->session_names + i + 1,
                (cfg->nsession - i) * sizeof(char *));
        memmove(cfg->session_values + i, cfg->session_values + i + 1,
                (cfg->nsession - i) * sizeof(char *));
        return true;
    }
    if (!*value)
        return true;
    if (cfg->nsession >= CONFIG_MAX_SESSION) {
        *why = xasprintf("too many [session] settings (at most %d)", CONFIG_MAX_SESSION);
        return false;
    }
    cfg->session_names[cfg->nsession] = xstrdup(name);
    cfg->session_values[cfg->nsession] = xstrdup(value);
    cfg->nsession++;
    return true;
}

/* ---- [server NAME] ---------------------------------------------------- */

static bool server_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > CONFIG_SERVER_NAME_MAX)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return false;
    return true;
}

const config_server *config_server_find(const pgdeck_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nservers; i++)
        if (strcmp(cfg->servers[i].name, name) == 0)
            return &cfg->servers[i];
    return NULL;
}

static config_server *server_get(pgdeck_config *cfg, const char *name, char **why)
{
    if (!server_name_ok(name)) {
        *why = xasprintf("bad server name '%s': expected 1 to %d letters, digits, '_', '-' or '.'",
                         name, CONFIG_SERVER_NAME_MAX);
        return NULL;
    }
    for (size_t i = 0; i < cfg->nservers; i++)
        if (strcmp(cfg->servers[i].name, name) == 0)
            return &cfg->servers[i];
    config_server *s;
    if (cfg->nservers >= CONFIG_MAX_SERVERS) {
        *why = xasprintf("too many servers (at most %d)", CONFIG_MAX_SERVERS);
        return NULL;
    }
    s = &cfg->servers[cfg->nservers++];
    memset(s, 0, sizeof *s);
    s->name = xstrdup(name);
    return s;
}

bool config_server_set(pgdeck_config *cfg, const char *name, const char *key, const char *value,
                       char **why)
{
    *why = NULL;
    config_server *s = server_get(cfg, name, why);
    if (!s)
        return false;
    if (!*value) {
        *why = xasprintf("empty %s for server '%s'", key, name);
        return false;
    }
    if (strcmp(key, "conninfo") == 0) {
        free(s->conninfo);
        s->conninfo = xstrdup(value);
    } else if (strcmp(key, "service") == 0) {
        free(s->conninfo);
        s->conninfo = xasprintf("service=%s", value);
    } else if (strcmp(key, "pgbouncer") == 0) {
        free(s->pgbouncer);
        s->pgbouncer = xstrdup(value);
    } else {
        *why = xasprintf("unknown key '%s' in [server %s] (known: conninfo, service, pgbouncer)",
                         key, name);
        return false;
    }
    return true;
}

bool config_server_arg(pgdeck_config *cfg, const char *arg, char **err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        *err = xstrdup("expected NAME=CONNINFO");
        return false;
    }
    char *name = xstrndup(arg, (size_t)(eq - arg));
    bool ok = config_server_set(cfg, name, "conninfo", eq + 1, err);
    free(name);
    return ok;
}

/* Every server names where to connect. */
static bool check_servers(const pgdeck_config *cfg, char **why)
{
    for (size_t i = 0; i < cfg->nservers; i++)
        if (!cfg->servers[i].conninfo) {
            *why = xasprintf("[server %s] has no conninfo or service", cfg->servers[i].name);
            return false;
        }
    return true;
}

/* One "key = value" in a section (NULL before any section). */
static bool set_in_section(pgdeck_config *cfg, const char *section, char *name, const char *value,
                           bool quoted, char **why)
{
    if (section && strncmp(section, "server ", 7) == 0) {
        canonical_name(name);
        return config_server_set(cfg, section + 7, name, value, why);
    }
    if (section && strcmp(section, "session") == 0)
        return set_session(cfg, name, value, why); /* the server's spelling, as given */
    canonical_name(name);
    if (section && strcmp(section, "keys") == 0)
        return add_keys(cfg, name, value, !quoted, why);
    const setting *s = find_setting(section, name);
    if (!s) {
        if (section)
            *why = xasprintf("unknown key '%s' in [%s]", name, section);
        else
            *why = xasprintf("unknown key '%s'", name);
        return false;
    }
    return apply_setting(cfg, s, value, why);
}

static bool check_pool_sizes(const pgdeck_config *cfg, char **why)
{
    if (cfg->min_size > cfg->max_size) {
        *why =
            xasprintf("min_size (%d) is greater than max_size (%d)", cfg->min_size, cfg->max_size);
        return false;
    }
    return true;
}

bool config_set(pgdeck_config *cfg, const char *key, const char *value, char **err)
{
    *err = NULL;
    char *name = xstrdup(key);
    char *section = NULL;
    char *dot = strchr(name, '.');
    if (dot) {
        *dot = '\0';
        section = name;
        canonical_name(section);
        if (!known_section(section)) {
            *err = xasprintf("unknown section '%s' (known: pool, console, editor, session, keys)",
                             section);
            free(name);
            return false;
        }
    }
    char *bare = dot ? dot + 1 : name;
    pgdeck_config next;
    config_copy(&next, cfg);
    bool good =
        set_in_section(&next, section, bare, value, false, err) && check_pool_sizes(&next, err);
    free(name);
    if (good) {
        config_free(cfg);
        *cfg = next;
    } else {
        config_free(&next);
    }
    return good;
}

/* ---- the file ---------------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* The value after '=': quoted ("..." with \" \\ \n \t escapes, or '...'
 * taken literally) or bare up to a " #" / " ;" comment. Writes the value
 * into *out (malloc'd). False with *why on a syntax error. */
static bool parse_value(const char *v, char **out, bool *quoted, char **why)
{
    while (*v == ' ' || *v == '\t')
        v++;
    *quoted = *v == '"' || *v == '\'';
    if (!*quoted) {
        strbuf sb;
        sb_init(&sb);
        for (const char *p = v; *p; p++) {
            if ((*p == '#' || *p == ';') && (p == v || p[-1] == ' ' || p[-1] == '\t'))
                break;
            sb_append_c(&sb, *p);
        }
        char *s = sb_steal(&sb);
        char *t = trim(s);
        *out = xstrdup(t);
        free(s);
        return true;
    }
    char q = *v++;
    strbuf sb;
    sb_init(&sb);
    for (;; v++) {
        if (!*v) {
            sb_free(&sb);
            *why = xasprintf("unterminated quoted value (missing %c)", q);
            return false;
        }
        if (*v == q)
            break;
        if (q == '"' && *v == '\\' && v[1]) {
            v++;
            char c = *v == 'n' ? '\n' : *v == 't' ? '\t' : *v;
            sb_append_c(&sb, c);
            continue;
        }
        sb_append_c(&sb, *v);
    }
    v++; /* past the closing quote */
    while (*v == ' ' || *v == '\t')
        v++;
    if (*v && *v != '#' && *v != ';') {
        sb_free(&sb);
        *why = xasprintf("unexpected text after the quoted value: '%s'", v);
        return false;
    }
    *out = sb_steal(&sb);
    return true;
}

/* One line; *section is updated by headers (malloc'd). */
static bool parse_line(pgdeck_config *cfg, char *line, char **section, int *size_line, int lineno,
                       char **why)
{
    char *s = trim(line);
    if (!*s || *s == '#' || *s == ';')
        return true;
    if (*s == '[') {
        char *close = strchr(s, ']');
        if (!close) {
            *why = xstrdup("section header without ']'");
            return false;
        }
        char *after = close + 1;
        while (*after == ' ' || *after == '\t')
            after++;
        if (*after && *after != '#' && *after != ';') {
            *why = xasprintf("unexpected text after the section header: '%s'", after);
            return false;
        }
        *close = '\0';
        char *head = trim(s + 1);
        if (strncasecmp(head, "server", 6) == 0 && (head[6] == ' ' || head[6] == '\t')) {
            char *srv = trim(head + 7);
            if (!server_get(cfg, srv, why))
                return false;
            free(*section);
            *section = xasprintf("server %s", srv);
            return true;
        }
        char *name = xstrdup(head);
        canonical_name(name);
        if (!known_section(name)) {
            *why = xasprintf(
                "unknown section [%s] (known: [pool], [console], [editor], [session], [keys], "
                "[server NAME])",
                name);
            free(name);
            return false;
        }
        free(*section);
        *section = name;
        return true;
    }
    char *eq = strchr(s, '=');
    if (!eq) {
        *why = xasprintf("expected 'key = value', got '%s'", s);
        return false;
    }
    *eq = '\0';
    char *name = trim(s);
    if (!*name) {
        *why = xstrdup("missing key before '='");
        return false;
    }
    char *value;
    bool quoted;
    if (!parse_value(eq + 1, &value, &quoted, why))
        return false;
    bool good = set_in_section(cfg, *section, name, value, quoted, why);
    free(value);
    if (good && (strcmp(name, "min_size") == 0 || strcmp(name, "max_size") == 0) &&
        !(*section && strcmp(*section, "keys") == 0))
        *size_line = lineno;
    return good;
}

bool config_load_file(pgdeck_config *cfg, const char *path, bool optional, char **err)
{
    *err = NULL;
    /* A regular file of at most 1 MB, lines of at most CONFIG_LINE_MAX:
     * /dev/zero, a FIFO or a huge file is refused at once (filecap.h). */
    char *open_err = NULL;
    int fd = filecap_open_regular(path, &open_err);
    if (fd < 0) {
        if (optional && errno == ENOENT) {
            free(open_err);
            return true;
        }
        *err = open_err;
        return false;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        *err = xasprintf("%s: cannot open: %s", path, strerror(errno));
        close(fd);
        return false;
    }
    size_t size = 0;
    char *data = filecap_read_stream(f, path, FILECAP_SETTINGS_MAX, &size, err);
    fclose(f);
    if (!data)
        return false;
    pgdeck_config next;
    config_copy(&next, cfg);
    char *section = NULL;
    int lineno = 0, size_line = 0;
    bool good = true;
    char *why = NULL;
    size_t pos = 0;
    while (good && pos < size) {
        char *line = data + pos;
        char *nl = memchr(line, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - line) + 1 : size - pos;
        pos += n;
        lineno++;
        if (memchr(line, '\0', n)) {
            *err = xasprintf("%s:%d: NUL byte in line", path, lineno);
            good = false;
            break;
        }
        if (n > CONFIG_LINE_MAX) {
            *err = xasprintf("%s:%d: line longer than %d bytes", path, lineno, CONFIG_LINE_MAX);
            good = false;
            break;
        }
        char saved = line[n];
        line[n] = '\0'; /* the byte after the line: its successor's first, or the final NUL */
        char *text = line;
        if (lineno == 1 && n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
            text += 3; /* UTF-8 byte order mark */
        if (!parse_line(&next, text, &section, &size_line, lineno, &why)) {
            *err = xasprintf("%s:%d: %s", path, lineno, why);
            good = false;
        }
        line[n] = saved;
    }
    free(data);
    if (good && !check_pool_sizes(&next, &why)) {
        *err = xasprintf("%s:%d: %s", path, size_line, why);
        good = false;
    }
    if (good && !check_servers(&next, &why)) {
        *err = xasprintf("%s: %s", path, why);
        good = false;
    }
    free(why);
    free(section);
    if (good) {
        config_free(cfg);
        *cfg = next;
    } else {
        config_free(&next);
    }
    return good;
}

char *config_default_path(void)
{
    /* XDG: a relative XDG_CONFIG_HOME is invalid and must be ignored. */
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/')
        return xasprintf("%s/pgdeck/pgdeck.conf", xdg);
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home)
        return NULL;
    return xasprintf("%s/.config/pgdeck/pgdeck.conf", home);
}
