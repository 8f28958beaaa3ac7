/* resolve.c — host names are resolved off the engine thread.
 *
 * libpq 15 resolves host names synchronously inside PQconnectStartParams and
 * PQconnectPoll (getaddrinfo), which would stall every connection of the
 * engine on a slow DNS server. So, when the effective conninfo names a host
 * that needs a lookup, each connection attempt first runs a short-lived
 * detached resolver worker (as cancel.c does for PQcancel), which reports
 * through the loop's wake eventfd. The engine then connects with `hostaddr`
 * set alongside `host`: libpq uses the address and keeps the name for
 * .pgpass, TLS (verify-full, SNI) and its messages.
 *
 * The effective host/hostaddr/port lists (environment, service file,
 * defaults) are libpq's own: engine_start asks libpq with a probe that stops
 * before connecting. Each entry is kept in order: a unix-socket path ('/',
 * '@') or an entry with the user's hostaddr is left as is; a name becomes one
 * entry per address it resolves to, so every address is tried as libpq
 * would. connect_timeout bounds the lookup and the connect together.
 *
 * The worker owns everything it touches (the job: names, results, its own
 * dup of the wake fd, a reference count), so it may finish after the
 * connection or even the engine is gone. */
#include "engine/engine_int.h"
#include "engine/worker.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct resolve_plan {
    int n;
    char **host, **hostaddr, **port; /* per entry; "" = not given */
    bool *lookup;                    /* the entry's name needs a DNS lookup */
};

typedef struct resolve_answer {
    char **addrs;
    int naddrs;
    char *err; /* libpq-style message when the lookup failed */
} resolve_answer;

struct resolve_job {
    eng_worker w; /* first: refs, done, the worker's wake fd (atomics) */
    /* names are fixed before the worker starts; ans is the worker's until
     * w.done is set, then the engine's (done's store/load orders them) */
    int n;
    char **names; /* NULL where no lookup is needed */
    resolve_answer *ans;
    /* engine thread only */
    conn *c; /* NULL once detached */
    resolve_job *next;
};

/* ---- comma-separated lists, as libpq's parse_comma_separated_list ---- */

static int split_list(const char *s, char ***out)
{
    *out = NULL;
    if (!s || !*s)
        return 0;
    int n = 0, cap = 0;
    char **v = NULL;
    const char *p = s;
    for (;;) {
        strbuf sb;
        sb_init(&sb);
        while (*p && *p != ',') {
            if (*p == '\\' && p[1])
                p++;
            sb_append_c(&sb, *p);
            p++;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            v = xrealloc(v, (size_t)cap * sizeof *v);
        }
        v[n++] = sb_steal(&sb);
        if (!*p)
            break;
        p++; /* the comma */
    }
    *out = v;
    return n;
}

static void free_list(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void list_add(strbuf *sb, const char *item, bool first)
{
    if (!first)
        sb_append_c(sb, ',');
    for (const char *p = item; *p; p++) {
        if (*p == ',' || *p == '\\')
            sb_append_c(sb, '\\');
        sb_append_c(sb, *p);
    }
}

/* ---- the plan (engine_start) ---- */

static bool needs_lookup(const char *host)
{
    if (!host[0] || host[0] == '/' || host[0] == '@')
        return false; /* default, or a unix-socket directory */
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) != 1 && inet_pton(AF_INET6, host, buf) != 1;
}

static char *option_value(PQconninfoOption *opts, const char *key)
{
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val && o->val[0] ? o->val : NULL;
    return NULL;
}

