create function f() returns int language sql begin atomic /* ) select 1 create function f() returns int language sql begin atomic 'a;b' 'it''s;'
 CASE" CASE create function f() returns int language sql begin atomic
