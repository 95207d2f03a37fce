/* libFuzzer target: console line splitting and dispatch, with a table that
 * parses numbers the way the switch's commands do. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vde/core/console.h"

static int c_num(struct strbuf *o, const char *arg, void *ctx)
{
	char *e;
	unsigned long v = strtoul(arg, &e, 10);
	if (*e)
		return 22;
	sb_printf(o, "%lu\n", v);
	return 0;
}

static const struct console_cmd cmds[] = {
	{ "a", "============", "A", NULL, 0 },
	{ "a/num", "N", "number", c_num, CONSOLE_LISTING },
	{ "b", "N", "number", c_num, 0 },
};
static const struct console_table tab = { cmds, 3 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[2048];
	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = 0;
	struct strbuf out = { 0 };
	console_exec(&tab, 1, line, NULL, &out);
	char *p, *a;
	console_split(line, &p, &a);
	sb_free(&out);
	return 0;
}
