--
-- Display widths: wide, combining and multi-line values
--

SELECT 'naïve' AS word, '日本語' AS cjk, 'e' || U&'\0301' AS combining;

SELECT E'two\nlines' AS multi, 'x' AS after;

SELECT repeat('-', 3) AS dashes, NULL::text AS nothing, 42 AS n, 4.5::numeric AS num;

SELECT * FROM (VALUES (1, 'a'), (22, 'bb'), (333, 'ccc')) AS v(num, txt);

SELECT true AS t, false AS f, '{1,2}'::int[] AS arr, '{"a": 1}'::jsonb AS j;
