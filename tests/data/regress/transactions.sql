--
-- Transactions, savepoints, and statements sent together (\;)
--

CREATE TABLE tx (i int PRIMARY KEY);

BEGIN;
INSERT INTO tx VALUES (1);
SAVEPOINT s1;
INSERT INTO tx VALUES (2);
ROLLBACK TO SAVEPOINT s1;
INSERT INTO tx VALUES (3);
COMMIT;

SELECT * FROM tx ORDER BY i;

-- psql's \; sends both as one query and prints every result
SELECT 1 AS one \; SELECT 2 AS two;
INSERT INTO tx VALUES (4) \; SELECT count(*) FROM tx;

SELECT 'a' AS x \;
SELECT 'b' AS y;

BEGIN;
SELECT txid_current() > 0 AS has_xid;
END;

START TRANSACTION ISOLATION LEVEL REPEATABLE READ;
SHOW transaction_isolation;
COMMIT;

-- the error inside a transaction stops the script
BEGIN;
INSERT INTO tx VALUES (5);
INSERT INTO tx VALUES (1);
COMMIT;
