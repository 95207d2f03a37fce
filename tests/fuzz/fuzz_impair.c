/* libFuzzer target: the impairment parsers. The first byte picks the unit
 * form (impair_parse) or wirefilter's syntax (impair_parse_wf, NAME VALUE);
 * whatever is accepted must format to text that parses again to settings
 * that format the same (the key table's parse and format agree), and a
 * refused input must leave the settings unchanged. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../vde/core/impair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[1100], err[300], a[1024], b[1024];
	if (size < 1 || size > 1000)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	struct impair_params p, q, before;
	impair_params_default(&p);
	impair_parse("delay=1ms loss=1%", &p, err, sizeof(err));
	before = p;
	if (data[0] & 1) {
		if (impair_parse(s, &p, err, sizeof(err))) {
			if (memcmp(&p, &before, sizeof(p)))
				__builtin_trap();
			return 0;
		}
	} else {
		char *sp = strchr(s, ' ');
		if (!sp)
			return 0;
		*sp = '\0';
		q = p;
		if (impair_parse_wf(s, sp + 1, &p, &q, err, sizeof(err)))
			return 0;
	}
	impair_format(&p, a, sizeof(a));
	impair_params_default(&q);
	if (impair_parse(a, &q, err, sizeof(err)))
		__builtin_trap(); /* our own output refused */
	impair_format(&q, b, sizeof(b));
	if (strcmp(a, b))
		__builtin_trap();
	(void)impair_params_null(&p);
	return 0;
}
