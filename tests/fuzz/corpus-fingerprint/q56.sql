select 'a'
-- c
'b' || E'\\'