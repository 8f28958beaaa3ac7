/* jsonplan.c — fuzz target for the JSON reader and the plan tree: any bytes
 * either fail with a message or parse; a parsed plan's tree and text forms
 * carry no control byte (the server's text is another role's input). */
#include "common/jsonparse.h"
#include "monitor/plan.h"
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>

static void no_controls(const strbuf *sb)
{
    for (size_t i = 0; i < sb->len; i++) {
        unsigned char c = (unsigned char)sb->data[i];
        FUZZ_CHECK(c >= 0x20 || c == '\n');
        FUZZ_CHECK(c != 0x7f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = NULL;
    json_value *v = json_parse((const char *)data, size, &err);
    FUZZ_CHECK((v == NULL) == (err != NULL));
    json_free(v);
    free(err);
    err = NULL;
    plan *p = plan_parse((const char *)data, size, &err);
    FUZZ_CHECK((p == NULL) == (err != NULL));
    if (p) {
        FUZZ_CHECK(p->root && p->hottest && p->nnodes > 0);
        strbuf sb;
        sb_init(&sb);
        plan_format_tree(p, true, &sb);
        plan_format_text(p, &sb);
        for (size_t i = 0; i < p->nnodes; i++)
            plan_node_line(p->nodes[i], p->analyzed, &sb);
        no_controls(&sb);
        sb_free(&sb);
    }
    plan_free(p);
    free(err);
    return 0;
}
