--
-- INSERT/UPDATE/DELETE ... RETURNING: the rows, then the command tag
--

CREATE TEMP TABLE ret (id serial, name text, qty int DEFAULT 7);

INSERT INTO ret (name, qty)
  VALUES ('apple', DEFAULT), ('Pear', 3), (upper('fig'), 2 + 5)
  RETURNING *, id + qty AS total;

UPDATE ret SET name = lower(name), qty = DEFAULT RETURNING ret.*, qty * 2 AS twice;

UPDATE ret SET qty = 0 WHERE false RETURNING id;

DELETE FROM ret WHERE id > 2 RETURNING qty, name, id;

INSERT INTO ret (name) SELECT 'n' || g FROM generate_series(1, 3) g RETURNING id;

-- a data-modifying CTE: psql prints no tag for a SELECT
WITH moved AS (DELETE FROM ret WHERE id > 3 RETURNING *)
SELECT count(*) AS moved FROM moved;

INSERT INTO ret VALUES (10, 'ten');

SELECT * FROM ret ORDER BY id;

-- an error stops the script here, at this statement's last line
INSERT INTO ret (id, name) VALUES (11, 'eleven')
  RETURNING nosuchcolumn;

SELECT 'not reached';
