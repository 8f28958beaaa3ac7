-- moments.sql — a small recording for tests/unit/record_read.c, loaded into
-- a file with record_db.c's schema (or by hand: create the file with
-- `pgdeck record`, then `sqlite3 FILE < moments.sql`).
--
-- Server "default" (id 1): two per-minute aggregates (grain 60, older), then
-- snapshots every 5 s, the last one while the server was down.
-- Server "replica" (id 2): two snapshots in between.
INSERT INTO server(id, name, target) VALUES (1, 'default', 'host=/tmp dbname=app');
INSERT INTO server(id, name, target) VALUES (2, 'replica', 'host=/tmp port=5433');

INSERT INTO snapshot(id, server_id, taken_at, interval_s, grain, up, error, version_num, standby)
VALUES (1, 1, 940, 60, 60, 1, NULL, 160002, 0),
       (2, 1, 1000, 60, 60, 1, NULL, 160002, 0),
       (3, 1, 1005, 5, 0, 1, NULL, 160002, 0),
       (4, 1, 1010, 5, 0, 1, NULL, 160002, 0),
       (5, 1, 1015, 5, 0, 0, 'connection refused', NULL, NULL),
       (6, 2, 1007, 0, 0, 1, NULL, 150004, 1),
       (7, 2, 1012, 5, 0, 1, NULL, 150004, 1);

INSERT INTO query_text(server_id, dbid, userid, queryid, database, role, query)
VALUES (1, 16384, 10, 111, 'app', 'alice', 'UPDATE accounts SET balance = balance + $1 WHERE id = $2'),
       (1, 16384, 10, 222, 'app', 'alice', 'SELECT * FROM accounts WHERE id = $1'),
       (2, 16384, 10, 111, 'app', 'alice', 'the replica''s text, not the primary''s');

-- snapshot 4: 222 is called more, 111 takes longer; 333 has no text
INSERT INTO stmt(snapshot_id, dbid, userid, queryid, toplevel, calls, total_ms, rows, max_ms)
VALUES (4, 16384, 10, 111, 1, 10, 500, 10, 90),
       (4, 16384, 10, 222, 1, 40, 20, 40, 2),
       (4, 16384, 10, 333, 1, 1, 0.5, 0, 0.5),
       (2, 16384, 10, 111, 1, 120, 3000, 120, 95);

INSERT INTO backend(snapshot_id, pid, database, role, application, client, state, wait_type,
                    wait_event, backend_type, query, backend_start, xact_s, query_s, state_s,
                    blocked_by, nblocking)
VALUES (4, 100, 'app', 'alice', 'psql', '127.0.0.1', 'idle in transaction', 'Client',
        'ClientRead', 'client backend', 'UPDATE accounts SET balance = 0 WHERE id = 1',
        '2026-12-04 03:00:00.500000', 40, 39, 38, NULL, 1),
       (4, 101, 'app', 'bob', 'app', '10.0.0.2', 'active', 'Lock', 'transactionid',
        'client backend', 'UPDATE accounts SET balance = 1 WHERE id = 1',
        '2026-12-04 03:00:10.000000', 20, 20, 20, '{100}', 0),
       (4, 102, 'app', 'carol', 'app', NULL, 'idle', NULL, NULL, 'client backend', '', NULL,
        NULL, NULL, 5, NULL, 0);

INSERT INTO dbstat(snapshot_id, xacts, blks_hit, blks_read, temp_files, temp_bytes, tps,
                   hit_ratio, temp_files_s, temp_bytes_s, connections, max_connections)
VALUES (4, 5000, 90000, 1000, 2, 8192, 12.5, 98.9, 0, 0, 7, 100),
       (3, 4940, 89000, 990, 2, 8192, 11, 98.8, 0, 0, 5, 100);

-- the database view: two rows, without "sessions" (as from PostgreSQL 13)
INSERT INTO view_row(snapshot_id, view, ord, data)
VALUES (4, 'database', 0, '{"database":"app","backends":3,"commits":4000,"commits_per_s":12.5,"rollbacks":2,"rollbacks_per_s":0,"blks_read":1000,"blks_read_per_s":null,"blks_hit":90000,"blks_hit_per_s":40,"hit_pct":98.9,"temp_files":2,"temp_files_per_s":0,"temp_bytes":8192,"temp_bytes_per_s":0,"deadlocks":0,"deadlocks_per_s":0,"conflicts":0,"conflicts_per_s":0,"checksum_failures":null,"sessions_abandoned":null,"sessions_fatal":null,"sessions_killed":null,"stats_reset":null}'),
       (4, 'database', 1, '{"database":"postgres\u001b[2J","backends":1,"commits":10,"commits_per_s":0.2}'),
       (4, 'someday', 0, '{"a view":"from a newer pgdeck"}'),
-- headers (ord -1): replication read with no standby; progress without a column, with a note
       (4, 'replication', -1, '{"absent":[],"note":""}'),
       (4, 'progress', -1, '{"absent":["phase"],"note":"copy progress: not on PostgreSQL 13"}'),
       (4, 'progress', 0, '{"pid":77,"command":"VACUUM"}');

INSERT INTO fleet(snapshot_id, version, connections, max_conn, tps, longest_xact, blocked,
                  lag_s, lag_bytes, standbys)
VALUES (4, '16.2', 7, 100, 12.5, 40, 1, NULL, NULL, 1),
       (6, '15.4', 3, 100, NULL, NULL, 0, 0.5, 1024, 0),
       (7, '15.4', 4, 100, 3.5, NULL, 0, 0.25, 512, 0);
