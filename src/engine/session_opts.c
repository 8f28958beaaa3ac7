/* session_opts.c — server settings ([session], --set session.KEY=VALUE) as
 * libpq's "options": "-c name=value" words, split by the server on
 * unescaped white space, where a backslash takes the next byte literally
 * (pg_split_opts). The user's own options (conninfo "options", else
 * PGOPTIONS) come first and ours after them: the server applies the words
 * in order, so pgdeck's settings win, as psql's -c after PGOPTIONS would.
 * application_name is a startup parameter of its own, which the server
 * applies after the options: it goes there, not into "-c". */
#include "engine/engine_int.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void append_escaped(strbuf *sb, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' ||
            *s == '\v')
            sb_append_c(sb, '\\');
        sb_append_c(sb, *s);
    }
}

char *session_options_build(const char *user_options, int n, const char *const *names,
                            const char *const *values)
{
    strbuf sb;
    sb_init(&sb);
    if (user_options && *user_options)
        sb_printf(&sb, "%s", user_options);
    for (int i = 0; i < n; i++) {
        if (strcasecmp(names[i], "application_name") == 0)
            continue;
        if (sb.len)
            sb_append_c(&sb, ' ');
        sb_printf(&sb, "-c ");
        append_escaped(&sb, names[i]);
        sb_append_c(&sb, '=');
        append_escaped(&sb, values[i]);
    }
    return sb_steal(&sb);
}

bool session_setting_failure(const char *msg)
{
    /* the server's texts for a bad name or value in the startup options:
     * "invalid value for parameter", "unrecognized configuration
     * parameter", "… is outside the valid range for parameter", "parameter
     * … cannot be changed now": retrying cannot help */
    return strstr(msg, "parameter \"") != NULL;
}

void session_apply(engine *e, int *k, int n, const char *const *names, const char *const *values)
{
    /* again after a change: the user's own parameters as they were */
    e->kw_base = *k;
    for (int i = 0; i < *k; i++)
        if (strcmp(e->kw[i], "options") == 0 || strcmp(e->kw[i], "application_name") == 0)
            e->val[i] = eng_conninfo_get(e->ci, e->kw[i]);
    const char *app = NULL;
    for (int i = 0; i < n; i++)
        if (strcasecmp(names[i], "application_name") == 0)
            app = values[i];
    const char *user = NULL;
    int opt_at = -1;
    for (int i = 0; i < *k; i++)
        if (strcmp(e->kw[i], "options") == 0) {
            user = e->val[i];
            opt_at = i;
        }
    if (opt_at < 0)
        user = getenv("PGOPTIONS"); /* our "options" would hide it from libpq */
    free(e->session_options);
    e->session_options = NULL;
    bool ours = false;
    for (int i = 0; i < n && !ours; i++)
        ours = strcasecmp(names[i], "application_name") != 0;
    if (ours) {
        e->session_options = session_options_build(user, n, names, values);
        if (opt_at < 0) {
            e->kw[*k] = "options";
            opt_at = (*k)++;
        }
        e->val[opt_at] = e->session_options;
    }
    free(e->session_appname);
    e->session_appname = app ? xstrdup(app) : NULL;
    if (app) {
        int at = -1;
        for (int i = 0; i < *k; i++)
            if (strcmp(e->kw[i], "application_name") == 0)
                at = i;
        if (at < 0) {
            e->kw[*k] = "application_name";
            at = (*k)++;
        }
        e->val[at] = e->session_appname;
    }
}

bool engine_refused_setting(const char *connect_error)
{
    return connect_error && session_setting_failure(connect_error);
}

void session_change(engine *e, int n, const char *const *names, const char *const *values)
{
    int k = e->kw_base;
    session_apply(e, &k, n, names, values);
    e->kw[k] = NULL;
    e->val[k] = NULL;
    /* new connections get the settings; idle ones are closed (and refilled
     * to min_size), borrowed ones close when they come back */
    pool_recycle_all(e);
}
