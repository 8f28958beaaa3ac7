/* main.c — pgdeck's entry point: dispatches argv[1] to a subcommand.
 *
 * To add a subcommand, add ONE line to `commands` below (its usage text goes
 * in usage.c). `pgdeck` with no subcommand (or only options/positionals)
 * runs `default_command`, the console. */
#include "config.h"

#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/output.h"
#include "cli/usage.h"

#include <stdio.h>
#include <string.h>
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
};

/* No subcommand (nothing, options or positionals only): the console. */
static const command_fn default_command = cmd_console_main;

int main(int argc, char **argv)
{
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    /* One malloc arena for every thread: the engine thread allocates the
     * results the UI or CLI thread frees, and with an arena per thread glibc
     * grew the engine's page by page (847 mprotect calls for a 10 000
     * statement pipeline) and kept memory in both. Measured: that pipeline
     * 124 -> 119 ms; loads and the idle console unchanged. */
    mallopt(M_ARENA_MAX, 1);
#endif
    output_init_locale();

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
