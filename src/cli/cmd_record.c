/* cmd_record.c — `pgdeck record`: a recording made headless.
 *
 *   pgdeck record [CONN | --server NAME=CONNINFO ...] -o FILE [--interval S]
 *                 [--duration D | --size-limit M] [--keep-detail D] [--keep D] [-v]
 *
 * The servers are chosen as `pgdeck fleet` chooses them (fleet_servers.h):
 * CONN is the server "default", then the config file's [server NAME] and
 * each --server. A server need not be up when recording starts: its
 * snapshots say it is down until it answers. The file stores each server's
 * conninfo for display (eng_conninfo_display: never a password).
 *
 * SIGTERM and SIGINT end the recording after the snapshot being written.
 * -v prints one line per snapshot committed on stderr. Exit: 0; 1 when a
 * write failed ("recording stopped: disk full (FILE)") or the file is not a
 * recording pgdeck can write; 2 usage. The loop is rec_recorder_run
 * (src/record/recorder.c), which the console's :record runs too. */
#include "config.h"

#include "cli/cliconf.h"
#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/fleet_servers.h"
#include "cli/redact.h"
#include "cli/sqlerror.h"
#include "cli/usage.h"
#include "common/termsafe.h"
#include "common/timeparse.h"
#include "common/xalloc.h"
#include "record/record.h"

#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_INTERVAL = 0x3201, OPT_DURATION, OPT_SIZE_LIMIT, OPT_KEEP_DETAIL, OPT_KEEP, OPT_HELP };

static atomic_int stop_requested; /* lock-free: fine in a signal handler */

static void on_signal(int sig)
{
    atomic_store(&stop_requested, sig);
}

/* "100M", "2G", "500K", or bytes; at least 64 KiB. */
static bool parse_size(const char *s, int64_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v > 0) || isinf(v))
        return false;
    double unit = 1;
    if (*end) {
        switch (toupper((unsigned char)*end++)) {
        case 'K':
            unit = 1024;
            break;
        case 'M':
            unit = 1024.0 * 1024;
            break;
        case 'G':
            unit = 1024.0 * 1024 * 1024;
            break;
        default:
            return false;
        }
        if (*end == 'B' || *end == 'b')
            end++;
    }
    if (*end || v * unit < 65536 || v * unit > 9e18)
        return false;
    *out = (int64_t)(v * unit);
    return true;
}

typedef struct record_opts {
    connargs ca;
    cliconf cc;
    const char *output;
    double interval, duration, keep_detail, keep;
    int64_t size_limit;
    bool verbose;
} record_opts;

static int parse_options(record_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        CONNARGS_LONGOPTS,
        CLICONF_LONGOPTS,
        CLICONF_SERVER_LONGOPTS,
        {"output", required_argument, NULL, 'o'},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"size-limit", required_argument, NULL, OPT_SIZE_LIMIT},
        {"keep-detail", required_argument, NULL, OPT_KEEP_DETAIL},
        {"keep", required_argument, NULL, OPT_KEEP},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, CONNARGS_SHORTOPTS "o:v", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'v':
            o->verbose = true;
            break;
        case OPT_INTERVAL: {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v >= 0.1 && v <= 3600))
                return usage_error(
                    "record", "--interval must be seconds from 0.1 to 3600, not \"%s\"", optarg);
            o->interval = v;
            break;
        }
        case OPT_DURATION:
            if (!duration_parse(optarg, &o->duration))
                return usage_error(
                    "record", "--duration must be like 30s, 10m, 2h or 7d, not \"%s\"", optarg);
            break;
        case OPT_KEEP_DETAIL:
            if (!duration_parse(optarg, &o->keep_detail))
                return usage_error("record",
                                   "--keep-detail must be like 30m, 24h or 2d, not \"%s\"", optarg);
            break;
        case OPT_KEEP:
            if (!duration_parse(optarg, &o->keep))
                return usage_error("record", "--keep must be like 24h, 7d or 30d, not \"%s\"",
                                   optarg);
            break;
        case OPT_SIZE_LIMIT:
            if (!parse_size(optarg, &o->size_limit))
                return usage_error("record",
                                   "--size-limit must be a size like 500K, 100M or 2G (at least "
                                   "64K), not \"%s\"",
                                   optarg);
            break;
        case OPT_HELP:
            usage_print(stdout, "record");
            return EXIT_OK;
        case '?':
            return usage_bad_option("record", CONNARGS_SHORTOPTS "o:v", argv);
        default:
            if (connargs_option(&o->ca, c, optarg) || cliconf_option(&o->cc, c, optarg))
                break;
            return usage_error("record", "unknown option");
        }
    }
    int used = connargs_positional(&o->ca, argc - optind, argv + optind);
    if (optind + used < argc)
        return usage_error("record", "unexpected argument \"%s\"", argv[optind + used]);
    if (!o->output)
        return usage_error("record", "-o FILE is required (the recording to write)");
    if (o->duration > 0 && o->size_limit > 0)
        return usage_error("record", "--duration and --size-limit exclude each other");
    return -1;
}

