/* pool_defaults.h — the pool's settings, in one place: their names, types,
 * defaults and the config file's bounds. The engine's eng_pool_config and
 * the config file's pgdeck_config both take their pool fields from this
 * list, their defaults and the [pool] section's table too, so none of them
 * can drift apart (common/ cannot include engine.h). */
#ifndef PGDECK_POOL_DEFAULTS_H
#define PGDECK_POOL_DEFAULTS_H

#include <stdbool.h>

/* X(C type, name, default, config file type, min, max) — psycopg_pool's
 * names; durations in seconds. */
#define POOL_SETTINGS(X)                                                                           \
    X(int, min_size, 1, T_INT, 0, 64) /* ENG_MAX_CONNS */                                          \
    X(int, max_size, 4, T_INT, 1, 64)                                                              \
    X(double, timeout, 30.0, T_SECONDS, 0, 1e9)            /* a waiter gives up after this */      \
    X(int, max_waiting, 0, T_INT, 0, INT_MAX)              /* 0 = unlimited; beyond, refuse */     \
    X(double, max_lifetime, 3600.0, T_SECONDS, 0, 1e9)     /* jittered -5 % per connection */      \
    X(double, max_idle, 600.0, T_SECONDS, 0, 1e9)          /* idle ones above min_size closed */   \
    X(double, reconnect_timeout, 300.0, T_SECONDS, 0, 1e9) /* give up reconnecting after */        \
    X(double, connect_timeout, 10.0, T_SECONDS, 0, 1e9)    /* one connection attempt */            \
    X(bool, check, false, T_BOOL, 0, 0)                    /* an empty query on checkout */        \
    X(int, prepare_threshold, 5, T_INT, -1, INT_MAX)       /* 0 = always prepare; -1 = never */    \
    X(int, prepared_max, 100, T_INT, 1, 1000000)           /* statements per connection, LRU */

#define POOL_SETTING_FIELD_(ctype, name, def, kind, lo, hi) ctype name;
/* The pool fields, for a struct's body. */
#define POOL_SETTINGS_FIELDS POOL_SETTINGS(POOL_SETTING_FIELD_)

#define POOL_SETTING_INIT_(ctype, name, def, kind, lo, hi) .name = (def),
/* Designated initializers of every pool field's default, for a compound
 * literal: (eng_pool_config){POOL_SETTINGS_INIT .other = …}. */
#define POOL_SETTINGS_INIT POOL_SETTINGS(POOL_SETTING_INIT_)

#define POOL_SETTING_COPY_(ctype, name, def, kind, lo, hi) to_->name = from_->name;
/* Copies every pool field between two structs that hold POOL_SETTINGS_FIELDS. */
#define POOL_SETTINGS_COPY(dst, src)                                                               \
    do {                                                                                           \
        __auto_type to_ = (dst);                                                                   \
        __auto_type from_ = (src);                                                                 \
        POOL_SETTINGS(POOL_SETTING_COPY_)                                                          \
    } while (0)

#define POOL_DEFAULT_SLOW_THRESHOLD_MS 50.0 /* the seed's p95 target */

#endif
