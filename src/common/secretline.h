/* secretline.h — which typed lines never go into a history file.
 *
 * A line is secret when it mentions a password in any case and spacing
 * (ALTER/CREATE ROLE ... PASSWORD '...', \password, passwd, PGPASSWORD,
 * password=... in a conninfo) or holds a URI with credentials
 * (scheme://user:secret@host). Bound parameter values are never kept either,
 * whatever they hold: that is the caller's rule (lineedit.h). */
#ifndef PGDECK_SECRETLINE_H
#define PGDECK_SECRETLINE_H

#include <stdbool.h>

bool secret_line(const char *line);
/* True when s holds scheme://user:secret@ (a password in a URI's userinfo). */
bool secret_uri_credentials(const char *s);

#endif
