/* plan_view.c — the plan tree widget (see plan_view.h). The tree is
 * flattened into the visible rows on every change (plans are small: a few
 * hundred nodes at most in practice, PLAN_MAX_NODES at worst). Every text
 * from the plan went through termsafe in plan.c, and wg_text escapes again. */
#include "ui/plan_view.h"

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "ui/advisor_run.h"
#include "ui/pane.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAR_WIDTH 10

struct plan_view {
    plan *pl;
    char *title;
    bool *folded; /* per node (index in pl->nodes) */
    size_t *rows; /* visible nodes, as indexes into pl->nodes */
    size_t nrows;
    size_t sel;       /* index into rows */
    int top;          /* first row drawn */
    bool text;        /* the text plan instead of the tree */
    bool text_closes; /* t closes: the owner shows the text */
    char **text_lines;
    int ntext, text_top;
    int page; /* rows of the last draw, for PgUp/PgDn */
    /* the index advisor (a), when the owner enabled it */
    app *a;
    char *adv_tag, *adv_stmt, *adv_role, *adv_sp;
    advisor_run *adv;
    bool adv_shown, asking_create;
};

static size_t index_of(const plan *pl, const plan_node *n)
{
    (void)pl;
    return n->pos;
}

static void flatten_node(plan_view *v, const plan_node *n)
{
    size_t i = index_of(v->pl, n);
    v->rows[v->nrows++] = i;
    if (!v->folded[i])
        for (size_t k = 0; k < n->nchildren; k++)
            flatten_node(v, n->children[k]);
}

/* Rebuilds the visible rows, keeping the cursor on node `keep`. */
static void flatten(plan_view *v, size_t keep)
{
    v->nrows = 0;
    flatten_node(v, v->pl->root);
    v->sel = 0;
    for (size_t r = 0; r < v->nrows; r++)
        if (v->rows[r] == keep)
            v->sel = r;
}

static const plan_node *parent_of(const plan *pl, const plan_node *n)
{
    (void)pl;
    return n->parent;
}

plan_view *plan_view_new(plan *pl, const char *title)
{
    plan_view *v = xcalloc(1, sizeof *v);
    v->pl = pl;
    v->title = xstrdup(title ? title : "");
    v->folded = xcalloc(pl->nnodes, sizeof *v->folded);
    v->rows = xcalloc(pl->nnodes, sizeof *v->rows);
    strbuf sb;
    sb_init(&sb);
    plan_format_text(pl, &sb);
    for (char *t = sb.data; t && *t;) {
        char *nl = strchr(t, '\n');
        v->text_lines = xrealloc(v->text_lines, (size_t)(v->ntext + 1) * sizeof *v->text_lines);
        v->text_lines[v->ntext++] = nl ? xstrndup(t, (size_t)(nl - t)) : xstrdup(t);
        t = nl ? nl + 1 : NULL;
    }
    sb_free(&sb);
    flatten(v, index_of(pl, pl->hottest)); /* everything unfolded: the hottest is visible */
    return v;
}

void plan_view_free(plan_view *v)
{
    if (!v)
        return;
    for (int i = 0; i < v->ntext; i++)
        free(v->text_lines[i]);
    free(v->text_lines);
    free(v->folded);
    free(v->rows);
    free(v->title);
    advisor_run_free(v->adv);
    free(v->adv_tag);
    free(v->adv_stmt);
    free(v->adv_role);
    free(v->adv_sp);
    plan_free(v->pl);
    free(v);
}

void plan_view_set_advisor(plan_view *v, app *a, const char *tag, const char *stmt,
                           const char *as_role, const char *search_path)
{
    v->a = a;
    v->adv_tag = xstrdup(tag);
    v->adv_stmt = xstrdup(stmt);
    v->adv_role = as_role ? xstrdup(as_role) : NULL;
    v->adv_sp = search_path ? xstrdup(search_path) : NULL;
}

bool plan_view_on_event(plan_view *v, const eng_event *ev)
{
    return v->adv && advisor_run_on_event(v->adv, ev);
}

void plan_view_text_closes(plan_view *v, bool yes)
{
    v->text_closes = yes;
}

const plan_node *plan_view_selected(const plan_view *v)
{
    return v->nrows ? v->pl->nodes[v->rows[v->sel]] : NULL;
}

/* The tree prefix of a node: "│  " for each open ancestor level, then the
 * branch and the fold mark. */
static void tree_prefix(const plan_view *v, const plan_node *n, strbuf *out)
{
    bool uni = wg_unicode();
    char levels[64] = {0}; /* per depth: does that ancestor have a next sibling? */
    const plan_node *c = n;
    int d = n->depth;
    while (d > 0) {
        const plan_node *par = parent_of(v->pl, c);
        if (!par)
            break;
        if (d - 1 < (int)sizeof levels)
            levels[d - 1] = par->children[par->nchildren - 1] != c;
        c = par;
        d--;
    }
    for (int i = 1; i < n->depth && i < (int)sizeof levels; i++)
        sb_append(out, levels[i] ? (uni ? "│  " : "|  ") : "   ");
    if (n->depth > 0 && n->depth - 1 < (int)sizeof levels)
        sb_append(out, levels[n->depth - 1] ? (uni ? "├─" : "|-") : (uni ? "└─" : "`-"));
    size_t i = index_of(v->pl, n);
    if (n->nchildren)
        sb_append(out, v->folded[i] ? (uni ? "▸ " : "+ ") : (uni ? "▾ " : "- "));
    else
        sb_append(out, "  ");
}

