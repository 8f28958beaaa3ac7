procedure
( Create Procedure q()select 1
"q;"
1.5 $a
;
case ) 