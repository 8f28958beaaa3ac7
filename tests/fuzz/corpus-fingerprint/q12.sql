select 'a'
  'b'