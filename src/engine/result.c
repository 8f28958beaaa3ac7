/* result.c — eng_result wraps a PGresult (which may cross threads, as libpq
 * allows) with its status, column kinds and the server's error fields. */
#include "engine/engine_int.h"

#include "common/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

eng_col_kind colkind_of_oid(uint32_t oid)
{
    switch (oid) {
    case 20:   /* int8 */
    case 21:   /* int2 */
    case 23:   /* int4 */
    case 26:   /* oid */
    case 700:  /* float4 */
    case 701:  /* float8 */
    case 1700: /* numeric */
        return ENG_COL_NUMBER;
    case 16:
        return ENG_COL_BOOL;
    case 114:  /* json */
    case 3802: /* jsonb */
        return ENG_COL_JSON;
    default:
        return ENG_COL_TEXT;
    }
}

static char *dup_field(const PGresult *pg, int field)
{
    const char *v = PQresultErrorField(pg, field);
    return v ? xstrdup(v) : NULL;
}

static char *one_line(const char *msg)
{
    /* libpq messages end in '\n' and may carry "ERROR:  " prefixes */
    const char *p = msg;
    static const char *const prefixes[] = {"ERROR:  ", "FATAL:  ", "PANIC:  ", NULL};
    for (int i = 0; prefixes[i]; i++)
        if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0)
            p += strlen(prefixes[i]);
    size_t n = strcspn(p, "\n");
    return xstrndup(p, n);
}

void result_append_row(PGresult **acc, PGresult *row)
{
    if (!*acc) {
        *acc = row;
        return;
    }
    int n = PQntuples(*acc), ncols = PQnfields(row);
    for (int j = 0; j < ncols; j++) {
        if (PQgetisnull(row, 0, j))
            PQsetvalue(*acc, n, j, NULL, -1);
        else
            PQsetvalue(*acc, n, j, PQgetvalue(row, 0, j), PQgetlength(row, 0, j));
    }
    PQclear(row);
}

