/* cmd_demo.c — `pgdeck demo`: the console on a throwaway cluster.
 *
 * Order of things: sandbox (with its guardian process), sample schema,
 * background workload, console; then, whatever way the console ends, the
 * workload stops and the cluster is stopped and removed. A normal quit or a
 * SIGINT/SIGTERM that reaches us while we still run cleans up here; if the
 * process dies in a way no handler sees (SIGKILL, a crash), the sandbox's
 * guardian notices its pipe closing and removes the cluster. */
#include "config.h"

#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/usage.h"
#include "common/xalloc.h"
#include "sandbox/demo_workload.h"
#include "sandbox/sandbox.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t setup_interrupted;

static void on_setup_signal(int sig)
{
    setup_interrupted = sig;
}

/* During setup a Ctrl-C must not leave a half-built cluster to the guardian
 * alone: we note it and stop at the next step. */
static void catch_setup_signals(bool on)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_setup_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static bool is_conn_option(const char *arg)
{
    static const char *const conn[] = {"-h",         "-p",       "-U",         "-d",
                                       "-W",         "-w",       "--host",     "--port",
                                       "--username", "--dbname", "--password", "--no-password"};
    for (size_t i = 0; i < sizeof conn / sizeof conn[0]; i++) {
        size_t n = strlen(conn[i]);
        if (strncmp(arg, conn[i], n) == 0 &&
            (arg[n] == '\0' || arg[n] == '=' || (conn[i][1] != '-' && arg[n] != '\0')))
            return true;
    }
    return false;
}

static void cleanup(demo_workload *w, sandbox *sb)
{
    /* A second Ctrl-C while we clean up must not cut it short. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    demo_workload_stop(w);
    if (sb) {
        fprintf(stderr, "pgdeck demo: stopping and removing the cluster in %s\n",
                sandbox_datadir(sb));
        sandbox_stop(sb);
    }
}

int cmd_demo_main(int argc, char **argv)
{
    /* Console options (--theme, --refresh, --readonly, --config, --set, ...)
     * pass through; the connection is ours. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            usage_print(stdout, "demo");
            return EXIT_OK;
        }
        if (is_conn_option(argv[i]))
            return usage_error("demo", "%s: the demo connects to its own cluster", argv[i]);
    }

    catch_setup_signals(true);
    fprintf(stderr, "pgdeck demo: starting a throwaway PostgreSQL cluster…\n");
    sandbox_opts o;
    sandbox_opts_defaults(&o);
    char *err = NULL, *warn = NULL;
    sandbox *sb = sandbox_start(&o, &err);
    if (!sb) {
        fprintf(stderr, "pgdeck demo: %s\n", err ? err : "the cluster did not start");
        free(err);
        return EXIT_CONNECT;
    }
    fprintf(stderr, "pgdeck demo: cluster in %s, port %d (removed on exit)\n", sandbox_datadir(sb),
            sandbox_port(sb));

    demo_workload *w = NULL;
    int rc = EXIT_OK;
    if (setup_interrupted)
        goto interrupted;
    fprintf(stderr, "pgdeck demo: loading a sample shop (customers, products, orders)…\n");
    if (!demo_schema_load(sandbox_conninfo(sb), &warn, &err)) {
        fprintf(stderr, "pgdeck demo: %s\n", err);
        rc = EXIT_SQL;
        goto out;
    }
    if (warn)
        fprintf(stderr, "pgdeck demo: %s\n", warn);
    if (setup_interrupted)
        goto interrupted;
    w = demo_workload_start(sandbox_conninfo(sb), &err);
    if (!w) {
        fprintf(stderr, "pgdeck demo: %s\n", err);
        rc = EXIT_SQL;
        goto out;
    }
    if (setup_interrupted)
        goto interrupted;

    /* The console installs its own handlers (terminal restore on signals). */
    catch_setup_signals(false);
    {
        /* getopt wants char **: give it copies rather than casting const away. */
        char *dash_d = xstrdup("-d"), *conninfo = xstrdup(sandbox_conninfo(sb));
        char **cargv = xcalloc((size_t)argc + 3, sizeof *cargv);
        int cargc = 0;
        cargv[cargc++] = argv[0];
        cargv[cargc++] = dash_d;
        cargv[cargc++] = conninfo;
        for (int i = 1; i < argc; i++)
            cargv[cargc++] = argv[i];
        cargv[cargc] = NULL;
        optind = 0; /* the console parses its own options: reinitialise getopt */
        rc = cmd_console_main(cargc, cargv);
        free(cargv);
        free(dash_d);
        free(conninfo);
    }
    goto out;

interrupted:
    fprintf(stderr, "pgdeck demo: interrupted\n");
    rc = 128 + (int)setup_interrupted;
out:
    cleanup(w, sb);
    free(err);
    free(warn);
    return rc;
}
