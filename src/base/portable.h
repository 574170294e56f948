/* C library functions not every platform's C library has (MinGW's lacks them), written once
 * in portable C; and the wall clock in milliseconds, read the same way everywhere. */
#ifndef DMSCONN_PORTABLE_H
#define DMSCONN_PORTABLE_H

#include <stddef.h>
#include <time.h>

/* strndup: the first n bytes of s (fewer at its NUL), NUL-terminated; NULL without memory. */
char *dci_strndup(const char *s, size_t n);
/* strcasestr: needle in haystack, ASCII letters compared without case. */
const char *dci_strcasestr(const char *haystack, const char *needle);
/* timegm: a broken-down UTC time as seconds since the epoch (no time zone involved). */
time_t dci_timegm(const struct tm *tm);
/* "YYYY-MM-DDTHH:MM:SS" at the start of s (anything may follow: ".123Z") as seconds since the
 * epoch, UTC; false when s does not start so. */
int dci_parse_utc(const char *s, time_t *out);

/* This machine's wall clock in milliseconds of the Unix epoch (a clock's readings:
 * dmsconn/clock.h). */
double dci_wall_ms(void);

#endif
