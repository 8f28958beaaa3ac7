/* mkdirs.h — creating the directories above a private file (history,
 * settings written by pgdeck). */
#ifndef PGDECK_MKDIRS_H
#define PGDECK_MKDIRS_H

/* mkdir -p with mode 0700 for every directory above path (not path itself);
 * existing directories are left as they are, failures are left for the
 * caller's open() of path to report. */
void mkdir_parents(const char *path);

#endif
