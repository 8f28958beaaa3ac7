/* usage.c — help texts. Keep them in step with DESIGN.md's command-line
 * contract and doc/pgdeck.1, which follows this file. */
#include "config.h"

#include "cli/usage.h"

#include "cli/connargs.h"
#include "common/strbuf.h"
#include "common/termsafe.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] =
    "pgdeck — a terminal console for PostgreSQL\n"
    "\n"
    "Usage:\n"
    "  pgdeck [CONN] [DBNAME [USER]]   the console\n"
    "  pgdeck --replay FILE            the console on a recording (pgdeck record),\n"
    "                                  read-only, no server\n"
    "  pgdeck demo                     the console on a throwaway local cluster with\n"
    "                                  sample data and a light workload\n"
    "  pgdeck run    [CONN] (-c SQL | -f FILE) [--pipeline [--sync end|each]]\n"
    "                [--clients N [--jobs J] [--no-pin] (--repeat M | --time S)]\n"
    "                [--retry-read-only N]\n"
    "                [--format table|csv|json] [--binary] [--stats[=stderr|stdout]]\n"
    "  pgdeck import [CONN] FILE (--table [SCHEMA.]T [--create] | --create)\n"
    "                [--jobs N] [--delimiter C] [--quote C] [--header|--no-header]\n"
    "                [--null S] [--encoding E] [--truncate]\n"
    "                [--max-errors N|P%] [--reject-file F] [--copy-format auto|text]\n"
    "  pgdeck top    [CONN] [--once] [--json] [--sort total|mean|calls|rows|read|temp]\n"
    "                [--limit N] [--interval S]\n"
    "                [--view database|tables|indexes|replication|progress|wal]\n"
    "  pgdeck explain [CONN] (-c SQL | -f FILE) [--analyze] [--format tree|json]\n"
    "  pgdeck explain [CONN] (-c SQL | -f FILE) --advise [--json] [--create]\n"
    "  pgdeck fleet  [CONN] [--server NAME=CONNINFO ...] [--once] [--json]\n"
    "                [--interval S]\n"
    "  pgdeck record [CONN] [--server NAME=CONNINFO ...] -o FILE [--interval S]\n"
    "                [--duration D | --size-limit M] [--keep-detail D] [--keep D] [-v]\n"
    "  pgdeck report FILE [--server NAME] [--from T] [--to T] [--top N] [--json]\n"
    "  pgdeck --help | --version\n"
    "\n"
    "  pgdeck COMMAND --help shows one command's options.\n";

static const char conn_help[] =
    "Connection options (CONN), as psql:\n"
    "  -h, --host=HOST         server host or socket directory\n"
    "  -p, --port=PORT         server port\n"
    "  -U, --username=USER     role name\n"
    "  -d, --dbname=DBNAME     database name, a conninfo string or a postgres:// URI\n"
    "  -W, --password          prompt for a password (no echo, from the terminal)\n"
    "  -w, --no-password       never prompt for a password\n"
    "  DBNAME [USER]           positional, as psql (DBNAME may be a conninfo or URI)\n"
    "  Unset values come from libpq: PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD,\n"
    "  PGSERVICE and the other PG* variables, service files and ~/.pgpass.\n"
    "  As psql, a conninfo or URI's own fields win over -h, -p and -U. Passwords:\n"
    "  ~/.pgpass, PGPASSWORD or -W are the safe ways; one in a URI or conninfo is\n"
    "  masked in pgdeck's command line at start, but may stay in shell history.\n";

static const char settings_help[] =
    "Settings:\n"
    "  --config=FILE           settings file (default $XDG_CONFIG_HOME/pgdeck/pgdeck.conf)\n"
    "  --set=SECTION.KEY=VALUE one setting, after the file (e.g. --set pool.max_size=8)\n"
    "  --set=session.NAME=VALUE a server setting (GUC) for every pool connection, sent\n"
    "                          at connect as options -c NAME=VALUE after your own\n"
    "                          options/PGOPTIONS (ours win); refused by the server: exit 2\n"
    "  --set=editor.autocommit=off  the console editor BEGINs before a statement\n";

