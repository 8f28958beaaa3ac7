/* prepcache.c — per-connection execution counts and prepared statements.
 *
 * Every text run through the extended protocol is counted; after
 * prepare_threshold executions it is prepared under a name pgdeck_N and run
 * with PQsendQueryPrepared. At most prepared_max statements stay prepared
 * (LRU): the least recently used is DEALLOCATEd by the next execution. The
 * count table itself is bounded too. Everything goes with the connection. */
#include "engine/engine_int.h"

#include "common/list.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t text_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

void prepcache_init(prepcache *pc)
{
    memset(pc, 0, sizeof *pc);
}

void prepcache_free(prepcache *pc)
{
    prep_entry *p = pc->lru_head;
    while (p) {
        prep_entry *next = p->lru_next;
        free(p->sql);
        free(p);
        p = next;
    }
    free(pc->buckets);
    memset(pc, 0, sizeof *pc);
}

static void lru_unlink(prepcache *pc, prep_entry *p)
{
    QUEUE_UNLINK(pc->lru_head, pc->lru_tail, p, lru_prev, lru_next);
}

static void lru_push_head(prepcache *pc, prep_entry *p)
{
    QUEUE_PUSH_HEAD(pc->lru_head, pc->lru_tail, p, lru_prev, lru_next);
}

static void hash_remove(prepcache *pc, prep_entry *p)
{
    prep_entry **pp = &pc->buckets[p->hash & (pc->nbuckets - 1)];
    while (*pp && *pp != p)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = p->hnext;
}

static void grow(prepcache *pc)
{
    size_t n = pc->nbuckets ? pc->nbuckets * 2 : 64;
    prep_entry **b = xcalloc(n, sizeof *b);
    for (prep_entry *p = pc->lru_head; p; p = p->lru_next) {
        size_t i = p->hash & (n - 1);
        p->hnext = b[i];
        b[i] = p;
    }
    free(pc->buckets);
    pc->buckets = b;
    pc->nbuckets = n;
}

static void drop_entry(prepcache *pc, prep_entry *p)
{
    hash_remove(pc, p);
    lru_unlink(pc, p);
    pc->nentries--;
    free(p->sql);
    free(p);
}

prep_entry *prepcache_touch(engine *e, prepcache *pc, const char *sql)
{
    uint64_t h = text_hash(sql);
    if (pc->nbuckets) {
        for (prep_entry *p = pc->buckets[h & (pc->nbuckets - 1)]; p; p = p->hnext) {
            if (p->hash == h && strcmp(p->sql, sql) == 0) {
                if (pc->lru_head != p) {
                    lru_unlink(pc, p);
                    lru_push_head(pc, p);
                }
                return p;
            }
        }
    }
    /* bounded: forget the least recently used unprepared count */
    int cap = e->cfg.prepared_max * 4 < 256 ? 256 : e->cfg.prepared_max * 4;
    if (pc->nentries >= cap) {
        for (prep_entry *p = pc->lru_tail; p; p = p->lru_prev)
            if (!p->prepared) {
                drop_entry(pc, p);
                break;
            }
    }
    if (!pc->nbuckets || (size_t)(pc->nentries + 1) * 4 > pc->nbuckets * 3)
        grow(pc);
    prep_entry *p = xcalloc(1, sizeof *p);
    p->hash = h;
    p->sql = xstrdup(sql);
    size_t i = h & (pc->nbuckets - 1);
    p->hnext = pc->buckets[i];
    pc->buckets[i] = p;
    lru_push_head(pc, p);
    pc->nentries++;
    return p;
}

void prepcache_mark_prepared(engine *e, prepcache *pc, prep_entry *pe, int number)
{
    if (pc->nprepared >= e->cfg.prepared_max) {
        for (prep_entry *p = pc->lru_tail; p; p = p->lru_prev) {
            if (p->prepared && p != pe) {
                prep_name(pc->pending_dealloc, sizeof pc->pending_dealloc, p->prepared);
                p->prepared = 0;
                pc->nprepared--;
                e->st.prepared_evictions++;
                break;
            }
        }
    }
    pe->prepared = number;
    pc->nprepared++;
}

void prepcache_forget(prepcache *pc, prep_entry *pe)
{
    if (pe->prepared) {
        pe->prepared = 0;
        pc->nprepared--;
    }
}
