/* password.c — a no-echo prompt on the controlling terminal. */
#include "config.h"

#include "cli/password.h"

#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Writes all of s to fd, ignoring short writes caused by signals. */
static void write_all(int fd, const char *s)
{
    size_t len = strlen(s);
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

/* Overwrites a buffer in a way the compiler may not drop as a dead store. */
static void wipe(void *p, size_t n)
{
    explicit_bzero(p, n);
}

char *password_prompt(const char *prompt)
{
    int in = open("/dev/tty", O_RDWR | O_CLOEXEC);
    int out = in;
    bool own = in >= 0;
    if (!own) {
        in = STDIN_FILENO;
        out = STDERR_FILENO;
    }

    struct termios saved, quiet;
    bool restore = false;
    if (tcgetattr(in, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        /* A Ctrl-C at the prompt must not leave the terminal without echo:
         * ignore SIGINT/SIGTSTP while echo is off (TCSAFLUSH drops typeahead). */
        restore = tcsetattr(in, TCSAFLUSH, &quiet) == 0;
    }
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_tstp;
    if (restore) {
        sigemptyset(&ign.sa_mask);
        sigaction(SIGINT, &ign, &old_int);
        sigaction(SIGTSTP, &ign, &old_tstp);
    }

    write_all(out, prompt);

    char buf[1024];
    size_t len = 0;
    bool got_any = false, eof = false;
    for (;;) {
        char c;
        ssize_t n = read(in, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            eof = !got_any;
            break;
        }
        got_any = true;
        if (c == '\n')
            break;
        if (c == '\r')
            continue;
        if (len + 1 < sizeof buf)
            buf[len++] = c;
    }
    buf[len] = '\0';

    if (restore) {
        tcsetattr(in, TCSAFLUSH, &saved);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTSTP, &old_tstp, NULL);
        if (eof)
            write_all(out, "\n");
    }
    if (own)
        close(in);

    char *pw = eof ? NULL : xstrdup(buf);
    wipe(buf, sizeof buf);
    return pw;
}

void password_free(char *pw)
{
    if (!pw)
        return;
    wipe(pw, strlen(pw));
    free(pw);
}
