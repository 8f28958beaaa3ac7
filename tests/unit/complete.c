/* complete.c — the editor's completion without a terminal or a server: the
 * context table's detection at the cursor and the candidates drawn from a
 * catalog snapshot filled by hand (schemas, tables, a view, columns, foreign
 * keys, functions). */
#include "ui/complete.h"
#include "../lib/tap.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static completer cat;

static void fill(void)
{
    cpl_init(&cat);
    cpl_add(&cat, CPL_SCHEMA, NULL, NULL, "public");
    cpl_add(&cat, CPL_SCHEMA, NULL, NULL, "shop");
    cpl_add(&cat, CPL_PATH, NULL, NULL, "pg_catalog");
    cpl_add(&cat, CPL_PATH, NULL, NULL, "public");
    const char *rels[][2] = {{"public", "orders"},    {"public", "order_lines"},
                             {"public", "customers"}, {"public", "v_sales"},
                             {"shop", "carts"},       {"public", "Mixed Case"}};
    for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++)
        cpl_add(&cat, CPL_RELATION, rels[i][0], NULL, rels[i][1]);
    const char *cols[][3] = {
        {"public", "orders", "id"},
        {"public", "orders", "customer_id"},
        {"public", "orders", "total"},
        {"public", "order_lines", "order_id"},
        {"public", "order_lines", "qty"},
        {"public", "customers", "id"},
        {"public", "customers", "name"},
        {"public", "customers", "email"},
        {"shop", "carts", "id"},
        {"shop", "carts", "customer_id"},
        {"public", "Mixed Case", "Big Col"},
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        cpl_add(&cat, CPL_COLUMN, cols[i][0], cols[i][1], cols[i][2]);
    cpl_add(&cat, CPL_FUNCTION, "pg_catalog", NULL, "now");
    cpl_add(&cat, CPL_FUNCTION, "pg_catalog", NULL, "count");
    cpl_add_fk(&cat, "1", "public", "orders", "customer_id", "public", "customers", "id");
    cpl_add_fk(&cat, "2", "public", "order_lines", "order_id", "public", "orders", "id");
    cpl_add_fk(&cat, "3", "shop", "carts", "customer_id", "public", "customers", "id");
}

/* The candidates at the cursor (a '^' in text, else its end), joined with '|'. */
static char *cands(const char *with_cursor)
{
    char text[512];
    snprintf(text, sizeof text, "%s", with_cursor);
    char *cur = strchr(text, '^');
    size_t point = cur ? (size_t)(cur - text) : strlen(text);
    if (cur)
        memmove(cur, cur + 1, strlen(cur + 1) + 1);
    cpl_list l;
    cpl_complete(&cat, text, strlen(text), point, &l);
    size_t n = 1;
    for (int i = 0; i < l.n; i++)
        n += strlen(l.items[i].text) + 1;
    char *out = malloc(n);
    out[0] = '\0';
    for (int i = 0; i < l.n; i++) {
        if (i)
            strcat(out, "|");
        strcat(out, l.items[i].text);
    }
    cpl_list_free(&l);
    return out;
}

static void check(const char *text, const char *want, const char *name)
{
    char *got = cands(text);
    is_str(got, want, "%s", name);
    free(got);
}

/* The first candidate only. */
static void check_first(const char *text, const char *want, const char *name)
{
    char *got = cands(text);
    char *bar = strchr(got, '|');
    if (bar)
        *bar = '\0';
    is_str(got, want, "%s", name);
    free(got);
}

