/* cmd_console.c — `pgdeck [CONN] [DBNAME [USER]]`: the console.
 *
 * Settings: defaults, then the config file ($XDG_CONFIG_HOME/pgdeck/pgdeck.conf
 * or --config FILE), then --set, then the console's own options; the command
 * line wins. A FILE:LINE error in the config file does not stop the console:
 * it is shown on the message line, and the file is ignored (config files
 * apply all or nothing). */
#include "config.h"

#include "cli/cliconf.h"
#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/fleet_servers.h"
#include "cli/usage.h"
#include "common/conf.h"
#include "common/xalloc.h"
#include "engine/engine.h"
#include "record/record.h"
#include "ui/app.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_THEME = 0x4001,
    OPT_NO_COLOR,
    OPT_READONLY,
    OPT_REFRESH,
    OPT_PGBOUNCER,
    OPT_REPLAY,
    OPT_HELP,
};

typedef struct console_opts {
    connargs ca;
    cliconf cc;
    const char *theme, *pgbouncer;
    const char *replay; /* --replay FILE: a recording (issue 17) */
    bool no_color, readonly;
    double refresh; /* 0 = not given */
} console_opts;

static bool parse_refresh(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0.5 && v <= 60))
        return false;
    *out = v;
    return true;
}

/* -1 when fine, else the exit code. */
static int parse_options(console_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        CONNARGS_LONGOPTS,
        CLICONF_LONGOPTS,
        CLICONF_SERVER_LONGOPTS,
        {"theme", required_argument, NULL, OPT_THEME},
        {"no-color", no_argument, NULL, OPT_NO_COLOR},
        {"no-colour", no_argument, NULL, OPT_NO_COLOR},
        {"readonly", no_argument, NULL, OPT_READONLY},
        {"refresh", required_argument, NULL, OPT_REFRESH},
        {"pgbouncer", required_argument, NULL, OPT_PGBOUNCER},
        {"replay", required_argument, NULL, OPT_REPLAY},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, CONNARGS_SHORTOPTS, longopts, NULL)) != -1) {
        switch (c) {
        case OPT_THEME:
            o->theme = optarg;
            break;
        case OPT_NO_COLOR:
            o->no_color = true;
            break;
        case OPT_READONLY:
            o->readonly = true;
            break;
        case OPT_REFRESH:
            if (!parse_refresh(optarg, &o->refresh))
                return usage_error("console",
                                   "--refresh must be seconds from 0.5 to 60, not \"%s\"", optarg);
            break;
        case OPT_PGBOUNCER:
            o->pgbouncer = optarg;
            break;
        case OPT_REPLAY:
            o->replay = optarg;
            break;
        case OPT_HELP:
            usage_print(stdout, "console");
            return EXIT_OK;
        case '?':
            return usage_bad_option("console", CONNARGS_SHORTOPTS, argv);
        default:
            if (connargs_option(&o->ca, c, optarg) || cliconf_option(&o->cc, c, optarg))
                break;
            return usage_error("console", "unknown option");
        }
    }
    int used = connargs_positional(&o->ca, argc - optind, argv + optind);
    if (optind + used < argc)
        return usage_error("console", "unexpected argument \"%s\"", argv[optind + used]);
    return -1;
}

/* Defaults, file, --set. Returns -1 when fine (*file_err may hold a FILE:LINE
 * problem to show in the console), else the exit code. */
static int load_settings(const console_opts *o, pgdeck_config *cfg, char **file_err)
{
    config_defaults(cfg);
    char *err = NULL;
    if (o->cc.path) {
        if (!config_load_file(cfg, o->cc.path, false, &err)) {
            if (err && strstr(err, "cannot open")) {
                int rc = usage_error("console", "%s", err);
                free(err);
                return rc;
            }
            *file_err = err;
        }
    } else {
        char *path = config_default_path();
        if (path && !config_load_file(cfg, path, true, &err))
            *file_err = err;
        free(path);
    }
    for (int i = 0; i < o->cc.nsets; i++) {
        const char *eq = strchr(o->cc.sets[i], '=');
        if (!eq || eq == o->cc.sets[i])
            return usage_error("console", "--set %s: expected KEY=VALUE", o->cc.sets[i]);
        char *key = xstrndup(o->cc.sets[i], (size_t)(eq - o->cc.sets[i]));
        char *set_err = NULL;
        bool ok = config_set(cfg, key, eq + 1, &set_err);
        free(key);
        if (!ok) {
            int rc = usage_error("console", "--set %s: %s", o->cc.sets[i],
                                 set_err ? set_err : "invalid setting");
            free(set_err);
            return rc;
        }
    }
    if (o->theme) {
        free(cfg->theme);
        cfg->theme = xstrdup(o->theme);
    }
    if (o->no_color)
        cfg->no_color = true;
    if (o->readonly)
        cfg->readonly = true;
    if (o->refresh > 0)
        cfg->refresh = o->refresh;
    if (o->pgbouncer) {
        free(cfg->pgbouncer);
        cfg->pgbouncer = xstrdup(o->pgbouncer);
    }
    char *srv_err = NULL;
    if (!cliconf_apply_servers(&o->cc, cfg, &srv_err)) {
        int rc = usage_error("console", "%s", srv_err);
        free(srv_err);
        return rc;
    }
    return -1;
}

