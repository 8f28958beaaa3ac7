-- window.sql — an incident in a recording, for tests/unit/record_report.c
-- and tests/cli/report_file.sh (loaded by tests/lib/rec_fixture into a file
-- with record_db.c's schema). Server "default" (id 1), snapshots every 5 s
-- from 2000 to 2030:
--   2000..2010  pid 200 holds a lock: 201 waits from 2000, 202 from 2005;
--               pid 300 blocks 301 at 2005 only
--   2015, 2020  down (connection refused), up again at 2025 with an error
--               of its own, down again at 2030
-- Statements: 111 the heaviest by total time, 222 the most called, 444 a
-- nested one (inside 111's time), 555 with a hostile text.
INSERT INTO server(id, name, target) VALUES (1, 'default', 'host=/tmp dbname=app');
INSERT INTO server(id, name, target) VALUES (2, 'other', 'host=/tmp dbname=other');

INSERT INTO snapshot(id, server_id, taken_at, interval_s, grain, up, error, version_num, standby)
VALUES (1, 1, 2000, 0, 0, 1, NULL, 160002, 0),
       (2, 1, 2005, 5, 0, 1, NULL, 160002, 0),
       (3, 1, 2010, 5, 0, 1, NULL, 160002, 0),
       (4, 1, 2015, 5, 0, 0, 'connection refused', NULL, NULL),
       (5, 1, 2020, 5, 0, 0, 'connection refused again', NULL, NULL),
       (6, 1, 2025, 5, 0, 1, 'permission denied for view pg_stat_replication', 160002, 0),
       (7, 1, 2030, 5, 0, 0, 'the database system is shutting down', NULL, NULL),
       (8, 2, 2010, 0, 0, 1, NULL, 160002, 0);

INSERT INTO query_text(server_id, dbid, userid, queryid, database, role, query)
VALUES (1, 5, 10, 111, 'app', 'alice', 'UPDATE accounts SET balance = balance - $1
  WHERE id = $2'),
       (1, 5, 10, 222, 'app', 'bob', 'SELECT balance FROM accounts WHERE id = $1'),
       (1, 5, 10, 444, 'app', 'alice', 'SELECT audit($1)'),
       (1, 5, 11, 555, 'app', 'mallory', 'SELECT 1 /* ' || char(27) || ']0;owned' || char(7) || ' */');

INSERT INTO stmt(snapshot_id, dbid, userid, queryid, toplevel, calls, total_ms, rows, max_ms)
VALUES (2, 5, 10, 111, 1, 3, 3000, 3, 1500),
       (3, 5, 10, 111, 1, 4, 5000, 4, 2000),
       (2, 5, 10, 222, 1, 500, 100, 500, 3),
       (3, 5, 10, 222, 1, 700, 140, 700, 3),
       (3, 5, 10, 444, 0, 7, 7000, 7, 1000),
       (6, 5, 11, 555, 1, 1, 10, 1, 10);

INSERT INTO backend(snapshot_id, pid, database, role, application, client, state, wait_type,
                    wait_event, backend_type, query, backend_start, xact_s, query_s, state_s,
                    blocked_by, nblocking)
VALUES (1, 200, 'app', 'alice', 'psql', NULL, 'idle in transaction', 'Client', 'ClientRead',
        'client backend', 'LOCK TABLE accounts', '2026-12-04 03:00:00.000000', 60, 59, 58, NULL, 1),
       (1, 201, 'app', 'bob', 'app', NULL, 'active', 'Lock', 'relation', 'client backend',
        'SELECT balance FROM accounts WHERE id = 7', NULL, 4, 4, 4, '{200}', 0),
       (2, 200, 'app', 'alice', 'psql', NULL, 'idle in transaction', 'Client', 'ClientRead',
        'client backend', 'LOCK TABLE accounts', '2026-12-04 03:00:00.000000', 65, 64, 63, NULL, 2),
       (2, 201, 'app', 'bob', 'app', NULL, 'active', 'Lock', 'relation', 'client backend',
        'SELECT balance FROM accounts WHERE id = 7', NULL, 9, 9, 9, '{200}', 0),
       (2, 202, 'app', 'bob', 'app', NULL, 'active', 'Lock', 'relation', 'client backend',
        'SELECT balance FROM accounts WHERE id = 8', NULL, 2, 2, 2, '{200}', 0),
       (2, 300, 'app', 'carol', 'app', NULL, 'active', NULL, NULL, 'client backend',
        'UPDATE t SET x = 1', NULL, 1, 1, 1, NULL, 1),
       (2, 301, 'app', 'dave', 'app', NULL, 'active', 'Lock', 'tuple', 'client backend',
        'UPDATE t SET x = 2', NULL, 3, 3, 3, '{300}', 0),
       (3, 200, 'app', 'alice', 'psql', NULL, 'idle in transaction', 'Client', 'ClientRead',
        'client backend', 'LOCK TABLE accounts', '2026-12-04 03:00:00.000000', 70, 69, 68, NULL, 2),
       (3, 201, 'app', 'bob', 'app', NULL, 'active', 'Lock', 'relation', 'client backend',
        'SELECT balance FROM accounts WHERE id = 7', NULL, 14, 14, 14, '{200}', 0),
       (3, 202, 'app', 'bob', 'app', NULL, 'active', 'Lock', 'relation', 'client backend',
        'SELECT balance FROM accounts WHERE id = 8', NULL, 7, 7, 7, '{200}', 0);

INSERT INTO dbstat(snapshot_id, xacts, tps, connections, max_connections)
VALUES (1, 1000, NULL, 5, 100),
       (2, 1100, 20, 9, 100),
       (3, 1250, 30, 9, 100),
       (6, 1300, 10, 4, 100);
