// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Durations given on the command line: parse_duration(), and
 * format_duration() of what it accepted. Invariants:
 *  - an accepted duration is DURATION_INFINITY or below 9.2e18 us;
 *  - NUMBER, NUMBER"s", NUMBER"ms" and NUMBER"m" agree up to rounding;
 *  - format_duration() fits the 32 bytes callers give it, and parsing what
 *    it prints gives the value back within its rounding (0.05 ms below one
 *    second, 5 ms above), for values up to a century.
 * The first 8 input bytes are also formatted as a raw value.
 */
#include <ctype.h>
#include <inttypes.h>

#include "fuzz.h"
#include "log.h"
#include "util.h"

#define CENTURY_USEC (100ULL * 366 * 24 * 3600 * 1000000)

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static void check_format(uint64_t usec)
{
	char buf[32], big[128];
	uint64_t back, tolerance;
	int r;

	format_duration(big, sizeof(big), usec);
	fuzz_check(strlen(big) < sizeof(buf), "'%s' does not fit 32 bytes", big);
	format_duration(buf, sizeof(buf), usec);
	fuzz_check(strcmp(buf, big) == 0, "format depends on the buffer size");
	if (usec != DURATION_INFINITY && usec > CENTURY_USEC)
		return;
	r = parse_duration(buf, &back);
	fuzz_check(r == 0, "format_duration(%" PRIu64 ") = '%s' does not parse: %d", usec, buf, r);
	if (usec == DURATION_INFINITY) {
		fuzz_check(back == DURATION_INFINITY, "infinity does not round-trip");
		return;
	}
	tolerance = usec < 1000000 ? 50 : 5000;
	fuzz_check(absdiff(back, usec) <= tolerance, "%" PRIu64 " -> '%s' -> %" PRIu64, usec, buf,
		   back);
}

/* parse_duration(base + suffix); -1 if that does not fit. */
static int parse_with(const char *base, const char *suffix, uint64_t *usec)
{
	char buf[256];
	size_t blen = strlen(base), slen = strlen(suffix);

	if (blen + slen >= sizeof(buf))
		return -1;
	memcpy(buf, base, blen);
	memcpy(buf + blen, suffix, slen + 1);
	return parse_duration(buf, usec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);
	uint64_t usec = 0, raw = 0;
	size_t len;
	int r;

	log_set_max_level(-1);
	if (size >= sizeof(raw)) {
		memcpy(&raw, data, sizeof(raw));
		check_format(raw);
	}

	r = parse_duration(s, &usec);
	fuzz_check(r == 0 || r == -EINVAL || r == -ERANGE, "parse_duration() = %d", r);
	if (r == 0) {
		fuzz_check(usec == DURATION_INFINITY || usec < 9200000000000000000ULL,
			   "'%s' gives %" PRIu64, s, usec);
		check_format(usec);
		if (usec != DURATION_INFINITY) {
			const char *unit = s + strspn(s, "0123456789.");

			fuzz_check(strchr(s, '.') == strrchr(s, '.') &&
					   (!*unit || !strcmp(unit, "ms") || !strcmp(unit, "s") ||
					    !strcmp(unit, "m")),
				   "'%s' is not a plain decimal number with a unit", s);
		}
	}

	/* A bare number is seconds; the suffixes scale it. */
	len = strlen(s);
	if (len < 200 && r != -EINVAL && len && (isdigit((unsigned char)s[len - 1]) || s[len - 1] == '.')) {
		uint64_t sec, ms, min;
		int rs = parse_with(s, "s", &sec);

		fuzz_check(rs == r, "'%s' and '%ss' disagree: %d %d", s, s, r, rs);
		if (r == 0) {
			fuzz_check(sec == usec, "'%s' and '%ss' give different values", s, s);
			if (parse_with(s, "ms", &ms) == 0)
				fuzz_check(absdiff(ms * 1000, sec) <= 1000 + (sec >> 40),
					   "'%sms' is %" PRIu64 ", '%ss' is %" PRIu64, s, ms, s, sec);
			if (parse_with(s, "m", &min) == 0 && min < CENTURY_USEC)
				fuzz_check(absdiff(min, sec * 60) <= 60,
					   "'%sm' is %" PRIu64 ", '%ss' is %" PRIu64, s, min, s, sec);
		}
	}
	free(s);
	return 0;
}
