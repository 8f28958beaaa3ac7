/* conf.c — the config file and --set parser: defaults, every value form,
 * and every error path with its exact FILE:LINE message. */
#include "common/conf.h"
#include "tests/lib/tap.h"

#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pgdeck-conf-test-XXXXXX";
static char path[256];

static void write_file(const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
}

/* Loads `text` over the defaults; returns the error (malloc'd) or NULL. */
static char *load(pgdeck_config *cfg, const char *text)
{
    write_file(text, strlen(text));
    config_defaults(cfg);
    char *err = NULL;
    bool good = config_load_file(cfg, path, false, &err);
    if (good && err) {
        free(err);
        return strdup("returned true with an error");
    }
    if (!good && !err)
        return strdup("returned false without an error");
    return err;
}

/* The file must fail with exactly `want` ("LINE: message"; the path is
 * prepended here), leaving the defaults untouched. */
static void check_error(const char *name, const char *text, const char *want)
{
    pgdeck_config cfg;
    char *err = load(&cfg, text);
    char full[1024];
    snprintf(full, sizeof full, "%s:%s", path, want);
    is_str(err, full, "error: %s", name);
    ok(cfg.min_size == 1 && cfg.max_size == 4 && cfg.refresh == 1.0 &&
           strcmp(cfg.theme, "default") == 0 && cfg.nkeys == 0,
       "error: %s: settings untouched", name);
    free(err);
    config_free(&cfg);
}

static void check_set_error(const char *key, const char *value, const char *want)
{
    pgdeck_config cfg;
    config_defaults(&cfg);
    char *err = NULL;
    bool good = config_set(&cfg, key, value, &err);
    ok(!good, "config_set %s=%s fails", key, value);
    is_str(err, want, "config_set %s=%s message", key, value);
    is_int(cfg.max_size, 4, "config_set %s=%s leaves settings alone", key, value);
    free(err);
    config_free(&cfg);
}

