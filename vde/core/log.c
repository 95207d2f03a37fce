#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *prog_name = "vdelab";
static bool use_syslog, verbose;

void log_init(const char *prog) { prog_name = prog; }
void log_set_verbose(bool v) { verbose = v; }

void log_to_syslog(void)
{
	openlog(prog_name, LOG_PID, LOG_DAEMON);
	use_syslog = true;
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;
	if (prio == LOG_DEBUG && !verbose)
		return;
	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		fprintf(stderr, "%s: ", prog_name);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
