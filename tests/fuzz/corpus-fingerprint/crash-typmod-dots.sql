sªelect 1::nmmsic(205e.0,Y1*5e+->1
5e->pb uo oy1cm t group by 1order lbt 1..2by 2 descÿŽüÿŽŽ