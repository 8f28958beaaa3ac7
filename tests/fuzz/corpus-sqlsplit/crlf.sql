select 1;
select 2 --x;select 3;
/* a */ /* b */
;  
  