static const char console_help[] =
    "pgdeck [CONN] [DBNAME [USER]] [options]\n"
    "  The console: pool, slow queries, activity, query editor and import panes\n"
    "  (F1 shows the keys).\n"
    "  --theme=NAME|FILE       colours (themes/*.theme); NO_COLOR is honoured\n"
    "  --no-color              no colours at all\n"
    "  --readonly              no cancel, terminate, reset or writes from the editor\n"
    "  --refresh=S             seconds between monitor refreshes (0.5 to 60)\n"
    "  --pgbouncer=CONNINFO    also show a PgBouncer admin console's pools\n"
    "  --server=NAME=CONNINFO  a server of the Fleet pane (7; repeatable, after the\n"
    "                          config file's [server NAME] sections); Enter there\n"
    "                          shows that server in every pane. CONN, when given or\n"
    "                          when no server is named, is the server \"default\"\n"
    "  --replay=FILE           show a recording (pgdeck record -o FILE) in Slow,\n"
    "                          Activity, Server and Fleet, read-only: , . one snapshot\n"
    "                          back/forward, < > a minute, [ ] ten minutes, { } first/\n"
    "                          last, @ or :goto TIME a time. Alone it connects to no\n"
    "                          server; with CONN too, F2 switches to live data and back\n";

static const char demo_help[] =
    "pgdeck demo [console options]\n"
    "  The console on a throwaway local PostgreSQL cluster (initdb + pg_ctl in a\n"
    "  temporary directory) with sample data and a light workload; the cluster is\n"
    "  removed on exit. Takes the console's options, not connection options.\n";

static const char run_help[] =
    "pgdeck run [CONN] (-c SQL | -f FILE)... [options]\n"
    "  Runs SQL through pgdeck's engine and pool.\n"
    "  -c, --command=SQL       SQL to run; may be repeated and may hold several\n"
    "                          statements\n"
    "  -f, --file=FILE         a script (- for standard input), read as\n"
    "                          psql -X -v ON_ERROR_STOP=1 -f reads it: each statement\n"
    "                          sent with its ';', \\; sends parts as one query,\n"
    "                          COPY ... FROM STDIN takes the lines after it up to \\.,\n"
    "                          standard_conforming_strings followed from the server\n"
    "                          -c and -f run in the order given, one statement at a\n"
    "                          time on one connection; output as psql's, errors and\n"
    "                          notices name FILE:N, the line psql names; the first\n"
    "                          error stops the run with exit 1 (psql exits 3; 3 is\n"
    "                          pgdeck's \"cannot connect\"); a transaction still open\n"
    "                          at the end is rolled back, as when psql's session\n"
    "                          ends; psql meta-commands (\\set, \\i...) are refused\n"
    "                          before anything runs (exit 1), so is COPY FROM STDIN\n"
    "                          in -c (psql -c would read its standard input)\n"
    "  --format=table|csv|json result format: table is psql's aligned format (COPY\n"
    "                          TO STDOUT writes its data lines raw, as psql; escaped\n"
    "                          on a terminal as csv is); csv\n"
    "                          is RFC 4180 with a header (NULL empty, \"\" the empty\n"
    "                          string, which psql --csv writes as nothing; no\n"
    "                          command tags between results); json is one array of\n"
    "                          objects per result\n"
    "  --binary                fetch results in binary where every column's type\n"
    "                          decodes to the server's exact text (ints, numeric,\n"
    "                          bool, text, uuid, json/jsonb, dates in DateStyle ISO,\n"
    "                          timestamptz in a UTC zone), else in text; the output\n"
    "                          is the same either way\n"
    "  --pipeline              send every statement in libpq pipeline mode, then\n"
    "                          report each one: ok, error, aborted, rolled back,\n"
    "                          unknown; exit 1 unless all are ok\n"
    "  --sync=end|each         pipeline: one sync at the end (an implicit\n"
    "                          transaction, the default) or one after each statement\n"
    "  --clients=N             load: N concurrent clients through the pool ...\n"
    "  --repeat=M              ... each running the statements M times, or\n"
    "  --time=S                ... for S seconds; prints throughput (tps), latency\n"
    "                          p50/p95/p99/max and errors\n"
    "  --jobs=J                load: the clients spread over J engine threads, each\n"
    "                          with its share of the clients and of the pool (as\n"
    "                          pgbench -j; default one per CPU, at most one per\n"
    "                          client); statistics are merged. Each job's thread\n"
    "                          is kept on its own CPU, so that the backends it wakes\n"
    "                          run beside it; --no-pin leaves it to the scheduler\n"
    "  --retry-read-only=N     load: a statement whose connection is lost (a failover,\n"
    "                          a terminated backend) is sent again on a new one, up\n"
    "                          to N times; safe because every connection starts\n"
    "                          read-only (default_transaction_read_only, so the\n"
    "                          server refuses writes) and a script that could turn\n"
    "                          read-write on again is refused (exit 2). Counted as\n"
    "                          retried (--stats: statements_retried). Not through\n"
    "                          PgBouncer, which refuses startup settings\n"
    "  --stats[=stderr|stdout] at the end, the pool's statistics and per-statement\n"
    "                          metrics as one JSON object (default on stderr)\n"
    "  --max-script-size=SIZE  the largest -f script read (bytes, or with k, M, G;\n"
    "                          default 1G); -f takes regular files and - (stdin)\n"
    "  Ctrl-C cancels the running statement on the server.\n";

