/* editbuf.c — see editbuf.h. Offsets are bytes; movement steps over whole
 * UTF-8 sequences (an invalid byte counts as one character). */
#include "ui/editbuf.h"

#include "common/xalloc.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void eb_init(editbuf *b)
{
    memset(b, 0, sizeof *b);
    b->cap = 256;
    b->text = xmalloc(b->cap);
    b->text[0] = '\0';
    b->goal_col = -1;
}

void eb_free(editbuf *b)
{
    free(b->text);
    for (int i = 0; i < b->nkill; i++)
        free(b->kill[i]);
    memset(b, 0, sizeof *b);
}

static void reserve(editbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    while (b->len + extra + 1 > b->cap)
        b->cap *= 2;
    b->text = xrealloc(b->text, b->cap);
}

void eb_set(editbuf *b, const char *text)
{
    size_t n = strlen(text);
    b->len = 0;
    reserve(b, n);
    memcpy(b->text, text, n + 1);
    b->len = n;
    b->point = n;
    b->goal_col = -1;
    b->last_was_kill = b->last_was_yank = false;
}

void eb_insert(editbuf *b, const char *s, size_t n)
{
    reserve(b, n);
    memmove(b->text + b->point + n, b->text + b->point, b->len - b->point + 1);
    memcpy(b->text + b->point, s, n);
    b->len += n;
    b->point += n;
}

char *eb_delete(editbuf *b, size_t from, size_t to, bool want)
{
    if (to > b->len)
        to = b->len;
    if (from >= to)
        return want ? xstrdup("") : NULL;
    char *out = want ? xstrndup(b->text + from, to - from) : NULL;
    memmove(b->text + from, b->text + to, b->len - to + 1);
    b->len -= to - from;
    if (b->point >= to)
        b->point -= to - from;
    else if (b->point > from)
        b->point = from;
    return out;
}

/* ---- characters ---------------------------------------------------------- */

static size_t next_char(const editbuf *b, size_t pos)
{
    if (pos >= b->len)
        return b->len;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t r = mbrlen(b->text + pos, b->len - pos, &st);
    if (r == (size_t)-1 || r == (size_t)-2 || r == 0)
        return pos + 1;
    return pos + r;
}

static size_t prev_char(const editbuf *b, size_t pos)
{
    if (pos == 0)
        return 0;
    /* back over UTF-8 continuation bytes (at most 3), then check */
    size_t p = pos - 1;
    int k = 0;
    while (p > 0 && k < 3 && ((unsigned char)b->text[p] & 0xC0) == 0x80) {
        p--;
        k++;
    }
    if (next_char(b, p) == pos)
        return p;
    return pos - 1;
}