eng_error *error_from_result(const PGresult *pg)
{
    eng_error *err = xcalloc(1, sizeof *err);
    const char *primary = PQresultErrorField(pg, PG_DIAG_MESSAGE_PRIMARY);
    if (primary)
        err->message = xstrdup(primary);
    else
        err->message = one_line(PQresultErrorMessage(pg));
    if (!err->message[0]) {
        free(err->message);
        /* no message: say what libpq returned instead of guessing */
        err->message =
            xasprintf("no error message (libpq result %s)", PQresStatus(PQresultStatus(pg)));
    }
    err->severity = dup_field(pg, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (!err->severity)
        err->severity = dup_field(pg, PG_DIAG_SEVERITY);
    err->sqlstate = dup_field(pg, PG_DIAG_SQLSTATE);
    err->detail = dup_field(pg, PG_DIAG_MESSAGE_DETAIL);
    err->hint = dup_field(pg, PG_DIAG_MESSAGE_HINT);
    err->context = dup_field(pg, PG_DIAG_CONTEXT);
    const char *pos = PQresultErrorField(pg, PG_DIAG_STATEMENT_POSITION);
    err->position = pos ? atoi(pos) : 0;
    return err;
}

void one_line_msg(char *dst, size_t n, const char *src)
{
    /* libpq stacks lines ("...failed: ...\n\tIs the server running...");
     * make them one line: every run of blanks becomes one space */
    size_t w = 0;
    bool blank = false;
    if (n == 0)
        return;
    for (const char *q = src; *q && w + 1 < n; q++) {
        if (*q == '\n' || *q == '\t' || *q == '\r' || *q == ' ') {
            blank = true;
            continue;
        }
        if (blank && w > 0 && w + 2 < n)
            dst[w++] = ' ';
        blank = false;
        dst[w++] = *q;
    }
    dst[w] = '\0';
}

eng_error *error_from_conn(PGconn *pg, const char *fallback)
{
    /* callers pass libpq's message as fallback when it is the reason: a
     * PGconn keeps its last error, which may be older than this failure */
    const char *msg = pg ? PQerrorMessage(pg) : fallback;
    eng_error *err = xcalloc(1, sizeof *err);
    if (msg && *msg) {
        /* libpq may stack several lines ("connection to server ... failed: ...") */
        char *m = xstrdup(msg);
        size_t n = strlen(m);
        while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
            m[--n] = '\0';
        char *p = m;
        if (strncmp(p, "FATAL:  ", 8) == 0 || strncmp(p, "ERROR:  ", 8) == 0)
            memmove(p, p + 8, strlen(p + 8) + 1);
        /* one line: newlines and tabs become single spaces */
        char *w = p;
        for (char *q = p; *q; q++) {
            char ch = (*q == '\n' || *q == '\t' || *q == '\r') ? ' ' : *q;
            if (ch == ' ' && w > p && w[-1] == ' ')
                continue;
            *w++ = ch;
        }
        *w = '\0';
        err->message = m;
    } else {
        err->message = xstrdup(fallback ? fallback : "connection lost");
    }
    err->severity = xstrdup("FATAL");
    err->sqlstate = xstrdup("08006");
    err->conn_lost = true;
    return err;
}

eng_result *result_wrap(PGresult *pg, eng_res_status status)
{
    eng_result *r = xcalloc(1, sizeof *r);
    r->pg = pg;
    r->status = status;
    if (pg) {
        r->nrows = PQntuples(pg);
        r->ncols = PQnfields(pg);
        if (r->ncols > 0) {
            r->kinds = xmalloc((size_t)r->ncols * sizeof *r->kinds);
            for (int i = 0; i < r->ncols; i++)
                r->kinds[i] = colkind_of_oid((uint32_t)PQftype(pg, i));
        }
        if (status == ENG_RES_ERROR)
            r->error = error_from_result(pg);
    }
    return r;
}

eng_res_status eng_result_status(const eng_result *r)
{
    return r->status;
}

int eng_result_nrows(const eng_result *r)
{
    return r->nrows;
}

int eng_result_ncols(const eng_result *r)
{
    return r->ncols;
}

const char *eng_result_colname(const eng_result *r, int col)
{
    if (!r->pg || col < 0 || col >= r->ncols)
        return "";
    const char *n = PQfname(r->pg, col);
    return n ? n : "";
}

eng_col_kind eng_result_colkind(const eng_result *r, int col)
{
    if (col < 0 || col >= r->ncols)
        return ENG_COL_TEXT;
    return r->kinds[col];
}

uint32_t eng_result_coltype(const eng_result *r, int col)
{
    if (!r->pg || col < 0 || col >= r->ncols)
        return 0;
    return (uint32_t)PQftype(r->pg, col);
}

bool eng_result_isnull(const eng_result *r, int row, int col)
{
    if (!r->pg || row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
        return true;
    return PQgetisnull(r->pg, row, col) != 0;
}

const char *eng_result_value(const eng_result *r, int row, int col)
{
    if (!r->pg || row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
        return "";
    return PQgetvalue(r->pg, row, col);
}

int eng_result_length(const eng_result *r, int row, int col)
{
    if (!r->pg || row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
        return 0;
    return PQgetlength(r->pg, row, col);
}

bool eng_result_is_copy_out(const eng_result *r)
{
    return r->copy_out;
}

const char *eng_result_cmdstatus(const eng_result *r)
{
    if (!r->pg)
        return "";
    const char *s = PQcmdStatus(r->pg);
    return s ? s : "";
}

uint64_t eng_result_cmdtuples(const eng_result *r)
{
    if (!r->pg)
        return 0;
    const char *s = PQcmdTuples(r->pg);
    return s && *s ? strtoull(s, NULL, 10) : 0;
}

const eng_error *eng_result_error(const eng_result *r)
{
    return r->status == ENG_RES_ERROR ? r->error : NULL;
}

void eng_result_free(eng_result *r)
{
    if (!r)
        return;
    PQclear(r->pg);
    eng_error_free(r->error);
    free(r->kinds);
    free(r);
}

/* ---- errors ---- */

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

eng_error *eng_error_dup(const eng_error *err)
{
    if (!err)
        return NULL;
    eng_error *d = xcalloc(1, sizeof *d);
    d->message = dup_or_null(err->message);
    d->severity = dup_or_null(err->severity);
    d->sqlstate = dup_or_null(err->sqlstate);
    d->detail = dup_or_null(err->detail);
    d->hint = dup_or_null(err->hint);
    d->context = dup_or_null(err->context);
    d->position = err->position;
    d->conn_lost = err->conn_lost;
    return d;
}

void eng_error_free(eng_error *err)
{
    if (!err)
        return;
    free(err->message);
    free(err->severity);
    free(err->sqlstate);
    free(err->detail);
    free(err->hint);
    free(err->context);
    free(err);
}

eng_error *eng_error_new(const char *sqlstate, const char *fmt, ...)
{
    eng_error *err = xcalloc(1, sizeof *err);
    va_list ap;
    va_start(ap, fmt);
    err->message = xvasprintf(fmt, ap);
    va_end(ap);
    err->severity = xstrdup("ERROR");
    err->sqlstate = sqlstate ? xstrdup(sqlstate) : NULL;
    return err;
}

/* ---- binary results (ENG_EXEC_BINARY) become the text the server prints ---- */

PGresult *result_text_shell(const PGresult *bin)
{
    int n = PQnfields(bin);
    PGresAttDesc *att = xcalloc((size_t)(n > 0 ? n : 1), sizeof *att);
    for (int i = 0; i < n; i++) {
        att[i].name = PQfname(bin, i);
        att[i].tableid = PQftable(bin, i);
        att[i].columnid = PQftablecol(bin, i);
        att[i].format = 0;
        att[i].typid = PQftype(bin, i);
        att[i].typlen = PQfsize(bin, i);
        att[i].atttypmod = PQfmod(bin, i);
    }
    PGresult *res = PQcopyResult(bin, 0); /* status, command tag, no attributes */
    PQsetResultAttrs(res, n, att);
    free(att);
    return res;
}

bool result_add_decoded(PGresult *dst, int dst_row, const PGresult *bin, int src_row,
                        const bindecode_ctx *ctx)
{
    strbuf sb;
    sb_init(&sb);
    bool ok = true;
    for (int j = 0; j < PQnfields(bin); j++) {
        if (PQgetisnull(bin, src_row, j)) {
            PQsetvalue(dst, dst_row, j, NULL, -1);
            continue;
        }
        sb_reset(&sb);
        if (!bindecode_value((uint32_t)PQftype(bin, j), PQgetvalue(bin, src_row, j),
                             PQgetlength(bin, src_row, j), ctx, &sb))
            ok = false;
        PQsetvalue(dst, dst_row, j, sb.data, (int)sb.len);
    }
    sb_free(&sb);
    return ok;
}

PGresult *result_decode_all(PGresult *bin, const bindecode_ctx *ctx)
{
    PGresult *res = result_text_shell(bin);
    bool ok = true;
    for (int i = 0; i < PQntuples(bin); i++)
        ok &= result_add_decoded(res, i, bin, i, ctx);
    PQclear(bin);
    if (!ok) {
        PQclear(res);
        return NULL;
    }
    return res;
}
