#include "cable.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

static void stop(struct cable *c, int status, const char *fmt, const char *a, const char *b)
{
	if (!c->why[0]) {
		snprintf(c->why, sizeof(c->why), fmt, a, b);
		c->status = status;
	}
	loop_stop(c->loop);
}

void cable_kick(struct cable *c)
{
	uint64_t t0 = linkdir_next_ns(&c->dir[0]), t1 = linkdir_next_ns(&c->dir[1]);
	uint64_t t = t0 < t1 ? t0 : t1;
	loop_timer_arm(&c->timer, t == UINT64_MAX ? 0 : (t ? t : 1));
}

static void check_dir(struct cable *c, int d)
{
	if (c->dir[d].error)
		stop(c, c->dir[d].error == -EPIPE ? 0 : 1, "%s: %s", c->side[1 - d].ep->url,
		     strerror(-c->dir[d].error));
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	struct cable *c = t->arg;
	uint64_t now = loop_now_ns();
	(void)l;
	for (int d = 0; d < 2; d++) {
		linkdir_output(&c->dir[d], now);
		check_dir(c, d);
	}
	cable_kick(c);
}

static void on_data(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct cable_side *s = w->arg;
	struct cable *c = s->c;
	(void)l;
	(void)ev;
	for (int round = 0; round < 8; round++) {
		int n = ep_recv_batch(s->ep, s->p, VPKT_BURST);
		if (n < 0) {
			stop(c, n == -EPIPE ? 0 : 1, "%s: %s", s->ep->url,
			     n == -EPIPE ? "closed" : strerror(-n));
			return;
		}
		if (n > 0) {
			linkdir_input(&c->dir[s->idx], s->p, (unsigned)n, loop_now_ns());
			check_dir(c, s->idx);
		}
		if (!s->ep->rx_pending)
			break;
	}
	cable_kick(c);
}

static void on_ctl(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct cable_side *s = w->arg;
	(void)l;
	(void)ev;
	if (s->ep->cls->ctl_event && s->ep->cls->ctl_event(s->ep) == 0)
		return;
	stop(s->c, 0, "%s: %s", s->ep->url, "the switch went away");
}

int cable_open(struct cable *c, struct loop *l, struct ep *a, struct ep *b, uint64_t seed)
{
	int rc;
	memset(c, 0, sizeof(*c));
	c->loop = l;
	struct ep *eps[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		struct cable_side *s = &c->side[i];
		s->c = c;
		s->idx = i;
		s->ep = eps[i];
		s->buf = calloc(VPKT_BURST, sizeof(struct vpkt));
		if (!s->buf)
			return ENOMEM;
		for (unsigned k = 0; k < VPKT_BURST; k++) {
			vpkt_reset(&s->buf[k]);
			s->p[k] = &s->buf[k];
		}
		/* direction i carries frames received on side i to the other side */
		if ((rc = linkdir_init(&c->dir[i], eps[1 - i], seed + (uint64_t)i)))
			return rc;
	}
	for (int i = 0; i < 2; i++) {
		struct cable_side *s = &c->side[i];
		s->dw = (struct loop_watch){ .fd = s->ep->fd, .cb = on_data, .arg = s };
		if ((rc = loop_add(l, &s->dw, EPOLLIN)))
			return rc;
		if (s->ep->ctl_fd >= 0) {
			s->cw = (struct loop_watch){ .fd = s->ep->ctl_fd, .cb = on_ctl, .arg = s };
			if ((rc = loop_add(l, &s->cw, EPOLLIN | EPOLLRDHUP)))
				return rc;
		}
	}
	c->timer.cb = on_timer;
	c->timer.arg = c;
	return loop_timer_add(l, &c->timer);
}

void cable_set(struct cable *c, int dir, const struct impair_params *p)
{
	linkdir_set(&c->dir[dir], p);
	cable_kick(c);
}

void cable_close(struct cable *c)
{
	for (int i = 0; i < 2; i++) {
		linkdir_destroy(&c->dir[i]);
		ep_close(c->side[i].ep);
		c->side[i].ep = NULL;
		free(c->side[i].buf);
	}
}
