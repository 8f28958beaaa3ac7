/* cmd_exit.h — the way out of a subcommand that took connection options,
 * settings and maybe secrets (`run`, `import`): one place frees them and
 * wipes the remembered passwords, so no subcommand forgets one. */
#ifndef PGDECK_CMD_EXIT_H
#define PGDECK_CMD_EXIT_H

#include "cli/cliconf.h"
#include "cli/connargs.h"
#include "common/conf.h"

/* Frees cfg (NULL: never loaded), cc and ca, forgets every secret
 * (redact_clear); returns rc, the exit code. */
int cmd_exit(int rc, pgdeck_config *cfg, cliconf *cc, connargs *ca);

#endif
