#include "patch.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

static void stop(struct patch *c, int status, const char *fmt, const char *a, const char *b)
{
	if (!c->why[0]) {
		snprintf(c->why, sizeof(c->why), fmt, a, b);
		c->status = status;
	}
	loop_stop(c->loop);
}

static void kick(struct patch *c)
{
	uint64_t t0 = impair_port_next_deadline_ns(&c->dir[0].ip), t1 = impair_port_next_deadline_ns(&c->dir[1].ip);
	uint64_t t = t0 < t1 ? t0 : t1;
	loop_timer_arm(&c->timer, t == UINT64_MAX ? 0 : (t ? t : 1));
}

static int deliver(void *arg, struct vtx *tx, unsigned n, uint64_t now)
{
	struct patch_dir *d = arg;
	(void)now;
	return ep_send_batch(d->out, tx, n);
}

/* The direct path: send all n frames, waiting for room; frames never
 * taken are counted. */
static void send_wait(struct patch_dir *d, struct vtx *tx, unsigned n)
{
	unsigned done = 0;
	int waited = 0;
	while (done < n && !d->error) {
		int s = ep_send_batch(d->out, tx + done, n - done);
		if (s < 0) {
			d->error = s;
			break;
		}
		done += (unsigned)s;
		if (done < n) {
			if (waited >= PATCH_SEND_WAIT_MS)
				break;
			struct pollfd pfd = { .fd = d->out->fd, .events = POLLOUT };
			poll(&pfd, 1, 10);
			waited += 10;
		}
	}
	d->tx_dropped += n - done;
}

static void dir_input(struct patch_dir *d, struct vpkt **pkts, unsigned n, uint64_t now)
{
	if (!impair_port_active(&d->ip)) {
		struct vtx tx[VPKT_BURST];
		for (unsigned i = 0; i < n; i++) {
			vtx_init(&tx[i]);
			vtx_add(&tx[i], vpkt_data(pkts[i]), pkts[i]->len);
			if (d->cap) /* both capture points are this one */
				capture_frame(d->cap, vpkt_data(pkts[i]), pkts[i]->len, now);
		}
		d->offered += n;
		d->passed += n;
		send_wait(d, tx, n);
	} else {
		for (unsigned i = 0; i < n; i++)
			impair_port_input(&d->ip, vpkt_data(pkts[i]), pkts[i]->len, now);
		int s = impair_port_output(&d->ip, now);
		if (s < 0)
			d->error = s;
	}
	if (d->cap)
		capture_flush(d->cap);
}

static void check_dir(struct patch *c, int d)
{
	if (c->dir[d].error)
		stop(c, c->dir[d].error == -EPIPE ? 0 : 1, "%s: %s", c->side[1 - d].ep->url,
		     strerror(-c->dir[d].error));
}

static void on_tick(struct loop *l, struct loop_timer *t)
{
	struct patch *c = t->arg;
	uint64_t now = loop_now_ns();
	(void)l;
	ep_tick(c->side[0].ep, now);
	ep_tick(c->side[1].ep, now);
	loop_timer_arm(t, now + 1000000000ull);
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	struct patch *c = t->arg;
	uint64_t now = loop_now_ns();
	(void)l;
	for (int d = 0; d < 2; d++) {
		int s = impair_port_output(&c->dir[d].ip, now);
		if (s < 0)
			c->dir[d].error = s;
		if (c->dir[d].cap)
			capture_flush(c->dir[d].cap);
		check_dir(c, d);
	}
	kick(c);
}

static void on_data(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct patch_side *s = w->arg;
	struct patch *c = s->c;
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
			dir_input(&c->dir[s->idx], s->p, (unsigned)n, loop_now_ns());
			check_dir(c, s->idx);
		}
		if (!s->ep->rx_pending)
			break;
	}
	kick(c);
}

static void on_ctl(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct patch_side *s = w->arg;
	(void)l;
	(void)ev;
	if (s->ep->cls->ctl_event && s->ep->cls->ctl_event(s->ep) == 0)
		return;
	stop(s->c, 0, "%s: %s", s->ep->url, "the switch went away");
}

int patch_open(struct patch *c, struct loop *l, struct ep *a, struct ep *b, uint64_t seed)
{
	int rc;
	memset(c, 0, sizeof(*c));
	c->loop = l;
	struct ep *eps[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		struct patch_side *s = &c->side[i];
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
		c->dir[i].out = eps[1 - i];
		if ((rc = impair_port_init(&c->dir[i].ip, seed + (uint64_t)i, deliver, &c->dir[i], CAPTURE_AT_WIRE)))
			return rc;
	}
	for (int i = 0; i < 2; i++) {
		struct patch_side *s = &c->side[i];
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
	c->tick.cb = on_tick;
	c->tick.arg = c;
	if ((rc = loop_timer_add(l, &c->timer)) || (rc = loop_timer_add(l, &c->tick)))
		return rc;
	loop_timer_arm(&c->tick, loop_now_ns() + 1000000000ull);
	return 0;
}

void patch_set(struct patch *c, int dir, const struct impair_params *p)
{
	impair_port_set(&c->dir[dir].ip, p);
	kick(c);
}

void patch_capture(struct patch *c, int dir, struct capture *cap)
{
	c->dir[dir].cap = c->dir[dir].ip.cap = cap;
}

const struct impair_params *patch_params(const struct patch *c, int dir)
{
	return impair_port_params(&c->dir[dir].ip);
}

void patch_stats(const struct patch *c, int dir, struct impair_stats *st)
{
	*st = *impair_port_stats(&c->dir[dir].ip);
	st->offered += c->dir[dir].offered;
	st->passed += c->dir[dir].passed;
}

void patch_close(struct patch *c)
{
	for (int i = 0; i < 2; i++) {
		impair_port_destroy(&c->dir[i].ip);
		ep_close(c->side[i].ep);
		c->side[i].ep = NULL;
		free(c->side[i].buf);
	}
}
