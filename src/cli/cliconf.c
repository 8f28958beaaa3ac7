/* cliconf.c — --config and --set for every subcommand. */
#include "config.h"

#include "cli/cliconf.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

void cliconf_init(cliconf *cc)
{
    memset(cc, 0, sizeof *cc);
}

void cliconf_free(cliconf *cc)
{
    free(cc->sets);
    free(cc->servers);
    memset(cc, 0, sizeof *cc);
}

bool cliconf_option(cliconf *cc, int c, const char *arg)
{
    if (c == CLICONF_OPT_CONFIG) {
        cc->path = arg;
        return true;
    }
    if (c == CLICONF_OPT_SET) {
        cc->sets = xrealloc(cc->sets, sizeof *cc->sets * (size_t)(cc->nsets + 1));
        cc->sets[cc->nsets++] = arg;
        return true;
    }
    if (c == CLICONF_OPT_SERVER) {
        cc->servers = xrealloc(cc->servers, sizeof *cc->servers * (size_t)(cc->nservers + 1));
        cc->servers[cc->nservers++] = arg;
        return true;
    }
    return false;
}

bool cliconf_load(const cliconf *cc, pgdeck_config *cfg, char **err)
{
    *err = NULL;
    config_defaults(cfg);
    if (cc->path) {
        if (!config_load_file(cfg, cc->path, false, err))
            return false;
    } else {
        char *path = config_default_path();
        bool ok = !path || config_load_file(cfg, path, true, err);
        free(path);
        if (!ok)
            return false;
    }
    for (int i = 0; i < cc->nsets; i++) {
        const char *eq = strchr(cc->sets[i], '=');
        if (!eq || eq == cc->sets[i]) {
            *err = xasprintf("--set %s: expected SECTION.KEY=VALUE", cc->sets[i]);
            return false;
        }
        char *key = xstrndup(cc->sets[i], (size_t)(eq - cc->sets[i]));
        char *set_err = NULL;
        bool ok = config_set(cfg, key, eq + 1, &set_err);
        if (!ok) {
            *err = xasprintf("--set %s: %s", cc->sets[i], set_err ? set_err : "invalid setting");
            free(set_err);
        }
        free(key);
        if (!ok)
            return false;
    }
    return cliconf_apply_servers(cc, cfg, err);
}

bool cliconf_apply_servers(const cliconf *cc, pgdeck_config *cfg, char **err)
{
    for (int i = 0; i < cc->nservers; i++) {
        char *why = NULL;
        if (!config_server_arg(cfg, cc->servers[i], &why)) {
            /* the name only: the conninfo may hold a password */
            const char *eq = strchr(cc->servers[i], '=');
            int n = eq ? (int)(eq - cc->servers[i]) : (int)strlen(cc->servers[i]);
            *err = xasprintf("--server %.*s: %s", n > 64 ? 64 : n, cc->servers[i], why);
            free(why);
            return false;
        }
    }
    return true;
}
