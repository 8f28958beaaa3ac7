/* lineedit.c — the readline callback bridge (see lineedit.h). */
#include "ui/lineedit.h"
#include "ui/widgets.h"
#include "common/mkdirs.h"
#include "common/secretline.h"
#include "common/strbuf.h"
#include "common/strlist.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include <readline/readline.h>
#include <readline/history.h>

#define HISTORY_MAX 500

typedef struct hist_kind {
    char *kind;
    char **lines;
    int n, cap;
} hist_kind;

static struct {
    bool inited, installed, active;
    char *prompt, *kind;
    bool files;
    le_done_fn done;
    void *ctx;
    unsigned char q[64]; /* bytes of the key being fed */
    int qpos, qlen;
    const char *const *words;
    char *matches; /* completion candidates to show */
    bool finished; /* the line handler ran: deliver after readline returns */
    char *line;    /* what it got (NULL = cancelled) */
    FILE *devnull;
    hist_kind *hist;
    int nhist;
    char *path;     /* the history file: each accepted line is saved at once */
    char **foreign; /* kinds another writer keeps in the same file */
    int nforeign;
} S;

bool le_secret_line(const char *line)
{
    return secret_line(line); /* the one rule, common/secretline.h */
}

/* A prompt for a bound parameter's value ("$1 = ", "statement 2: $1 = ",
 * "value for $1 ...", "values for $1..$3 ..."): values are data, often
 * secrets, and are never kept in a history (the statement text is). */
bool le_value_prompt(const char *kind)
{
    if (!kind)
        return false;
    for (const char *d = strchr(kind, '$'); d; d = strchr(d + 1, '$'))
        if (d[1] >= '0' && d[1] <= '9')
            return true;
    return false;
}

static hist_kind *hist_for(const char *kind)
{
    for (int i = 0; i < S.nhist; i++)
        if (strcmp(S.hist[i].kind, kind) == 0)
            return &S.hist[i];
    S.hist = xrealloc(S.hist, (size_t)(S.nhist + 1) * sizeof *S.hist);
    hist_kind *h = &S.hist[S.nhist++];
    memset(h, 0, sizeof *h);
    h->kind = xstrdup(kind);
    return h;
}

static void hist_add(const char *kind, const char *line)
{
    hist_kind *h = hist_for(kind);
    if (h->n > 0 && strcmp(h->lines[h->n - 1], line) == 0)
        return;
    strlist_push_capped(&h->lines, &h->n, &h->cap, HISTORY_MAX, line);
}

int le_history_count(const char *kind)
{
    for (int i = 0; i < S.nhist; i++)
        if (strcmp(S.hist[i].kind, kind) == 0)
            return S.hist[i].n;
    return 0;
}

static int le_getc(FILE *unused)
{
    (void)unused;
    if (S.qpos < S.qlen)
        return S.q[S.qpos++];
    return EOF;
}

static int le_avail(void)
{
    return S.qpos < S.qlen;
}

static void le_redisplay(void)
{
    /* drawn by le_draw() when the app redraws the message line */
}

static void le_line(char *line)
{
    rl_callback_handler_remove();
    S.installed = false;
    S.finished = true;
    S.line = line;
}

static char *word_gen(const char *text, int state)
{
    static int idx;
    static size_t len;
    if (!state) {
        idx = 0;
        len = strlen(text);
    }
    while (S.words && S.words[idx]) {
        const char *w = S.words[idx++];
        if (strncmp(w, text, len) == 0)
            return xstrdup(w);
    }
    return NULL;
}

static char **le_attempted(const char *text, int start, int end)
{
    (void)end;
    rl_completion_append_character = S.files ? '\0' : ' '; /* a file name ends where it ends */
    if (S.files) {
        rl_attempted_completion_over = 0;
        return NULL;
    }
    rl_attempted_completion_over = 1;
    if (!S.words || start != 0)
        return NULL;
    return rl_completion_matches(text, word_gen);
}

