--
-- DDL and rule/function bodies with semicolons inside
--

CREATE TABLE d1 (id int, v text);

CREATE VIEW d1v AS SELECT id, v FROM d1;

CREATE RULE d1v_ins AS ON INSERT TO d1v DO INSTEAD
  (INSERT INTO d1 VALUES (new.id, new.v); INSERT INTO d1 VALUES (new.id + 100, new.v));

INSERT INTO d1v VALUES (1, 'one');

SELECT * FROM d1 ORDER BY id;

CREATE FUNCTION d1_count() RETURNS bigint
LANGUAGE sql
BEGIN ATOMIC
  SELECT count(*) FROM d1;
END;

SELECT d1_count();

CREATE FUNCTION d1_plpgsql() RETURNS text LANGUAGE plpgsql AS $body$
DECLARE
  n int;
BEGIN
  SELECT count(*) INTO n FROM d1; -- ; in a comment
  RETURN 'rows: ' || n;
END
$body$;

SELECT d1_plpgsql();

ALTER TABLE d1 ADD COLUMN w int DEFAULT 0;

COMMENT ON TABLE d1 IS 'a table; with a semicolon';

SELECT obj_description('d1'::regclass, 'pg_class');

DROP VIEW d1v;
DROP TABLE d1 CASCADE;
/* the end of the file is a comment */
