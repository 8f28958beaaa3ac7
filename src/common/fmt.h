/* fmt.h — how pgdeck shows a duration, a time in milliseconds, a count and
 * a byte size: one rule per unit, so that every pane and `pgdeck top` print
 * the same value the same way. Each writes at most n bytes (NUL included)
 * into buf; the results fit in 16 bytes. */
#ifndef PGDECK_COMMON_FMT_H
#define PGDECK_COMMON_FMT_H

#include <stddef.h>

/* Seconds: "0.3s", "12.5s", "4m05s", "2h03m", "3d04h"; "0.0s" below zero
 * (clocks that disagree), "" for NAN (no such time). */
void fmt_duration(double s, char *buf, size_t n);

/* Milliseconds, three significant figures at most: "0.123", "12.3", "1234";
 * from ten seconds on with the unit: "12.3s", "4.2m", "1.5h". "-" for NAN. */
void fmt_ms(double ms, char *buf, size_t n);

/* The same, always with its unit, for values in running text: "0.123ms",
 * "12.3ms", "1234ms", "12.3s", "4.2m". "-" for NAN. */
void fmt_ms_unit(double ms, char *buf, size_t n);

/* A number, compact: "0.25" (small fractions), "950", "12.3k", "4.1M",
 * "2.0G". "-" for NAN. */
void fmt_count(double v, char *buf, size_t n);

/* Bytes, binary units: "512B", "1.5K", "120M", "3.2G", "1.0T". "-" for
 * NAN. */
void fmt_bytes(double v, char *buf, size_t n);

#endif