static const char import_help[] =
    "pgdeck import [CONN] FILE --table T [options]\n"
    "  Loads a CSV file with COPY; nothing is imported when a row is bad.\n"
    "  -t, --table=[SCHEMA.]T  target table (the name is used literally, quoted)\n"
    "  --create                create the table from the header (named after the\n"
    "                          file without --table)\n"
    "  --truncate              empty the table first\n"
    "  -j, --jobs=N            parallel COPY streams (1 to 32)\n"
    "  --delimiter=C           field delimiter (sniffed; a tie the extension does\n"
    "                          not settle is refused: give --delimiter)\n"
    "  --quote=C               quote character (default \")\n"
    "  --header, --no-header   whether the first line names the columns (sniffed; a\n"
    "                          first line naming the table's columns is the header)\n"
    "  --null=S                the text that means NULL\n"
    "  --encoding=E            the file's encoding: UTF8, LATIN1 or WIN1252\n"
    "  --max-errors=N|P%       skip up to N (or P %) bad rows instead of failing\n"
    "  --reject-file=FILE      write the skipped rows there (with --max-errors)\n"
    "  --copy-format=auto|text auto (default): binary COPY into a --create table\n"
    "                          when every field has one certain binary form, else\n"
    "                          the whole import (or job) runs again as text COPY\n"
    "  A guess never silently changes data: a doubt the sample leaves is refused\n"
    "  with exit 2, naming the flag that settles it.\n"
    "  Exit: 0 imported; 1 data or SQL error, or canceled (nothing imported);\n"
    "  2 usage, or a dialect to settle; 3 cannot connect or the connection was\n"
    "  lost (nothing imported). Ctrl-C cancels.\n";

static const char top_help[] =
    "pgdeck top [CONN] [--once] [options]\n"
    "  The heaviest statements from pg_stat_statements, for scripts.\n"
    "  --once                  print one sample and exit (else one every interval)\n"
    "  --json                  one JSON object per sample instead of a table\n"
    "  --sort=KEY              total, mean, calls, rows, read or temp (default total)\n"
    "  --limit=N               rows shown\n"
    "  --interval=S            seconds between samples; with --once, two snapshots\n"
    "                          S seconds apart give per-second rates\n"
    "  --view=NAME             database, tables, indexes, replication, progress or\n"
    "                          wal: the Server pane's figures instead (no extension\n"
    "                          needed; JSON keys in pgdeck(1))\n";