static void draw_bar(WINDOW *w, int y, int x, double share, unsigned long attr)
{
    int full = (int)lround(share * BAR_WIDTH);
    if (full > BAR_WIDTH)
        full = BAR_WIDTH;
    char buf[BAR_WIDTH * 3 + 1];
    size_t k = 0;
    for (int i = 0; i < BAR_WIDTH; i++) {
        const char *c = i < full ? (wg_unicode() ? "█" : "#") : (wg_unicode() ? "·" : ".");
        size_t l = strlen(c);
        memcpy(buf + k, c, l);
        k += l;
    }
    buf[k] = '\0';
    wg_text(w, y, x, buf, BAR_WIDTH, attr);
}

static void draw_details(plan_view *v, WINDOW *w, int y, int rows, int cols)
{
    const plan_node *n = plan_view_selected(v);
    if (!n || rows <= 0)
        return;
    strbuf sb;
    sb_init(&sb);
    if (n->conds[0])
        sb_append(&sb, n->conds);
    if (n->sort_key)
        sb_printf(&sb, "%sSort Key: %s", sb.len ? "\n" : "", n->sort_key);
    if (!sb.len)
        sb_append(&sb, "(no condition)");
    int line = 0;
    for (char *t = sb.data; t && *t && line < rows; line++) {
        char *nl = strchr(t, '\n');
        size_t len = nl ? (size_t)(nl - t) : strlen(t);
        wg_text_n(w, y + line, 2, t, len, cols - 2, theme_attr(TH_DIM));
        t = nl ? nl + 1 : NULL;
    }
    sb_free(&sb);
}

static void draw_advice(plan_view *v, WINDOW *w, int y, int rows, int cols)
{
    const char *t = v->asking_create ? "Create this index for real? (y/n)" : "";
    int line = 0;
    if (t[0])
        wg_text(w, y + line++, 0, t, cols, theme_attr(TH_PROMPT));
    for (t = advisor_run_text(v->adv); t && *t && line < rows; line++) {
        const char *nl = strchr(t, '\n');
        size_t len = nl ? (size_t)(nl - t) : strlen(t);
        wg_text_n(w, y + line, 0, t, len, cols, theme_attr(TH_NORMAL));
        t = nl ? nl + 1 : NULL;
    }
}

void plan_view_draw(plan_view *v, WINDOW *w, int rows, int cols)
{
    if (rows <= 0 || cols <= 0)
        return;
    wg_fill(w, 0, 0, cols, theme_attr(TH_TITLE));
    wg_text(w, 0, 0, v->title, cols, theme_attr(TH_TITLE));
    const char *keys = v->text ? "t tree · Up/Down · Esc back"
                       : v->adv_tag
                           ? "Enter/Space fold · Left/Right · h hottest · t text · "
                             "a index advisor · Esc back"
                           : "Enter/Space fold · Left/Right · h hottest · t text · Esc back";
    if (rows > 1)
        wg_text(w, 1, 0, keys, cols, theme_attr(TH_LABEL));
    int body = rows - 2;
    if (v->text) {
        v->page = body;
        for (int y = 0; y < body && v->text_top + y < v->ntext; y++)
            wg_text(w, 2 + y, 0, v->text_lines[v->text_top + y], cols, theme_attr(TH_NORMAL));
        return;
    }
    /* the selected node's conditions below the tree: a quarter of the rows
     * (the advisor's text: half) */
    int detail = v->adv_shown ? body / 2 : body >= 12 ? body / 4 : 0;
    int tree = body - detail - (detail ? 1 : 0);
    v->page = tree;
    if (tree <= 0)
        return;
    if ((int)v->sel < v->top)
        v->top = (int)v->sel;
    if ((int)v->sel >= v->top + tree)
        v->top = (int)v->sel - tree + 1;
    for (int y = 0; y < tree; y++) {
        size_t r = (size_t)(v->top + y);
        if (r >= v->nrows)
            break;
        const plan_node *n = v->pl->nodes[v->rows[r]];
        bool sel = r == v->sel;
        unsigned long attr = theme_attr(sel ? TH_SELECTED : n->misestimated ? TH_WARN : TH_NORMAL);
        if (sel)
            wg_fill(w, 2 + y, 0, cols, attr);
        draw_bar(w, 2 + y, 0, n->share, sel ? attr : theme_attr(TH_GAUGE_USED));
        strbuf sb;
        sb_init(&sb);
        sb_printf(&sb, " %3.0f%% %s", n->share * 100,
                  n == v->pl->hottest ? (wg_unicode() ? "▶ " : "> ") : "  ");
        tree_prefix(v, n, &sb);
        plan_node_line(n, v->pl->analyzed, &sb);
        wg_text(w, 2 + y, BAR_WIDTH, sb.data, cols - BAR_WIDTH, attr);
        sb_free(&sb);
    }
    if (detail) {
        wg_fill(w, 2 + tree, 0, cols, theme_attr(TH_LABEL));
        strbuf sb;
        sb_init(&sb);
        sb_printf(&sb, "node %zu of %zu", v->rows[v->sel] + 1, v->pl->nnodes);
        if (v->pl->analyzed && !isnan(v->pl->execution_ms))
            sb_printf(&sb, " · execution %.3f ms", v->pl->execution_ms);
        sb_printf(&sb, " · total cost %.2f", v->pl->total_cost);
        wg_text(w, 2 + tree, 0, sb.data, cols, theme_attr(TH_LABEL));
        sb_free(&sb);
        if (v->adv_shown)
            draw_advice(v, w, 3 + tree, detail, cols);
        else
            draw_details(v, w, 3 + tree, detail, cols);
    }
}

