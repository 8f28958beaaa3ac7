/* Unit tests for the theme parser, lookup and the colour-off attributes. */
#include "ui/theme.h"
#include "ui/tui.h"
#include "../lib/tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/pgdeck-theme-XXXXXX";

static char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static bool spec_eq(const theme_spec *a, const theme_spec *b)
{
    for (int i = 0; i < TH_COUNT; i++)
        if (a->el[i].fg != b->el[i].fg || a->el[i].bg != b->el[i].bg ||
            a->el[i].attrs != b->el[i].attrs)
            return false;
    return true;
}

static void bad_file(const char *text, int line, const char *what, const char *name)
{
    char *path = write_file("bad.theme", text);
    theme_spec spec, def;
    theme_builtin_default(&def);
    char *err = NULL;
    bool parsed = theme_parse_file(path, &spec, &err);
    ok(!parsed, "%s: rejected", name);
    char want[600];
    snprintf(want, sizeof want, "%s:%d: ", path, line);
    ok(err && strncmp(err, want, strlen(want)) == 0, "%s: message starts with FILE:LINE (%s)", name,
       err ? err : "(null)");
    ok(err && strstr(err, what) != NULL, "%s: message says '%s'", name, what);
    ok(spec_eq(&spec, &def), "%s: the default theme is used", name);
    free(err);
}

