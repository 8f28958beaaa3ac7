/* msgline.c — the message line: notices and errors, the readline prompt,
 * or a y/n question. */
#include "ui/app_priv.h"
#include "ui/lineedit.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <stdio.h>

void msgline_draw(app *a, WINDOW *w, int cols)
{
    unsigned long normal = theme_attr(TH_MESSAGE);
    wg_fill(w, 0, 0, cols, normal);
    if (a->pmode == PM_LINE && le_active()) {
        le_draw(w, 0, 0, cols, theme_attr(TH_PROMPT), normal);
        return;
    }
    if (a->pmode == PM_CONFIRM) {
        int x = wg_text(w, 0, 0, a->confirm_question, cols, theme_attr(TH_PROMPT));
        wg_text(w, 0, x, " (y/n) ", cols - x, theme_attr(TH_PROMPT));
        return;
    }
    if (a->msg) {
        unsigned long at = a->msg_lvl == MSG_ERROR  ? theme_attr(TH_MESSAGE_ERROR)
                           : a->msg_lvl == MSG_WARN ? theme_attr(TH_WARN)
                                                    : normal;
        wg_text(w, 0, 0, a->msg, cols, at);
    }
}