static void le_show_matches(char **matches, int num, int max)
{
    (void)max;
    free(S.matches);
    size_t cap = 256, len = 0;
    S.matches = xmalloc(cap);
    S.matches[0] = '\0';
    for (int i = 1; i <= num && matches[i]; i++) {
        /* file names as a shell lists them: the last part, a directory with
         * its '/' (full paths would not fit beside the prompt) */
        const char *m = matches[i];
        bool dir = false;
        if (S.files) {
            struct stat st;
            char *path = tilde_expand(m);
            dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
            free(path);
            const char *slash = strrchr(m, '/');
            if (slash && slash[1])
                m = slash + 1;
        }
        size_t l = strlen(m);
        if (len + l + 3 >= cap) {
            cap = (len + l + 3) * 2;
            S.matches = xrealloc(S.matches, cap);
        }
        if (len)
            S.matches[len++] = ' ';
        memcpy(S.matches + len, m, l + 1);
        len += l;
        if (dir && (!l || m[l - 1] != '/')) {
            S.matches[len++] = '/';
            S.matches[len] = '\0';
        }
    }
}

static void init_once(void)
{
    if (S.inited)
        return;
    S.inited = true;
    S.devnull = fopen("/dev/null", "w");
    rl_readline_name = "pgdeck";
    rl_instream = stdin;
    rl_outstream = S.devnull ? S.devnull : stderr;
    rl_getc_function = le_getc;
    rl_input_available_hook = le_avail;
    rl_redisplay_function = le_redisplay;
    rl_prep_term_function = NULL; /* curses owns the terminal */
    rl_deprep_term_function = NULL;
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_attempted_completion_function = le_attempted;
    rl_completion_display_matches_hook = le_show_matches;
}

void le_set_words(const char *const *words)
{
    S.words = words;
}

bool le_active(void)
{
    return S.active;
}

static void deliver(void)
{
    le_done_fn done = S.done;
    void *ctx = S.ctx;
    char *line = S.line;
    S.line = NULL;
    S.finished = false;
    S.active = false;
    S.done = NULL;
    S.ctx = NULL;
    free(S.matches);
    S.matches = NULL;
    if (line && S.files && line[0] == '~') {
        char *exp = tilde_expand(line);
        free(line);
        line = exp;
    }
    if (line && *line && !le_secret_line(line) && !le_value_prompt(S.kind)) {
        hist_add(S.kind, line);
        char *err = NULL;
        if (S.path && !le_history_save(S.path, &err))
            free(err); /* the save at exit says it */
    }
    if (done)
        done(ctx, line);
    free(line);
}

void le_cancel(void)
{
    if (!S.active)
        return;
    if (S.installed) {
        rl_replace_line("", 0);
        rl_callback_handler_remove();
        S.installed = false;
    }
    S.finished = true;
    S.line = NULL;
    deliver();
}

void le_start(const char *prompt, const char *initial, const char *history_kind,
              bool complete_files, le_done_fn done, void *ctx)
{
    le_cancel();
    init_once();
    free(S.prompt);
    free(S.kind);
    S.prompt = xstrdup(prompt ? prompt : "");
    S.kind = xstrdup(history_kind ? history_kind : "default");
    S.files = complete_files;
    S.done = done;
    S.ctx = ctx;
    S.qpos = S.qlen = 0;
    clear_history();
    hist_kind *h = hist_for(S.kind);
    for (int i = 0; i < h->n; i++)
        add_history(h->lines[i]);
    using_history();
    rl_callback_handler_install("", le_line);
    rl_variable_bind("bell-style", "none");
    S.installed = true;
    S.active = true;
    if (initial && *initial) {
        rl_insert_text(initial);
        rl_point = rl_end;
    }
}

