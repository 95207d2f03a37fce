#include "link.h"
#include "capture.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

int linkdir_init(struct link_dir *d, struct ep *out, uint64_t seed)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
	return impair_init(&d->chain, seed);
}

void linkdir_destroy(struct link_dir *d)
{
	impair_destroy(&d->chain);
}

void linkdir_set(struct link_dir *d, const struct impair_params *p)
{
	impair_set(&d->chain, p);
}

/* Send all n frames, waiting for room; frames never taken are counted. */
static void send_wait(struct link_dir *d, struct vtx *tx, unsigned n)
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
			if (waited >= LINK_SEND_WAIT_MS)
				break;
			struct pollfd pfd = { .fd = d->out->fd, .events = POLLOUT };
			poll(&pfd, 1, 10);
			waited += 10;
		}
	}
	d->tx_dropped += n - done;
}

void linkdir_input(struct link_dir *d, struct vpkt **pkts, unsigned n, uint64_t now)
{
	bool direct = impair_params_null(&d->chain.p) && d->chain.nheap == 0;
	/* without impairments both capture points are this one */
	if (d->cap && (direct || capture_point(d->cap) == CAPTURE_AT_SWITCH)) {
		for (unsigned i = 0; i < n; i++)
			capture_frame(d->cap, vpkt_data(pkts[i]), pkts[i]->len, now);
		capture_flush(d->cap);
	}
	if (direct) {
		struct vtx tx[VPKT_BURST];
		for (unsigned i = 0; i < n; i++) {
			vtx_init(&tx[i]);
			vtx_add(&tx[i], vpkt_data(pkts[i]), pkts[i]->len);
		}
		d->chain.st.offered += n;
		d->chain.st.passed += n;
		send_wait(d, tx, n);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		impair_enqueue(&d->chain, vpkt_data(pkts[i]), pkts[i]->len, now);
	linkdir_output(d, now);
}

int linkdir_output(struct link_dir *d, uint64_t now)
{
	struct vtx tx[VPKT_BURST];
	if (d->error)
		return d->error;
	if (now < d->retry_at_ns)
		return 0;
	for (;;) {
		unsigned n = impair_dequeue(&d->chain, now, tx, VPKT_BURST);
		if (!n)
			return 0;
		int s = ep_send_batch(d->out, tx, n);
		if (s < 0) {
			impair_release(&d->chain, 0); /* held: counted as lost when the chain goes */
			d->error = s;
			return s;
		}
		if (d->cap && capture_point(d->cap) == CAPTURE_AT_WIRE) {
			for (int i = 0; i < s; i++)
				capture_vtx(d->cap, &tx[i], now);
			capture_flush(d->cap);
		}
		impair_release(&d->chain, (unsigned)s);
		if ((unsigned)s < n) {
			d->retry_at_ns = now + LINK_RETRY_NS;
			return 0;
		}
	}
}

uint64_t linkdir_next_ns(const struct link_dir *d)
{
	uint64_t t = impair_next_ns(&d->chain);
	if (t != UINT64_MAX && t < d->retry_at_ns)
		t = d->retry_at_ns;
	return t;
}