static bool is_word_byte(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

/* ---- lines --------------------------------------------------------------- */

int eb_line_count(const editbuf *b)
{
    int n = 1;
    for (size_t i = 0; i < b->len; i++)
        if (b->text[i] == '\n')
            n++;
    return n;
}

int eb_line_of(const editbuf *b, size_t pos)
{
    int n = 0;
    for (size_t i = 0; i < pos && i < b->len; i++)
        if (b->text[i] == '\n')
            n++;
    return n;
}

size_t eb_line_start(const editbuf *b, int line)
{
    size_t i = 0;
    for (int l = 0; l < line && i < b->len; i++)
        if (b->text[i] == '\n')
            l++;
    return i;
}

size_t eb_line_end(const editbuf *b, int line)
{
    size_t i = eb_line_start(b, line);
    while (i < b->len && b->text[i] != '\n')
        i++;
    return i;
}

static size_t bol(const editbuf *b, size_t pos)
{
    while (pos > 0 && b->text[pos - 1] != '\n')
        pos--;
    return pos;
}

static size_t eol(const editbuf *b, size_t pos)
{
    while (pos < b->len && b->text[pos] != '\n')
        pos++;
    return pos;
}

size_t eb_word_before(const editbuf *b)
{
    size_t p = b->point;
    while (p > 0) {
        unsigned char c = (unsigned char)b->text[p - 1];
        if (is_word_byte(c) || c == '$' || c == '.' || c == '"')
            p--;
        else
            break;
    }
    return p;
}

/* ---- kill ring ----------------------------------------------------------- */

static void kill_push(editbuf *b, char *text, bool prepend)
{
    if (b->last_was_kill && b->nkill > 0) {
        char *old = b->kill[0];
        b->kill[0] = prepend ? xasprintf("%s%s", text, old) : xasprintf("%s%s", old, text);
        free(old);
        free(text);
        return;
    }
    if (b->nkill == EB_KILL_MAX)
        free(b->kill[--b->nkill]);
    memmove(b->kill + 1, b->kill, (size_t)b->nkill * sizeof *b->kill);
    b->kill[0] = text;
    b->nkill++;
}

static void kill_range(editbuf *b, size_t from, size_t to, bool backwards)
{
    if (from >= to)
        return;
    kill_push(b, eb_delete(b, from, to, true), backwards);
}

static void yank(editbuf *b, int idx)
{
    if (b->nkill == 0)
        return;
    b->yank_start = b->point;
    eb_insert(b, b->kill[idx], strlen(b->kill[idx]));
    b->yank_end = b->point;
    b->yank_idx = idx;
}

void eb_kill_all(editbuf *b)
{
    b->last_was_kill = false;
    kill_range(b, 0, b->len, false);
    b->point = 0;
    b->goal_col = -1;
    b->last_was_yank = false;
}

/* ---- words --------------------------------------------------------------- */

static size_t word_forward(const editbuf *b, size_t p)
{
    while (p < b->len && !is_word_byte((unsigned char)b->text[p]))
        p++;
    while (p < b->len && is_word_byte((unsigned char)b->text[p]))
        p++;
    return p;
}

static size_t word_backward(const editbuf *b, size_t p)
{
    while (p > 0 && !is_word_byte((unsigned char)b->text[p - 1]))
        p--;
    while (p > 0 && is_word_byte((unsigned char)b->text[p - 1]))
        p--;
    return p;
}

/* readline's unix-word-rubout: back over blanks, then over non-blanks */
static size_t blank_word_backward(const editbuf *b, size_t p)
{
    while (p > 0 && isspace((unsigned char)b->text[p - 1]))
        p--;
    while (p > 0 && !isspace((unsigned char)b->text[p - 1]))
        p--;
    return p;
}

/* ---- layout and vertical movement ---------------------------------------- */

static int default_width(const char *s, size_t n)
{
    if (n == 1 && s[0] == '\t')
        return 1;
    wchar_t wc;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t r = mbrtowc(&wc, s, n, &st);
    int w = (r == (size_t)-1 || r == (size_t)-2 || r == 0) ? -1 : wcwidth(wc);
    return w >= 0 ? w : 4 * (int)n; /* shown as \xNN per byte */
}

void eb_walk_start(const editbuf *b, size_t line_start, eb_walk *w)
{
    (void)b;
    w->pos = line_start;
    w->row = w->col = 0;
}

bool eb_walk_next(const editbuf *b, eb_walk *w, eb_cell *cell)
{
    if (w->pos >= b->len || b->text[w->pos] == '\n')
        return false;
    size_t n = next_char(b, w->pos) - w->pos;
    int cw = b->width ? b->width(b->text + w->pos, n) : default_width(b->text + w->pos, n);
    if (b->wrap > 0 && w->col > 0 && w->col + cw > b->wrap) {
        w->row++;
        w->col = 0;
    }
    cell->pos = w->pos;
    cell->len = n;
    cell->row = w->row;
    cell->col = w->col;
    cell->width = cw;
    w->col += cw;
    w->pos += n;
    return true;
}

void eb_walk_end(const editbuf *b, const eb_walk *w, int *row, int *col)
{
    /* the cursor after a full row goes to the start of the next */
    bool full = b->wrap > 0 && w->col >= b->wrap;
    *row = w->row + (full ? 1 : 0);
    *col = full ? 0 : w->col;
}

void eb_locate(const editbuf *b, size_t pos, int *row, int *col)
{
    eb_walk w;
    eb_cell c;
    eb_walk_start(b, bol(b, pos), &w);
    while (eb_walk_next(b, &w, &c))
        if (c.pos >= pos) {
            *row = c.row;
            *col = c.col;
            return;
        }
    eb_walk_end(b, &w, row, col);
}

int eb_line_rows(const editbuf *b, size_t line_start)
{
    eb_walk w;
    eb_cell c;
    int row, col;
    eb_walk_start(b, line_start, &w);
    while (eb_walk_next(b, &w, &c))
        ;
    eb_walk_end(b, &w, &row, &col);
    return row + 1;
}

/* The position on screen row `row` of the line at ls nearest to column goal:
 * the character under it, or the row's last character (the line's end on its
 * last row). */
static size_t pos_at(const editbuf *b, size_t ls, int row, int goal)
{
    eb_walk w;
    eb_cell c;
    size_t last = ls;
    bool have = false;
    eb_walk_start(b, ls, &w);
    while (eb_walk_next(b, &w, &c)) {
        if (c.row < row)
            continue;
        if (c.row > row)
            return have ? last : c.pos;
        if (c.col + c.width > goal)
            return c.pos;
        last = c.pos;
        have = true;
    }
    int er, ec;
    eb_walk_end(b, &w, &er, &ec);
    return er == row || !have ? w.pos : last;
}

static eb_result move_vertical(editbuf *b, int dir)
{
    size_t start = bol(b, b->point);
    int row, col;
    eb_locate(b, b->point, &row, &col);
    if (b->goal_col < 0)
        b->goal_col = col;
    if (dir < 0) {
        if (row > 0) {
            b->point = pos_at(b, start, row - 1, b->goal_col);
        } else {
            if (start == 0)
                return EB_HIST_PREV;
            size_t prev = bol(b, start - 1);
            b->point = pos_at(b, prev, eb_line_rows(b, prev) - 1, b->goal_col);
        }
    } else {
        if (row < eb_line_rows(b, start) - 1) {
            b->point = pos_at(b, start, row + 1, b->goal_col);
        } else {
            size_t end = eol(b, b->point);
            if (end >= b->len)
                return EB_HIST_NEXT;
            b->point = pos_at(b, end + 1, 0, b->goal_col);
        }
    }
    return EB_MOVED;
}

/* ---- keys ---------------------------------------------------------------- */

#define CTRL(c) ((c)&0x1f)

eb_result eb_key(editbuf *b, int code, bool is_key, bool meta)
{
    bool was_kill = b->last_was_kill, was_yank = b->last_was_yank;
    b->last_was_kill = b->last_was_yank = false;
    int goal = b->goal_col;
    b->goal_col = -1;
    eb_result r = EB_MOVED;

    if (is_key) {
        switch (code) {
        case EBK_LEFT:
            b->point = prev_char(b, b->point);
            return EB_MOVED;
        case EBK_RIGHT:
            b->point = next_char(b, b->point);
            return EB_MOVED;
        case EBK_UP:
        case EBK_DOWN:
            b->goal_col = goal;
            return move_vertical(b, code == EBK_UP ? -1 : 1);
        case EBK_HOME:
            b->point = bol(b, b->point);
            return EB_MOVED;
        case EBK_END:
            b->point = eol(b, b->point);
            return EB_MOVED;
        case EBK_CHOME:
            b->point = 0;
            return EB_MOVED;
        case EBK_CEND:
            b->point = b->len;
            return EB_MOVED;
        case EBK_BACKSPACE:
            eb_delete(b, prev_char(b, b->point), b->point, false);
            return EB_CHANGED;
        case EBK_DELETE:
            eb_delete(b, b->point, next_char(b, b->point), false);
            return EB_CHANGED;
        case EBK_ENTER:
            eb_insert(b, "\n", 1);
            return EB_CHANGED;
        default:
            return EB_IGNORED;
        }
    }

    if (meta) {
        switch (code) {
        case 'b':
        case 'B':
            b->point = word_backward(b, b->point);
            return EB_MOVED;
        case 'f':
        case 'F':
            b->point = word_forward(b, b->point);
            return EB_MOVED;
        case 'd':
        case 'D':
            b->last_was_kill = was_kill;
            kill_range(b, b->point, word_forward(b, b->point), false);
            b->last_was_kill = true;
            return EB_CHANGED;
        case 127:
        case CTRL('h'):
            b->last_was_kill = was_kill;
            kill_range(b, word_backward(b, b->point), b->point, true);
            b->last_was_kill = true;
            return EB_CHANGED;
        case 'y':
        case 'Y':
            if (!was_yank || b->nkill < 2)
                return EB_IGNORED;
            eb_delete(b, b->yank_start, b->yank_end, false);
            b->point = b->yank_start;
            yank(b, (b->yank_idx + 1) % b->nkill);
            b->last_was_yank = true;
            return EB_CHANGED;
        case '<':
            b->point = 0;
            return EB_MOVED;
        case '>':
            b->point = b->len;
            return EB_MOVED;
        default:
            return EB_IGNORED;
        }
    }

    switch (code) {
    case CTRL('a'):
        b->point = bol(b, b->point);
        break;
    case CTRL('e'):
        b->point = eol(b, b->point);
        break;
    case CTRL('b'):
        b->point = prev_char(b, b->point);
        break;
    case CTRL('f'):
        b->point = next_char(b, b->point);
        break;
    case CTRL('p'):
    case CTRL('n'):
        b->goal_col = goal;
        return move_vertical(b, code == CTRL('p') ? -1 : 1);
    case CTRL('d'):
        eb_delete(b, b->point, next_char(b, b->point), false);
        r = EB_CHANGED;
        break;
    case CTRL('h'):
    case 127:
        eb_delete(b, prev_char(b, b->point), b->point, false);
        r = EB_CHANGED;
        break;
    case CTRL('k'): {
        size_t end = eol(b, b->point);
        if (end == b->point && end < b->len)
            end++; /* at the end of a line: kill the newline (join) */
        b->last_was_kill = was_kill;
        kill_range(b, b->point, end, false);
        b->last_was_kill = true;
        r = EB_CHANGED;
        break;
    }
    case CTRL('u'):
        b->last_was_kill = was_kill;
        kill_range(b, bol(b, b->point), b->point, true);
        b->last_was_kill = true;
        r = EB_CHANGED;
        break;
    case CTRL('w'):
        b->last_was_kill = was_kill;
        kill_range(b, blank_word_backward(b, b->point), b->point, true);
        b->last_was_kill = true;
        r = EB_CHANGED;
        break;
    case CTRL('y'):
        if (b->nkill == 0)
            return EB_IGNORED;
        yank(b, 0);
        b->last_was_yank = true;
        r = EB_CHANGED;
        break;
    case '\n':
    case '\r':
        eb_insert(b, "\n", 1);
        r = EB_CHANGED;
        break;
    case '\t':
        return EB_IGNORED; /* completion is the pane's */
    default:
        if (code < 32 || code == 127)
            return EB_IGNORED;
        if (code < 0x80) {
            char c = (char)code;
            eb_insert(b, &c, 1);
        } else {
            char mb[MB_LEN_MAX];
            mbstate_t st;
            memset(&st, 0, sizeof st);
            size_t n = wcrtomb(mb, (wchar_t)code, &st);
            if (n == (size_t)-1)
                return EB_IGNORED;
            eb_insert(b, mb, n);
        }
        r = EB_CHANGED;
        break;
    }
    return r;
}