/* The console's servers as `:record` records them: the same names and
 * connections as fleet_servers_start's, in its order. */
typedef struct record_targets {
    rec_target *v;
    eng_conninfo **ci;
    char **shown;
    size_t n;
} record_targets;

static void record_target_add(record_targets *t, const char *name, eng_conninfo *ci)
{
    t->v = xrealloc(t->v, sizeof *t->v * (t->n + 1));
    t->ci = xrealloc(t->ci, sizeof *t->ci * (t->n + 1));
    t->shown = xrealloc(t->shown, sizeof *t->shown * (t->n + 1));
    t->ci[t->n] = ci;
    t->shown[t->n] = eng_conninfo_display(ci); /* never a password */
    t->v[t->n] = (rec_target){.name = name, .ci = ci, .target = t->shown[t->n]};
    t->n++;
}

static void record_targets_build(record_targets *t, const fleet_servers *fs,
                                 const pgdeck_config *cfg, const connargs *ca)
{
    memset(t, 0, sizeof *t);
    int k = 0;
    if (fleet_connargs_given(ca) || cfg->nservers == 0)
        record_target_add(t, fs->v[k++].name, eng_conninfo_dup(ca->ci));
    for (size_t i = 0; i < cfg->nservers && k < fs->n; i++, k++) {
        eng_conninfo *ci = eng_conninfo_new();
        eng_conninfo_set(ci, "dbname", cfg->servers[i].conninfo);
        if (!eng_conninfo_get(ci, "application_name"))
            eng_conninfo_set(ci, "application_name", "pgdeck");
        record_target_add(t, fs->v[k].name, ci);
    }
}

static void record_targets_free(record_targets *t)
{
    for (size_t i = 0; i < t->n; i++) {
        eng_conninfo_free(t->ci[i]);
        free(t->shown[i]);
    }
    free(t->v);
    free(t->ci);
    free(t->shown);
    memset(t, 0, sizeof *t);
}

int cmd_console_main(int argc, char **argv)
{
    /* The terminal's own encoding (not forced to UTF-8: a Latin-1 terminal
     * gets \xNN escapes and ASCII sparklines); '.' in numbers. */
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    console_opts o;
    memset(&o, 0, sizeof o);
    connargs_init(&o.ca);
    cliconf_init(&o.cc);
    pgdeck_config cfg;
    memset(&cfg, 0, sizeof cfg);
    bool cfg_loaded = false;
    char *file_err = NULL, *err = NULL;
    fleet_servers fs = {0};
    record_targets rt = {0};
    app *a = NULL;

    int rc = parse_options(&o, argc, argv);
    if (rc >= 0)
        goto out;
    cfg_loaded = true;
    rc = load_settings(&o, &cfg, &file_err);
    if (rc >= 0)
        goto out;
    /* --replay FILE alone: the recording, no server at all; with a server
     * named too, both (F2 switches) */
    if (o.replay && !fleet_connargs_given(&o.ca) && o.cc.nservers == 0) {
        a = app_new(NULL, &cfg);
        if (!app_open_replay(a, o.replay, &err)) {
            fprintf(stderr, "pgdeck: %s\n", err ? err : "cannot read the recording");
            rc = EXIT_SQL;
            goto out;
        }
        if (file_err)
            app_message(a, MSG_ERROR, "%s", file_err);
        rc = app_run(a);
        goto out;
    }
    if (!connargs_finish(&o.ca, &err)) {
        rc = connargs_fail(&o.ca, "console", err);
        err = NULL;
        goto out;
    }
    eng_pool_config pool;
    connargs_pool_config(&cfg, &pool);
    /* one engine (one thread) per server; the first is shown at start */
    if (!fleet_servers_start(&fs, &cfg, &o.ca, &pool, &err)) {
        fprintf(stderr, "pgdeck: %s\n", err ? err : "cannot start the engine");
        rc = EXIT_CONNECT;
        goto out;
    }
    a = app_new(fs.v[0].e, &cfg);
    app_server *servers = xcalloc((size_t)fs.n, sizeof *servers);
    for (int i = 0; i < fs.n; i++)
        servers[i] = (app_server){fs.v[i].name, fs.v[i].e, fs.v[i].bouncer};
    app_set_servers(a, servers, fs.n, 0);
    free(servers);
    record_targets_build(&rt, &fs, &cfg, &o.ca);
    app_set_record_targets(a, rt.v, rt.n);
    if (o.replay && !app_open_replay(a, o.replay, &err)) {
        fprintf(stderr, "pgdeck: %s\n", err ? err : "cannot read the recording");
        rc = EXIT_SQL;
        goto out;
    }
    if (file_err)
        app_message(a, MSG_ERROR, "%s", file_err);
    rc = app_run(a);

out:
    app_free(a); /* a :record still running ends here, before its targets go */
    record_targets_free(&rt);
    fleet_servers_stop(&fs);
    app_restore_terminal();
    free(file_err);
    free(err);
    if (cfg_loaded)
        config_free(&cfg);
    cliconf_free(&o.cc);
    connargs_free(&o.ca);
    return rc;
}
