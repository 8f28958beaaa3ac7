/* timeparse.h — moments and durations as a person types them on a command
 * line or at a prompt (`pgdeck report --from 03:12`, the replay's jump), in
 * the local time zone (TZ), and the one way a moment is printed back.
 *
 * Pure code: the caller gives the clock (`now`) and the anchor, so a test
 * and a replay of last week read "03:12" the same way. */
#ifndef PGDECK_COMMON_TIMEPARSE_H
#define PGDECK_COMMON_TIMEPARSE_H

#include <stdbool.h>
#include <stddef.h>

/* A moment, into *out as epoch seconds; false (and *out untouched) for
 * anything else. Accepted, white space around ignored:
 *   now                     now
 *   -2h, -30m, -90s, -7d,   now minus a duration (duration_parse)
 *   -1h30m
 *   1764817920[.5]          epoch seconds (digits only, with a fraction)
 *   2026-12-04              local midnight of that day
 *   2026-12-04 03:12[:05]   local time ('T' between date and time too)
 *   03:12[:05]              that time of day on the day whose occurrence is
 *                           nearest to anchor (within 12 h): with anchor at
 *                           00:40, "23:50" is 50 minutes before it, the day
 *                           before; pass now, or a recording's last moment
 * Times that do not exist (25:00, 2026-02-30) are refused; a local time a
 * DST change skips or repeats resolves as mktime does. */
bool time_parse(const char *s, double now, double anchor, double *out);

/* A duration: one or more NUMBER UNIT parts, units s, m, h, d ("90s",
 * "10m", "1h30m", "7d"; "1.5h"); a bare number is seconds. > 0 only. */
bool duration_parse(const char *s, double *out);

/* The moment as local time, "2026-12-04 03:12:05" (19 bytes + NUL; buf of
 * at least 20). NAN or an unrepresentable time gives "-". */
const char *time_format(double epoch, char *buf, size_t n);

/* The same as "03:12:05" when the moment is on the local day of `day`,
 * else as time_format: the lines of one incident stay short. */
const char *time_format_near(double epoch, double day, char *buf, size_t n);

#endif
