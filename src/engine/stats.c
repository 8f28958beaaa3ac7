/* stats.c — the published eng_stats snapshot. The engine thread keeps
 * counters and histograms (e->st) and copies them into e->pub under
 * stats_lock at each state change, at most every 100 ms; readers copy the
 * snapshot out. EV_POOL tells the UI when connectivity changed. */
#include "engine/engine_int.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define PUBLISH_EVERY_NS (100 * NS_PER_MS)

void stats_touch(engine *e)
{
    if (!e->stats_dirty) {
        e->stats_dirty = true;
        engine_timer(e, e->last_publish_ns + PUBLISH_EVERY_NS);
    }
}

void stats_record_query(engine *e, uint64_t ns, bool recent)
{
    hist_record(&e->st.query, ns);
    if (recent)
        hist_window_record(&e->st.query_recent, e->now, ns);
}

void stats_record_wait(engine *e, uint64_t ns)
{
    hist_record(&e->st.wait, ns);
    hist_window_record(&e->st.wait_recent, e->now, ns);
}

void stats_tick(engine *e, uint64_t now)
{
    if (e->pub_recent_any && now / RECENT_SLOT_NS != e->pub_recent_slot)
        stats_touch(e);
}

static void summarize(const hist *h, eng_hist_summary *s)
{
    s->count = h->count;
    s->mean = h->count ? hist_mean_ns(h) / 1e6 : 0;
    s->p50 = (double)hist_percentile(h, 50) / 1e6;
    s->p95 = (double)hist_percentile(h, 95) / 1e6;
    s->p99 = (double)hist_percentile(h, 99) / 1e6;
    s->max = (double)h->max_ns / 1e6;
}

static int live_conns(const engine *e)
{
    int n = 0;
    for (int st = CONN_IDLE; st < CONN_CLOSED; st++)
        n += e->counts[st];
    return n;
}

/* now == 0 forces a publication (shutdown, tests). */
void stats_publish(engine *e, uint64_t now)
{
    if (!e->stats_dirty && now)
        return;
    if (now && now < e->last_publish_ns + PUBLISH_EVERY_NS) {
        engine_timer(e, e->last_publish_ns + PUBLISH_EVERY_NS);
        return;
    }
    uint64_t t = now ? now : mono_ns();
    e->last_publish_ns = t;
    e->stats_dirty = false;
    const eng_counters *c = &e->st;

    eng_stats s;
    memset(&s, 0, sizeof s);
    s.taken_at = (double)t / 1e9;
    s.pool_min = e->cfg.min_size;
    s.pool_max = e->cfg.max_size;
    s.pool_size = pool_size(e);
    s.pool_available = e->counts[CONN_IDLE];
    s.requests_waiting = e->nwaiting;
    s.requests_num = c->requests_num;
    s.requests_queued = c->requests_queued;
    s.requests_wait_ms = c->requests_wait_ns / NS_PER_MS;
    s.requests_errors = c->requests_errors;
    s.returns_bad = c->returns_bad;
    s.connections_num = c->connections_num;
    s.connections_ms = c->connections_ns / NS_PER_MS;
    s.connections_errors = c->connections_errors;
    s.connections_lost = c->connections_lost;
    s.usage_ms = c->usage_ns / NS_PER_MS;
    s.reconnects = c->reconnects;
    s.failovers = c->failovers;
    s.writes_unavailable_ms = c->unavailable_ns / NS_PER_MS;
    s.last_unavailable_s = (double)e->last_unavailable_ns / 1e9;
    s.failover_at = e->failover_wall;
    snprintf(s.server_at, sizeof s.server_at, "%s", e->server_at);
    snprintf(s.failover_from, sizeof s.failover_from, "%s", e->failover_from);
    summarize(&c->wait, &s.wait);
    summarize(&c->query, &s.query);
    summarize(&c->checkout, &s.checkout);
    s.queries_num = c->queries_num;
    s.queries_errors = c->queries_errors;
    s.prepared_hits = c->prepared_hits;
    s.prepared_misses = c->prepared_misses;
    s.prepared_evictions = c->prepared_evictions;
    s.pipelines_num = c->pipelines_num;
    s.pipeline_stmts = c->pipeline_stmts;
    s.copy_bytes = c->copy_bytes;
    s.copy_rows = c->copy_rows;
    s.load_executed = c->load_executed;
    s.load_retried = c->load_retried;
    s.load_running = c->load_running;
    s.connected = live_conns(e) > 0;
    snprintf(s.last_error, sizeof s.last_error, "%s", e->last_error);
    int n = 0;
    for (int st = 0; st < CONN_CLOSED && n < ENG_MAX_CONNS; st++) {
        for (conn *k = e->lists[st]; k && n < ENG_MAX_CONNS; k = k->next) {
            eng_conn_stat *cs = &s.conns[n++];
            cs->id = k->id;
            cs->state = conn_state_name(k->state);
            cs->age_s = (double)(t - k->created_ns) / 1e9;
            cs->idle_s = k->state == CONN_IDLE ? (double)(t - k->idle_since_ns) / 1e9 : 0;
            cs->uses = k->uses;
            cs->prepared = k->pc.nprepared;
            cs->backend_pid = k->backend_pid;
            snprintf(cs->last_error, sizeof cs->last_error, "%s", k->last_error);
        }
    }
    s.nconns = n;

    pthread_mutex_lock(&e->stats_lock);
    memcpy(s.server_version, e->pub.server_version, sizeof s.server_version);
    memcpy(s.conn_display, e->pub.conn_display, sizeof s.conn_display);
    e->pub_hist[0] = c->wait;
    e->pub_hist[1] = c->query;
    e->pub_hist[2] = c->checkout;
    for (int k = 3; k <= 4; k++)
        if (e->pub_hist[k].count) /* an empty one stays untouched */
            hist_init(&e->pub_hist[k]);
    hist_window_sum(&e->st.wait_recent, t, &e->pub_hist[3]);
    hist_window_sum(&e->st.query_recent, t, &e->pub_hist[4]);
    summarize(&e->pub_hist[3], &s.wait_recent);
    summarize(&e->pub_hist[4], &s.query_recent);
    e->pub = s;
    pthread_mutex_unlock(&e->stats_lock);
    e->pub_recent_slot = t / RECENT_SLOT_NS;
    e->pub_recent_any = s.wait_recent.count + s.query_recent.count > 0;

    if (s.connected != e->was_connected) {
        e->was_connected = s.connected;
        event_push(e, event_new(EV_POOL, 0, NULL));
    }
}

