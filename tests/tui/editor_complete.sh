#!/bin/sh
# tests/tui/editor_complete.sh — context-aware completion in the editor at
# 80x24 and 160x45, against a real cluster with foreign keys: after FROM the
# tables and views, after `schema.` that schema's tables, after `alias.` the
# aliased table's columns (cursor before existing text: no stray space), after
# JOIN t alias the join condition from the foreign key, after ON the bare
# condition, and Tab again cycling through several candidates.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
cluster_psql -c "create table customers (id int primary key, name text)" >/dev/null
cluster_psql -c "create table orders (id int primary key, customer_id int references customers (id), total numeric)" >/dev/null
cluster_psql -c "create table order_lines (order_id int references orders (id), qty int)" >/dev/null
cluster_psql -c "create schema shop" >/dev/null
cluster_psql -c "create table shop.carts (id int, customer_id int references customers (id))" >/dev/null
cluster_psql -c "create view v_sales as select id, total from orders" >/dev/null

# the editor's text rows start at the screen's third line
buffer_shows() { sh_screen | sed -n '3,12p' | grep -Eq -- "$1"; }

for size in 80x24 160x45; do
    ED_COLS=${size%x*} ED_ROWS=${size#*x}
    export ED_COLS ED_ROWS
    ed_start "complete-$size" XDG_STATE_HOME="$tmp/state"

    # the catalog loads in the background: wait until a view completes
    loaded=1
    for _try in 1 2 3 4 5 6 7 8 9 10; do
        ed_sql "select * from v_sa"
        sh_keys Tab
        if wait_until 1 buffer_shows '^select \* from v_sales *$'; then loaded=0; break; fi
    done
    ok "$loaded" "$size: FROM v_sa completes the view v_sales"

    ed_sql "select * from shop."
    sh_keys Tab
    check "$size: schema. completes that schema's table" wait_until 5 buffer_shows '^select \* from shop\.carts *$'

    # alias. before existing text: the column, and no stray space
    ed_sql "select  from orders o"
    sh_keys C-a
    for _i in 1 2 3 4 5 6 7; do tmux -L "$SH_SOCK" send-keys -t main Right; done
    sh_type "o.cu"
    sh_keys Tab
    check "$size: o.cu completes orders' column through the alias, no stray space" \
        wait_until 5 buffer_shows '^select o\.customer_id from orders o *$'

    ed_sql "select * from orders o join customers c "
    sh_keys Tab
    check "$size: JOIN customers c: the join condition from the foreign key" \
        wait_until 5 buffer_shows '^select \* from orders o join customers c on c\.id = o\.customer_id *$'

    ed_sql "select * from orders o join order_lines l on "
    sh_keys Tab
    check "$size: ON: the condition (the key from order_lines to orders)" \
        wait_until 5 buffer_shows '^select \* from orders o join order_lines l on l\.order_id = o\.id *$'

    ed_sql "select c. from customers c"
    sh_keys C-a
    for _i in 1 2 3 4 5 6 7 8 9; do tmux -L "$SH_SOCK" send-keys -t main Right; done
    sh_keys Tab
    check "$size: c. lists the columns of customers" wait_until 5 sh_shows 'id  name'

    # several candidates: the common prefix, then Tab cycles
    ed_sql "select * from ord"
    sh_keys Tab
    check "$size: ord: the common prefix" wait_until 5 buffer_shows '^select \* from order *$'
    check "$size: ... the candidates are listed" wait_until 5 sh_shows 'order_lines  orders'
    sh_keys Tab
    check "$size: Tab again puts the first" wait_until 5 buffer_shows '^select \* from order_lines *$'
    check "$size: ... and says which" wait_until 5 sh_shows '1/2: \[order_lines\]'
    sh_keys Tab
    check "$size: Tab again the next" wait_until 5 buffer_shows '^select \* from orders *$'
    sh_type " o"
    check "$size: typing takes it" wait_until 5 buffer_shows '^select \* from orders o *$'

    sh_keys F10
    sh_wait_dead 5 || sh_keys y
    sh_stop
done
done_testing
