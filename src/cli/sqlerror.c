/* sqlerror.c — server errors and notices printed as psql prints them. */
#include "config.h"

#include "cli/sqlerror.h"

#include "cli/output.h"
#include "cli/redact.h"
#include "common/strbuf.h"
#include "common/termsafe.h"
#include "common/utf8.h"
#include "common/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_eprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    char *masked = redact(text);
    /* Server messages, notices and quoted file bytes: nothing raw reaches
     * the terminal (termsafe.h); the message's own newlines stay. */
    char *safe = term_escape(masked, TS_KEEP_NL | TS_KEEP_TAB);
    fflush(stdout);
    fputs(safe, stderr);
    free(safe);
    free(masked);
    free(text);
}

/* Where an error position falls in a statement, computed as libpq's
 * reportErrorPosition does: characters are counted in UTF-8, each \r or \n
 * ends a line (\r\n once), tabs and control characters are one column. */
typedef struct err_pos {
    int line;   /* 1-based line within the statement */
    int nchars; /* characters of the statement scanned (up to the line's end) */
    int loc;    /* 0-based character index of the error */
    int ibeg, iend;
    size_t *byte; /* byte offset of each character, [0..nchars] */
    int *col;     /* screen column of each character, [0..nchars] */
} err_pos;

static bool locate_error(const char *sql, int position, err_pos *ep)
{
    memset(ep, 0, sizeof *ep);
    ep->loc = position - 1;
    if (ep->loc < 0)
        return false;
    size_t slen = strlen(sql);
    ep->byte = xcalloc(slen + 2, sizeof *ep->byte);
    ep->col = xcalloc(slen + 2, sizeof *ep->col);
    size_t off = 0;
    int cno, scr = 0;
    ep->line = 1;
    ep->iend = -1;
    for (cno = 0; sql[off]; cno++) {
        char ch = sql[off];
        ep->byte[cno] = off;
        ep->col[cno] = scr;
        if (ch == '\r' || ch == '\n') {
            if (cno < ep->loc) {
                if (ch == '\r' || cno == 0 || sql[ep->byte[cno - 1]] != '\r')
                    ep->line++;
                ep->ibeg = cno + 1;
            } else {
                ep->iend = cno;
                break;
            }
        }
        size_t n = utf8_char_len(sql + off);
        int w = (unsigned char)ch < 0x80 ? 1 : output_display_width(sql + off, n);
        scr += w > 0 ? w : 1;
        off += n;
    }
    if (ep->iend < 0) {
        ep->iend = cno;
        ep->byte[cno] = off;
        ep->col[cno] = scr;
    }
    ep->nchars = cno;
    return ep->loc <= cno;
}

static void free_err_pos(err_pos *ep)
{
    free(ep->byte);
    free(ep->col);
}

#define DISPLAY_SIZE 60  /* as libpq: screen columns of the quoted line */
#define MIN_RIGHT_CUT 10 /* keep this far from the end of the line */

/* The source line of line `k` (1-based) of the statement's text. */
static int origin_line(const sql_origin *st, int k)
{
    if (st->lines && k >= 1 && k <= st->nlines)
        return st->lines[k - 1];
    return st->line + k - 1;
}

/* "LINE n: text" and a caret under the error position, as libpq prints it,
 * with n counted in the statement's source (the file's own line). */
static void print_error_position(const sql_origin *st, int position)
{
    err_pos ep;
    if (!locate_error(st->sql, position, &ep)) {
        free_err_pos(&ep);
        return;
    }
    int ibeg = ep.ibeg, iend = ep.iend, loc = ep.loc;
    bool beg_trunc = false, end_trunc = false;
    if (ep.col[iend] - ep.col[ibeg] > DISPLAY_SIZE) {
        if (ep.col[ibeg] + DISPLAY_SIZE >= ep.col[loc] + MIN_RIGHT_CUT) {
            while (ep.col[iend] - ep.col[ibeg] > DISPLAY_SIZE)
                iend--;
            end_trunc = true;
        } else {
            while (ep.col[loc] + MIN_RIGHT_CUT < ep.col[iend]) {
                iend--;
                end_trunc = true;
            }
            while (ep.col[iend] - ep.col[ibeg] > DISPLAY_SIZE) {
                ibeg++;
                beg_trunc = true;
            }
        }
    }
    strbuf text;
    sb_init(&text);
    char prefix[32];
    int plen = snprintf(prefix, sizeof prefix, "LINE %d: ", origin_line(st, ep.line));
    sb_append(&text, prefix);
    if (beg_trunc) {
        sb_append(&text, "...");
        plen += 3;
    }
    for (size_t b = ep.byte[ibeg]; b < ep.byte[iend]; b++) {
        char c = st->sql[b];
        sb_append_c(&text, c == '\t' ? ' ' : c);
    }
    if (end_trunc)
        sb_append(&text, "...");
    int caret = plen + ep.col[loc] - ep.col[ibeg];
    cli_eprintf("%s\n%*s^\n", text.data, caret, "");
    sb_free(&text);
    free_err_pos(&ep);
}

int sqlerror_line(const sql_origin *st, const eng_error *err)
{
    int line = origin_line(st, 1);
    err_pos ep;
    if (err->position > 0 && locate_error(st->sql, err->position, &ep))
        line = origin_line(st, ep.line);
    if (err->position > 0)
        free_err_pos(&ep);
    return line;
}

void sqlerror_print(const char *prog, const sql_origin *st, const eng_error *err)
{
    const char *sev = err->severity ? err->severity : "ERROR";
    int line = !st ? 0 : st->end_line > 0 ? st->end_line : sqlerror_line(st, err);
    if (st && st->source)
        cli_eprintf("%s: %s:%d: ", prog, st->source, line);
    else
        cli_eprintf("%s: ", prog);
    if (err->sqlstate && *err->sqlstate)
        cli_eprintf("%s:  %s: %s\n", sev, err->sqlstate, err->message ? err->message : "");
    else
        cli_eprintf("%s:  %s\n", sev, err->message ? err->message : "");
    if (st && err->position > 0)
        print_error_position(st, err->position);
    if (err->detail)
        cli_eprintf("DETAIL:  %s\n", err->detail);
    if (err->hint)
        cli_eprintf("HINT:  %s\n", err->hint);
    if (err->context)
        cli_eprintf("CONTEXT:  %s\n", err->context);
}

void sqlerror_print_notice(const eng_error *n)
{
    if (!n)
        return;
    cli_eprintf("%s:  %s\n", n->severity ? n->severity : "NOTICE", n->message ? n->message : "");
    if (n->detail)
        cli_eprintf("DETAIL:  %s\n", n->detail);
    if (n->hint)
        cli_eprintf("HINT:  %s\n", n->hint);
}

void sqlerror_print_notice_at(const char *prog, const sql_origin *o, const eng_error *n)
{
    if (!n)
        return;
    if (o && o->source)
        cli_eprintf("%s: %s:%d: ", prog, o->source, o->end_line > 0 ? o->end_line : o->line);
    cli_eprintf("%s:  %s\n", n->severity ? n->severity : "NOTICE", n->message ? n->message : "");
    if (o && n->position > 0)
        print_error_position(o, n->position);
    if (n->detail)
        cli_eprintf("DETAIL:  %s\n", n->detail);
    if (n->hint)
        cli_eprintf("HINT:  %s\n", n->hint);
}