static void on_message(void *arg, rec_msg_kind kind, const char *msg)
{
    const record_opts *o = arg;
    if (kind == REC_MSG_SNAPSHOT && !o->verbose)
        return;
    if (kind == REC_MSG_THIN && !o->verbose)
        return;
    char *clean = redact(msg);
    char *safe = term_escape(clean, TS_FLAT);
    cli_eprintf("pgdeck record: %s\n", safe);
    free(safe);
    free(clean);
}

/* The servers (as fleet_servers_start picks them) as the recorder's targets. */
typedef struct targets {
    rec_target *v;
    eng_conninfo **ci;
    char **names, **shown;
    size_t n;
} targets;

static eng_conninfo *conninfo_of(const char *conninfo)
{
    eng_conninfo *ci = eng_conninfo_new();
    eng_conninfo_set(ci, "dbname", conninfo);
    if (!eng_conninfo_get(ci, "application_name"))
        eng_conninfo_set(ci, "application_name", "pgdeck");
    return ci;
}

static bool add_target(targets *t, const char *name, eng_conninfo *ci, char **err)
{
    char *why = NULL;
    if (!eng_conninfo_check(ci, &why)) {
        char *clean = redact(why ? why : "bad conninfo");
        *err = xasprintf("server %s: %s", name, clean);
        free(clean);
        free(why);
        eng_conninfo_free(ci);
        return false;
    }
    t->ci = xrealloc(t->ci, sizeof *t->ci * (t->n + 1));
    t->names = xrealloc(t->names, sizeof *t->names * (t->n + 1));
    t->shown = xrealloc(t->shown, sizeof *t->shown * (t->n + 1));
    t->ci[t->n] = ci;
    t->names[t->n] = xstrdup(name);
    t->shown[t->n] = eng_conninfo_display(ci);
    t->n++;
    return true;
}

static bool targets_build(targets *t, const pgdeck_config *cfg, const connargs *ca, char **err)
{
    memset(t, 0, sizeof *t);
    bool ok = true;
    if (fleet_connargs_given(ca) || cfg->nservers == 0)
        ok = add_target(t, config_server_find(cfg, "default") ? "default-conn" : "default",
                        eng_conninfo_dup(ca->ci), err);
    for (size_t i = 0; ok && i < cfg->nservers; i++) {
        redact_add_from_conninfo(cfg->servers[i].conninfo);
        ok = add_target(t, cfg->servers[i].name, conninfo_of(cfg->servers[i].conninfo), err);
    }
    t->v = xcalloc(t->n ? t->n : 1, sizeof *t->v);
    for (size_t i = 0; i < t->n; i++)
        t->v[i] = (rec_target){.name = t->names[i], .ci = t->ci[i], .target = t->shown[i]};
    return ok;
}

static void targets_free(targets *t)
{
    for (size_t i = 0; i < t->n; i++) {
        eng_conninfo_free(t->ci[i]);
        free(t->names[i]);
        free(t->shown[i]);
    }
    free(t->ci);
    free(t->names);
    free(t->shown);
    free(t->v);
    memset(t, 0, sizeof *t);
}

int cmd_record_main(int argc, char **argv)
{
    record_opts o;
    memset(&o, 0, sizeof o);
    connargs_init(&o.ca);
    cliconf_init(&o.cc);
    pgdeck_config cfg;
    memset(&cfg, 0, sizeof cfg);
    bool cfg_loaded = false;
    targets t = {0};
    char *err = NULL;
    int rc = parse_options(&o, argc, argv);
    if (rc >= 0)
        goto out;
    cfg_loaded = true;
    if ((rc = connargs_load_settings(&o.ca, &o.cc, "record", &cfg)) >= 0)
        goto out;
    if (!targets_build(&t, &cfg, &o.ca, &err)) {
        rc = usage_error("record", "%s", err);
        goto out;
    }
    eng_pool_config pool;
    connargs_pool_config(&cfg, &pool);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* a file size limit (ulimit -f) must fail the write, not kill us */
    signal(SIGXFSZ, SIG_IGN);

    rec_recorder_opts ro = {
        .path = o.output,
        .servers = t.v,
        .nservers = t.n,
        .pool = &pool,
        .interval_s = o.interval > 0 ? o.interval : REC_DEFAULT_INTERVAL,
        .duration_s = o.duration,
        .size_limit = o.size_limit,
        .keep_detail_s = o.keep_detail > 0 ? o.keep_detail : REC_DEFAULT_KEEP_DETAIL,
        .keep_s = o.keep > 0 ? o.keep : REC_DEFAULT_KEEP,
        .on_message = on_message,
        .arg = &o,
    };
    rc = rec_recorder_run(&ro, &stop_requested) == REC_OK ? EXIT_OK : EXIT_SQL;
out:
    targets_free(&t);
    free(err);
    if (cfg_loaded)
        config_free(&cfg);
    cliconf_free(&o.cc);
    connargs_free(&o.ca);
    return rc;
}