static const char explain_help[] =
    "pgdeck explain [CONN] (-c SQL | -f FILE) [options]\n"
    "  A statement's plan (EXPLAIN (FORMAT JSON)) as a tree: per node its type,\n"
    "  relation and index, rows estimated vs actual with MISESTIMATE when off by\n"
    "  10x or more, self time and its share, loops, buffers; > marks the hottest\n"
    "  node. Names from the server are escaped, on a terminal and on a pipe; on a\n"
    "  terminal misestimates are red and the hottest node bold (not with NO_COLOR).\n"
    "  -c, --command=SQL       the statement\n"
    "  -f, --file=FILE         the statement from a file (- for standard input)\n"
    "  --analyze               EXPLAIN (ANALYZE, BUFFERS): the statement runs,\n"
    "                          inside a transaction that is always rolled back\n"
    "  --format=tree|json      the tree (default) or one JSON object (keys in\n"
    "                          doc/pgdeck.1)\n"
    "  --advise                the index advisor (needs the hypopg extension):\n"
    "                          single- and two-column indexes from the plan's\n"
    "                          filters, joins and sort keys, tried as hypothetical\n"
    "                          indexes; those lowering the estimated cost by 30 %\n"
    "                          or more are shown as CREATE INDEX with the costs\n"
    "  --json                  with --advise: one JSON object\n"
    "  --create                with --advise: create the advised indexes for real\n"
    "  --readonly              refuse --create\n";

static const char fleet_help[] =
    "pgdeck fleet [CONN] [--server NAME=CONNINFO ...] [--once] [options]\n"
    "  One line per server: role (primary/standby), version, up/down with the\n"
    "  last error, connections/max_connections, tps, the longest transaction,\n"
    "  blocked sessions, replication lag, the SLO lines and, for a server with a\n"
    "  pgbouncer admin conninfo, PgBouncer's pools (SHOW POOLS).\n"
    "  --server=NAME=CONNINFO  a server (repeatable; after the config file's\n"
    "                          [server NAME] sections; the same NAME replaces\n"
    "                          the file's conninfo). CONN, when given, is the\n"
    "                          server \"default\" (also when no server is named)\n"
    "  --once                  print one sample and exit (else one every interval)\n"
    "  --json                  one JSON object per sample (keys in pgdeck(1))\n"
    "  --interval=S            seconds between samples; with --once, two samples\n"
    "                          S seconds apart give tps\n"
    "  Exit: 0 when it ran, whatever the servers' state (a down server is a line\n"
    "  with up=false and its error); 2 usage or a bad conninfo.\n";

static const char record_help[] =
    "pgdeck record [CONN] [--server NAME=CONNINFO ...] -o FILE [options]\n"
    "  Records the servers' figures headless (for systemd or cron) into an SQLite\n"
    "  file: pg_stat_statements deltas (each text stored once), pg_stat_activity\n"
    "  (waits, blockers), the server views and the fleet line, one snapshot per\n"
    "  server every interval. SIGTERM or SIGINT ends it after the snapshot being\n"
    "  written. Schema, thinning and sizes: doc/record.md.\n"
    "  -o, --output=FILE       the recording (created, or appended to)\n"
    "  --server=NAME=CONNINFO  a server (repeatable), as for pgdeck fleet; CONN,\n"
    "                          when given, is the server \"default\"\n"
    "  --interval=S            seconds between snapshots (default 5)\n"
    "  --duration=D            stop after D (30s, 10m, 2h, 7d; default: never)\n"
    "  --size-limit=M          keep the file under M (500K, 100M, 2G): the oldest\n"
    "                          snapshots go first\n"
    "  --keep-detail=D         every snapshot for D, then one per minute (24h)\n"
    "  --keep=D                delete snapshots older than D (7d)\n"
    "  -v, --verbose           one line per snapshot committed, on stderr\n"
    "  Exit: 0; 1 when writing failed (\"recording stopped: disk full (FILE)\") or\n"
    "  FILE is not a recording this pgdeck writes; 2 usage or a bad conninfo.\n"
    "  A server that is down is recorded as down with its error.\n";

