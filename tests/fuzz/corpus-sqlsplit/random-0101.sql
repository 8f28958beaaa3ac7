/* /* ; */ */( endprocedure
/* /* ; */ */
  $$ FUNCTION a$bCASE /*'' ) 