int main(void)
{
    plan_no_plan();
    if (!mkdtemp(tmpdir))
        return 1;
    const char *srcdir = getenv("top_srcdir");
    if (!srcdir)
        srcdir = PGDECK_SRCDIR;

    /* colours */
    short c;
    ok(theme_parse_color("default", &c) && c == -1, "default is -1");
    ok(theme_parse_color("red", &c) && c == 1, "red is 1");
    ok(theme_parse_color("brightwhite", &c) && c == 15, "brightwhite is 15");
    ok(theme_parse_color("grey", &c) && c == 8, "grey is 8");
    ok(theme_parse_color("255", &c) && c == 255, "255 accepted");
    ok(!theme_parse_color("256", &c), "256 refused");
    ok(!theme_parse_color("purple", &c), "purple refused");
    ok(!theme_parse_color("12x", &c), "12x refused");

    /* every shipped theme parses; default.theme is the built-in default */
    const char *names[] = {"default", "light", "solarized-dark", "high-contrast", "mono"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/themes/%s.theme", srcdir, names[i]);
        theme_spec spec;
        char *err = NULL;
        ok(theme_parse_file(path, &spec, &err), "themes/%s.theme parses%s%s", names[i],
           err ? ": " : "", err ? err : "");
        free(err);
        if (i == 0) {
            theme_spec def;
            theme_builtin_default(&def);
            ok(spec_eq(&spec, &def), "themes/default.theme matches the built-in default");
        }
    }

    /* a good file overrides only what it names */
    char *good = write_file("good.theme", "# comment\n\n header = red  green bold,underline \n"
                                          "selected=3 # trailing comment\n");
    theme_spec spec, def;
    theme_builtin_default(&def);
    char *err = NULL;
    ok(theme_parse_file(good, &spec, &err), "good file parses");
    is_int(spec.el[TH_HEADER].fg, 1, "header fg red");
    is_int(spec.el[TH_HEADER].bg, 2, "header bg green");
    is_int(spec.el[TH_HEADER].attrs, THA_BOLD | THA_UNDERLINE, "header bold,underline");
    is_int(spec.el[TH_SELECTED].fg, 3, "selected fg 3");
    is_int(spec.el[TH_SELECTED].bg, -1, "selected bg default when omitted");
    is_int(spec.el[TH_FOOTER_KEY].bg, def.el[TH_FOOTER_KEY].bg,
           "unnamed elements keep the default");

    /* bad files: FILE:LINE and the default theme */
    bad_file("header = red blue\nfrobnicate = red blue\n", 2, "unknown element 'frobnicate'",
             "unknown element");
    bad_file("# x\n\nheader = purple blue\n", 3, "unknown colour 'purple'", "unknown colour");
    bad_file("header = red blue blinking\n", 1, "unknown attribute 'blinking'",
             "unknown attribute");
    bad_file("header red blue\n", 1, "expected 'element = fg bg attrs'", "missing =");
    bad_file("header = red blue bold extra\n", 1, "too many fields", "too many fields");
    bad_file("header =\n", 1, "no colours", "empty value");

    err = NULL;
    ok(!theme_parse_file("/nonexistent/x.theme", &spec, &err) && err &&
           strstr(err, "/nonexistent/x.theme: cannot open") != NULL,
       "missing file names the file");
    free(err);
    err = NULL;
    ok(!theme_parse_file("/dev/zero", &spec, &err) && err &&
           strstr(err, "/dev/zero: cannot open: not a regular file"),
       "--theme=/dev/zero is refused at once");
    free(err);
    {
        char nuls[] = "/tmp/pgdeck-theme-nul-XXXXXX";
        int fd = mkstemp(nuls);
        char zero[4096] = {0};
        for (int i = 0; i < 300; i++) /* 1.2 MB of NULs */
            (void)!write(fd, zero, sizeof zero);
        close(fd);
        err = NULL;
        ok(!theme_parse_file(nuls, &spec, &err) && err && strstr(err, "larger than 1 MB"),
           "a theme over 1 MB is refused");
        free(err);
        fd = open(nuls, O_WRONLY | O_TRUNC);
        (void)!write(fd, zero, 100);
        close(fd);
        err = NULL;
        ok(!theme_parse_file(nuls, &spec, &err) && err && strstr(err, ":1: NUL byte"),
           "a small file of NULs is refused");
        unlink(nuls);
    }
    free(err);

    /* lookup: a path is used as is; a name is searched in $XDG_CONFIG_HOME first */
    char *p = theme_find("/some/where.theme");
    is_str(p, "/some/where.theme", "a path is taken as is");
    free(p);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/pgdeck", tmpdir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/pgdeck/themes", tmpdir);
    mkdir(dir, 0700);
    char mine[700];
    snprintf(mine, sizeof mine, "%s/mine.theme", dir);
    FILE *f = fopen(mine, "w");
    fputs("header = red\n", f);
    fclose(f);
    setenv("XDG_CONFIG_HOME", tmpdir, 1);
    p = theme_find("mine");
    is_str(p, mine, "a name is found in $XDG_CONFIG_HOME/pgdeck/themes");
    free(p);
    p = theme_find("light");
    ok(p && strstr(p, "/themes/light.theme"), "a shipped theme is found (%s)", p ? p : "(null)");
    free(p);
    p = theme_find("no-such-theme");
    ok(p == NULL, "an unknown name is not found");
    free(p);

    /* theme_load: failure reports and activates the default */
    theme_set_color(false);
    err = NULL;
    ok(!theme_load("no-such-theme", &err) && err && strstr(err, "no-such-theme"),
       "unknown theme reported");
    free(err);
    is_str(theme_active_name(), "default", "the default theme is active after a failure");
    err = NULL;
    ok(theme_load("mono", &err), "mono loads");
    is_str(theme_active_name(), "mono", "mono is active");
    free(err);

    /* colours off: attributes only, never a colour pair */
    theme_builtin_default(&def);
    theme_activate(&def, "default");
    int coloured = 0;
    for (int i = 0; i < TH_COUNT; i++)
        if (theme_attr((theme_element)i) & A_COLOR)
            coloured++;
    is_int(coloured, 0, "no element has a colour pair when colours are off");
    ok((theme_attr(TH_SELECTED) & A_REVERSE) != 0, "selected is reverse without colours");
    ok((theme_attr(TH_HEADER) & A_REVERSE) != 0, "header is reverse without colours");
    ok((theme_attr(TH_FOOTER_KEY) & A_REVERSE) != 0, "footer keys are reverse without colours");
    is_str(theme_element_name(TH_SEARCH_MATCH), "search_match", "element names");

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        diag("could not remove %s", tmpdir);
    return done_testing();
}
