/* gss_skip.c — connect without libpq's GSSAPI encryption probe when it can
 * only fail.
 *
 * With gssencmode=prefer (libpq's default) every connection first asks
 * krb5 for credentials (gss_acquire_cred): that alone keeps about 0.65 MB
 * of krb5 code resident in an idle console. When nobody asked for GSSAPI
 * (no gssencmode or service option, no PGGSSENCMODE or PGSERVICE) and krb5
 * cannot find credentials (no KRB5CCNAME, KRB5_CONFIG or
 * KRB5_CLIENT_KTNAME, no /etc/krb5.conf naming another cache, no default
 * cache /tmp/krb5cc_UID, no default client keytab, no extra GSSAPI
 * mechanism in /etc/gss), libpq would fall back to a plain connection
 * anyway, so gssencmode=disable changes nothing but the memory. Checked at
 * every connect: after a kinit the next connection probes again. */
#include "engine/engine_int.h"

#include "common/xalloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool given(const char *const *kw, const char *const *val, const char *key)
{
    for (int i = 0; kw[i]; i++)
        if (strcmp(kw[i], key) == 0 && val[i] && val[i][0])
            return true;
    return false;
}

static bool env_given(const char *name)
{
    const char *v = getenv(name);
    return v && v[0];
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static bool dir_has_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    bool any = false;
    struct dirent *de;
    while (!any && (de = readdir(d)) != NULL)
        any = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return any;
}

static bool probe_can_only_fail(const char *const *kw, const char *const *val)
{
    if (given(kw, val, "gssencmode") || given(kw, val, "service"))
        return false;
    static const char *const vars[] = {"PGGSSENCMODE", "PGSERVICE",          "KRB5CCNAME",
                                       "KRB5_CONFIG",  "KRB5_CLIENT_KTNAME", "GSS_MECH_CONFIG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (env_given(vars[i]))
            return false;
    if (exists("/etc/krb5.conf") || exists("/etc/gss/mech") || dir_has_entries("/etc/gss/mech.d"))
        return false;
    char path[64];
    snprintf(path, sizeof path, "/tmp/krb5cc_%lu", (unsigned long)getuid());
    if (exists(path))
        return false;
    snprintf(path, sizeof path, "/etc/krb5/user/%lu/client.keytab", (unsigned long)geteuid());
    return !exists(path);
}

bool gss_skip_params(const char *const *kw, const char *const *val, const char ***kw_out,
                     const char ***val_out)
{
    if (!probe_can_only_fail(kw, val))
        return false;
    int n = 0;
    while (kw[n])
        n++;
    const char **k = xcalloc((size_t)n + 2, sizeof *k);
    const char **v = xcalloc((size_t)n + 2, sizeof *v);
    memcpy(k, kw, (size_t)n * sizeof *k);
    memcpy(v, val, (size_t)n * sizeof *v);
    k[n] = "gssencmode";
    v[n] = "disable";
    *kw_out = k;
    *val_out = v;
    return true;
}
