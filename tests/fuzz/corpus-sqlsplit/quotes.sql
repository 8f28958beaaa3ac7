select 'x''y;' ; select E'\\'';' ;
select 'a'
  'b;c';
select U&'d\0061t;', U&"x;y" from (select 1 as "x;y") s;
select B'1;0'::text, X'1;f'::text;
create function f2() returns int as $body$ begin return 1; end; $body$ language plpgsql;
create function f3() returns int as 'select 1; ' language sql;
select 1 as begin; select 2 as end;
create table begin_t(x int); drop table begin_t;
create function f4() returns int language sql begin atomic select 1; end; select 9;
select 1--x;
;select 2
