/* pane_import.c — pane 5, Import: the COPY import wizard.
 *
 *   1 File     Enter opens a path prompt (readline filename completion, ~
 *              expanded); the size is shown once chosen
 *   2 Sniff    delimiter, quote, header, encoding, line endings, BOM — each
 *              changeable — and the first 50 records parsed as COPY will;
 *              when the sample cannot settle the delimiter or the header,
 *              the step asks, the two readings side by side (a / b)
 *   3 Target   a new table named after the file (columns and types editable:
 *              any type the server accepts, checked with it) or an existing
 *              table (completion from the catalog; its column types shown)
 *   4 Mapping  file column -> table column by header name (case-insensitive),
 *              reorderable, skippable; mismatches shown before sending
 *   5 Options  NULL string, empty-field rule, truncate, jobs, error policy
 *   6 Run      progress (bytes, %, rows/s, MB/s, ETA) and the server's
 *              pg_stat_progress_copy; Esc or Ctrl-C cancels
 *   7 Result   "imported", or the error with the file's own line, the record
 *              and "nothing imported"
 * Esc goes back a step; Enter accepts the step, so a file with a header goes
 * into a new table with Enter at every step.
 *
 * The import itself runs in the importer's own thread (import/import.h): this
 * pane only forwards its events and reads its progress. The pane never builds
 * SQL from names: catalog lookups pass names as parameters, and the importer
 * quotes every identifier. */
#include "config.h"

#include "import/csv.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "import/import.h"
#include "ui/lineedit.h"
#include "ui/pane.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef enum step { ST_FILE, ST_SNIFF, ST_TARGET, ST_MAP, ST_OPTIONS, ST_RUN, ST_RESULT } step;
static const char *const step_names[] = {"File",    "Sniff", "Target", "Mapping",
                                         "Options", "Run",   "Result"};

#define TAG_TABLES "import:pane:tables"
#define TAG_COLUMNS "import:pane:columns"
#define TAG_PROGRESS "import:pane:progress"
#define TAG_TYPE "import:pane:type"

/* A doubt the sample leaves about the dialect: the Sniff step asks. */
typedef enum ask { ASK_NONE, ASK_DELIM, ASK_HEADER } ask;

typedef struct import_pane {
    app *a;
    engine *e;
    step step;
    bool shown, prompting;
    char *path;
    import_probe probe;
    bool have_probe;
    csv_dialect d;
    /* settled by the user on the Sniff step (the rest is sniffed with it) */
    bool delim_set, header_set;
    /* the question, and the other reading of the file beside probe's */
    ask ask;
    import_probe alt;
    bool have_alt;
    /* target */
    bool existing;
    char *schema; /* existing table: as the server resolved the name */
    char *table;
    char **names; /* new table: column names (editable) */
    char **types;
    int ncols;
    /* existing table */
    char **tcols;
    char **ttypes; /* format_type of each column */
    int ntcols;
    /* a type typed for a new column, being checked by the server */
    eng_id type_id;
    int type_col;
    char *type_typed;
    char *type_canon;
    char *type_error;
    bool tcols_loaded;
    eng_id tcols_id;
    char **tables; /* catalog names for completion (NULL-terminated) */
    int ntables;
    eng_id tables_id;
    /* mapping: per file column, the table column index (into names or tcols), -1 skip */
    int *map;
    /* options */
    char *null_str;
    import_null_mode null_mode;
    bool truncate;
    int jobs;
    long max_errors;
    double max_errors_pct;
    char *reject_path;
    /* the file's first sample, read on a worker (a slow or hung file system
     * must not freeze the console); NULL when none is being read */
    struct probe_job *job;
    /* run */
    importer *im;
    eng_id progress_id;
    char server_progress[160];
    /* lists */
    wg_list preview, cols, mapl;
    char *error; /* a message for the current step */
} import_pane;

static import_pane *IP(pane *p)
{
    return (import_pane *)p;
}

static void set_error(import_pane *p, const char *msg)
{
    free(p->error);
    p->error = msg ? xstrdup(msg) : NULL;
}

