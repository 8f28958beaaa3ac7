/* cmd_import.c — `pgdeck import [CONN] FILE --table T [options]`: loads a
 * CSV file with COPY through the importer (src/import/import.h). Sniffs what
 * it is not told, shows progress on stderr when stderr is a terminal, prints
 * a one-line summary, exits 1 on a data error. SIGINT cancels: nothing is
 * imported. */
#include "config.h"

#include "cli/cliconf.h"
#include "cli/cmd_exit.h"
#include "cli/commands.h"
#include "cli/connargs.h"
#include "cli/redact.h"
#include "cli/sqlerror.h"
#include "cli/usage.h"
#include "import/csv.h"
#include "common/fmt.h"
#include "common/clock.h"
#include "common/xalloc.h"
#include "engine/engine.h"
#include "import/import.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum {
    OPT_TABLE = 0x3001,
    OPT_CREATE,
    OPT_JOBS,
    OPT_COPY_FORMAT,
    OPT_DELIM,
    OPT_QUOTE,
    OPT_HEADER,
    OPT_NO_HEADER,
    OPT_NULL,
    OPT_ENCODING,
    OPT_TRUNCATE,
    OPT_MAX_ERRORS,
    OPT_REJECT,
    OPT_HELP,
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* "," ";" "\t" "tab" "comma" ... -> the byte; 0 when not one byte. */
static char parse_char(const char *s)
{
    static const struct {
        const char *n;
        char c;
    } names[] = {{"tab", '\t'},      {"\\t", '\t'}, {"comma", ','},
                 {"semicolon", ';'}, {"pipe", '|'}, {"space", ' '}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].n) == 0)
            return names[i].c;
    if (strlen(s) == 1 && s[0] != '\n' && s[0] != '\r')
        return s[0];
    return 0;
}

/* "','" or "tab", for messages. */
static const char *delim_words(char c)
{
    static char b[2][8];
    static int k;
    if (c == '\t')
        return "tab";
    k ^= 1;
    snprintf(b[k], sizeof b[k], "'%c'", c);
    return b[k];
}

static void show_progress(const import_progress *p)
{
    char done[32], total[32];
    fmt_bytes((double)p->bytes_done, done, sizeof done);
    fmt_bytes((double)p->bytes_total, total, sizeof total);
    double pct = p->bytes_total ? 100.0 * (double)p->bytes_done / (double)p->bytes_total : 0;
    double rate = p->elapsed > 0 ? (double)p->bytes_done / p->elapsed : 0;
    double rows = p->elapsed > 0 ? (double)p->rows_sent / p->elapsed : 0;
    char eta[32], rate_s[16];
    import_format_eta(p, eta, sizeof eta);
    fmt_bytes(rate, rate_s, sizeof rate_s);
    fprintf(stderr, "\r\033[K%s %5.1f%%  %s / %s  %llu rows  %.0f rows/s  %s/s  ETA %s", p->phase,
            pct, done, total, (unsigned long long)p->rows_sent, rows, rate_s, eta);
}

typedef struct import_opts {
    connargs ca;
    cliconf cc;
    const char *file, *table, *delim, *quote, *null_str, *encoding, *max_errors, *reject;
    bool copy_text; /* --copy-format text */
    bool create, truncate;
    int header; /* -1 sniff, 0 no, 1 yes */
    long jobs;
} import_opts;

