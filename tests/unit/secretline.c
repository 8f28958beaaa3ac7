/* tests/unit/secretline.c — lines a history must never keep. */
#include "common/secretline.h"
#include "tests/lib/tap.h"

int main(void)
{
    plan_no_plan();
    ok(secret_line("ALTER ROLE bob PASSWORD 'x'"), "ALTER ROLE ... PASSWORD");
    ok(secret_line("create role bob with login password 'x'"), "create role ... password");
    ok(secret_line("alter user bob PassWord\n  'x'"), "mixed case, any spacing");
    ok(secret_line("\\password bob"), "\\password");
    ok(secret_line("select 'postgres://u:secret@db.example/x'"), "URI with credentials");
    ok(secret_line(":connect postgresql://alice:s3cr%40t@host:5432/db"), "postgresql:// URI");
    ok(secret_line("mysql://root:pw@localhost"), "any scheme's credentials");
    ok(secret_line("host=x password=y"), "password= in a conninfo");
    ok(!secret_line("select * from t"), "plain SQL is kept");
    ok(!secret_line("select 'postgres://u@host/db'"), "a URI without a password is kept");
    ok(!secret_line("select 'https://example.org/a:b@c'"),
       "':' and '@' in the path are not credentials");
    ok(!secret_line(NULL), "NULL");
    ok(secret_uri_credentials("x https://u:p@h/"), "secret_uri_credentials");
    ok(!secret_uri_credentials("://u:p@h"), "no scheme, no URI");
    return done_testing();
}
