--
-- PREPARE / EXECUTE: the text the server keeps is the text psql sends
--

PREPARE q1 AS SELECT 1 AS a;

EXECUTE q1;

PREPARE q2(text) AS
  SELECT datname, datistemplate
  FROM pg_database WHERE datname = $1;

EXECUTE q2('template1');

-- blank lines inside a statement are not sent

PREPARE q3(int, int) AS

  SELECT $1 + $2 AS sum

  ;

EXECUTE q3(40, 2);

SELECT name, statement, parameter_types FROM pg_prepared_statements
  ORDER BY name;

SELECT current_query();

DEALLOCATE q1;

-- the trailing ';' is sent: the syntax error is at or near it
SELECT name FROM pg_prepared_statements ORDER BY name; SELECT 1 +;