void stats_pool_event(engine *e)
{
    /* connectivity may have changed: publish now so the UI redraws with
     * fresh numbers when it receives EV_POOL */
    e->stats_dirty = true;
    stats_publish(e, 0);
    event_push(e, event_new(EV_POOL, 0, NULL));
    e->was_connected = live_conns(e) > 0;
}

void stats_set_ready(engine *e, int state, const char *err)
{
    pthread_mutex_lock(&e->stats_lock);
    e->ready_state = state;
    free(e->ready_err);
    e->ready_err = err ? xstrdup(err) : NULL;
    pthread_cond_broadcast(&e->ready_cond);
    pthread_mutex_unlock(&e->stats_lock);
}

void eng_stats_get(engine *e, eng_stats *out)
{
    pthread_mutex_lock(&e->stats_lock);
    *out = e->pub;
    pthread_mutex_unlock(&e->stats_lock);
}

/* Adds one engine's snapshot s into the sum out (histograms apart). */
static void stats_add(eng_stats *out, const eng_stats *s)
{
#define ADD(f) out->f += s->f
    ADD(pool_min), ADD(pool_max), ADD(pool_size), ADD(pool_available), ADD(requests_waiting);
    ADD(requests_num), ADD(requests_queued), ADD(requests_wait_ms), ADD(requests_errors);
    ADD(returns_bad), ADD(connections_num), ADD(connections_ms), ADD(connections_errors);
    ADD(connections_lost), ADD(usage_ms), ADD(queries_num), ADD(queries_errors);
    ADD(prepared_hits), ADD(prepared_misses), ADD(prepared_evictions), ADD(pipelines_num);
    ADD(pipeline_stmts), ADD(copy_bytes), ADD(copy_rows), ADD(load_executed), ADD(load_retried);
    ADD(reconnects);
#undef ADD
    /* every job's engine follows the same failover: it counts once */
    if (s->failovers > out->failovers)
        out->failovers = s->failovers;
    if (s->writes_unavailable_ms > out->writes_unavailable_ms)
        out->writes_unavailable_ms = s->writes_unavailable_ms;
    if (s->last_unavailable_s > out->last_unavailable_s)
        out->last_unavailable_s = s->last_unavailable_s;
    if (!out->failover_from[0]) {
        memcpy(out->failover_from, s->failover_from, sizeof out->failover_from);
        out->failover_at = s->failover_at;
    }
    out->load_running |= s->load_running;
    out->connected |= s->connected;
    if (s->taken_at < out->taken_at)
        out->taken_at = s->taken_at; /* the oldest: "settled" must hold for all */
    if (!out->last_error[0])
        memcpy(out->last_error, s->last_error, sizeof out->last_error);
    for (int i = 0; i < s->nconns && out->nconns < ENG_MAX_CONNS; i++)
        out->conns[out->nconns++] = s->conns[i];
}

void eng_stats_get_merged(engine *const *es, int n, eng_stats *out)
{
    enum { NH = sizeof es[0]->pub_hist / sizeof es[0]->pub_hist[0] };
    hist *h = xcalloc(NH, sizeof *h);
    for (int k = 0; k < NH; k++)
        hist_init(&h[k]);
    eng_stats *s = xcalloc(1, sizeof *s);
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&es[i]->stats_lock);
        *s = es[i]->pub;
        for (int k = 0; k < NH; k++)
            hist_merge(&h[k], &es[i]->pub_hist[k]);
        pthread_mutex_unlock(&es[i]->stats_lock);
        if (i == 0)
            *out = *s;
        else
            stats_add(out, s);
    }
    summarize(&h[0], &out->wait);
    summarize(&h[1], &out->query);
    summarize(&h[2], &out->checkout);
    summarize(&h[3], &out->wait_recent);
    summarize(&h[4], &out->query_recent);
    free(s);
    free(h);
}