resolve_plan *resolve_plan_new(const char *const *kw, const char *const *val)
{
    /* libpq's effective values without connecting: an invalid sslmode,
     * given last so it wins, stops PQconnectStartParams after it parsed the
     * options, applied the service file and the environment, and before any
     * lookup or socket. */
    int n = 0;
    while (kw[n])
        n++;
    const char **k2 = xcalloc((size_t)n + 2, sizeof *k2);
    const char **v2 = xcalloc((size_t)n + 2, sizeof *v2);
    memcpy(k2, kw, (size_t)n * sizeof *k2);
    memcpy(v2, val, (size_t)n * sizeof *v2);
    k2[n] = "sslmode";
    v2[n] = "pgdeck-probe-no-connect";
    PGconn *probe = PQconnectStartParams(k2, v2, 0);
    free(k2);
    free(v2);
    PQconninfoOption *opts = probe ? PQconninfo(probe) : NULL;
    char **hosts = NULL, **addrs = NULL, **ports = NULL;
    int nh = split_list(option_value(opts, "host"), &hosts);
    int na = split_list(option_value(opts, "hostaddr"), &addrs);
    int np = split_list(option_value(opts, "port"), &ports);
    PQconninfoFree(opts);
    PQfinish(probe);

    resolve_plan *p = NULL;
    bool any = false;
    /* mismatched lists are the user's error: libpq reports it as it is */
    bool shapes_ok = nh > 0 && (na == 0 || na == nh) && (np <= 1 || np == nh);
    for (int i = 0; shapes_ok && i < nh; i++)
        if ((na == 0 || !addrs[i][0]) && needs_lookup(hosts[i]))
            any = true;
    if (shapes_ok && any) {
        p = xcalloc(1, sizeof *p);
        p->n = nh;
        p->host = xcalloc((size_t)nh, sizeof *p->host);
        p->hostaddr = xcalloc((size_t)nh, sizeof *p->hostaddr);
        p->port = xcalloc((size_t)nh, sizeof *p->port);
        p->lookup = xcalloc((size_t)nh, sizeof *p->lookup);
        for (int i = 0; i < nh; i++) {
            p->host[i] = xstrdup(hosts[i]);
            p->hostaddr[i] = xstrdup(na ? addrs[i] : "");
            p->port[i] = xstrdup(np == 0 ? "" : np == 1 ? ports[0] : ports[i]);
            p->lookup[i] = !p->hostaddr[i][0] && needs_lookup(p->host[i]);
        }
    }
    free_list(hosts, nh);
    free_list(addrs, na);
    free_list(ports, np);
    return p;
}

void resolve_plan_free(resolve_plan *p)
{
    if (!p)
        return;
    free_list(p->host, p->n);
    free_list(p->hostaddr, p->n);
    free_list(p->port, p->n);
    free(p->lookup);
    free(p);
}

/* ---- the worker ---- */

static void job_release(resolve_job *j)
{
    if (!worker_release(&j->w))
        return;
    for (int i = 0; i < j->n; i++) {
        free(j->names[i]);
        free_list(j->ans[i].addrs, j->ans[i].naddrs);
        free(j->ans[i].err);
    }
    free(j->names);
    free(j->ans);
    free(j);
}

static void lookup(const char *name, resolve_answer *a)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0) {
        a->err = xasprintf("could not translate host name \"%s\" to address: %s", name,
                           rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return;
    }
    int cap = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char buf[NI_MAXHOST];
        if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof buf, NULL, 0, NI_NUMERICHOST))
            continue;
        bool seen = false;
        for (int k = 0; k < a->naddrs; k++)
            seen = seen || strcmp(a->addrs[k], buf) == 0;
        if (seen)
            continue;
        if (a->naddrs == cap) {
            cap = cap ? cap * 2 : 4;
            a->addrs = xrealloc(a->addrs, (size_t)cap * sizeof *a->addrs);
        }
        a->addrs[a->naddrs++] = xstrdup(buf);
    }
    freeaddrinfo(res);
    if (a->naddrs == 0)
        a->err =
            xasprintf("could not translate host name \"%s\" to address: no usable address", name);
}

static void *resolve_worker(void *arg)
{
    resolve_job *j = arg;
    for (int i = 0; i < j->n; i++)
        if (j->names[i])
            lookup(j->names[i], &j->ans[i]);
    worker_finish(&j->w);
    job_release(j);
    return NULL;
}

