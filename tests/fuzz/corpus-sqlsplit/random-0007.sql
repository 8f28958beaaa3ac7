end a$b ;,''"x$$y
; CASE CASE 
atomic((whencreate function f() returns int language sql begin atomicatomic
$$x;y$$ Create Procedure q() atomic --