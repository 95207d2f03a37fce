/* loop.h - the one epoll loop of a data-path process.
 *
 * Run-to-completion: each ready fd's callback handles a whole batch before
 * the next fd is looked at. Timers are few (aging tick, delay-line deadline,
 * pending-connection sweep), kept in a small array; the epoll timeout is the
 * earliest deadline, with nanosecond precision (epoll_pwait2). Signals (SIGTERM, SIGINT, SIGHUP) arrive through a
 * signalfd and stop the loop, so shutdown runs normal cleanup code.
 *
 * A watch removed during dispatch may still have an event pending in the
 * same epoll_wait batch; loop_del() records it so that event is skipped, and
 * the caller may free the watch only through loop_free_later().
 */
#ifndef VDE_CORE_LOOP_H
#define VDE_CORE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_watch;
typedef void (*loop_fd_cb)(struct loop *l, struct loop_watch *w, uint32_t events);

struct loop_watch {
	int fd;
	loop_fd_cb cb;
	void *arg;
};

struct loop_timer;
typedef void (*loop_timer_cb)(struct loop *l, struct loop_timer *t);
struct loop_timer {
	uint64_t deadline_ns; /* CLOCK_MONOTONIC; 0 = disarmed */
	loop_timer_cb cb;
	void *arg;
};

enum { LOOP_MAX_TIMERS = 16, LOOP_MAX_DEAD = 256 };

struct loop {
	int epfd;
	int sigfd;
	bool stop;
	int stop_signal;          /* signal that stopped the loop, 0 if none */
	struct loop_watch sigwatch;
	struct loop_timer *timers[LOOP_MAX_TIMERS];
	unsigned ntimers;
	void *dead[LOOP_MAX_DEAD]; /* watches deleted during this dispatch */
	unsigned ndead;
	void *to_free[LOOP_MAX_DEAD];
	unsigned nfree;
	bool dispatching;
};

/* Monotonic time, ns. */
uint64_t loop_now_ns(void);

/* Create the epoll set and the signalfd for SIGTERM/SIGINT/SIGHUP (which are
 * blocked in the calling thread). SIGPIPE is ignored. Returns 0 or errno. */
int loop_init(struct loop *l);
void loop_destroy(struct loop *l);
/* Call in the child after fork()/daemon(): a signalfd made by the parent
 * never wakes epoll in the child, so it is made again. 0 or errno. */
int loop_after_fork(struct loop *l);

/* Add / change / remove an fd watch (events: EPOLLIN, EPOLLOUT...). 0 or errno. */
int loop_add(struct loop *l, struct loop_watch *w, uint32_t events);
int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events);
int loop_del(struct loop *l, struct loop_watch *w);
/* free(p) once the current dispatch round is over (immediately if idle). */
void loop_free_later(struct loop *l, void *p);

/* Register a timer (at most LOOP_MAX_TIMERS). Returns 0 or ENOSPC. */
int loop_timer_add(struct loop *l, struct loop_timer *t);
static inline void loop_timer_arm(struct loop_timer *t, uint64_t deadline_ns) { t->deadline_ns = deadline_ns; }

/* Wait at most max_wait_ms (-1: until the next timer or event) and dispatch.
 * Returns the number of fd events handled, or -errno. */
int loop_run_once(struct loop *l, int max_wait_ms);
/* Run until loop_stop() or a signal. */
void loop_run(struct loop *l);
static inline void loop_stop(struct loop *l) { l->stop = true; }

#endif
