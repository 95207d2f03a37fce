/* log.h - one-line diagnostics to stderr, or syslog once daemonized. */
#ifndef VDE_CORE_LOG_H
#define VDE_CORE_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/* Program name shown in front of stderr messages. */
void log_init(const char *prog);
/* Send messages to syslog from now on (after daemon()). */
void log_to_syslog(void);
/* Show LOG_DEBUG messages (-v). */
void log_set_verbose(bool v);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rate limit for hot-path warnings: at most `burst` messages per second. */
struct log_rl {
	uint64_t window_start_ns;
	unsigned count, burst;
	uint64_t suppressed;
};
bool log_rl_allow(struct log_rl *rl, uint64_t now_ns);

#endif
