--
-- Notices, warnings and an error: the line numbers psql gives
--

DROP TABLE IF EXISTS nosuch_table;

DO $$
BEGIN
  RAISE NOTICE 'a notice from % lines', 3;
  RAISE WARNING 'and a warning';
END
$$;

CREATE FUNCTION add_one(int) RETURNS int
  LANGUAGE sql IMMUTABLE
  AS 'SELECT $1 + 1';

SELECT add_one(41) AS answer;

CREATE TABLE e (id int CHECK (id > 0), name text NOT NULL);

INSERT INTO e VALUES (1, 'ok');

/* a comment alone ends the statement list: psql sends it as an empty query */
;

SELECT
  id,
  name
FROM e
WHERE nosuch = 1;
