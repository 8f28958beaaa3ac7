/* connargs.c — psql's connection options. Unset values stay unset so that
 * libpq fills them from PG* environment variables, service files and
 * ~/.pgpass, exactly as it does for psql. */
#include "config.h"

#include "cli/connargs.h"
#include "cli/cliconf.h"

#include "cli/password.h"
#include "cli/redact.h"
#include "cli/sqlerror.h"
#include "cli/usage.h"
#include "common/xalloc.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void connargs_init(connargs *ca)
{
    memset(ca, 0, sizeof *ca);
    ca->ci = eng_conninfo_new();
}

static void wipe_free(char *s)
{
    if (!s)
        return;
    explicit_bzero(s, strlen(s)); /* a dbname may be a conninfo with a password */
    free(s);
}

void connargs_free(connargs *ca)
{
    if (ca->ci)
        eng_conninfo_free(ca->ci);
    ca->ci = NULL;
    wipe_free(ca->host);
    wipe_free(ca->port);
    wipe_free(ca->user);
    wipe_free(ca->dbname);
    ca->host = ca->port = ca->user = ca->dbname = NULL;
}

/* ci from the options, as psql passes them to PQconnectdbParams (keywords
 * host, port, user, then dbname with expand_dbname): a conninfo string or URI
 * in dbname overrides -h/-p/-U with its own fields, and fields it lacks come
 * from them. Checked against psql 15: `psql -d postgresql://a@h/db -U b`
 * connects as a, in either order; without a user in the URI, as b. */
static void rebuild(connargs *ca)
{
    eng_conninfo_free(ca->ci);
    ca->ci = eng_conninfo_new();
    if (ca->host)
        eng_conninfo_set(ca->ci, "host", ca->host);
    if (ca->port)
        eng_conninfo_set(ca->ci, "port", ca->port);
    if (ca->user)
        eng_conninfo_set(ca->ci, "user", ca->user);
    if (ca->dbname)
        eng_conninfo_set(ca->ci, "dbname", ca->dbname);
}

static void set_field(connargs *ca, char **field, const char *value)
{
    wipe_free(*field);
    *field = xstrdup(value);
    rebuild(ca);
}

/* A dbname may be a conninfo string or URI holding a password: remember it
 * so that no message ever prints it, then let the engine expand it. */
static void set_dbname(connargs *ca, const char *value)
{
    redact_add_from_conninfo(value);
    set_field(ca, &ca->dbname, value);
    redact_add(eng_conninfo_get(ca->ci, "password"));
}

bool connargs_option(connargs *ca, int c, const char *arg)
{
    switch (c) {
    case 'h':
        set_field(ca, &ca->host, arg);
        return true;
    case 'p':
        set_field(ca, &ca->port, arg);
        return true;
    case 'U':
        set_field(ca, &ca->user, arg);
        return true;
    case 'd':
        set_dbname(ca, arg);
        return true;
    case 'W':
        ca->prompt_password = true;
        ca->no_password = false;
        return true;
    case 'w':
        ca->no_password = true;
        ca->prompt_password = false;
        return true;
    default:
        return false;
    }
}

int connargs_positional(connargs *ca, int argc, char **argv)
{
    int used = 0;
    /* As psql: the first positional is the database unless -d named one,
     * the next is the user unless -U named one. */
    while (used < argc && used < 2) {
        if (!ca->dbname && ca->npositional == 0)
            set_dbname(ca, argv[used]);
        else if (!ca->user)
            set_field(ca, &ca->user, argv[used]);
        else
            break;
        ca->npositional++;
        used++;
    }
    return used;
}

/* The user name libpq will use, for the prompt: the conninfo, PGUSER, or the
 * operating-system user. */
static const char *effective_user(const connargs *ca)
{
    const char *u = eng_conninfo_get(ca->ci, "user");
    if (u && *u)
        return u;
    u = getenv("PGUSER");
    if (u && *u)
        return u;
    struct passwd *pw = getpwuid(geteuid());
    return pw ? pw->pw_name : NULL;
}

bool connargs_finish(connargs *ca, char **err)
{
    *err = NULL;
    char *check_err = NULL;
    if (!eng_conninfo_check(ca->ci, &check_err)) {
        *err = redact(check_err ? check_err : "invalid connection options");
        free(check_err);
        return false;
    }
    if (ca->prompt_password && !ca->no_password) {
        const char *user = effective_user(ca);
        char *prompt = user ? xasprintf("Password for user %s: ", user) : xstrdup("Password: ");
        char *pw = password_prompt(prompt);
        free(prompt);
        if (!pw) {
            *err = xstrdup("no password supplied");
            return false;
        }
        redact_add(pw);
        eng_conninfo_set(ca->ci, "password", pw);
        password_free(pw);
    }
    return true;
}

void connargs_pool_config(const pgdeck_config *cfg, eng_pool_config *pool)
{
    eng_pool_config_defaults(pool);
    if (!cfg)
        return;
    POOL_SETTINGS_COPY(pool, cfg);
    pool->slow_threshold_ms = cfg->slow_threshold;
    pool->nsession = (int)cfg->nsession;
    pool->session_names = (const char *const *)cfg->session_names;
    pool->session_values = (const char *const *)cfg->session_values;
}

int connargs_connect_exit(const char *connect_error)
{
    return engine_refused_setting(connect_error) ? EXIT_USAGE : EXIT_CONNECT;
}

int connargs_fail(const connargs *ca, const char *cmd, char *err)
{
    int rc;
    if (ca->prompt_password && err && strcmp(err, "no password supplied") == 0) {
        bool console = strcmp(cmd, "console") == 0;
        cli_eprintf("pgdeck%s%s: cannot connect: %s\n", console ? "" : " ", console ? "" : cmd,
                    err);
        rc = EXIT_CONNECT;
    } else {
        rc = usage_error(cmd, "%s", err ? err : "invalid connection options");
    }
    free(err);
    return rc;
}

int connargs_load_settings(connargs *ca, const cliconf *cc, const char *cmd, pgdeck_config *cfg)
{
    char *err = NULL;
    if (!cliconf_load(cc, cfg, &err)) {
        int rc = usage_error(cmd, "%s", err);
        free(err);
        return rc;
    }
    if (!connargs_finish(ca, &err))
        return connargs_fail(ca, cmd, err);
    return -1;
}