int main(void)
{
    plan_no_plan();
    if (!mkdtemp(dir))
        skip_all("no temporary directory");
    snprintf(path, sizeof path, "%s/pgdeck.conf", dir);

    /* Defaults: the pool's match engine.h's eng_pool_config defaults. */
    pgdeck_config cfg;
    config_defaults(&cfg);
    ok(cfg.min_size == 1 && cfg.max_size == 4 && cfg.timeout == 30 && cfg.max_waiting == 0 &&
           cfg.max_lifetime == 3600 && cfg.max_idle == 600 && cfg.reconnect_timeout == 300 &&
           cfg.connect_timeout == 10 && !cfg.check && cfg.prepare_threshold == 5 &&
           cfg.prepared_max == 100,
       "pool defaults");
    ok(cfg.refresh == 1.0 && cfg.slow_threshold == 50 && strcmp(cfg.theme, "default") == 0 &&
           !cfg.no_color && !cfg.readonly && strcmp(cfg.null_marker, "\xe2\x88\x85") == 0 &&
           cfg.row_limit == 1000000 && cfg.pgbouncer == NULL && cfg.nkeys == 0,
       "console defaults");
    config_free(&cfg);

    /* A full file. */
    char *err = load(&cfg, "# pgdeck settings\n"
                           "refresh = 2.5   # bare keys before any section\n"
                           "readonly = yes\n"
                           "\n"
                           "[pool]\n"
                           "min_size = 2\n"
                           "max-size = 8\n"
                           "  timeout = 5s\n"
                           "max_waiting=10\n"
                           "max_lifetime = 30min ; a comment\n"
                           "max_idle = 1h\n"
                           "reconnect_timeout = 90 s\n"
                           "connect_timeout = 500ms\n"
                           "check = On\n"
                           "prepare_threshold = off\n"
                           "prepared_max = 20\n"
                           "[ console ]\n"
                           "slow_threshold = 0.25s\n"
                           "theme = \"solarized-dark\"\n"
                           "no_color = TRUE\n"
                           "null_marker = '#null; \"x\"'\n"
                           "row_limit = 5000\n"
                           "pgbouncer = \"host=/tmp port=6432 dbname=pgbouncer\"\n"
                           "[keys]\n"
                           "quit = F10\n"
                           "help = F1 ?\n"
                           "pane-next = \"C-n\"\n");
    is_str(err, NULL, "a full file loads");
    free(err);
    ok(cfg.refresh == 2.5 && cfg.readonly, "bare keys set [console] settings");
    ok(cfg.min_size == 2 && cfg.max_size == 8, "sizes (and max-size spelled with a dash)");
    ok(cfg.timeout == 5 && cfg.max_waiting == 10 && cfg.max_lifetime == 1800 &&
           cfg.max_idle == 3600 && cfg.reconnect_timeout == 90 && cfg.connect_timeout == 0.5,
       "durations: 5s, 30min, 1h, '90 s', 500ms");
    ok(cfg.check && cfg.prepare_threshold == -1 && cfg.prepared_max == 20,
       "check = On, prepare_threshold = off is -1");
    ok(cfg.slow_threshold == 250, "slow_threshold 0.25s is 250 ms");
    is_str(cfg.theme, "solarized-dark", "double-quoted theme");
    ok(cfg.no_color, "no_color = TRUE");
    is_str(cfg.null_marker, "#null; \"x\"", "single-quoted value keeps # ; and quotes");
    is_int(cfg.row_limit, 5000, "row_limit");
    is_str(cfg.pgbouncer, "host=/tmp port=6432 dbname=pgbouncer", "pgbouncer conninfo");
    is_int(cfg.nkeys, 4, "four key bindings");
    if (cfg.nkeys == 4) {
        is_str(cfg.keys[0].command, "quit", "binding 1 command");
        is_str(cfg.keys[0].key, "F10", "binding 1 key");
        ok(strcmp(cfg.keys[1].command, "help") == 0 && strcmp(cfg.keys[1].key, "F1") == 0 &&
               strcmp(cfg.keys[2].command, "help") == 0 && strcmp(cfg.keys[2].key, "?") == 0,
           "help = F1 ? gives two bindings");
        ok(strcmp(cfg.keys[3].command, "pane_next") == 0 && strcmp(cfg.keys[3].key, "C-n") == 0,
           "pane-next is pane_next, quoted key");
    }
    config_free(&cfg);

    /* Only named keys change; other forms. */
    err =
        load(&cfg, "\xef\xbb\xbf[pool]\r\nmax_size = 6\r\n\r\n[console]\r\nslow_threshold = 75\r\n"
                   "refresh=\"0.5\"\r\npgbouncer = \"\"\r\n");
    is_str(err, NULL, "BOM and CRLF line ends");
    free(err);
    ok(cfg.max_size == 6 && cfg.min_size == 1 && cfg.timeout == 30, "only max_size changed");
    ok(cfg.slow_threshold == 75, "slow_threshold: a bare number is milliseconds");
    ok(cfg.refresh == 0.5, "quoted number");
    ok(cfg.pgbouncer == NULL, "empty pgbouncer is none");
    config_free(&cfg);

    err = load(&cfg, "max_size = 3\ntimeout = 2min\n");
    is_str(err, NULL, "bare pool keys before any section");
    ok(cfg.max_size == 3 && cfg.timeout == 120, "bare pool keys applied");
    free(err);
    config_free(&cfg);

    err = load(&cfg, "");
    is_str(err, NULL, "an empty file is fine");
    free(err);
    config_free(&cfg);

    /* Every error, with its line. */
    check_error("unknown key in [pool]", "[pool]\nmin_size = 1\nmax_sise = 3\n",
                "3: unknown key 'max_sise' in [pool]");
    check_error("unknown bare key", "# c\nfoo = 1\n", "2: unknown key 'foo'");
    check_error("console key in [pool]", "[pool]\nrefresh = 1\n",
                "2: unknown key 'refresh' in [pool]");
    check_error(
        "unknown section", "[pool]\n[display]\n",
        "2: unknown section [display] (known: [pool], [console], [editor], [session], [keys], "
        "[server NAME])");
    check_error("section without ]", "[pool\n", "1: section header without ']'");
    check_error("text after a section header", "[pool] x\n",
                "1: unexpected text after the section header: 'x'");
    check_error("line without =", "[pool]\nmin_size 2\n",
                "2: expected 'key = value', got 'min_size 2'");
    check_error("missing key", "\n\n = 3\n", "3: missing key before '='");
    check_error("bad integer", "[pool]\nmin_size = two\n",
                "2: bad value 'two' for min_size: expected an integer from 0 to 64");
    check_error("integer out of range", "[pool]\nmax_size = 0\n",
                "2: bad value '0' for max_size: expected an integer from 1 to 64");
    check_error("integer with junk", "[pool]\nmax_waiting = 5x\n",
                "2: bad value '5x' for max_waiting: expected an integer >= 0");
    check_error("prepare_threshold below -1", "[pool]\nprepare_threshold = -2\n",
                "2: bad value '-2' for prepare_threshold: expected an integer >= -1");
    check_error("bad boolean", "[pool]\ncheck = maybe\n",
                "2: bad value 'maybe' for check: expected on/off, true/false, yes/no or 1/0");
    check_error("bad duration unit", "[pool]\ntimeout = 5 parsecs\n",
                "2: bad value '5 parsecs' for timeout: expected a duration >= 0, e.g. 30, 30s, "
                "500ms, 5min");
    check_error("negative duration", "[pool]\nmax_idle = -1s\n",
                "2: bad value '-1s' for max_idle: expected a duration >= 0, e.g. 30, 30s, 500ms, "
                "5min");
    check_error("infinite duration", "[pool]\ntimeout = inf\n",
                "2: bad value 'inf' for timeout: expected a duration >= 0, e.g. 30, 30s, 500ms, "
                "5min");
    check_error("empty duration", "[pool]\ntimeout =\n",
                "2: bad value '' for timeout: expected a duration >= 0, e.g. 30, 30s, 500ms, "
                "5min");
    check_error(
        "zero refresh", "[console]\nrefresh = 0\n",
        "2: bad value '0' for refresh: expected a duration from 0.5s to 60s, e.g. 1.5, 2s, 500ms");
    check_error("bad slow_threshold", "[console]\nslow_threshold = fast\n",
                "2: bad value 'fast' for slow_threshold: expected milliseconds >= 0, e.g. 50, "
                "50ms, 0.5s");
    check_error("empty theme", "[console]\ntheme = \"\"\n",
                "2: bad value '' for theme: expected a non-empty value");
    check_error("row_limit zero", "[console]\nrow_limit = 0\n",
                "2: bad value '0' for row_limit: expected an integer >= 1");
    check_error("unterminated quote", "[console]\ntheme = \"dark\n",
                "2: unterminated quoted value (missing \")");
    check_error("text after a quoted value", "[console]\ntheme = 'dark' light\n",
                "2: unexpected text after the quoted value: 'light'");
    check_error("key binding without a key", "[keys]\nquit =\n", "2: no key given for 'quit'");
    check_error("min_size above max_size (line of the last size)",
                "[pool]\nmin_size = 6\ntimeout = 1\n",
                "2: min_size (6) is greater than max_size (4)");
    static const char with_nul[] = "[pool]\nmin_size = 1\0x\n";
    write_file(with_nul, sizeof with_nul - 1);
    config_defaults(&cfg);
    err = NULL;
    ok(!config_load_file(&cfg, path, false, &err), "a NUL byte fails");
    char want[512];
    snprintf(want, sizeof want, "%s:2: NUL byte in line", path);
    is_str(err, want, "a NUL byte: message");
    free(err);
    config_free(&cfg);

    /* Sizes may come in any order within the file. */
    err = load(&cfg, "[pool]\nmin_size = 6\nmax_size = 10\n");
    is_str(err, NULL, "min_size above the default max, then max_size: fine");
    free(err);
    config_free(&cfg);

    /* Too many key bindings. */
    {
        char big[64 * 16 + 32];
        size_t n = (size_t)snprintf(big, sizeof big, "[keys]\n");
        for (int i = 0; i < CONFIG_MAX_KEYS; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, "help = F%d\n", i % 12 + 1);
        snprintf(big + n, sizeof big - n, "quit = q\n");
        char line[64];
        snprintf(line, sizeof line, "%d: too many key bindings (at most %d)", CONFIG_MAX_KEYS + 2,
                 CONFIG_MAX_KEYS);
        check_error("too many key bindings", big, line);
    }

    /* Missing files. */
    config_defaults(&cfg);
    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope.conf", dir);
    err = NULL;
    ok(config_load_file(&cfg, missing, true, &err) && err == NULL,
       "a missing optional file is no error");
    ok(!config_load_file(&cfg, missing, false, &err), "a missing --config file is an error");
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", missing);
    is_str(err, want, "missing file message");
    free(err);
    err = NULL;
    ok(!config_load_file(&cfg, dir, true, &err), "a directory is an error");
    snprintf(want, sizeof want, "%s: cannot open: Is a directory", dir);
    is_str(err, want, "directory message");
    free(err);

    /* Bad input must end at once with a clear message: a device, a FIFO
     * nobody writes to (open would block), a huge file, a line of NULs. */
    err = NULL;
    ok(!config_load_file(&cfg, "/dev/zero", false, &err) && err &&
           strstr(err, "/dev/zero: cannot open: not a regular file"),
       "/dev/zero is refused at once");
    free(err);
    char fifo[300];
    snprintf(fifo, sizeof fifo, "%s/fifo.conf", dir);
    if (mkfifo(fifo, 0600) == 0) {
        err = NULL;
        ok(!config_load_file(&cfg, fifo, false, &err) && err && strstr(err, "not a regular file"),
           "a FIFO is refused without blocking");
        free(err);
        unlink(fifo);
    }
    char huge[300];
    snprintf(huge, sizeof huge, "%s/huge.conf", dir);
    FILE *hf = fopen(huge, "w");
    for (int i = 0; i < (1 << 20) / 16 + 1; i++)
        fputs("# padding .....\n", hf);
    fclose(hf);
    err = NULL;
    ok(!config_load_file(&cfg, huge, false, &err) && err && strstr(err, "larger than 1 MB"),
       "a file over 1 MB is refused");
    free(err);
    hf = fopen(huge, "w");
    for (int i = 0; i < 10000; i++)
        fputc('x', hf);
    fclose(hf);
    err = NULL;
    ok(!config_load_file(&cfg, huge, false, &err) && err && strstr(err, ":1: line longer than"),
       "a line over the cap is refused");
    free(err);
    hf = fopen(huge, "w");
    for (int i = 0; i < 5000; i++)
        fputc('\0', hf);
    fclose(hf);
    err = NULL;
    ok(!config_load_file(&cfg, huge, false, &err) && err && strstr(err, ":1: NUL byte"),
       "a file of NULs is refused");
    free(err);
    unlink(huge);
    config_free(&cfg);

    /* config_set: the command line's overrides. */
    config_defaults(&cfg);
    err = NULL;
    ok(config_set(&cfg, "pool.max_size", "9", &err) && cfg.max_size == 9, "set pool.max_size");
    ok(config_set(&cfg, "min_size", "3", &err) && cfg.min_size == 3, "set bare min_size");
    ok(config_set(&cfg, "console.refresh", "750ms", &err) && cfg.refresh == 0.75,
       "set console.refresh");
    free(err);
    err = NULL;
    ok(!config_set(&cfg, "console.refresh", "250ms", &err) && cfg.refresh == 0.75,
       "refresh below the console's 0.5 s is refused, not clamped silently");
    free(err);
    err = NULL;
    ok(!config_set(&cfg, "pool.max_size", "65", &err) && cfg.max_size == 9,
       "max_size above the engine's 64 connections is refused");
    free(err);
    err = NULL;
    ok(config_set(&cfg, "theme", "light", &err) && strcmp(cfg.theme, "light") == 0, "set theme");
    ok(config_set(&cfg, "keys.quit", "F10", &err) && cfg.nkeys == 1 &&
           strcmp(cfg.keys[0].command, "quit") == 0 && strcmp(cfg.keys[0].key, "F10") == 0,
       "set keys.quit");
    ok(config_set(&cfg, "readonly", "on", &err) && cfg.readonly, "set readonly");
    ok(config_set(&cfg, "POOL.Timeout", "1min", &err) && cfg.timeout == 60,
       "set is case-insensitive in names");
    is_str(err, NULL, "no error after good sets");
    config_free(&cfg);
    check_set_error("pool.refresh", "1", "unknown key 'refresh' in [pool]");
    check_set_error("colour", "1", "unknown key 'colour'");
    check_set_error("screen.refresh", "1", "unknown section 'screen' (known: pool, console, editor, session, keys)");
    check_set_error("max_size", "many",
                    "bad value 'many' for max_size: expected an integer from 1 to 64");
    check_set_error("pool.min_size", "5", "min_size (5) is greater than max_size (4)");

    /* [server NAME] sections and --server (config_server_arg). */
    {
        pgdeck_config sc;
        char *serr = load(&sc, "[server prod]\nconninfo = \"host=db1 dbname=app\"\n"
                               "pgbouncer = \"host=db1 port=6432 dbname=pgbouncer\"\n"
                               "[Server replica]\nservice = rep\n[pool]\nmax_size = 8\n");
        is_str(serr, NULL, "server sections load");
        is_int((int)sc.nservers, 2, "two servers, in file order");
        is_str(sc.servers[0].name, "prod", "first server's name");
        is_str(sc.servers[0].conninfo, "host=db1 dbname=app", "its conninfo");
        is_str(sc.servers[0].pgbouncer, "host=db1 port=6432 dbname=pgbouncer", "its pgbouncer");
        is_str(sc.servers[1].conninfo, "service=rep", "service = NAME is service=NAME");
        is_int(sc.max_size, 8, "sections after a server still apply");
        ok(config_server_arg(&sc, "prod=host=other", &serr), "--server replaces a file's server");
        is_str(config_server_find(&sc, "prod")->conninfo, "host=other", "with the command line's");
        ok(config_server_arg(&sc, "new=host=x", &serr) && sc.nservers == 3, "--server adds one");
        ok(!config_server_arg(&sc, "=host=x", &serr), "--server without a name fails");
        is_str(serr, "expected NAME=CONNINFO", "and says so");
        free(serr);
        ok(!config_server_arg(&sc, "a b=host=x", &serr), "a bad name fails");
        free(serr);
        config_free(&sc);
    }
    check_error("server without conninfo", "[server x]\npgbouncer = h\n",
                " [server x] has no conninfo or service");
    check_error("unknown key in a server", "[server x]\nhost = h\n",
                "2: unknown key 'host' in [server x] (known: conninfo, service, pgbouncer)");

    /* The default path. */
    setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
    char *p = config_default_path();
    is_str(p, "/xdg/conf/pgdeck/pgdeck.conf", "XDG_CONFIG_HOME first");
    free(p);
    setenv("XDG_CONFIG_HOME", "relative/dir", 1);
    setenv("HOME", "/home/someone", 1);
    p = config_default_path();
    is_str(p, "/home/someone/.config/pgdeck/pgdeck.conf", "relative XDG_CONFIG_HOME is ignored");
    free(p);
    unsetenv("XDG_CONFIG_HOME");
    p = config_default_path();
    is_str(p, "/home/someone/.config/pgdeck/pgdeck.conf", "then HOME");
    free(p);

    unlink(path);
    rmdir(dir);
    return done_testing();
}
