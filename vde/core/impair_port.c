#include "impair_port.h"

#include <string.h>

int impair_port_init(struct impair_port *ip, uint64_t seed, impair_deliver_fn deliver, void *arg,
		     enum capture_at deliver_point)
{
	memset(ip, 0, sizeof(*ip));
	ip->deliver = deliver;
	ip->arg = arg;
	ip->deliver_point = deliver_point;
	return impair_init(&ip->chain, seed);
}

void impair_port_destroy(struct impair_port *ip)
{
	impair_destroy(&ip->chain);
}

void impair_port_set(struct impair_port *ip, const struct impair_params *p)
{
	impair_set(&ip->chain, p);
}

const struct impair_params *impair_port_params(const struct impair_port *ip) { return impair_get(&ip->chain); }
const struct impair_stats *impair_port_stats(const struct impair_port *ip) { return impair_stats(&ip->chain); }

bool impair_port_active(const struct impair_port *ip)
{
	return !impair_params_null(impair_get(&ip->chain)) || impair_held(&ip->chain) > 0;
}

static bool capture_input(const struct impair_port *ip)
{
	return ip->cap && capture_point(ip->cap) != ip->deliver_point;
}

void impair_port_input(struct impair_port *ip, const uint8_t *data, size_t len, uint64_t now)
{
	if (capture_input(ip))
		capture_frame(ip->cap, data, len, now);
	impair_enqueue(&ip->chain, data, len, now);
}

void impair_port_input_vtx(struct impair_port *ip, const struct vtx *t, uint64_t now)
{
	uint8_t flat[VPKT_MAXFRAME + 8];
	if (t->niov == 1) {
		impair_port_input(ip, t->iov[0].iov_base, t->len, now);
		return;
	}
	vtx_flatten(t, flat);
	impair_port_input(ip, flat, t->len, now);
}

int impair_port_output(struct impair_port *ip, uint64_t now)
{
	struct vtx tx[VPKT_BURST];
	int total = 0;
	if (ip->error)
		return ip->error;
	if (now < ip->retry_at_ns)
		return 0;
	for (;;) {
		unsigned n = impair_dequeue(&ip->chain, now, tx, VPKT_BURST);
		if (!n)
			return total;
		int s = ip->deliver(ip->arg, tx, n, now);
		if (s < 0) {
			impair_release(&ip->chain, 0); /* held: counted as lost when the chain goes */
			ip->error = s;
			return s;
		}
		if (ip->cap && !capture_input(ip))
			for (int i = 0; i < s; i++)
				capture_vtx(ip->cap, &tx[i], now);
		impair_release(&ip->chain, (unsigned)s);
		total += s;
		if ((unsigned)s < n) {
			ip->retry_at_ns = now + IMPAIR_PORT_RETRY_NS;
			return total;
		}
	}
}

uint64_t impair_port_next_deadline_ns(const struct impair_port *ip)
{
	if (ip->error)
		return UINT64_MAX;
	uint64_t t = impair_next_ns(&ip->chain);
	if (t != UINT64_MAX && t < ip->retry_at_ns)
		t = ip->retry_at_ns;
	return t;
}

void impair_port_describe(const struct impair_port *ip, char *settings, size_t slen, char *counters,
			  size_t clen)
{
	impair_format(impair_get(&ip->chain), settings, slen);
	impair_stats_format(impair_stats(&ip->chain), counters, clen);
}
