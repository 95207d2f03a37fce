/* log.h - one-line diagnostics to stderr, or syslog once daemonized. */
#ifndef VDE_CORE_LOG_H
#define VDE_CORE_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Program name shown in front of stderr messages. */
void log_init(const char *prog);
/* Send messages to syslog from now on (after daemon()). */
void log_to_syslog(void);
/* Show LOG_DEBUG messages (-v). */
void log_set_verbose(bool v);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
