/* demo_load.c — the demo's schema and workload (src/sandbox/demo_workload.h)
 * on a given server, for benchmarks that need a live, demo-like server
 * without the console: record_cost.sh records it.
 *
 *   demo_load CONNINFO SECONDS    load the schema, run the workload, stop */
#include "config.h"

#include "sandbox/demo_workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: demo_load CONNINFO SECONDS\n");
        return 2;
    }
    char *warn = NULL, *err = NULL;
    if (!demo_schema_load(argv[1], &warn, &err)) {
        fprintf(stderr, "demo_load: %s\n", err);
        return 1;
    }
    if (warn)
        fprintf(stderr, "demo_load: %s\n", warn);
    demo_workload *w = demo_workload_start(argv[1], &err);
    if (!w) {
        fprintf(stderr, "demo_load: %s\n", err);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    sleep((unsigned)atoi(argv[2]));
    demo_workload_counts c;
    demo_workload_get_counts(w, &c);
    demo_workload_stop(w);
    printf("statements %llu errors %llu\n", (unsigned long long)c.statements,
           (unsigned long long)c.errors);
    return 0;
}
