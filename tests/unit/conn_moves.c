/* tests/unit/conn_moves.c — the connection state machine's allowed moves
 * (conn.c), the rules RELIABILITY.md's pool section depends on. */
#include "engine/engine_int.h"
#include "tests/lib/tap.h"

int main(void)
{
    plan_no_plan();
    for (int s = 0; s < CONN_NSTATES; s++) {
        ok(conn_move_allowed((conn_state)s, (conn_state)s), "state %d: staying is a no-op", s);
        if (s != CONN_CLOSED)
            ok(conn_move_allowed((conn_state)s, CONN_CLOSED), "state %d may close", s);
    }
    for (int s = 0; s < CONN_CLOSED; s++)
        ok(!conn_move_allowed(CONN_CLOSED, (conn_state)s),
           "a closed connection never comes back (%d)", s);
    /* A cancel of the last checkout still runs: the connection must settle
     * (RESETTING) before anyone can borrow it, or the cancel hits them. */
    ok(!conn_move_allowed(CONN_CANCELLING, CONN_BUSY), "cancelling: never handed out");
    ok(!conn_move_allowed(CONN_CANCELLING, CONN_IDLE), "cancelling: never idle before settling");
    ok(conn_move_allowed(CONN_CANCELLING, CONN_RESETTING), "cancelling: settles first");
    /* An idle connection is only reset after a return, never in the pool. */
    ok(!conn_move_allowed(CONN_IDLE, CONN_RESETTING), "idle: no reset without a return");
    ok(!conn_move_allowed(CONN_IDLE, CONN_CANCELLING), "idle: nothing to cancel");
    ok(conn_move_allowed(CONN_BUSY, CONN_RESETTING),
       "busy: returned in a transaction, rolled back");
    return done_testing();
}
