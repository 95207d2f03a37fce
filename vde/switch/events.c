/* events.c - vde_switch's debug channels (debug/list|add|del): port and
 * endpoint life and FDB changes, sent to the console clients that asked for
 * them as "3TAG PATH MESSAGE" lines, with vde-2's paths, tags and message
 * formats (port.c, hash.c DBGOUT calls), so vdeterm shows them as it does
 * vde_switch's ("** DBG MSG: ..."). The data path pays one bit test per
 * FDB change, and nothing when nobody listens. */
#include "swd.h"

#include <stdio.h>

/* In the order of enum swd_channel. */
static const struct console_channel channels[] = {
	[SWD_CH_HASH_NEW] = { "hash/+", 011, "hash: new element" },
	[SWD_CH_HASH_DEL] = { "hash/-", 012, "hash: discarded element" },
	[SWD_CH_PORT_NEW] = { "port/+", 021, "new port" },
	[SWD_CH_PORT_DEL] = { "port/-", 022, "closed port" },
	[SWD_CH_PORT_DESCR] = { "port/descr", 023, "set port description" },
	[SWD_CH_EP_NEW] = { "port/ep/+", 031, "new endpoint" },
	[SWD_CH_EP_DEL] = { "port/ep/-", 032, "closed endpoint" },
};

static void hash_event(struct swd *d, unsigned ch, const uint8_t *m, uint16_t vlan, uint16_t port)
{
	/* hash.c: "%02x:...:%02x VLAN %02x:%02x Port %d" */
	console_event(&d->cs, ch, "%02x:%02x:%02x:%02x:%02x:%02x VLAN %02x:%02x Port %d", m[0], m[1], m[2], m[3],
		      m[4], m[5], vlan >> 8, vlan & 0xff, port);
}

static void on_learn(struct sw *sw, const uint8_t mac[6], uint16_t vlan, uint16_t port)
{
	struct swd *d = sw->owner;
	if (console_wants(&d->cs, SWD_CH_HASH_NEW))
		hash_event(d, SWD_CH_HASH_NEW, mac, vlan, port);
}

static void on_remove(void *arg, const struct fdb_entry *e)
{
	struct swd *d = arg;
	if (console_wants(&d->cs, SWD_CH_HASH_DEL))
		hash_event(d, SWD_CH_HASH_DEL, e->mac, e->vlan, e->port);
}

void swd_events_init(struct swd *d)
{
	d->cs.channels = channels;
	d->cs.nchannels = sizeof(channels) / sizeof(channels[0]);
	d->sw.on_learn = on_learn;
	d->sw.fdb.on_remove = on_remove;
	d->sw.fdb.on_remove_arg = d;
}

void swd_event_port(struct swd *d, bool created, unsigned port)
{
	console_event(&d->cs, created ? SWD_CH_PORT_NEW : SWD_CH_PORT_DEL, "%02u", port);
}

void swd_event_ep(struct swd *d, bool attached, unsigned port, uint32_t epid, const char *descr)
{
	console_event(&d->cs, attached ? SWD_CH_EP_NEW : SWD_CH_EP_DEL, "Port %02u FD %2u", port, epid);
	if (attached && descr)
		console_event(&d->cs, SWD_CH_PORT_DESCR, "Port %02u FD %2u -> \"%s\"", port, epid, descr);
}
