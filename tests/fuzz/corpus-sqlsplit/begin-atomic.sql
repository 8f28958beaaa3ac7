create function f5(x int) returns int language sql
begin atomic
  select case x when 1 then 1 else 0 end;
  select 2;
end;
create procedure p2() language sql
begin atomic
  insert into t1 values (1);
end; select 'after p2';
create or replace function f6() returns table (a int) language sql begin atomic; select 1; end;
select $x$ nested $y$ ; $y$ $x$;
select 1 $$ ;