static int parse_options(import_opts *o, int argc, char **argv)
{
    static const struct option opts[] = {CONNARGS_LONGOPTS,
                                         CLICONF_LONGOPTS,
                                         {"table", required_argument, NULL, OPT_TABLE},
                                         {"create", no_argument, NULL, OPT_CREATE},
                                         {"jobs", required_argument, NULL, OPT_JOBS},
                                         {"copy-format", required_argument, NULL, OPT_COPY_FORMAT},
                                         {"delimiter", required_argument, NULL, OPT_DELIM},
                                         {"quote", required_argument, NULL, OPT_QUOTE},
                                         {"header", no_argument, NULL, OPT_HEADER},
                                         {"no-header", no_argument, NULL, OPT_NO_HEADER},
                                         {"null", required_argument, NULL, OPT_NULL},
                                         {"encoding", required_argument, NULL, OPT_ENCODING},
                                         {"truncate", no_argument, NULL, OPT_TRUNCATE},
                                         {"max-errors", required_argument, NULL, OPT_MAX_ERRORS},
                                         {"reject-file", required_argument, NULL, OPT_REJECT},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+" CONNARGS_SHORTOPTS "t:j:", opts, NULL)) != -1) {
        switch (c) {
        case 't':
        case OPT_TABLE:
            o->table = optarg;
            break;
        case OPT_CREATE:
            o->create = true;
            break;
        case 'j':
        case OPT_JOBS: {
            char *end;
            o->jobs = strtol(optarg, &end, 10);
            if (*end || o->jobs < 1 || o->jobs > 32)
                return usage_error("import", "--jobs wants a number from 1 to 32");
            break;
        }
        case OPT_COPY_FORMAT:
            if (strcmp(optarg, "text") == 0)
                o->copy_text = true;
            else if (strcmp(optarg, "auto") == 0)
                o->copy_text = false;
            else
                return usage_error("import", "--copy-format wants auto or text");
            break;
        case OPT_DELIM:
            o->delim = optarg;
            break;
        case OPT_QUOTE:
            o->quote = optarg;
            break;
        case OPT_HEADER:
            o->header = 1;
            break;
        case OPT_NO_HEADER:
            o->header = 0;
            break;
        case OPT_NULL:
            o->null_str = optarg;
            break;
        case OPT_ENCODING:
            o->encoding = optarg;
            break;
        case OPT_TRUNCATE:
            o->truncate = true;
            break;
        case OPT_MAX_ERRORS:
            o->max_errors = optarg;
            break;
        case OPT_REJECT:
            o->reject = optarg;
            break;
        case OPT_HELP:
            usage_print(stdout, "import");
            return EXIT_OK;
        case '?':
            return usage_error("import", "unknown or incomplete option \"%s\"", argv[optind - 1]);
        default:
            if (connargs_option(&o->ca, c, optarg) || cliconf_option(&o->cc, c, optarg))
                break;
            return usage_error("import", "unknown option");
        }
        /* permute: positionals may come before options (FILE --table T) */
    }
    return -1;
}

/* getopt with "+" stops at the first positional; gather positionals and
 * parse the options after them too, so `import FILE --table T` works. */
static int parse_all(import_opts *o, int argc, char **argv, char ***pos, int *npos)
{
    char **args = xcalloc((size_t)argc + 1, sizeof *args);
    char **positional = xcalloc((size_t)argc + 1, sizeof *positional);
    int na = 0, np = 0;
    args[na++] = argv[0];
    bool dashdash = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (dashdash || a[0] != '-' || a[1] == '\0') {
            positional[np++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            dashdash = true;
            continue;
        }
        args[na++] = argv[i];
        /* options that take a separate argument */
        bool takes = false;
        if (a[1] != '-') {
            takes = strchr("hpUdtj", a[1]) && a[2] == '\0';
        } else if (!strchr(a, '=')) {
            static const char *const with_arg[] = {
                "--host",       "--port",        "--username", "--dbname", "--table",
                "--jobs",       "--delimiter",   "--quote",    "--null",   "--encoding",
                "--max-errors", "--reject-file", "--config",   "--set",    "--copy-format"};
            for (size_t k = 0; k < sizeof with_arg / sizeof with_arg[0]; k++)
                if (strcmp(a, with_arg[k]) == 0)
                    takes = true;
        }
        if (takes && i + 1 < argc)
            args[na++] = argv[++i];
    }
    int rc = parse_options(o, na, args);
    free(args);
    *pos = positional;
    *npos = np;
    return rc;
}

