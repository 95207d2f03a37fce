#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

uint64_t loop_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_signal(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct signalfd_siginfo si;
	(void)ev;
	if (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		l->stop_signal = (int)si.ssi_signo;
		l->stop = true;
	}
}

int loop_init(struct loop *l)
{
	sigset_t set;

	memset(l, 0, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return errno;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0) {
		int rc = errno;
		close(l->epfd);
		return rc;
	}
	l->sigwatch.fd = l->sigfd;
	l->sigwatch.cb = on_signal;
	return loop_add(l, &l->sigwatch, EPOLLIN);
}

int loop_after_fork(struct loop *l)
{
	sigset_t set;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, l->sigfd, NULL);
	close(l->sigfd);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0)
		return errno;
	l->sigwatch.fd = l->sigfd;
	return loop_add(l, &l->sigwatch, EPOLLIN);
}

void loop_destroy(struct loop *l)
{
	for (unsigned i = 0; i < l->nfree; i++)
		free(l->to_free[i]);
	l->nfree = 0;
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->epfd >= 0)
		close(l->epfd);
	l->sigfd = l->epfd = -1;
}

int loop_add(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0 ? errno : 0;
}

int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0 ? errno : 0;
}

int loop_del(struct loop *l, struct loop_watch *w)
{
	int rc = epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL) < 0 ? errno : 0;
	if (l->dispatching && l->ndead < LOOP_MAX_DEAD)
		l->dead[l->ndead++] = w;
	return rc;
}

void loop_free_later(struct loop *l, void *p)
{
	if (!l->dispatching || l->nfree == LOOP_MAX_DEAD) {
		/* Idle, or too many in one round: the dead list still protects
		 * the pointers recorded so far; free now only when idle. */
		if (!l->dispatching) {
			free(p);
			return;
		}
	}
	if (l->nfree < LOOP_MAX_DEAD)
		l->to_free[l->nfree++] = p;
	/* else: leak rather than risk a use-after-free in this round */
}

int loop_timer_add(struct loop *l, struct loop_timer *t)
{
	if (l->ntimers == LOOP_MAX_TIMERS)
		return ENOSPC;
	l->timers[l->ntimers++] = t;
	return 0;
}

static bool is_dead(struct loop *l, void *w)
{
	for (unsigned i = 0; i < l->ndead; i++)
		if (l->dead[i] == w)
			return true;
	return false;
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
	struct epoll_event ev[64];
	uint64_t now = loop_now_ns();
	int64_t wait_ns = max_wait_ms < 0 ? -1 : (int64_t)max_wait_ms * 1000000;

	for (unsigned i = 0; i < l->ntimers; i++) {
		uint64_t d = l->timers[i]->deadline_ns;
		if (!d)
			continue;
		int64_t ns = d <= now ? 0 : (int64_t)(d - now);
		if (wait_ns < 0 || ns < wait_ns)
			wait_ns = ns;
	}
	/* epoll_pwait2 (Linux 5.11) waits with ns precision: delay lines and
	 * rate limiters need better than epoll_wait's milliseconds */
	struct timespec ts = { .tv_sec = wait_ns / 1000000000, .tv_nsec = wait_ns % 1000000000 };
	int n = epoll_pwait2(l->epfd, ev, 64, wait_ns < 0 ? NULL : &ts, NULL);
	if (n < 0 && errno == ENOSYS) {
		int ms = wait_ns < 0 ? -1 : (int)((wait_ns + 999999) / 1000000);
		n = epoll_wait(l->epfd, ev, 64, ms);
	}
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->dispatching = true;
	for (int i = 0; i < n; i++) {
		struct loop_watch *w = ev[i].data.ptr;
		if (l->ndead && is_dead(l, w))
			continue;
		w->cb(l, w, ev[i].events);
	}
	now = loop_now_ns();
	for (unsigned i = 0; i < l->ntimers; i++) {
		struct loop_timer *t = l->timers[i];
		if (t->deadline_ns && t->deadline_ns <= now) {
			t->deadline_ns = 0;
			t->cb(l, t);
		}
	}
	l->dispatching = false;
	l->ndead = 0;
	for (unsigned i = 0; i < l->nfree; i++)
		free(l->to_free[i]);
	l->nfree = 0;
	return n;
}

void loop_run(struct loop *l)
{
	while (!l->stop)
		if (loop_run_once(l, -1) < 0)
			break;
}
