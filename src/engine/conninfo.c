/* conninfo.c — connection parameters as libpq keyword/value pairs.
 *
 * A "dbname" holding a conninfo string or a URI is expanded at once, as
 * libpq's expand_dbname does: its fields override what was set before, and
 * what is set after overrides them. The engine then connects with
 * expand_dbname = 0, so a password never travels through a string. */
#include "engine/engine_int.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

eng_conninfo *eng_conninfo_new(void)
{
    return xcalloc(1, sizeof(eng_conninfo));
}

void eng_conninfo_free(eng_conninfo *ci)
{
    if (!ci)
        return;
    for (int i = 0; i < ci->n; i++) {
        free(ci->keys[i]);
        if (ci->values[i])
            memset(ci->values[i], 0, strlen(ci->values[i])); /* passwords */
        free(ci->values[i]);
    }
    free(ci->keys);
    free(ci->values);
    free(ci->parse_error);
    free(ci);
}

static int find_key(const eng_conninfo *ci, const char *key)
{
    for (int i = 0; i < ci->n; i++)
        if (strcmp(ci->keys[i], key) == 0)
            return i;
    return -1;
}

static void set_plain(eng_conninfo *ci, const char *key, const char *value)
{
    int i = find_key(ci, key);
    if (!value) {
        if (i < 0)
            return;
        free(ci->keys[i]);
        free(ci->values[i]);
        ci->n--;
        memmove(ci->keys + i, ci->keys + i + 1, (size_t)(ci->n - i) * sizeof(char *));
        memmove(ci->values + i, ci->values + i + 1, (size_t)(ci->n - i) * sizeof(char *));
        return;
    }
    if (i >= 0) {
        free(ci->values[i]);
        ci->values[i] = xstrdup(value);
        return;
    }
    if (ci->n == ci->cap) {
        ci->cap = ci->cap ? ci->cap * 2 : 8;
        ci->keys = xrealloc(ci->keys, (size_t)ci->cap * sizeof(char *));
        ci->values = xrealloc(ci->values, (size_t)ci->cap * sizeof(char *));
    }
    ci->keys[ci->n] = xstrdup(key);
    ci->values[ci->n] = xstrdup(value);
    ci->n++;
}

/* What libpq's recognized_connection_string() checks. */
static bool looks_like_conninfo(const char *s)
{
    return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0 ||
           strchr(s, '=') != NULL;
}

void eng_conninfo_set(eng_conninfo *ci, const char *key, const char *value)
{
    if (strcmp(key, "dbname") == 0 && value && looks_like_conninfo(value)) {
        char *err = NULL;
        PQconninfoOption *opts = PQconninfoParse(value, &err);
        if (!opts) {
            free(ci->parse_error);
            ci->parse_error = xstrdup(err ? err : "invalid connection string");
            if (err) {
                size_t n = strlen(ci->parse_error);
                while (n > 0 && ci->parse_error[n - 1] == '\n')
                    ci->parse_error[--n] = '\0';
            }
            PQfreemem(err);
            return;
        }
        for (PQconninfoOption *o = opts; o->keyword; o++)
            if (o->val)
                set_plain(ci, o->keyword, o->val);
        PQconninfoFree(opts);
        return;
    }
    set_plain(ci, key, value);
}

const char *eng_conninfo_get(const eng_conninfo *ci, const char *key)
{
    int i = find_key(ci, key);
    return i >= 0 ? ci->values[i] : NULL;
}

eng_conninfo *eng_conninfo_dup(const eng_conninfo *ci)
{
    eng_conninfo *d = eng_conninfo_new();
    for (int i = 0; i < ci->n; i++)
        set_plain(d, ci->keys[i], ci->values[i]);
    if (ci->parse_error)
        d->parse_error = xstrdup(ci->parse_error);
    return d;
}

bool eng_conninfo_check(const eng_conninfo *ci, char **err)
{
    if (ci->parse_error) {
        *err = xstrdup(ci->parse_error);
        return false;
    }
    PQconninfoOption *defs = PQconndefaults();
    if (!defs) {
        *err = xstrdup("out of memory reading libpq's connection defaults");
        return false;
    }
    bool good = true;
    for (int i = 0; i < ci->n && good; i++) {
        bool known = false;
        for (PQconninfoOption *o = defs; o->keyword; o++)
            if (strcmp(o->keyword, ci->keys[i]) == 0)
                known = true;
        if (!known) {
            *err = xasprintf("invalid connection option \"%s\"", ci->keys[i]);
            good = false;
        }
    }
    PQconninfoFree(defs);
    return good;
}

static const char *value_or_env(const eng_conninfo *ci, const char *key, const char *env)
{
    const char *v = eng_conninfo_get(ci, key);
    if (v && *v)
        return v;
    v = getenv(env);
    return v && *v ? v : NULL;
}

char *eng_conninfo_display(const eng_conninfo *ci)
{
    const char *user = value_or_env(ci, "user", "PGUSER");
    const char *host = value_or_env(ci, "host", "PGHOST");
    const char *hostaddr = value_or_env(ci, "hostaddr", "PGHOSTADDR");
    const char *port = value_or_env(ci, "port", "PGPORT");
    const char *db = value_or_env(ci, "dbname", "PGDATABASE");
    const char *service = value_or_env(ci, "service", "PGSERVICE");
    char namebuf[256];
    if (!user) {
        struct passwd pw, *res = NULL;
        char buf[1024];
        if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res) {
            snprintf(namebuf, sizeof namebuf, "%s", res->pw_name);
            user = namebuf;
        } else {
            user = "?";
        }
    }
    if (!host)
        host = hostaddr ? hostaddr : "local";
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%s@%s", user, host);
    /* A multi-host list keeps its commas; a socket directory has no port. */
    sb_printf(&sb, ":%s", port ? port : "5432");
    sb_printf(&sb, "/%s", db ? db : user);
    if (service)
        sb_printf(&sb, " (service %s)", service);
    /* Fields libpq marks secret never reach here: only the five above are
     * shown, and none of them has dispchar '*'. */
    char *out = sb_steal(&sb);
    return out;
}
