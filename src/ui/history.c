/* history.c — see history.h. */
#define _GNU_SOURCE 1
#include "ui/history.h"

#include "common/mkdirs.h"
#include "common/secretline.h"
#include "common/strbuf.h"
#include "common/strlist.h"
#include "common/xalloc.h"
#include "ui/lineedit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool history_secret(const char *entry)
{
    return secret_line(entry); /* the one rule, common/secretline.h */
}

static void escape_into(strbuf *sb, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            sb_append(sb, "\\\\");
        else if (*s == '\t')
            sb_append(sb, "\\t");
        else if (*s == '\n')
            sb_append(sb, "\\n");
        else
            sb_append_c(sb, *s);
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

static void push(history *h, const char *entry)
{
    strlist_push_capped(&h->items, &h->n, &h->cap, HISTORY_MAX_ENTRIES, entry);
}

static char *default_path(void)
{
    return le_history_default_path();
}

bool history_open(history *h, const char *path, char **err)
{
    memset(h, 0, sizeof *h);
    le_history_foreign(HISTORY_KIND); /* the console's prompts keep the rest */
    h->path = path ? xstrdup(path) : default_path();
    if (!h->path)
        return true;
    FILE *f = fopen(h->path, "r");
    if (!f) {
        if (errno == ENOENT)
            return true;
        *err = xasprintf("%s: %s", h->path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t klen = strlen(HISTORY_KIND);
    while ((len = getline(&line, &cap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if ((size_t)len <= klen || strncmp(line, HISTORY_KIND, klen) != 0 || line[klen] != '\t')
            continue;
        char *text = line + klen + 1;
        unescape(text);
        if (*text && !history_secret(text))
            push(h, text);
    }
    free(line);
    fclose(f);
    return true;
}

void history_close(history *h)
{
    for (int i = 0; i < h->n; i++)
        free(h->items[i]);
    free(h->items);
    free(h->path);
    memset(h, 0, sizeof *h);
}

bool history_save(const history *h, char **err)
{
    if (!h->path)
        return true;
    strbuf out;
    sb_init(&out);
    /* keep the other kinds' lines (the console's prompt histories) */
    FILE *in = fopen(h->path, "r");
    if (in) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        size_t klen = strlen(HISTORY_KIND);
        while ((len = getline(&line, &cap, in)) >= 0) {
            if ((size_t)len > klen && strncmp(line, HISTORY_KIND, klen) == 0 && line[klen] == '\t')
                continue;
            sb_append_n(&out, line, (size_t)len);
            if (len > 0 && line[len - 1] != '\n')
                sb_append_c(&out, '\n');
        }
        free(line);
        fclose(in);
    }
    for (int i = 0; i < h->n; i++) {
        sb_append(&out, HISTORY_KIND "\t");
        escape_into(&out, h->items[i]);
        sb_append_c(&out, '\n');
    }
    mkdir_parents(h->path);
    char *tmp = xasprintf("%s.editor.tmp", h->path);
    bool ok = false;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0 && fchmod(fd, 0600) == 0) {
        const char *p = out.data ? out.data : "";
        size_t left = out.len;
        ok = true;
        while (left > 0) {
            ssize_t w = write(fd, p, left);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                ok = false;
                break;
            }
            p += w;
            left -= (size_t)w;
        }
    }
    int saved = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, h->path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        *err = xasprintf("%s: %s", h->path, strerror(saved));
        unlink(tmp);
    }
    free(tmp);
    sb_free(&out);
    return ok;
}

bool history_add(history *h, const char *entry, char **err)
{
    const char *s = entry;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (!*s || history_secret(entry))
        return true;
    if (h->n > 0 && strcmp(h->items[h->n - 1], entry) == 0)
        return true;
    push(h, entry);
    return history_save(h, err);
}

int history_search(const history *h, const char *needle, int from, int dir)
{
    for (int i = from; i >= 0 && i < h->n; i += dir)
        if (!*needle || strcasestr(h->items[i], needle))
            return i;
    return -1;
}