static void free_strv(char **v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static const char *table_col_name(const import_pane *p, int k)
{
    if (k < 0)
        return NULL;
    if (p->existing)
        return k < p->ntcols ? p->tcols[k] : NULL;
    return k < p->ncols ? p->names[k] : NULL;
}

/* ---- cells ---------------------------------------------------------------- */

static wg_col preview_cols[65];
static char preview_titles[65][72];

static const char *preview_cell(void *ctx, int row, int col, char *buf, size_t n)
{
    import_pane *p = ctx;
    if (!p->have_probe || row >= p->probe.nrows)
        return NULL;
    if (col == 0) {
        snprintf(buf, n, "%llu", (unsigned long long)p->probe.row_lines[row]);
        return buf;
    }
    const csv_row *r = &p->probe.rows[row];
    if (col - 1 >= r->n)
        return "";
    const csv_field *f = &r->f[col - 1];
    if (f->is_null)
        return "∅";
    char *u = csv_to_utf8(p->d.encoding, f->value, f->len);
    snprintf(buf, n, "%s", u);
    free(u);
    return buf;
}

static const wg_col col_cols[] = {
    {"#", 3, WG_RIGHT}, {"column", 26, 0}, {"type", 28, 0}, {"sample", 0, WG_FLEX}};

static const char *col_cell(void *ctx, int row, int col, char *buf, size_t n)
{
    import_pane *p = ctx;
    switch (col) {
    case 0:
        snprintf(buf, n, "%d", row + 1);
        return buf;
    case 1:
        return p->existing ? (row < p->ntcols ? p->tcols[row] : "") : p->names[row];
    case 2:
        if (p->existing)
            return p->ttypes && row < p->ntcols ? p->ttypes[row] : "";
        return p->types[row];
    default:
        if (!p->existing && p->probe.nrows > 0 && row < p->probe.rows[0].n) {
            const csv_field *f = &p->probe.rows[0].f[row];
            if (f->is_null)
                return "∅";
            char *u = csv_to_utf8(p->d.encoding, f->value, f->len);
            snprintf(buf, n, "%s", u);
            free(u);
            return buf;
        }
        return "";
    }
}

static const wg_col map_cols[] = {
    {"file column", 28, 0}, {"->", 2, 0}, {"table column", 28, 0}, {"first value", 0, WG_FLEX}};

static const char *file_col_name(const import_pane *p, int i, char *buf, size_t n)
{
    if (p->d.header && i < p->probe.header.n) {
        char *u = csv_to_utf8(p->d.encoding, p->probe.header.f[i].value, p->probe.header.f[i].len);
        snprintf(buf, n, "%s", u);
        free(u);
    } else {
        snprintf(buf, n, "field %d", i + 1);
    }
    return buf;
}

static const char *map_cell(void *ctx, int row, int col, char *buf, size_t n)
{
    import_pane *p = ctx;
    switch (col) {
    case 0:
        return file_col_name(p, row, buf, n);
    case 1:
        return "->";
    case 2:
        if (p->map[row] == -1)
            return "(skip)";
        if (p->map[row] == -2)
            return "(no match!)";
        return table_col_name(p, p->map[row]);
    default:
        return preview_cell(p, 0, row + 1, buf, n);
    }
}

static unsigned long map_attr(void *ctx, int row)
{
    import_pane *p = ctx;
    if (p->map[row] == -2)
        return theme_attr(TH_BAD);
    if (p->map[row] == -1)
        return theme_attr(TH_DIM);
    return 0;
}

/* ---- state changes -------------------------------------------------------- */

static void reset_target(import_pane *p)
{
    free_strv(p->names, p->ncols);
    free_strv(p->types, p->ncols);
    p->names = p->types = NULL;
    free(p->map);
    p->map = NULL;
    p->ncols = 0;
}

/* Column names and types for a new table from the probe; identity mapping. */
static void init_new_table(import_pane *p)
{
    reset_target(p);
    p->ncols = p->probe.ncols;
    p->names = xcalloc((size_t)p->ncols + 1, sizeof *p->names);
    p->types = xcalloc((size_t)p->ncols + 1, sizeof *p->types);
    p->map = xcalloc((size_t)p->ncols + 1, sizeof *p->map);
    for (int i = 0; i < p->ncols; i++) {
        p->names[i] = xstrdup(p->probe.names[i]);
        p->types[i] = xstrdup(csv_type_name(p->probe.types[i]));
        p->map[i] = i;
    }
    wg_list_set_count(&p->cols, p->ncols);
}

/* Existing table: file columns mapped by header name (exact, then
 * case-insensitive), else by position without a header; -2 = no match. */
static void map_existing(import_pane *p)
{
    free(p->map);
    p->map = xcalloc((size_t)p->probe.ncols + 1, sizeof *p->map);
    for (int i = 0; i < p->probe.ncols; i++) {
        p->map[i] = -2;
        if (p->d.header) {
            /* the names --create would give (one mapping both ways) */
            int k = import_match_column(p->probe.names[i], p->tcols, p->ntcols);
            if (k >= 0)
                p->map[i] = k;
        } else if (i < p->ntcols) {
            p->map[i] = i;
        }
    }
}

/* What the user settled, for the sniffer: the rest it judges with it. */
static csv_given given_of(const import_pane *p)
{
    csv_given g;
    csv_given_init(&g);
    g.delim = p->delim_set ? p->d.delim : 0;
    g.quote = p->d.quote;
    g.header = p->header_set ? p->d.header : -1;
    g.encoding = (int)p->d.encoding;
    return g;
}

/* The other reading of the file for the question (a doubt the sample left). */
static void probe_alternative(import_pane *p)
{
    if (p->have_alt)
        import_probe_free(&p->alt);
    p->have_alt = false;
    p->ask = ASK_NONE;
    csv_given g = given_of(p);
    if (p->probe.sniff.delim_alt && !p->delim_set) {
        p->ask = ASK_DELIM;
        g.delim = p->probe.sniff.delim_alt;
    } else if (p->probe.sniff.header_unsure && !p->header_set) {
        p->ask = ASK_HEADER;
        g.delim = p->d.delim;
        g.header = !p->d.header;
    } else {
        return;
    }
    char *err = NULL;
    p->have_alt = import_probe_given(p->path, &g, p->null_str, &p->alt, &err);
    if (!p->have_alt) {
        p->ask = ASK_NONE;
        set_error(p, err);
    }
    free(err);
}

static bool reprobe(import_pane *p)
{
    import_probe np;
    char *err = NULL;
    csv_given g = given_of(p);
    if (!import_probe_given(p->path, &g, p->null_str, &np, &err)) {
        set_error(p, err);
        free(err);
        return false;
    }
    if (p->have_probe)
        import_probe_free(&p->probe);
    p->probe = np;
    p->have_probe = true;
    p->d = np.d;
    probe_alternative(p);
    int nc = p->probe.ncols < 64 ? p->probe.ncols : 64;
    preview_cols[0] = (wg_col){"line", 6, WG_RIGHT};
    for (int i = 0; i < nc; i++) {
        char name[64];
        file_col_name(p, i, name, sizeof name);
        snprintf(preview_titles[i + 1], sizeof preview_titles[i + 1], "%s", name);
        preview_cols[i + 1] = (wg_col){preview_titles[i + 1], 14, 0};
    }
    wg_list_free(&p->preview);
    wg_list_init(&p->preview, preview_cols, nc + 1, preview_cell, p);
    wg_list_set_count(&p->preview, p->probe.nrows);
    wg_list_set_count(&p->mapl, p->probe.ncols);
    if (!p->existing)
        init_new_table(p);
    else
        map_existing(p);
    return true;
}

static void load_tables(import_pane *p)
{
    eng_exec_args a = {.sql = "SELECT CASE WHEN n.nspname = 'public' THEN c.relname "
                              "ELSE n.nspname || '.' || c.relname END FROM pg_class c "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE c.relkind IN ('r','p') AND n.nspname NOT IN "
                              "('pg_catalog','information_schema') AND n.nspname !~ '^pg_toast' "
                              "ORDER BY 1 LIMIT 5000",
                       .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE,
                       .tag = TAG_TABLES};
    p->tables_id = eng_exec(p->e, &a);
}

static void load_columns(import_pane *p)
{
    /* the name as the user typed it, resolved by the server (to_regclass) */
    const char *params[] = {p->table};
    eng_exec_args a = {.sql = "SELECT a.attname, n.nspname, c.relname, "
                              "format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                              "JOIN pg_class c ON c.oid = a.attrelid "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 "
                              "AND NOT a.attisdropped ORDER BY a.attnum",
                       .nparams = 1,
                       .params = params,
                       .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE,
                       .tag = TAG_COLUMNS};
    p->tcols_loaded = false;
    p->tcols_id = eng_exec(p->e, &a);
}

static void file_answer(pane *pp, const char *answer);

static void ask_file(import_pane *p)
{
    p->prompting = true;
    app_prompt(p->a, (pane *)p, "File to import: ", p->path ? p->path : "", true, file_answer);
}

/* ---- reading the file's sample off the UI thread ------------------------- */

typedef struct probe_job {
    pthread_t thread;
    int pipe[2]; /* the worker writes one byte when done: the pane's event_fd */
    char *path;
    bool ok;
    import_probe probe;
    char *err;
} probe_job;

static void *probe_main(void *arg)
{
    probe_job *j = arg;
    j->ok = import_probe_file(j->path, NULL, NULL, &j->probe, &j->err);
    char one = 1;
    while (write(j->pipe[1], &one, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* Waits for the worker (it has finished or soon will) and frees it; the
 * probe and the error are the caller's when wanted. */
static void probe_join(probe_job *j)
{
    pthread_join(j->thread, NULL);
    close(j->pipe[0]);
    close(j->pipe[1]);
    free(j->path);
}

static void probe_apply(import_pane *p, bool ok, import_probe *np, char *err)
{
    pane *pp = (pane *)p;
    if (!ok) {
        set_error(p, err);
        app_message(p->a, MSG_ERROR, "%s", err ? err : "cannot read the file");
        free(err);
        return;
    }
    if (np->empty) {
        char *m = xasprintf("%s is empty: nothing to import", p->path);
        set_error(p, m);
        app_message(p->a, MSG_ERROR, "%s", m);
        free(m);
        import_probe_free(np);
        return;
    }
    p->d = np->d;
    import_probe_free(np);
    p->existing = false;
    free(p->table);
    free(p->schema);
    p->schema = NULL;
    p->table = csv_table_name_from_path(p->path);
    set_error(p, NULL);
    /* the second read (with the sniffed dialect) finds the sample in the
     * page cache the worker just filled */
    if (reprobe(p))
        p->step = ST_SNIFF;
    app_mark_dirty(p->a, pp);
}

static void file_answer(pane *pp, const char *answer)
{
    import_pane *p = IP(pp);
    p->prompting = false;
    if (!answer || !*answer || p->job) {
        app_mark_dirty(p->a, pp);
        return;
    }
    free(p->path);
    p->path = xstrdup(answer);
    csv_dialect_default(&p->d);
    p->delim_set = p->header_set = false;
    probe_job *j = xcalloc(1, sizeof *j);
    j->path = xstrdup(p->path);
    if (pipe(j->pipe) != 0) {
        free(j->path);
        free(j);
        char *m = xasprintf("cannot read %s: %s", p->path, strerror(errno));
        probe_apply(p, false, NULL, m);
        app_mark_dirty(p->a, pp);
        return;
    }
    if (pthread_create(&j->thread, NULL, probe_main, j) != 0) {
        close(j->pipe[0]);
        close(j->pipe[1]);
        free(j->path);
        free(j);
        probe_apply(p, false, NULL, xasprintf("cannot read %s: no thread", p->path));
        app_mark_dirty(p->a, pp);
        return;
    }
    p->job = j;
    app_mark_dirty(p->a, pp);
}

/* Completion leaves a space after a word: names never end (or start) with one
 * when typed at a prompt. */
static char *trimmed(const char *s)
{
    while (*s == ' ')
        s++;
    char *t = xstrdup(s);
    size_t n = strlen(t);
    while (n && t[n - 1] == ' ')
        t[--n] = '\0';
    return t;
}

static void table_answer(pane *pp, const char *answer_raw)
{
    import_pane *p = IP(pp);
    p->prompting = false;
    char *answer = answer_raw ? trimmed(answer_raw) : NULL;
    if (answer && *answer) {
        free(p->table);
        p->table = xstrdup(answer);
        p->existing = true;
        free_strv(p->tcols, p->ntcols);
        free_strv(p->ttypes, p->ntcols);
        p->tcols = p->ttypes = NULL;
        p->ntcols = 0;
        wg_list_set_count(&p->cols, 0);
        load_columns(p);
    }
    free(answer);
    app_mark_dirty(p->a, pp);
}

static void newname_answer(pane *pp, const char *answer_raw)
{
    import_pane *p = IP(pp);
    p->prompting = false;
    char *answer = answer_raw ? trimmed(answer_raw) : NULL;
    if (answer && *answer) {
        free(p->table);
        free(p->schema);
        p->schema = NULL;
        p->table = xstrdup(answer);
        if (p->existing) {
            p->existing = false;
            init_new_table(p);
        }
    }
    free(answer);
    app_mark_dirty(p->a, pp);
}

static void colname_answer(pane *pp, const char *answer)
{
    import_pane *p = IP(pp);
    p->prompting = false;
    int i = p->cols.sel;
    if (answer && *answer && i >= 0 && i < p->ncols) {
        free(p->names[i]);
        p->names[i] = xstrdup(answer);
        csv_truncate_utf8(p->names[i], CSV_NAMEDATALEN);
        csv_names_dedupe(p->names, p->ncols);
    }
    app_mark_dirty(p->a, pp);
}

static const char *const type_words[] = {"bool",   "int4",  "int8",      "numeric",
                                         "float8", "date",  "timestamp", "timestamptz",
                                         "uuid",   "jsonb", "text",      NULL};

/* The server's spelling of a checked type (regtype's text has no modifier)
 * with the numeric modifier the user typed put back where format_type puts
 * it: "numeric(10,2)", "timestamp(3) with time zone", "numeric(10,2)[]". */
static char *with_typmod(const char *canon, const char *typed)
{
    const char *o = strrchr(typed, '('), *c = o ? strchr(o, ')') : NULL;
    if (!o || !c || strchr(canon, '('))
        return xstrdup(canon);
    for (const char *q = o + 1; q < c; q++)
        if (!(*q >= '0' && *q <= '9') && *q != ',' && *q != ' ')
            return xstrdup(canon);
    size_t at = strlen(canon);
    while (at >= 2 && canon[at - 2] == '[' && canon[at - 1] == ']')
        at -= 2;
    static const char *const zones[] = {" with time zone", " without time zone"};
    for (size_t k = 0; k < 2; k++) {
        size_t l = strlen(zones[k]);
        if (at >= l && memcmp(canon + at - l, zones[k], l) == 0) {
            at -= l;
            break;
        }
    }
    return xasprintf("%.*s%.*s%s", (int)at, canon, (int)(c - o + 1), o, canon + at);
}

static void coltype_answer(pane *pp, const char *answer_raw)
{
    import_pane *p = IP(pp);
    p->prompting = false;
    char *answer = answer_raw ? trimmed(answer_raw) : NULL;
    int i = p->cols.sel;
    csv_type t;
    if (answer && *answer && i >= 0 && i < p->ncols) {
        if (csv_type_parse(answer, &t)) {
            free(p->types[i]);
            p->types[i] = xstrdup(csv_type_name(t));
        } else if (!p->type_id) {
            /* any type the server accepts (numeric(10,2), a domain...): it
             * checks the name and spells it; nothing is pasted unchecked */
            const char *params[] = {answer};
            eng_exec_args a = {.sql = "SELECT $1::regtype::text",
                               .nparams = 1,
                               .params = params,
                               .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE,
                               .tag = TAG_TYPE};
            free(p->type_typed);
            free(p->type_canon);
            free(p->type_error);
            p->type_canon = p->type_error = NULL;
            p->type_typed = xstrdup(answer);
            p->type_col = i;
            p->type_id = eng_exec(p->e, &a);
            app_message(p->a, MSG_INFO, "checking the type \"%s\" with the server…", answer);
        }
    }
    free(answer);
    app_mark_dirty(p->a, pp);
}

/* The server's answer about a typed type. */
static int type_checked(import_pane *p, const eng_event *ev)
{
    if (ev->kind == EV_RESULT && ev->result) {
        if (eng_result_status(ev->result) == ENG_RES_TUPLES && eng_result_nrows(ev->result) > 0) {
            free(p->type_canon);
            p->type_canon = xstrdup(eng_result_value(ev->result, 0, 0));
        } else if (eng_result_status(ev->result) == ENG_RES_ERROR && eng_result_error(ev->result) &&
                   !p->type_error) {
            const char *m = eng_result_error(ev->result)->message;
            p->type_error = xstrdup(m ? m : "not a type");
        }
        return 0;
    }
    if (ev->kind != EV_DONE)
        return 0;
    p->type_id = 0;
    char *type = p->type_canon && ev->status == ENG_DONE_OK
                     ? with_typmod(p->type_canon, p->type_typed)
                     : NULL;
    if (type && import_type_ok(type) && p->type_col < p->ncols && !p->existing) {
        free(p->types[p->type_col]);
        p->types[p->type_col] = type;
        type = NULL;
        app_message(p->a, MSG_INFO, "column %s: type %s", p->names[p->type_col],
                    p->types[p->type_col]);
    } else {
        const char *why = p->type_error                     ? p->type_error
                          : ev->error && ev->error->message ? ev->error->message
                          : type                            ? "not usable as a column type"
                                                            : "not a type";
        app_message(p->a, MSG_ERROR, "type \"%s\": %s", p->type_typed, why);
    }
    free(type);
    return PANE_REDRAW;
}

static void mapto_answer(pane *pp, const char *answer_raw)
{
    import_pane *p = IP(pp);
    p->prompting = false;
    char *answer = answer_raw ? trimmed(answer_raw) : NULL;
    int i = p->mapl.sel;
    if (answer && *answer && i >= 0 && i < p->probe.ncols) {
        int n = p->existing ? p->ntcols : p->ncols;
        int found = -2;
        for (int k = 0; k < n && found == -2; k++)
            if (strcmp(table_col_name(p, k), answer) == 0)
                found = k;
        for (int k = 0; k < n && found == -2; k++)
            if (strcasecmp(table_col_name(p, k), answer) == 0)
                found = k;
        if (found == -2)
            app_message(p->a, MSG_ERROR, "no column \"%s\" in %s", answer, p->table);
        else
            p->map[i] = found;
    }
    free(answer);
    app_mark_dirty(p->a, pp);
}

static void null_answer(pane *pp, const char *answer)
{
    import_pane *p = IP(pp);
    p->prompting = false;
    if (answer) {
        free(p->null_str);
        p->null_str = *answer ? xstrdup(answer) : NULL;
    }
    app_mark_dirty(p->a, pp);
}

static void maxerr_answer(pane *pp, const char *answer)
{
    import_pane *p = IP(pp);
    p->prompting = false;
    if (answer) {
        char *end;
        double v = strtod(answer, &end);
        if (end == answer || v < 0 || (*end && strcmp(end, "%") != 0)) {
            app_message(p->a, MSG_ERROR, "max errors: a number N or a percentage P%%");
        } else if (*end == '%') {
            p->max_errors_pct = v;
            p->max_errors = 0;
        } else {
            p->max_errors = (long)v;
            p->max_errors_pct = 0;
        }
    }
    app_mark_dirty(p->a, pp);
}

static void reject_answer(pane *pp, const char *answer)
{
    import_pane *p = IP(pp);
    p->prompting = false;
    if (answer) {
        free(p->reject_path);
        p->reject_path = *answer ? xstrdup(answer) : NULL;
    }
    app_mark_dirty(p->a, pp);
}

static void prompt(import_pane *p, const char *q, const char *initial, bool files, app_prompt_cb cb,
                   const char *const *words)
{
    p->prompting = true;
    app_prompt(p->a, (pane *)p, q, initial ? initial : "", files, cb);
    if (words)
        le_set_words(words);
}

/* ---- running ------------------------------------------------------------ */

static void start_import(import_pane *p)
{
    if (app_readonly(p->a)) {
        app_message(p->a, MSG_ERROR, "--readonly: importing is disabled");
        return;
    }
    import_spec s;
    import_spec_init(&s);
    s.path = xstrdup(p->path);
    s.table = xstrdup(p->table);
    s.schema = p->existing && p->schema ? xstrdup(p->schema) : NULL;
    s.d = p->d;
    s.ncols = p->probe.ncols;
    s.create = !p->existing;
    s.truncate = p->existing && p->truncate;
    s.null_str = p->null_str ? xstrdup(p->null_str) : NULL;
    s.null_mode = p->null_mode;
    s.jobs = p->jobs;
    s.max_errors = p->max_errors;
    s.max_errors_pct = p->max_errors_pct;
    s.reject_path = p->reject_path ? xstrdup(p->reject_path) : NULL;
    s.cols = xcalloc((size_t)s.ncols + 1, sizeof *s.cols);
    for (int i = 0; i < s.ncols; i++) {
        const char *t = table_col_name(p, p->map[i]);
        s.cols[i].skip = t == NULL;
        s.cols[i].name = t ? xstrdup(t) : NULL;
        s.cols[i].type = !p->existing && i < p->ncols ? xstrdup(p->types[i]) : NULL;
    }
    if (!p->existing) { /* the new table's columns are the mapped ones, with their types */
        for (int i = 0; i < s.ncols; i++)
            if (!s.cols[i].skip) {
                free(s.cols[i].type);
                s.cols[i].type = xstrdup(p->types[p->map[i]]);
            }
    }
    if (p->im)
        import_free(p->im);
    p->server_progress[0] = '\0';
    p->im = import_start(p->e, &s);
    import_spec_free(&s);
    p->step = ST_RUN;
}

static void poll_server_progress(import_pane *p)
{
    if (!p->im || p->progress_id)
        return;
    import_progress pr;
    import_get_progress(p->im, &pr);
    if (!pr.backend_pid)
        return;
    char pid[16];
    snprintf(pid, sizeof pid, "%d", pr.backend_pid);
    const char *params[] = {pid};
    eng_exec_args a = {.sql = "SELECT bytes_processed || ' bytes, ' || tuples_processed || "
                              "' tuples' || CASE WHEN tuples_excluded > 0 THEN ', ' || "
                              "tuples_excluded || ' excluded' ELSE '' END "
                              "FROM pg_stat_progress_copy WHERE pid = $1::int",
                       .nparams = 1,
                       .params = params,
                       .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE,
                       .tag = TAG_PROGRESS};
    p->progress_id = eng_exec(p->e, &a);
}

static int check_done(import_pane *p)
{
    if (p->step == ST_RUN && p->im && import_done(p->im)) {
        p->step = ST_RESULT;
        return PANE_REDRAW;
    }
    return 0;
}

/* ---- drawing ------------------------------------------------------------ */

static int put(WINDOW *w, int y, int x, int cols, const char *s, unsigned long attr)
{
    if (x >= cols)
        return x;
    return x + wg_text(w, y, x, s, cols - x, attr);
}

static void draw_steps(import_pane *p, WINDOW *w, int cols)
{
    int x = put(w, 0, 0, cols, "Import  ", theme_attr(TH_TITLE));
    for (int s = 0; s <= ST_RESULT; s++) {
        char b[32];
        snprintf(b, sizeof b, "%d %s", s + 1, step_names[s]);
        x = put(w, 0, x, cols, b, theme_attr((int)p->step == s ? TH_SELECTED : TH_DIM));
        x = put(w, 0, x, cols, s < ST_RESULT ? " › " : "", theme_attr(TH_DIM));
    }
}

static void draw_kv(WINDOW *w, int y, int cols, const char *key, const char *label,
                    const char *value)
{
    int x = put(w, y, 2, cols, key, theme_attr(TH_FOOTER_KEY));
    x = put(w, y, x + 1, cols, label, theme_attr(TH_LABEL));
    put(w, y, x + 1 > 26 ? x + 1 : 26, cols, value, theme_attr(TH_VALUE));
}

static void draw_file(import_pane *p, WINDOW *w, int rows, int cols)
{
    (void)rows;
    put(w, 2, 2, cols,
        p->job         ? "Reading the file's first megabyte…"
        : p->prompting ? "Type the path of a CSV file below (Tab completes)."
                       : "Enter: choose a CSV file to import.",
        theme_attr(TH_NORMAL));
    if (p->path) {
        int x = put(w, 4, 2, cols, "Last file: ", theme_attr(TH_LABEL));
        put(w, 4, x, cols, p->path, theme_attr(TH_VALUE));
    }
}

static const char *delim_label(char c, char *b, size_t n)
{
    if (c == '\t')
        snprintf(b, n, "tab");
    else
        snprintf(b, n, "%c (%s)", c, csv_delim_name(c));
    return b;
}

/* One reading of the file in a box of the screen: its column names, then its
 * first records, fields separated by │, each record after its file line. */
static void draw_reading(import_pane *p, const import_probe *pr, WINDOW *w, int y, int x, int rows,
                         int width, const char *title)
{
    put(w, y, x, x + width, title, theme_attr(TH_LABEL));
    strbuf sb;
    sb_init(&sb);
    for (int c = 0; c < pr->ncols; c++)
        sb_printf(&sb, "%s%s", c ? " │ " : "", pr->names[c]);
    int x2 = put(w, y + 1, x, x + width,
                 pr->d.header ? "names: " : "names (none in the file): ", theme_attr(TH_DIM));
    put(w, y + 1, x2, x + width, sb.data, theme_attr(TH_VALUE));
    for (int r = 0; r < pr->nrows && y + 2 + r < rows; r++) {
        sb_reset(&sb);
        sb_printf(&sb, "%llu: ", (unsigned long long)pr->row_lines[r]);
        for (int c = 0; c < pr->rows[r].n; c++) {
            const csv_field *f = &pr->rows[r].f[c];
            char *u = f->is_null ? xstrdup("∅") : csv_to_utf8(p->d.encoding, f->value, f->len);
            sb_printf(&sb, "%s%s", c ? " │ " : "", u);
            free(u);
        }
        put(w, y + 2 + r, x, x + width, sb.data, theme_attr(TH_NORMAL));
    }
    sb_free(&sb);
}

/* The question the sample leaves, with the two readings side by side. */
static void draw_question(import_pane *p, WINDOW *w, int y, int rows, int cols)
{
    char q[256], ta[128], tb[128], la[32], lb[32];
    if (p->ask == ASK_DELIM) {
        delim_label(p->d.delim, la, sizeof la);
        delim_label(p->alt.d.delim, lb, sizeof lb);
        snprintf(q, sizeof q,
                 "The delimiter is ambiguous: %s and %s split every line alike. Which one? "
                 "a: left   b: right",
                 la, lb);
        snprintf(ta, sizeof ta, "a: delimiter %s, %d columns", la, p->probe.ncols);
        snprintf(tb, sizeof tb, "b: delimiter %s, %d columns", lb, p->alt.ncols);
    } else {
        snprintf(q, sizeof q,
                 "Is line 1 a header or data? The sample cannot tell. a: left   b: right");
        snprintf(ta, sizeof ta, "a: %s",
                 p->d.header ? "header (line 1 names the columns)" : "no header (line 1 is data)");
        snprintf(tb, sizeof tb, "b: %s",
                 p->alt.d.header ? "header (line 1 names the columns)"
                                 : "no header (line 1 is data)");
    }
    put(w, y, 2, cols, q, theme_attr(TH_WARN));
    int half = (cols - 3) / 2;
    if (half < 8 || rows <= y + 2)
        return;
    draw_reading(p, &p->probe, w, y + 1, 1, rows, half, ta);
    for (int r = y + 1; r < rows; r++)
        put(w, r, half + 1, cols, "┃", theme_attr(TH_DIM));
    draw_reading(p, &p->alt, w, y + 1, half + 3, rows, cols - half - 3, tb);
}

static void draw_sniff(import_pane *p, WINDOW *w, int rows, int cols)
{
    char b[256], size[32];
    import_format_bytes((double)p->probe.size, size, sizeof size);
    snprintf(b, sizeof b, "%s  (%s, %d columns)", p->path, size, p->probe.ncols);
    put(w, 1, 2, cols, b, theme_attr(TH_VALUE));
    char v[128];
    if (p->d.delim == '\t')
        snprintf(v, sizeof v, "tab");
    else
        snprintf(v, sizeof v, "%c (%s)", p->d.delim, csv_delim_name(p->d.delim));
    draw_kv(w, 2, cols, "d", "delimiter", v);
    snprintf(v, sizeof v, "%c", p->d.quote);
    draw_kv(w, 3, cols, "Q", "quote", v);
    draw_kv(w, 4, cols, "h", "header", p->d.header ? "yes (first record names the columns)" : "no");
    snprintf(v, sizeof v, "%s%s%s", csv_encoding_name(p->d.encoding),
             p->d.bom ? ", BOM (stripped)" : "",
             !p->probe.sniff.utf8_ok && p->d.encoding == CSV_ENC_UTF8
                 ? "  — NOT valid UTF-8: press e for LATIN1/WIN1252"
                 : "");
    draw_kv(w, 5, cols, "e", "encoding", v);
    if (p->probe.sniff.nul_line) {
        snprintf(v, sizeof v,
                 "a NUL byte on line %llu: PostgreSQL text cannot hold it (the import will stop "
                 "there)",
                 (unsigned long long)p->probe.sniff.nul_line);
        put(w, 7, 2, cols, v, theme_attr(TH_BAD));
    }
    snprintf(v, sizeof v, "%s%s", csv_eol_name(p->probe.sniff.eol),
             p->probe.sniff.eol == CSV_EOL_MIXED ? " (each record re-terminated with LF)" : "");
    draw_kv(w, 6, cols, " ", "line endings", v);
    if (p->probe.nbad && !p->probe.sniff.nul_line) {
        snprintf(v, sizeof v, "%d record(s) with another field count, first on line %llu",
                 p->probe.nbad, (unsigned long long)p->probe.first_bad_line);
        put(w, 7, 2, cols, v, theme_attr(TH_WARN));
    }
    if (p->ask != ASK_NONE && p->have_alt) {
        draw_question(p, w, 8, rows, cols);
        return;
    }
    put(w, 8, 2, cols, "Preview (parsed as COPY will; ∅ = NULL):", theme_attr(TH_LABEL));
    if (rows > 10)
        wg_list_draw(&p->preview, w, 9, 0, rows - 9, cols);
}

static void draw_target(import_pane *p, WINDOW *w, int rows, int cols)
{
    char v[300];
    snprintf(v, sizeof v, "%s table %s", p->existing ? "existing" : "new", p->table);
    draw_kv(w, 1, cols, "n/x", "target", v);
    put(w, 2, 2, cols,
        p->existing ? "x: another existing table (Tab completes)   n: a new table instead"
                    : "n: rename   x: an existing table   r: rename column   t: column type",
        theme_attr(TH_DIM));
    if (p->existing && !p->tcols_loaded) {
        put(w, 4, 2, cols, "reading the table's columns…", theme_attr(TH_DIM));
        return;
    }
    if (p->existing && p->ntcols == 0) {
        put(w, 4, 2, cols, "no such table (or no columns): x chooses another", theme_attr(TH_BAD));
        return;
    }
    if (rows > 4)
        wg_list_draw(&p->cols, w, 4, 0, rows - 4, cols);
}

static int unmatched(const import_pane *p)
{
    int n = 0;
    for (int i = 0; i < p->probe.ncols; i++)
        n += p->map[i] == -2;
    return n;
}

static void draw_map(import_pane *p, WINDOW *w, int rows, int cols)
{
    int bad = unmatched(p);
    char v[256];
    if (bad)
        snprintf(v, sizeof v, "%d file column(s) match no table column: m maps, s skips", bad);
    else
        snprintf(v, sizeof v, "every file column has a target");
    put(w, 1, 2, cols, v, theme_attr(bad ? TH_BAD : TH_GOOD));
    put(w, 2, 2, cols, "m: map to…   s: skip/unskip   K/J: move the target up/down",
        theme_attr(TH_DIM));
    /* table columns the file does not fill take their defaults */
    strbuf sb;
    sb_init(&sb);
    int n = p->existing ? p->ntcols : p->ncols;
    for (int k = 0; k < n; k++) {
        bool used = false;
        for (int i = 0; i < p->probe.ncols; i++)
            used |= p->map[i] == k;
        if (!used)
            sb_printf(&sb, "%s%s", sb.len ? ", " : "", table_col_name(p, k));
    }
    if (sb.len) {
        int x = put(w, 3, 2, cols, "defaults for: ", theme_attr(TH_LABEL));
        put(w, 3, x, cols, sb.data, theme_attr(TH_VALUE));
    }
    sb_free(&sb);
    if (rows > 5)
        wg_list_draw(&p->mapl, w, 5, 0, rows - 5, cols);
}

static void draw_options(import_pane *p, WINDOW *w, int rows, int cols)
{
    static const char *const modes[] = {
        "COPY's CSV rule: unquoted empty = NULL, \"\" = empty string",
        "every empty field is NULL (FORCE_NULL)",
        "never NULL: empty fields are empty strings (FORCE_NOT_NULL)"};
    char v[128];
    snprintf(v, sizeof v, "%s", p->null_str ? p->null_str : "(empty)");
    draw_kv(w, 1, cols, "n", "NULL string", v);
    draw_kv(w, 2, cols, "E", "empty fields", modes[p->null_mode]);
    draw_kv(w, 3, cols, "t", "truncate first",
            p->existing ? (p->truncate ? "yes" : "no") : "(new table)");
    snprintf(v, sizeof v, "%d%s", p->jobs,
             p->jobs > 1 ? " (two-phase commit: all or nothing)" : "");
    draw_kv(w, 4, cols, "j", "parallel jobs", v);
    if (p->max_errors_pct > 0)
        snprintf(v, sizeof v, "skip up to %g%% bad records", p->max_errors_pct);
    else if (p->max_errors > 0)
        snprintf(v, sizeof v, "skip up to %ld bad records", p->max_errors);
    else
        snprintf(v, sizeof v, "stop at the first error");
    draw_kv(w, 5, cols, "m", "errors", v);
    draw_kv(w, 6, cols, "r", "reject file", p->reject_path ? p->reject_path : "(none)");
    if (p->jobs > 1) {
        static const char *const twophase[] = {
            "Two-phase commit: the file is cut at record boundaries; each part is COPYed",
            "on its own session and PREPARE TRANSACTION'd, then COMMIT PREPARED all -- or",
            "ROLLBACK PREPARED all when one part fails: all or nothing. It needs the",
            "server's max_prepared_transactions >= jobs (with fewer slots fewer jobs run,",
            "and the result says so); a crash between PREPARE and COMMIT PREPARED leaves",
            "prepared transactions (pg_prepared_xacts) to resolve by hand."};
        snprintf(v, sizeof v, "Enter: start the import (%d parallel parts, two-phase commit)",
                 p->jobs);
        put(w, 8, 2, cols, v, theme_attr(TH_NORMAL));
        for (int k = 0; k < 6 && 10 + k < rows; k++)
            put(w, 10 + k, 4, cols, twophase[k], theme_attr(TH_DIM));
    } else {
        put(w, 8, 2, cols, "Enter: start the import (one transaction: all or nothing)",
            theme_attr(TH_NORMAL));
    }
}

static void draw_run(import_pane *p, WINDOW *w, int rows, int cols)
{
    (void)rows;
    import_progress pr;
    import_get_progress(p->im, &pr);
    double frac = pr.bytes_total ? (double)pr.bytes_done / (double)pr.bytes_total : 0;
    char done[32], total[32], lab[64], v[256];
    import_format_bytes((double)pr.bytes_done, done, sizeof done);
    import_format_bytes((double)pr.bytes_total, total, sizeof total);
    snprintf(lab, sizeof lab, "%.1f%%", frac * 100);
    wg_seg seg = {frac * 100, theme_attr(TH_GAUGE_USED)};
    int gw = cols - 4 > 60 ? 60 : cols - 4;
    if (gw > 4)
        wg_gauge(w, 2, 2, gw, &seg, 1, 100, lab, theme_attr(TH_NORMAL));
    double rate = pr.elapsed > 0 ? (double)pr.bytes_done / pr.elapsed : 0;
    char eta[32];
    import_format_eta(&pr, eta, sizeof eta);
    snprintf(v, sizeof v, "%s / %s   %llu rows   %.0f rows/s   %.1f MB/s   ETA %s   (%s)", done,
             total, (unsigned long long)pr.rows_sent,
             pr.elapsed > 0 ? (double)pr.rows_sent / pr.elapsed : 0, rate / 1e6, eta, pr.phase);
    put(w, 3, 2, cols, v, theme_attr(TH_VALUE));
    int x = put(w, 4, 2, cols, "server (pg_stat_progress_copy): ", theme_attr(TH_LABEL));
    put(w, 4, x, cols, p->server_progress[0] ? p->server_progress : "…", theme_attr(TH_VALUE));
    put(w, 6, 2, cols, "Esc or Ctrl-C cancels: nothing is imported. Other panes stay live.",
        theme_attr(TH_DIM));
}

static void draw_result(import_pane *p, WINDOW *w, int rows, int cols)
{
    (void)rows;
    const import_result *r = import_get_result(p->im);
    char v[512];
    if (!r)
        return;
    if (r->status == IMPORT_OK) {
        char b[32];
        import_format_bytes(r->seconds > 0 ? (double)r->bytes / r->seconds : 0, b, sizeof b);
        snprintf(v, sizeof v, "imported %llu rows into %s in %.2f s (%s/s%s)",
                 (unsigned long long)r->rows, p->table, r->seconds, b,
                 r->jobs > 1 ? ", parallel" : "");
        put(w, 2, 2, cols, v, theme_attr(TH_GOOD));
        if (r->rejected) {
            snprintf(v, sizeof v, "%llu bad records skipped%s%s", (unsigned long long)r->rejected,
                     p->reject_path ? ", written to " : "", p->reject_path ? p->reject_path : "");
            put(w, 3, 2, cols, v, theme_attr(TH_WARN));
        }
    } else {
        put(w, 2, 2, cols, r->message ? r->message : import_status_name(r->status),
            theme_attr(TH_BAD));
        int y = 3;
        if (r->detail)
            put(w, y++, 2, cols, r->detail, theme_attr(TH_NORMAL));
        if (r->line) {
            snprintf(v, sizeof v, "%s, line %llu:", p->path, (unsigned long long)r->line);
            put(w, y++, 2, cols, v, theme_attr(TH_LABEL));
            put(w, y++, 4, cols, r->record ? r->record : "", theme_attr(TH_VALUE));
        }
        put(w, y + 1, 2, cols,
            r->status == IMPORT_UNKNOWN ? "outcome unknown: the connection was lost during COMMIT"
                                        : "nothing imported",
            theme_attr(TH_BAD));
    }
    if (r->note)
        put(w, 7, 2, cols, r->note, theme_attr(TH_DIM));
    put(w, 9, 2, cols, "Enter: import another file", theme_attr(TH_DIM));
}

static void imp_draw(pane *pp, WINDOW *w, int rows, int cols)
{
    import_pane *p = IP(pp);
    werase(w);
    if (rows < 1 || cols < 1)
        return;
    draw_steps(p, w, cols);
    if (rows < 3)
        return;
    switch (p->step) {
    case ST_FILE:
        draw_file(p, w, rows, cols);
        break;
    case ST_SNIFF:
        draw_sniff(p, w, rows, cols);
        break;
    case ST_TARGET:
        draw_target(p, w, rows, cols);
        break;
    case ST_MAP:
        draw_map(p, w, rows, cols);
        break;
    case ST_OPTIONS:
        draw_options(p, w, rows, cols);
        break;
    case ST_RUN:
        draw_run(p, w, rows, cols);
        break;
    case ST_RESULT:
        draw_result(p, w, rows, cols);
        break;
    }
    if (p->error && p->step != ST_RESULT && rows > 2)
        put(w, rows - 1, 0, cols, p->error, theme_attr(TH_MESSAGE_ERROR));
}

/* ---- keys --------------------------------------------------------------- */

static const char delims[] = {',', ';', '\t', '|'};

static void go_back(import_pane *p)
{
    set_error(p, NULL);
    switch (p->step) {
    case ST_SNIFF:
    case ST_RESULT:
        p->step = ST_FILE;
        ask_file(p);
        break;
    case ST_TARGET:
        p->step = ST_SNIFF;
        break;
    case ST_MAP:
        p->step = ST_TARGET;
        break;
    case ST_OPTIONS:
        p->step = ST_MAP;
        break;
    default:
        break;
    }
}

static int key_sniff(import_pane *p, int ch)
{
    switch (ch) {
    case 'a': /* the question: the left reading */
    case 'b': /* ... the right one */
        if (p->ask == ASK_NONE || !p->have_alt)
            return -1;
        if (ch == 'b')
            p->d = p->alt.d;
        if (p->ask == ASK_DELIM)
            p->delim_set = true;
        else
            p->header_set = true;
        set_error(p, NULL);
        break;
    case 'd': {
        int k = 0;
        while (k < 4 && delims[k] != p->d.delim)
            k++;
        p->d.delim = delims[(k + 1) % 4];
        p->delim_set = true;
        break;
    }
    case 'Q':
        p->d.quote = p->d.quote == '"' ? '\'' : '"';
        break;
    case 'h':
        p->d.header = !p->d.header;
        p->header_set = true;
        break;
    case 'e':
        p->d.encoding = (csv_encoding)((p->d.encoding + 1) % 3);
        break;
    default:
        return -1;
    }
    if (p->d.quote == p->d.delim)
        p->d.quote = p->d.quote == '"' ? '\'' : '"';
    reprobe(p);
    return PANE_HANDLED | PANE_REDRAW;
}

static int key_target(import_pane *p, int ch)
{
    switch (ch) {
    case 'n':
        prompt(p, "New table name: ", p->existing ? "" : p->table, false, newname_answer, NULL);
        return PANE_HANDLED | PANE_REDRAW;
    case 'x':
        if (!p->tables)
            load_tables(p);
        prompt(p, "Existing table: ", "", false, table_answer, (const char *const *)p->tables);
        return PANE_HANDLED | PANE_REDRAW;
    case 'r':
        if (!p->existing && p->cols.sel >= 0)
            prompt(p, "Column name: ", p->names[p->cols.sel], false, colname_answer, NULL);
        return PANE_HANDLED | PANE_REDRAW;
    case 't':
        if (!p->existing && p->cols.sel >= 0)
            prompt(p, "Type: ", p->types[p->cols.sel], false, coltype_answer, type_words);
        return PANE_HANDLED | PANE_REDRAW;
    default:
        return -1;
    }
}

static const char **map_words(import_pane *p)
{
    static const char **words;
    free(words);
    int n = p->existing ? p->ntcols : p->ncols;
    words = xcalloc((size_t)n + 1, sizeof *words);
    for (int k = 0; k < n; k++)
        words[k] = table_col_name(p, k);
    return words;
}

static int key_map(import_pane *p, int ch)
{
    int i = p->mapl.sel;
    if (i < 0)
        return -1;
    switch (ch) {
    case 's':
        if (p->map[i] != -1) {
            p->map[i] = -1;
        } else if (!p->existing) {
            p->map[i] = i < p->ncols ? i : -2;
        } else { /* back to what the header says */
            int *saved = xmalloc(sizeof *saved * (size_t)(p->probe.ncols + 1));
            memcpy(saved, p->map, sizeof *saved * (size_t)p->probe.ncols);
            map_existing(p);
            int mine = p->map[i];
            memcpy(p->map, saved, sizeof *saved * (size_t)p->probe.ncols);
            p->map[i] = mine;
            free(saved);
        }
        return PANE_HANDLED | PANE_REDRAW;
    case 'm':
        prompt(p, "Table column: ", table_col_name(p, p->map[i]), false, mapto_answer,
               (const char *const *)map_words(p));
        return PANE_HANDLED | PANE_REDRAW;
    case 'K':
    case 'J': {
        int j = ch == 'K' ? i - 1 : i + 1;
        if (j < 0 || j >= p->probe.ncols)
            return PANE_HANDLED;
        int t = p->map[i];
        p->map[i] = p->map[j];
        p->map[j] = t;
        wg_list_select(&p->mapl, j);
        return PANE_HANDLED | PANE_REDRAW;
    }
    default:
        return -1;
    }
}

static int key_options(import_pane *p, int ch)
{
    char b[64];
    switch (ch) {
    case 'n':
        prompt(p, "NULL string (empty = COPY's default): ", p->null_str, false, null_answer, NULL);
        break;
    case 'E':
        p->null_mode = (import_null_mode)((p->null_mode + 1) % 3);
        break;
    case 't':
        p->truncate = !p->truncate;
        break;
    case 'j':
        p->jobs = p->jobs >= 8 ? 1 : p->jobs * 2;
        break;
    case 'm':
        if (p->max_errors_pct > 0)
            snprintf(b, sizeof b, "%g%%", p->max_errors_pct);
        else
            snprintf(b, sizeof b, "%ld", p->max_errors);
        prompt(p, "Max bad records to skip (N or P%, 0 = stop at the first): ", b, false,
               maxerr_answer, NULL);
        break;
    case 'r':
        prompt(p, "Reject file: ", p->reject_path, true, reject_answer, NULL);
        break;
    default:
        return -1;
    }
    return PANE_HANDLED | PANE_REDRAW;
}

static bool is_enter(int ch, bool is_key)
{
    return (!is_key && (ch == '\n' || ch == '\r')) || (is_key && ch == KEY_ENTER);
}

static int imp_on_key(pane *pp, int ch, bool is_key)
{
    import_pane *p = IP(pp);
    if (p->job)
        return PANE_IGNORED; /* the sample is being read: the rest of the console works */
    bool esc = !is_key && ch == 27;
    bool ctrl_c = !is_key && ch == 3;
    if (p->step == ST_RUN) {
        if (esc || ctrl_c) {
            import_cancel(p->im);
            app_message(p->a, MSG_WARN, "canceling the import…");
            return PANE_HANDLED | PANE_REDRAW;
        }
        return PANE_IGNORED;
    }
    if (esc) {
        if (p->step == ST_FILE)
            return PANE_IGNORED;
        go_back(p);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (is_enter(ch, is_key)) {
        set_error(p, NULL);
        switch (p->step) {
        case ST_FILE:
        case ST_RESULT:
            p->step = ST_FILE;
            ask_file(p);
            break;
        case ST_SNIFF:
            if (p->ask != ASK_NONE) {
                set_error(p, p->ask == ASK_DELIM
                                 ? "which delimiter? a (left) or b (right), or d to choose"
                                 : "header or data? a (left) or b (right), or h to choose");
                break;
            }
            p->step = ST_TARGET;
            break;
        case ST_TARGET:
            if (p->existing && (!p->tcols_loaded || p->ntcols == 0)) {
                set_error(p, "choose an existing table with x, or a new one with n");
                break;
            }
            p->step = ST_MAP;
            break;
        case ST_MAP:
            if (unmatched(p)) {
                set_error(p, "some file columns match no table column: map (m) or skip (s) them");
                break;
            }
            p->step = ST_OPTIONS;
            break;
        case ST_OPTIONS:
            start_import(p);
            break;
        default:
            break;
        }
        return PANE_HANDLED | PANE_REDRAW;
    }
    int r = -1;
    if (!is_key) {
        if (p->step == ST_SNIFF)
            r = key_sniff(p, ch);
        else if (p->step == ST_TARGET)
            r = key_target(p, ch);
        else if (p->step == ST_MAP)
            r = key_map(p, ch);
        else if (p->step == ST_OPTIONS)
            r = key_options(p, ch);
    }
    if (r >= 0)
        return r;
    wg_list *l = p->step == ST_SNIFF    ? &p->preview
                 : p->step == ST_TARGET ? &p->cols
                 : p->step == ST_MAP    ? &p->mapl
                                        : NULL;
    if (l) {
        int lr = wg_list_key(l, p->a, ch, is_key);
        if (lr)
            return lr;
    }
    return PANE_IGNORED;
}

/* ---- events and ticks ---------------------------------------------------- */

static char **values_of(const eng_result *r, int *n)
{
    *n = 0;
    if (!r || eng_result_status(r) != ENG_RES_TUPLES)
        return NULL;
    int rows = eng_result_nrows(r);
    char **v = xcalloc((size_t)rows + 1, sizeof *v);
    for (int i = 0; i < rows; i++)
        v[i] = xstrdup(eng_result_value(r, i, 0));
    *n = rows;
    return v;
}

/* A first record naming the existing table's columns is its header, also
 * when the sample's look said data (region,2023,2024) — unless the user said. */
static void settle_header_by_table(import_pane *p)
{
    if (p->header_set || p->d.header || p->probe.nrows < 1 || p->ntcols < 1)
        return;
    char **names = csv_column_names(&p->d, &p->probe.rows[0], p->probe.ncols);
    bool header = import_names_are_columns(names, p->probe.ncols, p->tcols, p->ntcols);
    csv_names_free(names, p->probe.ncols);
    if (!header)
        return;
    p->d.header = true;
    p->header_set = true;
    if (reprobe(p))
        app_message(p->a, MSG_INFO, "line 1 names the columns of %s: it is the header", p->table);
}

static int imp_on_event(pane *pp, const eng_event *ev)
{
    import_pane *p = IP(pp);
    if (ev->kind == EV_POOL)
        return 0;
    if (p->im && import_on_event(p->im, ev))
        return check_done(p);
    if (ev->id == p->tables_id) {
        if (ev->kind == EV_RESULT && ev->result) {
            free_strv(p->tables, p->ntables);
            p->tables = values_of(ev->result, &p->ntables);
            le_set_words((const char *const *)p->tables);
        }
        return 0;
    }
    if (ev->id == p->tcols_id) {
        if (ev->kind == EV_RESULT && ev->result) {
            free_strv(p->tcols, p->ntcols);
            free_strv(p->ttypes, p->ntcols);
            p->ttypes = NULL;
            p->tcols = values_of(ev->result, &p->ntcols);
            if (p->ntcols > 0 && eng_result_ncols(ev->result) >= 4) {
                p->ttypes = xcalloc((size_t)p->ntcols + 1, sizeof *p->ttypes);
                for (int k = 0; k < p->ntcols; k++)
                    p->ttypes[k] = xstrdup(eng_result_value(ev->result, k, 3));
            }
            if (p->ntcols > 0 && eng_result_ncols(ev->result) >= 3) {
                free(p->schema);
                free(p->table);
                p->schema = xstrdup(eng_result_value(ev->result, 0, 1));
                p->table = xstrdup(eng_result_value(ev->result, 0, 2));
            }
        } else if (ev->kind == EV_DONE) {
            p->tcols_loaded = true;
            if (ev->status != ENG_DONE_OK && ev->error)
                set_error(p, ev->error->message);
            wg_list_set_count(&p->cols, p->ntcols);
            settle_header_by_table(p);
            map_existing(p);
            return PANE_REDRAW;
        }
        return 0;
    }
    if (p->type_id && ev->id == p->type_id)
        return type_checked(p, ev);
    if (ev->id == p->progress_id) {
        if (ev->kind == EV_RESULT && ev->result &&
            eng_result_status(ev->result) == ENG_RES_TUPLES && eng_result_nrows(ev->result) > 0)
            snprintf(p->server_progress, sizeof p->server_progress, "%s",
                     eng_result_value(ev->result, 0, 0));
        else if (ev->kind == EV_DONE)
            p->progress_id = 0;
        return ev->kind == EV_DONE ? PANE_REDRAW : 0;
    }
    return 0;
}

static int imp_on_tick(pane *pp)
{
    import_pane *p = IP(pp);
    if (p->step != ST_RUN)
        return 0;
    poll_server_progress(p);
    int r = check_done(p);
    return r | PANE_REDRAW;
}

/* The UI loop polls the sample reader's pipe, or the import's done fd, so
 * the next step or the result shows at once, not on the next tick. */
static int imp_event_fd(const pane *pp)
{
    const import_pane *p = (const import_pane *)pp;
    if (p->job)
        return p->job->pipe[0];
    if (p->step == ST_RUN && p->im)
        return import_done_fd(p->im);
    return -1;
}

static int imp_on_fd(pane *pp)
{
    import_pane *p = IP(pp);
    if (!p->job)
        return check_done(p);
    probe_job *j = p->job;
    p->job = NULL;
    probe_join(j);
    probe_apply(p, j->ok, &j->probe, j->err);
    free(j);
    return PANE_REDRAW;
}

/* The file prompt opens on Enter, not on show: a prompt grabbing the keys
 * would make Tab complete file names instead of cycling through the panes. */
static void imp_on_show(pane *pp, bool shown)
{
    IP(pp)->shown = shown;
}

static bool imp_busy(const pane *pp)
{
    const import_pane *p = (const import_pane *)pp;
    return p->step == ST_RUN && p->im && !import_done(p->im);
}

static bool imp_text_input(const pane *pp)
{
    (void)pp;
    return false;
}

static pane *imp_create(app *a)
{
    import_pane *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->e = app_engine(a);
    p->jobs = 1;
    csv_dialect_default(&p->d);
    wg_list_init(&p->preview, preview_cols, 1, preview_cell, p);
    wg_list_init(&p->cols, col_cols, 4, col_cell, p);
    wg_list_init(&p->mapl, map_cols, 4, map_cell, p);
    p->mapl.row_attr = map_attr;
    return (pane *)p;
}

static void imp_destroy(pane *pp)
{
    import_pane *p = IP(pp);
    if (p->job) {
        probe_join(p->job);
        if (p->job->ok)
            import_probe_free(&p->job->probe);
        free(p->job->err);
        free(p->job);
    }
    if (p->im)
        import_free(p->im); /* cancels a running import: nothing imported */
    if (p->have_probe)
        import_probe_free(&p->probe);
    reset_target(p);
    free_strv(p->ttypes, p->ntcols);
    free_strv(p->tcols, p->ntcols);
    free_strv(p->tables, p->ntables);
    if (p->have_alt)
        import_probe_free(&p->alt);
    free(p->type_typed);
    free(p->type_canon);
    free(p->type_error);
    wg_list_free(&p->preview);
    wg_list_free(&p->cols);
    wg_list_free(&p->mapl);
    free(p->path);
    free(p->table);
    free(p->schema);
    free(p->null_str);
    free(p->reject_path);
    free(p->error);
    free(p);
}

static const pane_key imp_keys[] = {
    {"Enter", "Next", "accept this step's choices and go on"},
    {"Esc", "Back", "go back a step (during the run: cancel, nothing imported)"},
    {"d", "Delim", "Sniff: next delimiter (, ; tab |)"},
    {"Q", "Quote", "Sniff: switch the quote character (\" or ')"},
    {"h", "Header", "Sniff: the first record is a header or data"},
    {"e", "Enc", "Sniff: next encoding (UTF8, LATIN1, WIN1252)"},
    {"a/b", "Answer", "Sniff: when the sample leaves a doubt, the left / right reading"},
    {"n/x", "Table", "Target: a new table (name) / an existing table (Tab completes)"},
    {"r/t", "Column",
     "Target: rename the selected column / change its type (any type the server accepts)"},
    {"m/s", "Map", "Mapping: map the selected file column / skip it"},
    {"K/J", "Move", "Mapping: move the selected target up / down"},
    {"E/t/j", "Opts", "Options: empty-field rule / truncate / parallel jobs"},
    {"n/m/r", NULL, "Options: NULL string / max bad records to skip (N or P%) / reject file"},
    {NULL, NULL, NULL}};

const pane_class pane_import_class = {
    .name = "Import",
    .tag_prefix = IMPORT_TAG_PREFIX,
    .create = imp_create,
    .destroy = imp_destroy,
    .draw = imp_draw,
    .on_key = imp_on_key,
    .on_event = imp_on_event,
    .on_tick = imp_on_tick,
    .on_show = imp_on_show,
    .text_input = imp_text_input,
    .busy = imp_busy,
    .event_fd = imp_event_fd,
    .on_fd = imp_on_fd,
    .keys = imp_keys,
};