static void push(const char *bytes, int n)
{
    for (int i = 0; i < n && S.qlen < (int)sizeof S.q; i++)
        S.q[S.qlen++] = (unsigned char)bytes[i];
}

void le_key(int code, bool is_key, bool meta)
{
    if (!S.active)
        return;
    free(S.matches);
    S.matches = NULL;
    if (!is_key && !meta && (code == 27 || code == 3 || code == 7)) {
        le_cancel();
        return;
    }
    S.qpos = S.qlen = 0;
    if (meta)
        push("\033", 1);
    if (is_key) {
        const char *seq = NULL;
        switch (code) {
        case KEY_LEFT:
            seq = "\033[D";
            break;
        case KEY_RIGHT:
            seq = "\033[C";
            break;
        case KEY_UP:
            seq = "\033[A";
            break;
        case KEY_DOWN:
            seq = "\033[B";
            break;
        case KEY_HOME:
            seq = "\001";
            break; /* C-a, C-e: independent of inputrc */
        case KEY_END:
            seq = "\005";
            break;
        case KEY_DC:
            seq = "\004";
            break;
        case KEY_BACKSPACE:
            seq = "\177";
            break;
        case KEY_ENTER:
            seq = "\n";
            break;
        default:
            return;
        }
        if (code == KEY_DC && rl_end == 0)
            return; /* C-d on an empty line would mean EOF */
        push(seq, (int)strlen(seq));
    } else if (code < 0x80) {
        char c = (char)(code == '\r' ? '\n' : code);
        push(&c, 1);
    } else {
        char mb[MB_LEN_MAX];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t r = wcrtomb(mb, (wchar_t)code, &st);
        if (r == (size_t)-1)
            return;
        push(mb, (int)r);
    }
    while (S.installed && S.qpos < S.qlen)
        rl_callback_read_char();
    S.qpos = S.qlen = 0;
    if (S.finished)
        deliver();
}

static int width_of(const char *s, size_t n)
{
    char *tmp = xstrndup(s, n);
    int w = wg_text_width(tmp);
    free(tmp);
    return w;
}

void le_draw(WINDOW *w, int y, int x, int cols, unsigned long prompt_attr, unsigned long attr)
{
    if (cols <= 0)
        return;
    wg_fill(w, y, x, cols, attr);
    if (!S.active)
        return;
    int pw = wg_text(w, y, x, S.prompt, cols - 1, prompt_attr);
    int avail = cols - pw;
    if (avail < 1)
        avail = 1;
    const char *buf = rl_line_buffer ? rl_line_buffer : "";
    size_t len = strlen(buf);
    size_t point = rl_point < 0 ? 0 : (size_t)rl_point;
    if (point > len)
        point = len;
    /* scroll so the cursor stays inside the field */
    size_t off = 0;
    while (off < point && width_of(buf + off, point - off) > avail - 1) {
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t r = mbrlen(buf + off, len - off, &st);
        off += (r == (size_t)-1 || r == (size_t)-2 || r == 0) ? 1 : r;
    }
    int tw = wg_text(w, y, x + pw, buf + off, avail, attr);
    if (S.matches && pw + tw + 4 < cols) {
        char *m = xasprintf("  {%s}", S.matches);
        wg_text(w, y, x + pw + tw, m, cols - pw - tw, prompt_attr);
        free(m);
    }
    int cx = x + pw + width_of(buf + off, point - off);
    if (cx >= x + cols)
        cx = x + cols - 1;
    wmove(w, y, cx);
}

