'x'
'y'END
CREATE "q;"begin ,end;select