static const char report_help[] =
    "pgdeck report FILE [--server NAME] [--from T] [--to T] [--top N] [--json]\n"
    "  What happened in a window of a recording (pgdeck record), as text to paste\n"
    "  into an incident note: the statements that took the most time (calls, total\n"
    "  and mean ms, rows, share of the window's total), the sessions that blocked\n"
    "  others longest (pid, role, how long, how many waited, their query), the\n"
    "  peak connections and when, tps min/avg/max, and when the server was down.\n"
    "  The file may be being recorded: it is only read.\n"
    "  --from=T, --to=T        the window (default: the first and last snapshot);\n"
    "                          T in local time: 03:12[:05] (on the day nearest the\n"
    "                          recording's end), \"2026-12-04 03:12\", 2026-12-04,\n"
    "                          -2h / -30m / -1h30m (before now), now, or epoch\n"
    "                          seconds. A snapshot belongs to the window when it was\n"
    "                          taken in [from, to]; it holds the interval before it\n"
    "  --server=NAME           one server of a fleet recording (default: each)\n"
    "  --top=N                 statements and blockers listed (default 10)\n"
    "  --json                  one JSON object (keys in pgdeck(1))\n"
    "  Exit: 0 (an empty window too, said so), 1 the file cannot be read (not a\n"
    "  recording, from a newer pgdeck), 2 usage (a bad time, an unknown server).\n";

static const char common_help[] = "General:\n"
                                  "  --help                  this help\n"
                                  "  --allow-core            allow core dumps (off by default:\n"
                                  "                          memory holds passwords and data)\n"
                                  "  (pgdeck --version prints pgdeck's version)\n"
                                  "\n"
                                  "Exit status: 0 ok, 1 SQL or data error, 2 usage error,\n"
                                  "3 cannot connect (or the connection was lost).\n";

static const struct {
    const char *name;
    const char *text;
} sections[] = {
    {"console", console_help}, {"demo", demo_help}, {"run", run_help},
    {"import", import_help},   {"top", top_help},   {"explain", explain_help},
    {"fleet", fleet_help},     {"record", record_help},
    {"report", report_help},
};

void usage_print(FILE *out, const char *cmd)
{
    if (cmd) {
        for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
            if (strcmp(sections[i].name, cmd) == 0) {
                fprintf(out, "Usage: %s\n", sections[i].text);
                /* report reads a file: no server, no settings */
                bool offline = strcmp(cmd, "report") == 0;
                if (strcmp(cmd, "demo") != 0 && !offline)
                    fprintf(out, "%s\n", conn_help);
                if (!offline)
                    fprintf(out, "%s\n", settings_help);
                fputs(common_help, out);
                return;
            }
        }
    }
    fprintf(out, "%s\n", synopsis);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        fprintf(out, "%s\n", sections[i].text);
    fprintf(out, "%s\n", conn_help);
    fprintf(out, "%s\n", settings_help);
    fputs(common_help, out);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    /* the console is `pgdeck` itself, not a subcommand */
    if (cmd && strcmp(cmd, "console") == 0)
        cmd = NULL;
    va_list ap;
    va_start(ap, fmt);
    strbuf msg;
    sb_init(&msg);
    sb_vprintf(&msg, fmt, ap);
    va_end(ap);
    /* arguments and config or theme bytes echoed: escaped (termsafe.h) */
    char *safe = term_escape(msg.data, TS_KEEP_NL | TS_KEEP_TAB);
    fprintf(stderr, "pgdeck%s%s: %s", cmd ? " " : "", cmd ? cmd : "", safe);
    free(safe);
    sb_free(&msg);
    fprintf(stderr, "\nTry \"pgdeck%s%s --help\" for more information.\n", cmd ? " " : "",
            cmd ? cmd : "");
    return EXIT_USAGE;
}

int usage_bad_option(const char *cmd, const char *shortopts, char **argv)
{
    if (optopt > 255)
        return usage_error(cmd, "option %s needs a value", argv[optind - 1]);
    if (optopt && optopt != ':' && strchr(shortopts, optopt))
        return usage_error(cmd, "option -%c needs a value", optopt);
    if (optopt)
        return usage_error(cmd, "unknown option -%c", optopt);
    return usage_error(cmd, "unknown or incomplete option %s", argv[optind - 1]);
}