/* "\\" "\t" "\n" escapes, so one entry is one line. */
static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", f);
        else if (*s == '\t')
            fputs("\\t", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            *o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

static bool is_foreign(const char *kind)
{
    for (int i = 0; i < S.nforeign; i++)
        if (strcmp(S.foreign[i], kind) == 0)
            return true;
    return false;
}

void le_history_foreign(const char *kind)
{
    if (is_foreign(kind))
        return;
    S.foreign = xrealloc(S.foreign, (size_t)(S.nforeign + 1) * sizeof *S.foreign);
    S.foreign[S.nforeign++] = xstrdup(kind);
    for (int i = 0; i < S.nhist; i++) {
        if (strcmp(S.hist[i].kind, kind) != 0)
            continue;
        for (int j = 0; j < S.hist[i].n; j++)
            free(S.hist[i].lines[j]);
        free(S.hist[i].lines);
        free(S.hist[i].kind);
        S.hist[i] = S.hist[--S.nhist];
        break;
    }
}

bool le_history_load(const char *path, char **err)
{
    free(S.path);
    S.path = xstrdup(path);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return true;
        *err = xasprintf("%s: %s", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab || tab == line)
            continue;
        *tab = '\0';
        char *text = tab + 1;
        unescape(line);
        unescape(text);
        if (*text && !le_secret_line(text) && !le_value_prompt(line) && !is_foreign(line))
            hist_add(line, text);
    }
    free(line);
    fclose(f);
    return true;
}

/* The lines of the file that belong to foreign kinds, as they are. */
static void read_foreign_lines(const char *path, strbuf *out)
{
    FILE *in = S.nforeign ? fopen(path, "r") : NULL;
    if (!in)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) > 0) {
        char *tab = memchr(line, '\t', (size_t)len);
        if (!tab)
            continue;
        *tab = '\0';
        bool keep = is_foreign(line); /* kinds are plain words: no escapes */
        *tab = '\t';
        if (keep) {
            sb_append_n(out, line, (size_t)len);
            if (line[len - 1] != '\n')
                sb_append_c(out, '\n');
        }
    }
    free(line);
    fclose(in);
}

bool le_history_save(const char *path, char **err)
{
    strbuf keep;
    sb_init(&keep);
    read_foreign_lines(path, &keep);
    mkdir_parents(path);
    char *tmp = xasprintf("%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0) {
        *err = xasprintf("%s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(tmp);
        return false;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        *err = xasprintf("%s: %s", tmp, strerror(errno));
        close(fd);
        free(tmp);
        return false;
    }
    if (keep.len)
        fwrite(keep.data, 1, keep.len, f);
    sb_free(&keep);
    for (int i = 0; i < S.nhist; i++)
        for (int j = 0; j < S.hist[i].n; j++) {
            put_escaped(f, S.hist[i].kind);
            fputc('\t', f);
            put_escaped(f, S.hist[i].lines[j]);
            fputc('\n', f);
        }
    bool ok = !ferror(f);
    if (fclose(f) != 0)
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        *err = xasprintf("%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

char *le_history_default_path(void)
{
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if (state && *state == '/')
        return xasprintf("%s/pgdeck/history", state);
    if (home && *home)
        return xasprintf("%s/.local/state/pgdeck/history", home);
    return NULL;
}

void le_shutdown(void)
{
    if (S.installed) {
        rl_callback_handler_remove();
        S.installed = false;
    }
    S.active = false;
    free(S.line);
    S.line = NULL;
    free(S.prompt);
    free(S.kind);
    free(S.matches);
    S.prompt = S.kind = S.matches = NULL;
    for (int i = 0; i < S.nhist; i++) {
        for (int j = 0; j < S.hist[i].n; j++)
            free(S.hist[i].lines[j]);
        free(S.hist[i].lines);
        free(S.hist[i].kind);
    }
    free(S.hist);
    for (int i = 0; i < S.nforeign; i++)
        free(S.foreign[i]);
    free(S.foreign);
    free(S.path);
    S.hist = NULL;
    S.nhist = 0;
    S.foreign = NULL;
    S.nforeign = 0;
    S.path = NULL;
    if (S.inited)
        clear_history();
    if (S.devnull) {
        fclose(S.devnull);
        S.devnull = NULL;
        rl_outstream = stderr;
    }
    S.inited = false;
}