static int report(const import_opts *o, const import_spec *spec, const import_result *r)
{
    char *qname = import_qualified_name(spec->schema, spec->table);
    if (r->status == IMPORT_OK) {
        char b[32];
        fmt_bytes(r->seconds > 0 ? (double)r->bytes / r->seconds : 0, b, sizeof b);
        printf("imported %llu rows into %s in %.2f s (%s/s", (unsigned long long)r->rows,
               qname ? qname : spec->table, r->seconds, b);
        if (r->jobs > 1)
            printf(", %d jobs", r->jobs);
        if (r->binary_jobs > 0 && r->binary_jobs == r->jobs)
            printf(", binary COPY");
        else if (r->binary_jobs > 0)
            printf(", binary COPY in %d of %d jobs", r->binary_jobs, r->jobs);
        if (r->rejected)
            printf(", %llu rejected%s%s", (unsigned long long)r->rejected, o->reject ? " -> " : "",
                   o->reject ? o->reject : "");
        printf(")\n");
        if (r->note)
            cli_eprintf("pgdeck import: note: %s\n", r->note);
        free(qname);
        return EXIT_OK;
    }
    free(qname);
    cli_eprintf("pgdeck import: %s%s%s\n", r->status == IMPORT_CANCELED ? "" : "error: ",
                r->message ? r->message : import_status_name(r->status), r->sqlstate ? "" : "");
    if (r->detail)
        cli_eprintf("DETAIL:  %s\n", r->detail);
    if (r->hint)
        cli_eprintf("HINT:  %s\n", r->hint);
    if (r->line)
        cli_eprintf("%s:%llu: %s\n", spec->path, (unsigned long long)r->line,
                    r->record ? r->record : "");
    if (r->note)
        cli_eprintf("note: %s\n", r->note);
    if (r->status == IMPORT_UNKNOWN)
        cli_eprintf("the outcome is unknown: check the table before importing again\n");
    else
        cli_eprintf("nothing imported\n");
    /* as `pgdeck run`: a lost connection is exit 3, a data or SQL error 1 */
    return r->status == IMPORT_CONN_LOST || r->status == IMPORT_UNKNOWN ? EXIT_CONNECT : EXIT_SQL;
}