bool resolve_start(engine *e, conn *c)
{
    const resolve_plan *p = e->resolve;
    resolve_job *j = xcalloc(1, sizeof *j);
    j->n = p->n;
    j->names = xcalloc((size_t)p->n, sizeof *j->names);
    j->ans = xcalloc((size_t)p->n, sizeof *j->ans);
    for (int i = 0; i < p->n; i++)
        if (p->lookup[i])
            j->names[i] = xstrdup(p->host[i]);
    if (!worker_start(e, &j->w, 512 * 1024, resolve_worker, j)) {
        job_release(j);
        return false;
    }
    j->c = c;
    c->resolving = j;
    j->next = e->resolve_jobs;
    e->resolve_jobs = j;
    return true;
}

/* Connects with the answers: host kept, hostaddr filled, port per entry. */
static void connect_resolved(engine *e, conn *c, resolve_job *j)
{
    const resolve_plan *p = e->resolve;
    strbuf hosts, addrs, ports, errs;
    sb_init(&hosts);
    sb_init(&addrs);
    sb_init(&ports);
    sb_init(&errs);
    int entries = 0;
    for (int i = 0; i < p->n; i++) {
        if (!p->lookup[i]) {
            list_add(&hosts, p->host[i], entries == 0);
            list_add(&addrs, p->hostaddr[i], entries == 0);
            list_add(&ports, p->port[i], entries == 0);
            entries++;
            continue;
        }
        const resolve_answer *a = &j->ans[i];
        if (a->err)
            sb_printf(&errs, "%s%s", errs.len ? "; " : "", a->err);
        for (int k = 0; k < a->naddrs; k++) {
            list_add(&hosts, p->host[i], entries == 0);
            list_add(&addrs, a->addrs[k], entries == 0);
            list_add(&ports, p->port[i], entries == 0);
            entries++;
        }
    }
    if (entries == 0) {
        pool_conn_failed(e, c, errs.len ? errs.data : "could not translate host name");
    } else {
        int n = 0;
        while (e->kw[n])
            n++;
        const char **kw = xcalloc((size_t)n + 4, sizeof *kw);
        const char **val = xcalloc((size_t)n + 4, sizeof *val);
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!strcmp(e->kw[i], "host") || !strcmp(e->kw[i], "hostaddr") ||
                !strcmp(e->kw[i], "port"))
                continue;
            kw[k] = e->kw[i];
            val[k++] = e->val[i];
        }
        kw[k] = "host";
        val[k++] = hosts.data;
        kw[k] = "hostaddr";
        val[k++] = addrs.data;
        kw[k] = "port";
        val[k++] = ports.data;
        kw[k] = NULL;
        if (errs.len)
            c->resolve_note = sb_steal(&errs);
        conn_begin(e, c, kw, val);
        free(kw);
        free(val);
    }
    sb_free(&hosts);
    sb_free(&addrs);
    sb_free(&ports);
    sb_free(&errs);
}

void resolve_poll(engine *e)
{
    resolve_job **pp = &e->resolve_jobs;
    while (*pp) {
        resolve_job *j = *pp;
        if (!atomic_load(&j->w.done)) {
            pp = &j->next;
            continue;
        }
        *pp = j->next;
        conn *c = j->c;
        if (c) {
            c->resolving = NULL;
            j->c = NULL;
            if (c->state == CONN_CONNECTING)
                connect_resolved(e, c, j);
        }
        job_release(j);
        pp = &e->resolve_jobs; /* connecting may have changed the list */
    }
}

void resolve_detach(conn *c)
{
    if (c->resolving) {
        c->resolving->c = NULL;
        c->resolving = NULL;
    }
}

const char *resolve_pending_name(const conn *c)
{
    const resolve_job *j = c->resolving;
    for (int i = 0; j && i < j->n; i++)
        if (j->names[i])
            return j->names[i];
    return NULL;
}

void resolve_abandon_all(engine *e)
{
    while (e->resolve_jobs) {
        resolve_job *j = e->resolve_jobs;
        e->resolve_jobs = j->next;
        if (j->c)
            j->c->resolving = NULL;
        job_release(j); /* a worker still looking owns the job from here */
    }
}
