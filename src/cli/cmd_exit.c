/* cmd_exit.c — see cmd_exit.h. */
#include "cli/cmd_exit.h"

#include "cli/redact.h"

int cmd_exit(int rc, pgdeck_config *cfg, cliconf *cc, connargs *ca)
{
    if (cfg)
        config_free(cfg);
    cliconf_free(cc);
    connargs_free(ca);
    redact_clear();
    return rc;
}