int cmd_import_main(int argc, char **argv)
{
    import_opts o;
    memset(&o, 0, sizeof o);
    o.header = -1;
    o.jobs = 1;
    connargs_init(&o.ca);
    cliconf_init(&o.cc);
    char **pos = NULL;
    int npos = 0, rc;
    pgdeck_config cfg;
    bool have_cfg = false;
    import_spec spec;
    import_probe probe;
    bool have_probe = false;
    engine *e = NULL;
    importer *im = NULL;
    char *err = NULL;
    import_spec_init(&spec);

    rc = parse_all(&o, argc, argv, &pos, &npos);
    if (rc >= 0)
        goto out;
    if (npos < 1) {
        rc = usage_error("import", "which file? pgdeck import [CONN] FILE --table T");
        goto out;
    }
    o.file = pos[npos - 1];
    if (connargs_positional(&o.ca, npos - 1, pos) < npos - 1) {
        rc = usage_error("import", "too many arguments");
        goto out;
    }
    if (!cliconf_load(&o.cc, &cfg, &err)) {
        have_cfg = true;
        rc = usage_error("import", "%s", err ? err : "bad settings");
        goto out;
    }
    have_cfg = true;

    /* The dialect: what the user said, and the rest sniffed with it (the
     * header is judged with the delimiter, quote and encoding in force). A
     * doubt the file's name does not settle is the user's to settle. */
    csv_given g;
    csv_given_init(&g);
    if (o.delim && !(g.delim = parse_char(o.delim))) {
        rc = usage_error("import", "--delimiter wants one character (or tab, comma, ...)");
        goto out;
    }
    if (o.quote && !(g.quote = parse_char(o.quote))) {
        rc = usage_error("import", "--quote wants one character");
        goto out;
    }
    if (o.header >= 0)
        g.header = o.header;
    if (o.encoding) {
        csv_encoding enc;
        if (!csv_encoding_parse(o.encoding, &enc)) {
            rc = usage_error("import", "--encoding: UTF8, LATIN1 or WIN1252");
            goto out;
        }
        g.encoding = (int)enc;
    } else {
        g.encoding = CSV_ENC_UTF8; /* never guessed: the error names the line and --encoding */
    }
    if (!import_probe_given(o.file, &g, o.null_str, &probe, &err)) {
        cli_eprintf("pgdeck import: %s\n", err);
        rc = EXIT_SQL;
        goto out;
    }
    have_probe = true;
    if (probe.empty) {
        cli_eprintf("pgdeck import: %s is empty: nothing imported\n", o.file);
        rc = EXIT_SQL;
        goto out;
    }
    if (probe.d.quote == probe.d.delim) {
        rc = usage_error("import", "the delimiter and the quote must differ");
        goto out;
    }
    if (probe.sniff.delim_alt) {
        rc = usage_error("import",
                         "%s: the delimiter is ambiguous between %s and %s (both split every "
                         "line alike): give --delimiter",
                         o.file, delim_words(probe.d.delim), delim_words(probe.sniff.delim_alt));
        goto out;
    }
    if (probe.sniff.header_unsure && o.header < 0 && o.create) {
        rc = usage_error("import",
                         "%s: cannot tell whether line 1 is a header or data: give --header "
                         "or --no-header",
                         o.file);
        goto out;
    }

    spec.path = xstrdup(o.file);
    spec.d = probe.d;
    spec.header_src = o.header >= 0               ? IMPORT_HEADER_GIVEN
                      : probe.sniff.header_unsure ? IMPORT_HEADER_UNSURE
                                                  : IMPORT_HEADER_SNIFFED;
    spec.ncols = probe.ncols;
    spec.create = o.create;
    spec.truncate = o.truncate;
    spec.jobs = (int)o.jobs;
    spec.copy_format = o.copy_text ? IMPORT_COPY_TEXT : IMPORT_COPY_AUTO;
    spec.null_str = o.null_str ? xstrdup(o.null_str) : NULL;
    spec.reject_path = o.reject ? xstrdup(o.reject) : NULL;
    if (o.table) {
        const char *dot = strchr(o.table, '.');
        if (dot && !strchr(dot + 1, '.') && !strchr(o.table, '"') && dot != o.table && dot[1]) {
            spec.schema = xstrndup(o.table, (size_t)(dot - o.table));
            spec.table = xstrdup(dot + 1);
        } else {
            spec.table = xstrdup(o.table);
        }
    } else if (o.create) {
        spec.table = csv_table_name_from_path(o.file);
    } else {
        rc = usage_error("import", "--table T is needed (or --create to name it after the file)");
        goto out;
    }
    if (o.max_errors) {
        char *end;
        double v = strtod(o.max_errors, &end);
        if (end == o.max_errors || v < 0 || (*end && strcmp(end, "%") != 0)) {
            rc = usage_error("import", "--max-errors wants N or P%%");
            goto out;
        }
        if (*end == '%')
            spec.max_errors_pct = v;
        else
            spec.max_errors = (long)v;
    }
    if (o.reject && !o.max_errors) {
        rc = usage_error("import", "--reject-file goes with --max-errors");
        goto out;
    }
    if (o.create) {
        spec.cols = xcalloc((size_t)spec.ncols + 1, sizeof *spec.cols);
        for (int i = 0; i < spec.ncols; i++) {
            spec.cols[i].name = xstrdup(probe.names[i]);
            spec.cols[i].type = xstrdup(csv_type_name(probe.types[i]));
        }
    }

    if (!connargs_finish(&o.ca, &err)) {
        rc = connargs_fail(&o.ca, "import", err);
        err = NULL;
        goto out;
    }
    eng_pool_config pool;
    connargs_pool_config(&cfg, &pool);
    pool.min_size = 1;
    if (pool.max_size < spec.jobs + 1)
        pool.max_size = spec.jobs + 1;
    free(err);
    err = NULL;
    e = engine_start(o.ca.ci, &pool, &err);
    if (!e) {
        cli_eprintf("pgdeck import: %s\n", err ? err : "cannot start the engine");
        rc = EXIT_CONNECT;
        goto out;
    }
    int timeout_ms = (int)(pool.connect_timeout > 0 ? pool.connect_timeout * 1000 : 10000);
    if (!engine_wait_ready(e, timeout_ms + 1000, &err)) {
        cli_eprintf("pgdeck import: cannot connect: %s\n", err ? err : "connection failed");
        rc = connargs_connect_exit(err);
        goto out;
    }

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    bool tty = isatty(STDERR_FILENO);
    double last = 0;
    bool canceled = false;
    im = import_start(e, &spec);
    while (!import_done(im)) {
        if (interrupted && !canceled) {
            import_cancel(im);
            canceled = true;
        }
        struct pollfd pfd[2] = {{eng_event_fd(e), POLLIN, 0}, {import_done_fd(im), POLLIN, 0}};
        poll(pfd, 2, 100);
        eng_event *ev;
        while ((ev = eng_event_next(e)) != NULL) {
            import_on_event(im, ev);
            eng_event_free(ev);
        }
        if (tty && clock_mono_s() - last >= 0.2) {
            import_progress p;
            import_get_progress(im, &p);
            show_progress(&p);
            last = clock_mono_s();
        }
    }
    if (tty)
        fputs("\r\033[K", stderr);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    rc = report(&o, &spec, import_get_result(im));

out:
    if (im)
        import_free(im);
    if (e)
        engine_stop(e);
    free(err);
    if (have_probe)
        import_probe_free(&probe);
    import_spec_free(&spec);
    free(pos);
    return cmd_exit(rc, have_cfg ? &cfg : NULL, &o.cc, &o.ca);
}
