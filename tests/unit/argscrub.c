/* tests/unit/argscrub.c — the passwords pgdeck overwrites in its own argv. */
#include "cli/argscrub.h"
#include "tests/lib/tap.h"

#include <string.h>

static void check(const char *in, const char *want, const char *name)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", in);
    argscrub_arg(buf);
    is_str(buf, want, "%s", name);
}

int main(void)
{
    plan_no_plan();
    check("postgres://u:secret@host/db", "postgres://u:xxxxxx@host/db", "URI userinfo");
    check("postgresql://u:p%40ss@h1,h2:5433/db?sslmode=require",
          "postgresql://u:xxxxxx@h1,h2:5433/db?sslmode=require", "escaped password, multi-host");
    check("--dbname=postgres://u:pw@h/db", "--dbname=postgres://u:xx@h/db", "--dbname=URI");
    check("-dpostgres://u:pw@h/db", "-dpostgres://u:xx@h/db", "-dURI");
    check("postgres://u@h/db?password=top&sslmode=disable",
          "postgres://u@h/db?password=xxx&sslmode=disable", "URI query parameter");
    check("host=h password=secret user=u", "host=h password=xxxxxx user=u", "conninfo keyword");
    check("host=h PASSWORD = 'se cr\\'et' user=u", "host=h PASSWORD = 'xxxxxxxxx' user=u",
          "quoted value with spaces and an escaped quote, any case");
    check("password=s", "password=x", "a one-byte password is overwritten too");
    check("--pgbouncer=host=h port=6432 password=pb user=pgbouncer",
          "--pgbouncer=host=h port=6432 password=xx user=pgbouncer", "--pgbouncer conninfo");
    check("postgres://u@h/db", "postgres://u@h/db", "no password: unchanged");
    check("select 1", "select 1", "SQL unchanged");
    check("mypassword=1", "mypassword=1", "a longer keyword is not password");
    ok(!argscrub_arg(NULL), "NULL");
    return done_testing();
}
