-- leading comment
select 1; select 2;
select 'a;b', E'it\'s;', "we;ird" from (select 1 as "we;ird") x;
select $$a;b$$, $fn$ $$ ; $fn$;
/* outer /* nested ; */ still ; */ select 3;
select 4 -- comment ; here
;
create temp table t1(a int);
create rule r1 as on insert to t1 do instead (select 1; select 2);
create function f1(int) returns int language sql begin atomic select 1; select $1 + 1; end;
create or replace procedure p1() language sql begin atomic select 1; select case when true then 1 else 2 end; end;
select a$b from (select 1 as a$b) x;
select $1;
select 'multi
line;string';
/*+ hint */ select 5;
;;
select 6
