/* pool_defaults.h — the pool's default settings, in one place: the engine's
 * eng_pool_config_defaults and the config file's defaults both use them, so
 * the two can never drift apart (common/ cannot include engine.h). */
#ifndef PGDECK_POOL_DEFAULTS_H
#define PGDECK_POOL_DEFAULTS_H

#define POOL_DEFAULT_MIN_SIZE 1
#define POOL_DEFAULT_MAX_SIZE 4
#define POOL_DEFAULT_TIMEOUT 30.0            /* s */
#define POOL_DEFAULT_MAX_WAITING 0           /* unlimited */
#define POOL_DEFAULT_MAX_LIFETIME 3600.0     /* s */
#define POOL_DEFAULT_MAX_IDLE 600.0          /* s */
#define POOL_DEFAULT_RECONNECT_TIMEOUT 300.0 /* s */
#define POOL_DEFAULT_CONNECT_TIMEOUT 10.0    /* s */
#define POOL_DEFAULT_PREPARE_THRESHOLD 5
#define POOL_DEFAULT_PREPARED_MAX 100
#define POOL_DEFAULT_SLOW_THRESHOLD_MS 50.0 /* the seed's p95 target */

#endif