static void move_sel(plan_view *v, long step)
{
    long s = (long)v->sel + step;
    if (s >= (long)v->nrows)
        s = (long)v->nrows - 1;
    if (s < 0)
        s = 0;
    v->sel = (size_t)s;
}

int plan_view_key(plan_view *v, int ch, bool is_key)
{
    const int done = PANE_HANDLED | PANE_REDRAW;
    if (v->asking_create) {
        v->asking_create = false;
        if (!is_key && ch == 'y')
            advisor_run_create(v->adv);
        return done;
    }
    if (!is_key && ch == 'a' && v->adv_tag && !v->text) {
        if (!v->adv) {
            v->adv = advisor_run_new(v->a, v->adv_tag);
            advisor_run_start(v->adv, v->adv_stmt, v->adv_role, v->adv_sp);
            v->adv_shown = true;
        } else {
            v->adv_shown = !v->adv_shown;
        }
        return done;
    }
    if (!is_key && ch == 'c' && v->adv_shown && v->adv && advisor_run_best(v->adv)) {
        if (app_readonly(v->a))
            app_message(v->a, MSG_ERROR, "--readonly: the index is not created");
        else
            v->asking_create = true;
        return done;
    }
    if (!is_key && (ch == 27 || ch == 'q'))
        return done | PLAN_VIEW_CLOSE;
    if (!is_key && ch == 't') {
        if (v->text_closes)
            return done | PLAN_VIEW_CLOSE;
        v->text = !v->text;
        return done;
    }
    int page = v->page > 1 ? v->page - 1 : 1;
    long step = 0;
    if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
        step = 1;
    else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
        step = -1;
    else if (is_key && ch == KEY_NPAGE)
        step = page;
    else if (is_key && ch == KEY_PPAGE)
        step = -page;
    else if ((is_key && ch == KEY_HOME) || (!is_key && ch == 'g'))
        step = -(long)PLAN_MAX_NODES;
    else if ((is_key && ch == KEY_END) || (!is_key && ch == 'G'))
        step = PLAN_MAX_NODES;
    if (v->text) {
        if (!step)
            return PANE_IGNORED;
        long t = v->text_top + step;
        if (t > v->ntext - 1)
            t = v->ntext - 1;
        if (t < 0)
            t = 0;
        v->text_top = (int)t;
        return done;
    }
    if (step) {
        move_sel(v, step);
        return done;
    }
    const plan_node *n = plan_view_selected(v);
    if (!n)
        return PANE_IGNORED;
    size_t i = index_of(v->pl, n);
    if ((!is_key && (ch == '\n' || ch == '\r' || ch == ' ')) && n->nchildren) {
        v->folded[i] = !v->folded[i];
        flatten(v, i);
        return done;
    }
    if (is_key && ch == KEY_RIGHT) {
        if (n->nchildren && v->folded[i]) {
            v->folded[i] = false;
            flatten(v, i);
        } else if (n->nchildren) {
            move_sel(v, 1); /* into the first child */
        }
        return done;
    }
    if (is_key && ch == KEY_LEFT) {
        const plan_node *par = parent_of(v->pl, n);
        if (n->nchildren && !v->folded[i]) {
            v->folded[i] = true;
            flatten(v, i);
        } else if (par) {
            flatten(v, index_of(v->pl, par));
        }
        return done;
    }
    if (!is_key && ch == 'h') {
        /* unfold the hottest node's ancestors, then select it */
        const plan_node *h = v->pl->hottest;
        for (const plan_node *a = parent_of(v->pl, h); a; a = parent_of(v->pl, a))
            v->folded[index_of(v->pl, a)] = false;
        flatten(v, index_of(v->pl, h));
        return done;
    }
    return PANE_IGNORED;
}