int main(void)
{
    plan_no_plan();
    setlocale(LC_ALL, "C.UTF-8");
    fill();

    /* the context table */
    cpl_ctx ctx;
    const char *s = "select * from orders o, shop.carts as k join customers c on ";
    cpl_context(s, strlen(s), strlen(s), &ctx);
    is_str(ctx.rule, "on", "the nearest keyword of the table decides: ON");
    ok(ctx.what & CPL_W_COND, "after ON: join conditions");
    is_int(ctx.nscope, 3, "three relations in scope");
    ok(ctx.nscope == 3 && strcmp(ctx.scope[0].alias, "o") == 0, "orders o: alias o");
    ok(ctx.nscope == 3 && ctx.scope[1].schema && strcmp(ctx.scope[1].schema, "shop") == 0 &&
           strcmp(ctx.scope[1].alias, "k") == 0,
       "shop.carts AS k: schema and alias");
    is_int(ctx.joined, 2, "the JOIN names customers");
    cpl_ctx_free(&ctx);
    s = "select x.na";
    cpl_context(s, strlen(s), strlen(s), &ctx);
    ok(ctx.nqual == 1 && strcmp(ctx.qual[0], "x") == 0 && strcmp(ctx.prefix, "na") == 0,
       "alias.prefix split at the dot");
    is_int(ctx.from, 9, "the part after the dot is what gets replaced");
    cpl_ctx_free(&ctx);
    s = "select * from orders where total > 1 and ";
    cpl_context(s, strlen(s), strlen(s), &ctx);
    is_str(ctx.rule, "and", "AND: columns");
    ok(ctx.what & CPL_W_COLUMNS, "... columns wanted");
    cpl_ctx_free(&ctx);
    s = "select count(";
    cpl_context(s, strlen(s), strlen(s), &ctx);
    is_str(ctx.rule, "(", "an open parenthesis: its own context");
    cpl_ctx_free(&ctx);

    /* after FROM / JOIN: tables, views and schemas */
    check("select * from ord", "order_lines|orders", "FROM ord: tables only (no keywords)");
    check("select * from ", "\"Mixed Case\"|customers|order_lines|orders|v_sales|public|shop",
          "FROM: relations then schemas (quoted where needed)");
    check("select * from v_", "v_sales", "views too");
    check("select * from shop.", "carts", "schema.: that schema's tables");
    check("select * from orders o join cu", "customers", "JOIN cu: tables");
    check("select * from Mix", "\"Mixed Case\"", "a name that needs quotes comes quoted");
    check("insert into ord", "order_lines|orders", "INSERT INTO: tables");
    check("update cus", "customers", "UPDATE: tables");

    /* alias. and table.: columns */
    check("select o.^ from orders o", "customer_id|id|total", "o. before FROM o: orders' columns");
    check("select * from orders o join customers c on c.", "email|id|name",
          "c. after JOIN customers c: its columns");
    check("select x.^ from shop.carts x", "customer_id|id", "an alias of schema.table");
    check("select shop.carts.^ from shop.carts", "customer_id|id", "schema.table.: columns");
    check("select orders.t^ from orders", "total", "table.: columns");
    check("select * from customers; select c.^ from orders c", "customer_id|id|total",
          "aliases of the cursor's statement only");
    check("select m.\"B^ from \"Mixed Case\" m", "\"Big Col\"", "a quoted prefix");
    check_first("select cust^ from orders", "customer_id", "SELECT: the statement's columns");
    check("update orders set to", "total", "UPDATE t SET: t's columns");

    /* JOIN: the join condition from the foreign keys */
    check(
        "select * from orders o join customers c ", "on c.id = o.customer_id",
        "JOIN customers c: ON from the foreign key (orders -> customers), in the statement's case");
    check("select * from orders o join order_lines l ", "on l.order_id = o.id",
          "JOIN order_lines l: the key the other way (order_lines -> orders)");
    check("select * from shop.carts k join customers cu ", "on cu.id = k.customer_id",
          "a key from another schema");
    check("SELECT * FROM orders JOIN customers ", "ON customers.id = orders.customer_id",
          "no aliases: the relation names");
    check("select * from orders o join customers c on ", "c.id = o.customer_id",
          "ON, nothing typed: the condition alone");
    check_first("select * from orders o join customers c on c", "c.id = o.customer_id",
                "ON c: the condition first, then the columns");
    check("select * from orders o join customers c o",
          "on c.id = o.customer_id|offset|on|or|order|outer|over",
          "JOIN t o: the condition and the keywords that match");
    check("select * from orders o join customers c on c.id = o.customer_id join order_lines l ",
          "on l.order_id = o.id", "a second JOIN: keys to the earlier relations");
    check("select * from customers c join shop.carts k ", "on k.customer_id = c.id",
          "JOIN schema.table alias");

    /* keywords and other contexts */
    check("sel", "select", "keywords follow the case typed");
    check("SEL", "SELECT", "upper case too");
    check("select * from orders wh", "when|where", "after a relation: keywords");
    check("select * from orders ", "", "after a relation, nothing typed: nothing to list");
    check("select 'from ord", "", "inside a string: nothing");
    check_first("select no", "now", "functions once a letter is typed");
    check("select * from nosuch x where x.", "", "an unknown relation: no columns");

    cpl_free(&cat);
    return done_testing();
}
