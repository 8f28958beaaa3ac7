/* main.c — pgdeck's entry point: dispatches argv[1] to a subcommand.
 *
 * To add a subcommand, add ONE line to `commands` below (its usage text goes
 * in usage.c). `pgdeck` with no subcommand (or only options/positionals)
 * runs `default_command`, the console. */
#include "config.h"

#include "cli/argscrub.h"
#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/output.h"
#include "cli/tls_lazy.h"
#include "cli/usage.h"
#include "common/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

typedef int (*command_fn)(int argc, char **argv);

static const struct command {
    const char *name;
    command_fn main;
} commands[] = {
    {"run", cmd_run_main},
    {"top", cmd_top_main},
    {"demo", cmd_demo_main},
    {"import", cmd_import_main},
    {"explain", cmd_explain_main},
    {"fleet", cmd_fleet_main},
    {"record", cmd_record_main},
    {"report", cmd_report_main},
};

/* No subcommand (nothing, options or positionals only): the console. */
static const command_fn default_command = cmd_console_main;

/* A copy of argv (NULL-terminated) without the global --allow-core. */
static char **private_args(int argc, char **argv, bool *allow_core, int *nargs)
{
    char **args = xcalloc((size_t)argc + 1, sizeof *args);
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strcmp(argv[i], "--allow-core") == 0) {
            *allow_core = true;
            continue;
        }
        args[n++] = xstrdup(argv[i]);
    }
    args[n] = NULL;
    *nargs = n;
    return args;
}

static void wipe_args(int nargs, char **args)
{
    for (int i = 0; i < nargs; i++) {
        explicit_bzero(args[i], strlen(args[i]));
        free(args[i]);
    }
    free(args);
}

/* No core file and no ptrace by other processes of the same user: memory
 * holds passwords (libpq's options, a -W answer) and query results. */
static void core_dumps_off(void)
{
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
#ifdef PR_SET_DUMPABLE
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

static int dispatch(int argc, char **argv);

/* The console and top: the commands that stay resident (tls_lazy.c). */
static bool long_lived(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-')
        return !(argc >= 2 &&
                 (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "--version") == 0));
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].main == cmd_top_main;
    return true; /* positionals only: the console */
}

int main(int argc, char **argv)
{
    if (long_lived(argc, argv))
        tls_lazy_reexec(argv);
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    /* One malloc arena for every thread: the engine thread allocates the
     * results the UI or CLI thread frees, and with an arena per thread glibc
     * grew the engine's page by page (847 mprotect calls for a 10 000
     * statement pipeline) and kept memory in both. Measured: that pipeline
     * 124 -> 119 ms; loads and the idle console unchanged. */
    mallopt(M_ARENA_MAX, 1);
#endif
    output_init_locale();

    /* Secrets (issue 10): the subcommands parse a private copy of argv, and
     * the passwords in the original — what /proc/PID/cmdline shows — are
     * overwritten at once; no core dump carries them unless --allow-core. */
    bool allow_core = false;
    int nargs = 0;
    char **args = private_args(argc, argv, &allow_core, &nargs);
    argscrub_argv(argc, argv);
    if (!allow_core)
        core_dumps_off();
    int rc = dispatch(nargs, args);
    wipe_args(nargs, args);
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        usage_print(stdout, NULL);
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("pgdeck %s\n", PACKAGE_VERSION);
        return EXIT_OK;
    }
    if (argc >= 2 && argv[1][0] != '-') {
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(argv[1], commands[i].name) == 0)
                return commands[i].main(argc - 1, argv + 1);
    }
    return default_command(argc, argv);
}
