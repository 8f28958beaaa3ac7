/* strlist.h — an array of owned strings that keeps only the newest ones
 * (the editor's history file and the line editor's per-kind history). */
#ifndef PGDECK_STRLIST_H
#define PGDECK_STRLIST_H

/* Appends a copy of s to items[0..*n) (capacity *cap, grown as needed);
 * when max entries are held, the oldest is freed first. */
void strlist_push_capped(char ***items, int *n, int *cap, int max, const char *s);

#endif
