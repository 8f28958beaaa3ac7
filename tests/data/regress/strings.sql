--
-- String literals, with standard_conforming_strings on and off
--

SELECT 'first line'
' - next line'
	' - third line'
	AS "Three lines to one";

SELECT E'tab\there' AS e, 'back\slash' AS plain, $$dollar ' quote$$ AS dq;

SELECT U&'d\0061t\+000061' AS u, X'1F' AS x, B'101' AS b;

SELECT 'semi;colon' AS s, 'it''s' AS q, "char_length"('abc') AS len;

SET standard_conforming_strings = off;

SELECT 'ab\';' AS escaped_quote, 'a\\b' AS backslash;

SELECT 'tab\tnot' AS e2;

SET standard_conforming_strings = on;

SELECT 'ab\' AS plain_again;

SHOW standard_conforming_strings;

SELECT 'unterminated
