(select 1; 
$q$
begin E'x''y;'
/*/* ; */ x$$y begin atomic
select 