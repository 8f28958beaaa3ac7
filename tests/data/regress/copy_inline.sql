--
-- COPY FROM STDIN with the data in the script, COPY TO STDOUT
--

CREATE TABLE cp (a int, b text, c date);

COPY cp FROM stdin;
1	one	2024-01-01
2	\N	2024-02-29
3	with\ttab	\N
\.

COPY cp (a, b) FROM STDIN WITH (FORMAT csv);
4,"quoted, comma"
5,
\.

SELECT * FROM cp ORDER BY a;

COPY cp TO stdout;

COPY (SELECT a, b FROM cp WHERE a > 3 ORDER BY a) TO STDOUT WITH (FORMAT csv, HEADER);

COPY (SELECT 1 WHERE false) TO STDOUT;

COPY cp FROM stdin;
6	six	2024-03-01
x	bad	2024-03-02
\.

SELECT 'not reached';
