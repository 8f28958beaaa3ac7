/* monitor_dbstat.c — server-wide figures from pg_stat_database (the
 * Activity header) and their per-second rates. See monitor.h. */
#include "monitor/monitor.h"
#include "monitor/monitor_int.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mon_dbstat_sql(void)
{
    /* inet_server_addr() is NULL over a unix socket */
    return "SELECT " MON_SQL_MARK " extract(epoch FROM clock_timestamp()) AS now_s,"
           " sum(xact_commit + xact_rollback) AS xacts, sum(blks_hit) AS blks_hit,"
           " sum(blks_read) AS blks_read, sum(temp_files) AS temp_files,"
           " sum(temp_bytes) AS temp_bytes,"
           " (inet_server_addr() IS NULL OR inet_server_addr() <<= inet '127.0.0.0/8'"
           " OR inet_server_addr() = inet '::1') AS local_conn"
           " FROM pg_stat_database";
}

bool mon_dbstat_parse(const eng_result *r, mon_dbstat *out, char **err)
{
    int c_now = col_index(r, "now_s"), c_x = col_index(r, "xacts");
    if (eng_result_status(r) != ENG_RES_TUPLES || eng_result_nrows(r) != 1 || c_now < 0 ||
        c_x < 0) {
        if (err)
            *err = xstrdup("unexpected pg_stat_database result");
        return false;
    }
    out->now_s = get_num(r, 0, c_now);
    out->xacts = get_num(r, 0, c_x);
    out->blks_hit = get_num(r, 0, col_index(r, "blks_hit"));
    out->blks_read = get_num(r, 0, col_index(r, "blks_read"));
    out->temp_files = get_num(r, 0, col_index(r, "temp_files"));
    out->temp_bytes = get_num(r, 0, col_index(r, "temp_bytes"));
    out->local_conn = get_bool(r, 0, col_index(r, "local_conn"));
    return true;
}

/* A counter's rate, NAN when the interval is unusable or the counter went
 * backwards (a stats reset): never a negative rate. */
static double counter_rate(double prev, double cur, double dt)
{
    if (isnan(prev) || isnan(cur) || !(dt > 0) || cur < prev)
        return NAN;
    return (cur - prev) / dt;
}

void mon_dbstat_rates(const mon_dbstat *prev, const mon_dbstat *cur, mon_dbrates *out)
{
    double dt = prev ? cur->now_s - prev->now_s : NAN;
    out->tps = prev ? counter_rate(prev->xacts, cur->xacts, dt) : NAN;
    out->temp_files_s = prev ? counter_rate(prev->temp_files, cur->temp_files, dt) : NAN;
    out->temp_bytes_s = prev ? counter_rate(prev->temp_bytes, cur->temp_bytes, dt) : NAN;
    /* the hit ratio of the interval when blocks were read in it, else since the
     * statistics were reset */
    double hit = cur->blks_hit, read = cur->blks_read;
    if (prev && !isnan(counter_rate(prev->blks_hit, hit, dt)) &&
        !isnan(counter_rate(prev->blks_read, read, dt)) &&
        (hit - prev->blks_hit) + (read - prev->blks_read) > 0) {
        hit -= prev->blks_hit;
        read -= prev->blks_read;
    }
    out->hit_ratio = hit + read > 0 ? 100.0 * hit / (hit + read) : NAN;
}
