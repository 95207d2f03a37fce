#include "sw.h"
#include "bpdu.h"
#include "capture.h"
#include "frame.h"
#include "wire.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const sw_drop_names[SW_DROP__N] = {
	[SW_DROP_VLAN_INGRESS] = "vlan_ingress",
	[SW_DROP_NO_PVID] = "no_untagged_vlan",
	[SW_DROP_SAME_PORT] = "same_port",
	[SW_DROP_BAD_FRAME] = "bad_frame",
	[SW_DROP_NO_PORT] = "no_port",
	[SW_DROP_DISCARDING] = "stp_discarding",
	[SW_DROP_LINK_DOWN] = "link_down",
};

#ifdef VDELAB_NO_CAPTURE /* for bench/: the cost of having capture at all */
#define CAPTURING(p) false
#else
#define CAPTURING(p) ((p)->cap != NULL)
#endif

static inline size_t bm_bytes(unsigned nports) { return (nports + 7) / 8; }
static inline bool bm_get(const uint8_t *bm, unsigned i) { return bm[i >> 3] & (1u << (i & 7)); }
static inline void bm_set(uint8_t *bm, unsigned i, bool v)
{
	if (v)
		bm[i >> 3] |= (uint8_t)(1u << (i & 7));
	else
		bm[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

static struct sw_vlan *vlan_new(unsigned nports)
{
	struct sw_vlan *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->tagged = calloc(1, bm_bytes(nports));
	v->members = calloc(nports, sizeof(uint16_t));
	if (!v->tagged || !v->members) {
		free(v->tagged);
		free(v->members);
		free(v);
		return NULL;
	}
	return v;
}

static void vlan_free(struct sw_vlan *v)
{
	if (!v)
		return;
	free(v->tagged);
	free(v->members);
	free(v);
}

/* A port's impaired direction: the element and where it belongs. */
struct sw_impair {
	struct impair_port ip;
	struct sw *sw;
	uint16_t port;
	int dir;
};

static void impair_drop(struct sw *sw, struct sw_port *p, int d)
{
	struct sw_impair *si = p->imp[d];
	timerheap_set(&sw->impair_heap, &si->ip.node, UINT64_MAX);
	impair_port_destroy(&si->ip);
	free(si);
	p->imp[d] = NULL;
}

static void impair_free(struct sw *sw, struct sw_port *p)
{
	for (int d = 0; d < 2; d++)
		if (p->imp[d])
			impair_drop(sw, p, d);
	if (sw->nimpaired)
		sw->nimpaired--;
}

static bool has_chain(const struct sw_port *p) { return p->imp[0] || p->imp[1]; }

/* May frames leave through this port? */
static bool port_out_ok(const struct sw_port *p) { return p->ep && !p->stp_discarding && !p->link_down; }

/* Recompute every VLAN's list of active member ports and invalidate the
 * cache. Control plane only. */
static void rebuild(struct sw *sw)
{
	for (unsigned vid = 0; vid < VLAN_MAX; vid++) {
		struct sw_vlan *v = sw->vlans[vid];
		if (!v)
			continue;
		v->nmembers = 0;
		for (unsigned p = 0; p < sw->nports; p++) {
			struct sw_port *pt = &sw->ports[p];
			if (port_out_ok(pt) && (pt->pvid == vid || bm_get(v->tagged, p)))
				v->members[v->nmembers++] = (uint16_t)p;
		}
	}
	sw_bump(sw);
}

int sw_init(struct sw *sw, unsigned nports, uint32_t fdb_max, unsigned age_s)
{
	memset(sw, 0, sizeof(*sw));
	if (nports == 0 || nports > SW_MAX_PORTS)
		return EINVAL;
	sw->ports = calloc(nports, sizeof(*sw->ports));
	sw->dirty = calloc(nports, sizeof(*sw->dirty));
	sw->vlans[0] = vlan_new(nports);
	sw->reinj = calloc(VPKT_BURST, sizeof(*sw->reinj));
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
	if (!sw->ports || !sw->dirty || !sw->vlans[0] || !sw->reinj ||
	    fdb_init(&sw->fdb, fdb_max, (uint64_t)age_s * 1000000000ull,
		     (uint64_t)FDB_MIN_PERSIST_S * 1000000000ull, seed) ||
	    flowcache_init(&sw->fc)) {
		sw_destroy(sw);
		return ENOMEM;
	}
	sw->nports = nports;
	return 0;
}

void sw_destroy(struct sw *sw)
{
	if (sw->ports)
		for (unsigned p = 0; p < sw->nports; p++) {
			free(sw->ports[p].bl_buf);
			free(sw->ports[p].feeders);
			capture_close(sw->ports[p].cap);
			if (has_chain(&sw->ports[p]))
				impair_free(sw, &sw->ports[p]);
		}
	free(sw->ports);
	free(sw->dirty);
	free(sw->reinj);
	timerheap_destroy(&sw->impair_heap);
	for (unsigned v = 0; v < VLAN_MAX; v++)
		vlan_free(sw->vlans[v]);
	fdb_destroy(&sw->fdb);
	flowcache_destroy(&sw->fc);
	memset(sw, 0, sizeof(*sw));
}

int sw_port_create(struct sw *sw, unsigned port, bool notinpool)
{
	if (port >= sw->nports)
		return EINVAL;
	struct sw_port *p = &sw->ports[port];
	if (p->exists)
		return EEXIST;
	memset(p, 0, sizeof(*p));
	p->exists = true;
	p->notinpool = notinpool;
	p->pvid = 0;
	p->ac_user = p->ac_group = p->cur_user = -1;
	return 0;
}

void sw_port_keep(struct sw *sw, unsigned port)
{
	if (port < sw->nports && sw->ports[port].exists)
		sw->ports[port].notinpool = true;
}

int sw_port_reset_counters(struct sw *sw, unsigned port)
{
	if (port >= sw->nports)
		return EINVAL;
	memset(&sw->ports[port].st, 0, sizeof(sw->ports[port].st));
	return 0;
}

int sw_port_alloc_ex(struct sw *sw, bool *created)
{
	for (unsigned p = 1; p < sw->nports; p++) {
		struct sw_port *pt = &sw->ports[p];
		if (!pt->exists) {
			sw_port_create(sw, p, false);
			if (created)
				*created = true;
			return (int)p;
		}
		if (!pt->ep && !pt->notinpool) { /* made allocatable again (port/allocatable N 1) */
			if (created)
				*created = false;
			return (int)p;
		}
	}
	return -ENOSPC;
}

int sw_port_alloc(struct sw *sw) { return sw_port_alloc_ex(sw, NULL); }

/* Resume every input paused because of p's backlog. */
static void feeders_release(struct sw *sw, struct sw_port *p)
{
	for (unsigned i = 0; i < p->nfeeders; i++) {
		uint16_t in = p->feeders[i];
		struct sw_port *ip = in < sw->nports ? &sw->ports[in] : NULL;
		if (ip && ip->pause_refs && --ip->pause_refs == 0) {
			sw->npaused--;
			if (sw->on_pause)
				sw->on_pause(sw, in, false);
		}
	}
	p->nfeeders = 0;
}

/* Input `in` feeds p's congested backlog: pause it (once per output). */
static void feeder_add(struct sw *sw, struct sw_port *p, uint16_t in)
{
	for (unsigned i = 0; i < p->nfeeders; i++)
		if (p->feeders[i] == in)
			return;
	if (p->nfeeders == p->feeders_cap) {
		unsigned cap = p->feeders_cap ? 2 * p->feeders_cap : 8;
		uint16_t *f = realloc(p->feeders, cap * sizeof(*f));
		if (!f)
			return; /* no back-pressure then: frames beyond the backlog drop */
		p->feeders = f;
		p->feeders_cap = cap;
	}
	p->feeders[p->nfeeders++] = in;
	if (sw->ports[in].pause_refs++ == 0) {
		sw->npaused++;
		if (sw->on_pause)
			sw->on_pause(sw, in, true);
	}
}

/* A port going away: release its feeders, and stop counting it as paused. */
static void pause_forget(struct sw *sw, struct sw_port *p)
{
	feeders_release(sw, p);
	free(p->feeders);
	p->feeders = NULL;
	p->feeders_cap = 0;
	if (p->pause_refs) {
		p->pause_refs = 0;
		sw->npaused--;
		if (sw->on_pause) /* the owner learns that nothing is paused any more */
			sw->on_pause(sw, (uint16_t)(p - sw->ports), false);
	}
}

static void backlog_clear(struct sw *sw, struct sw_port *p)
{
	if (p->bl_count) {
		p->st.tx_drops += p->bl_count;
		p->bl_count = 0;
		p->bl_head = 0;
		sw->nblocked--;
	}
	free(p->bl_buf);
	p->bl_buf = NULL;
	feeders_release(sw, p);
}

int sw_port_remove(struct sw *sw, unsigned port)
{
	if (port >= sw->nports)
		return EINVAL;
	struct sw_port *p = &sw->ports[port];
	if (!p->exists)
		return ENXIO;
	if (p->ep)
		return EADDRINUSE;
	for (unsigned v = 0; v < VLAN_MAX; v++)
		if (sw->vlans[v])
			bm_set(sw->vlans[v]->tagged, port, false);
	backlog_clear(sw, p);
	if (has_chain(p))
		impair_free(sw, p);
	if (p->cap)
		sw->ncaptures--;
	capture_close(p->cap);
	pause_forget(sw, p);
	memset(p, 0, sizeof(*p));
	fdb_flush_port(&sw->fdb, (uint16_t)port);
	rebuild(sw);
	return 0;
}

int sw_port_capture(struct sw *sw, unsigned port, struct capture *cap)
{
	if (port >= sw->nports || !sw->ports[port].exists)
		return ENXIO;
	if (sw->ports[port].cap)
		sw->ncaptures--;
	capture_close(sw->ports[port].cap);
	sw->ports[port].cap = cap;
	for (int d = 0; d < 2; d++)
		if (sw->ports[port].imp[d])
			sw->ports[port].imp[d]->ip.cap = cap;
	if (cap)
		sw->ncaptures++;
	return 0;
}

int sw_port_attach(struct sw *sw, unsigned port, struct ep *ep)
{
	if (port >= sw->nports || !sw->ports[port].exists)
		return ENXIO;
	if (sw->ports[port].ep)
		return EADDRINUSE;
	sw->ports[port].ep = ep;
	rebuild(sw);
	return 0;
}

struct ep *sw_port_detach(struct sw *sw, unsigned port)
{
	if (port >= sw->nports)
		return NULL;
	struct sw_port *p = &sw->ports[port];
	struct ep *ep = p->ep;
	if (!ep)
		return NULL;
	bool was_blocked = p->bl_count > 0;
	p->ep = NULL;
	p->txq.n = 0;
	backlog_clear(sw, p);
	pause_forget(sw, p);
	if (was_blocked && sw->on_blocked)
		sw->on_blocked(sw, (uint16_t)port, false);
	fdb_flush_port(&sw->fdb, (uint16_t)port);
	if (!p->notinpool) {
		/* an auto-allocated port goes back to the pool, as in vde-2 */
		for (unsigned v = 0; v < VLAN_MAX; v++)
			if (sw->vlans[v])
				bm_set(sw->vlans[v]->tagged, port, false);
		if (has_chain(p))
			impair_free(sw, p);
		memset(p, 0, sizeof(*p));
	}
	rebuild(sw);
	return ep;
}

int sw_set_numports(struct sw *sw, unsigned nports)
{
	if (nports == 0 || nports > SW_MAX_PORTS)
		return EINVAL;
	for (unsigned p = nports; p < sw->nports; p++)
		if (sw->ports[p].ep)
			return EADDRINUSE;
	for (unsigned p = nports; p < sw->nports; p++)
		if (sw->ports[p].exists)
			sw_port_remove(sw, p);
	struct sw_port *np = calloc(nports, sizeof(*np));
	uint16_t *nd = calloc(nports, sizeof(*nd));
	if (!np || !nd) {
		free(np);
		free(nd);
		return ENOMEM;
	}
	unsigned keep = nports < sw->nports ? nports : sw->nports;
	memcpy(np, sw->ports, keep * sizeof(*np));
	for (unsigned v = 0; v < VLAN_MAX; v++) {
		struct sw_vlan *old = sw->vlans[v];
		if (!old)
			continue;
		struct sw_vlan *nv = vlan_new(nports);
		if (!nv) {
			free(np);
			free(nd);
			return ENOMEM;
		}
		for (unsigned p = 0; p < keep; p++)
			bm_set(nv->tagged, p, bm_get(old->tagged, p));
		vlan_free(old);
		sw->vlans[v] = nv;
	}
	free(sw->ports);
	free(sw->dirty);
	sw->ports = np;
	sw->dirty = nd;
	sw->ndirty = 0;
	sw->nports = nports;
	rebuild(sw);
	return 0;
}

void sw_set_hub(struct sw *sw, bool hub)
{
	sw->hub = hub;
	fdb_flush_all(&sw->fdb);
	sw_bump(sw);
}

int sw_vlan_create(struct sw *sw, unsigned vid)
{
	if (vid == 0 || vid >= VLAN_NONE)
		return EINVAL;
	if (sw->vlans[vid])
		return EEXIST;
	if (!(sw->vlans[vid] = vlan_new(sw->nports)))
		return ENOMEM;
	rebuild(sw);
	return 0;
}

int sw_vlan_remove(struct sw *sw, unsigned vid)
{
	if (vid >= VLAN_NONE)
		return EINVAL;
	if (vid == 0) /* VLAN 0 stays, in use by every untagged port (removing it crashes vde_switch, vde-2#23) */
		return EADDRINUSE;
	struct sw_vlan *v = sw->vlans[vid];
	if (!v)
		return ENXIO;
	for (unsigned p = 0; p < sw->nports; p++)
		if (sw->ports[p].exists && (sw->ports[p].pvid == vid || bm_get(v->tagged, p)))
			return EADDRINUSE;
	vlan_free(v);
	sw->vlans[vid] = NULL;
	fdb_flush_vlan(&sw->fdb, (uint16_t)vid);
	rebuild(sw);
	return 0;
}

int sw_vlan_addport(struct sw *sw, unsigned vid, unsigned port)
{
	if (vid >= VLAN_NONE || port >= sw->nports)
		return EINVAL;
	if (!sw->vlans[vid] || !sw->ports[port].exists)
		return ENXIO;
	if (bm_get(sw->vlans[vid]->tagged, port))
		return 0; /* already a member: vde-2 says Success too */
	bm_set(sw->vlans[vid]->tagged, port, true);
	rebuild(sw);
	return 0;
}

int sw_vlan_delport(struct sw *sw, unsigned vid, unsigned port)
{
	if (vid >= VLAN_NONE || port >= sw->nports)
		return EINVAL;
	if (!sw->vlans[vid] || !sw->ports[port].exists)
		return ENXIO;
	if (sw->ports[port].pvid == vid)
		return EADDRINUSE; /* its untagged VLAN: port/setvlan changes that */
	if (!bm_get(sw->vlans[vid]->tagged, port))
		return 0; /* not a member: nothing to do, as vde-2 */
	bm_set(sw->vlans[vid]->tagged, port, false);
	fdb_flush_port(&sw->fdb, (uint16_t)port);
	rebuild(sw);
	return 0;
}

int sw_port_setvlan(struct sw *sw, unsigned port, unsigned vid)
{
	if (port >= sw->nports || vid > VLAN_NONE)
		return EINVAL;
	if (!sw->ports[port].exists || (vid != VLAN_NONE && !sw->vlans[vid]))
		return ENXIO;
	sw->ports[port].pvid = (uint16_t)vid;
	fdb_flush_port(&sw->fdb, (uint16_t)port);
	rebuild(sw);
	return 0;
}

bool sw_vlan_is_tagged(const struct sw *sw, unsigned vid, unsigned port)
{
	return vid < VLAN_MAX && sw->vlans[vid] && port < sw->nports &&
	       bm_get(sw->vlans[vid]->tagged, port);
}

void sw_set_flowcache(struct sw *sw, bool on)
{
	if (on && !sw->fc.enabled)
		flowcache_clear(&sw->fc);
	sw->fc.enabled = on;
}

/* ---- output ---- */

static void port_flush(struct sw *sw, uint16_t port);

/* Put an element at its next deadline in the heap (or take it out). */
static void impair_schedule(struct sw *sw, struct sw_impair *si)
{
	timerheap_set(&sw->impair_heap, &si->ip.node, impair_port_next_deadline_ns(&si->ip));
}

static void backlog_push(struct sw *sw, struct sw_port *p, uint16_t port, const struct vtx *t, bool flood)
{
	if (flood && p->bl_count >= PORT_BACKLOG / 2) { /* congested: flooded copies drop first */
		p->st.tx_drops++;
		return;
	}
	if (!p->bl_buf && !(p->bl_buf = malloc((size_t)PORT_BACKLOG * VPKT_MAXFRAME))) {
		p->st.tx_drops++;
		return;
	}
	if (p->bl_count == PORT_BACKLOG) {
		p->st.tx_drops++;
		return;
	}
	unsigned slot = (p->bl_head + p->bl_count) % PORT_BACKLOG;
	vtx_flatten(t, p->bl_buf + (size_t)slot * VPKT_MAXFRAME);
	p->bl_len[slot] = t->len;
	if (p->bl_count++ == 0) {
		sw->nblocked++;
		if (sw->on_blocked)
			sw->on_blocked(sw, port, true);
	}
	if (!flood && p->bl_count >= PORT_BACKLOG / 2 && sw->cur_in < sw->nports && sw->cur_in != port)
		feeder_add(sw, p, sw->cur_in);
}

void sw_port_drain(struct sw *sw, uint16_t port)
{
	struct sw_port *p = &sw->ports[port];
	while (p->ep && p->bl_count) {
		struct vtx t[VPKT_BURST];
		unsigned n = 0;
		for (; n < VPKT_BURST && n < p->bl_count; n++) {
			unsigned slot = (p->bl_head + n) % PORT_BACKLOG;
			vtx_init(&t[n]);
			vtx_add(&t[n], p->bl_buf + (size_t)slot * VPKT_MAXFRAME, p->bl_len[slot]);
		}
		int sent = ep_send_batch(p->ep, t, n);
		if (sent < 0) {
			p->st.tx_drops += n;
			sent = (int)n;
		}
		for (int i = 0; i < sent; i++)
			p->st.tx_bytes += t[i].len;
		p->st.tx_pkts += (unsigned)sent;
		p->bl_head = (p->bl_head + (unsigned)sent) % PORT_BACKLOG;
		p->bl_count -= (unsigned)sent;
		if ((unsigned)sent < n)
			break;
	}
	if (p->bl_count == 0 && p->bl_buf) {
		p->bl_head = 0;
		sw->nblocked--;
		if (sw->on_blocked)
			sw->on_blocked(sw, port, false);
	}
	if (p->nfeeders && p->bl_count < PORT_BACKLOG / 2)
		feeders_release(sw, p);
}

static void port_flush(struct sw *sw, uint16_t port)
{
	struct sw_port *p = &sw->ports[port];
	struct sw_txq *q = &p->txq;
	unsigned done = 0;

	p->dirty = false;
	if (!p->ep || q->n == 0) {
		q->n = 0;
		return;
	}
	struct sw_impair *out = p->imp[SW_IMPAIR_OUT];
	if (out && impair_port_active(&out->ip)) { /* the element captures at its points */
		for (unsigned i = 0; i < q->n; i++)
			impair_port_input_vtx(&out->ip, &q->tx[i], sw->now_ns);
		q->n = 0;
		impair_schedule(sw, out);
		return;
	}
	if (CAPTURING(p)) /* no impairments: both capture points are here */
		for (unsigned i = 0; i < q->n; i++)
			capture_vtx(p->cap, &q->tx[i], sw->now_ns);
	if (p->bl_count == 0) {
		int sent = ep_send_batch(p->ep, q->tx, q->n);
		if (sent < 0) {
			p->st.tx_drops += q->n;
			q->n = 0;
			return;
		}
		done = (unsigned)sent;
		for (unsigned i = 0; i < done; i++)
			p->st.tx_bytes += q->tx[i].len;
		p->st.tx_pkts += done;
	}
	for (unsigned i = done; i < q->n; i++)
		backlog_push(sw, p, port, &q->tx[i], q->flood[i]);
	q->n = 0;
}

/* One write per capture per batch. */
static void flush_captures(struct sw *sw)
{
#ifndef VDELAB_NO_CAPTURE
	if (sw->ncaptures)
		for (unsigned i = 0; i < sw->nports; i++)
			if (sw->ports[i].cap)
				capture_flush(sw->ports[i].cap);
#endif
}

void sw_flush(struct sw *sw)
{
	for (unsigned i = 0; i < sw->ndirty; i++)
		port_flush(sw, sw->dirty[i]);
	sw->ndirty = 0;
	flush_captures(sw);
}

/* Queue one frame for `port` in `vlan`, tagging or untagging by gather list. */
static void enqueue(struct sw *sw, uint16_t port, const uint8_t *data, uint16_t len,
		    const struct frame_info *fi, uint16_t vlan, bool flood)
{
	struct sw_port *p = &sw->ports[port];
	if (!p->ep)
		return;
	struct sw_txq *q = &p->txq;
	if (q->n == VPKT_BURST)
		port_flush(sw, port);
	struct vtx *t = &q->tx[q->n];
	vtx_init(t);
	bool in_tagged = fi->vid != FRAME_UNTAGGED;
	if (sw->hub) {
		vtx_add(t, data, len);
	} else {
		bool out_tagged = p->pvid != vlan;
		if (!out_tagged && !in_tagged) {
			vtx_add(t, data, len);
		} else if (out_tagged && in_tagged && fi->vid == vlan) {
			vtx_add(t, data, len);
		} else {
			size_t body = in_tagged ? ETH_HDR_LEN + VLAN_TAG_LEN - 2 : ETH_HDR_LEN - 2;
			vtx_add(t, data, 12);
			if (out_tagged) {
				frame_make_tag(q->tag[q->n], vlan, fi->pcp);
				vtx_add(t, q->tag[q->n], VLAN_TAG_LEN);
			}
			vtx_add(t, data + body, len - body);
		}
	}
	vtx_pad(t);
	q->flood[q->n] = flood;
	q->n++;
	if (!p->dirty) {
		p->dirty = true;
		sw->dirty[sw->ndirty++] = port;
	}
}

/* The slow path: compute the action for a frame, learning its source. */
static void classify(struct sw *sw, uint16_t in, const uint8_t *data, const struct frame_info *fi,
		     uint64_t now, struct flow_action *act, uint32_t *src_idx, bool *cacheable)
{
	struct sw_port *ip = &sw->ports[in];
	uint16_t vlan;

	*src_idx = FDB_NONE;
	*cacheable = true;
	act->kind = FLOW_DROP;
	act->port = 0;
	if (fi->vid == FRAME_UNTAGGED || fi->vid == 0) {
		vlan = ip->pvid;
		if (vlan == VLAN_NONE) {
			act->drop_reason = SW_DROP_NO_PVID;
			act->vlan = 0;
			return;
		}
	} else {
		vlan = fi->vid;
		if (!sw->vlans[vlan] || !bm_get(sw->vlans[vlan]->tagged, in)) {
			if (ip->pvid != vlan || !sw->vlans[vlan]) {
				act->drop_reason = SW_DROP_VLAN_INGRESS;
				act->vlan = vlan;
				return;
			}
		}
	}
	act->vlan = vlan;
	if (!fi->group_src) {
		enum fdb_result r = fdb_learn(&sw->fdb, data + 6, vlan, in, now, src_idx);
		if (fdb_changed(r)) {
			sw_bump(sw);
			if (sw->on_learn && (r == FDB_LEARNED || r == FDB_MOVED))
				sw->on_learn(sw, data + 6, vlan, in);
		}
		if (r == FDB_FLAP_HELD) {
			/* the entry belongs to another port: do not cache, so the
			 * move is retried on every frame until anti-flap allows it */
			*src_idx = FDB_NONE;
			*cacheable = false;
		}
	}
	if (!fi->group_dst) {
		uint32_t d = fdb_lookup(&sw->fdb, data, vlan);
		if (d != FDB_NONE) {
			uint16_t out = sw->fdb.tab[d].port;
			if (out == in) {
				act->drop_reason = SW_DROP_SAME_PORT;
				return;
			}
			if (!port_out_ok(&sw->ports[out])) { /* 802.1D 8.6.1: only to forwarding ports */
				act->drop_reason = sw->ports[out].link_down ? SW_DROP_LINK_DOWN : SW_DROP_DISCARDING;
				return;
			}
			act->kind = FLOW_UNICAST;
			act->port = out;
			return;
		}
	}
	act->kind = FLOW_FLOOD;
}

/* A frame received on a port that does not forward: a BPDU goes to the
 * spanning tree; others teach the FDB in the learning state, then drop. */
static void discard_input(struct sw *sw, uint16_t in, const uint8_t *data, uint16_t len,
			  const struct frame_info *fi, uint64_t now)
{
	struct sw_port *ip = &sw->ports[in];
	if (sw->stp_on && bpdu_is_stp_dst(data)) {
		if (sw->on_bpdu)
			sw->on_bpdu(sw, in, data, len);
		return;
	}
	if (!ip->stp_nolearn) {
		struct flow_action act;
		uint32_t src_idx;
		bool cacheable;
		classify(sw, in, data, fi, now, &act, &src_idx, &cacheable);
	}
	ip->st.rx_drops++;
	sw->st.drops[SW_DROP_DISCARDING]++;
}

void sw_set_stp(struct sw *sw, bool on)
{
	sw->stp_on = on;
	if (!on)
		for (unsigned p = 0; p < sw->nports; p++)
			sw->ports[p].stp_discarding = sw->ports[p].stp_nolearn = false;
	rebuild(sw);
}

int sw_port_set_stp_state(struct sw *sw, unsigned port, bool learning, bool forwarding)
{
	if (port >= sw->nports)
		return EINVAL;
	struct sw_port *p = &sw->ports[port];
	if (p->stp_discarding == !forwarding && p->stp_nolearn == !learning)
		return 0;
	p->stp_discarding = !forwarding;
	p->stp_nolearn = !learning;
	rebuild(sw);
	return 0;
}

int sw_port_set_link(struct sw *sw, unsigned port, bool up)
{
	if (port >= sw->nports)
		return EINVAL;
	struct sw_port *p = &sw->ports[port];
	if (!p->exists)
		return ENXIO;
	if (p->link_down == !up)
		return 0;
	p->link_down = !up;
	if (!up) {
		p->txq.n = 0;
		fdb_flush_port(&sw->fdb, (uint16_t)port);
	}
	rebuild(sw);
	return 0;
}

int sw_port_send_local(struct sw *sw, unsigned port, const uint8_t *frame, uint16_t len)
{
	if (port >= sw->nports)
		return EINVAL;
	struct sw_port *p = &sw->ports[port];
	if (!p->ep || p->link_down)
		return ENOTCONN;
	struct vtx t;
	vtx_init(&t);
	vtx_add(&t, frame, len);
	vtx_pad(&t);
	if (CAPTURING(p)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		capture_vtx(p->cap, &t, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
		capture_flush(p->cap);
	}
	int sent = ep_send_batch(p->ep, &t, 1);
	if (sent != 1) {
		p->st.tx_drops++;
		return sent < 0 ? -sent : EAGAIN;
	}
	p->st.tx_pkts++;
	p->st.tx_bytes += t.len;
	return 0;
}

void sw_input(struct sw *sw, uint16_t in, struct vpkt **pkts, unsigned n, uint64_t now)
{
	struct sw_port *ip = in < sw->nports ? &sw->ports[in] : NULL;
	if (!ip || !ip->exists) {
		sw->st.drops[SW_DROP_NO_PORT] += n;
		return;
	}
	sw->now_ns = now;
	if (ip->link_down) {
		sw->st.drops[SW_DROP_LINK_DOWN] += n;
		return;
	}
	struct sw_impair *si = ip->imp[SW_IMPAIR_IN];
	if (si && impair_port_active(&si->ip)) { /* the element captures at its points */
		for (unsigned i = 0; i < n; i++)
			impair_port_input(&si->ip, vpkt_data(pkts[i]), pkts[i]->len, now);
		impair_schedule(sw, si);
		return;
	}
	if (CAPTURING(ip)) /* no impairments: both capture points are here */
		for (unsigned i = 0; i < n; i++)
			capture_frame(ip->cap, vpkt_data(pkts[i]), pkts[i]->len, now);
	sw_forward(sw, in, pkts, n, now);
}

void sw_forward(struct sw *sw, uint16_t in, struct vpkt **pkts, unsigned n, uint64_t now)
{
	struct sw_port *ip = in < sw->nports ? &sw->ports[in] : NULL;
	if (!ip || !ip->exists) {
		sw->st.drops[SW_DROP_NO_PORT] += n;
		return;
	}
	sw->now_ns = now;
	sw->cur_in = in;
	/* decision of the previous frame of this batch, reused for a run of
	 * frames of the same flow while the generation holds */
	bool memo_ok = false;
	struct flow_key memo_key;
	struct flow_action memo_act = { 0 };
	uint32_t memo_src = FDB_NONE, memo_gen = 0;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *data = vpkt_data(pkts[i]);
		uint16_t len = pkts[i]->len;
		struct frame_info fi;

		ip->st.rx_pkts++;
		ip->st.rx_bytes += len;
		if (frame_parse(data, len, &fi) != FRAME_OK) {
			ip->st.rx_drops++;
			sw->st.drops[SW_DROP_BAD_FRAME]++;
			continue;
		}
		if (ip->stp_discarding) { /* the one spanning-tree check of the data path */
			discard_input(sw, in, data, len, &fi, now);
			continue;
		}
		if (sw->hub) {
			for (unsigned p = 0; p < sw->nports; p++)
				if (p != in && sw->ports[p].ep && !sw->ports[p].link_down) {
					enqueue(sw, (uint16_t)p, data, len, &fi, 0, true);
					sw->ports[p].st.tx_flood++;
				}
			sw->st.flooded++;
			continue;
		}
		struct flow_key k;
		k.in_port = in;
		k.vid = fi.vid;
		memcpy(k.dst, data, 6);
		memcpy(k.src, data + 6, 6);
		k.ethertype = fi.ethertype;
		memset(k.pad, 0, sizeof(k.pad));

		struct flow_action act;
		struct flow_entry *fe;
		if (memo_ok && memo_gen == sw->gen && flow_key_eq(&k, &memo_key)) {
			/* same flow as the previous frame of this batch: no lookup at
			 * all (OVS groups a batch per flow the same way) */
			act = memo_act;
			if (memo_src != FDB_NONE)
				sw->fdb.tab[memo_src].last_seen_ns = now;
			sw->fc.batch_hits++;
		} else if ((fe = flowcache_lookup(&sw->fc, &k, sw->gen))) {
			act = fe->act;
			if (fe->src_idx != FDB_NONE)
				sw->fdb.tab[fe->src_idx].last_seen_ns = now;
			memo_ok = true;
			memo_key = k, memo_act = act, memo_src = fe->src_idx, memo_gen = sw->gen;
		} else if (sw->stp_on && bpdu_is_stp_dst(data)) {
			/* never cached, so BPDUs only ever reach this branch */
			if (sw->on_bpdu)
				sw->on_bpdu(sw, in, data, len);
			memo_ok = false;
			continue;
		} else {
			uint32_t src_idx;
			bool cacheable;
			classify(sw, in, data, &fi, now, &act, &src_idx, &cacheable);
			if (cacheable)
				flowcache_insert(&sw->fc, &k, sw->gen, &act, src_idx);
			memo_ok = cacheable && sw->fc.enabled;
			memo_key = k, memo_act = act, memo_src = src_idx, memo_gen = sw->gen;
		}
		switch (act.kind) {
		case FLOW_DROP:
			ip->st.rx_drops++;
			sw->st.drops[act.drop_reason]++;
			break;
		case FLOW_UNICAST:
			enqueue(sw, act.port, data, len, &fi, act.vlan, false);
			sw->st.unicast++;
			break;
		case FLOW_FLOOD: {
			const struct sw_vlan *v = sw->vlans[act.vlan];
			for (unsigned m = 0; v && m < v->nmembers; m++) {
				uint16_t p = v->members[m];
				if (p != in) {
					enqueue(sw, p, data, len, &fi, act.vlan, true);
					sw->ports[p].st.tx_flood++;
				}
			}
			sw->st.flooded++;
			break;
		}
		}
	}
}

unsigned sw_tick(struct sw *sw, uint64_t now_ns)
{
	for (unsigned p = 0; p < sw->nports; p++)
		ep_tick(sw->ports[p].ep, now_ns);
	unsigned n = fdb_age(&sw->fdb, now_ns);
	if (n)
		sw_bump(sw);
	return n;
}

/* Frames leaving a port's "out" element go to its endpoint. A port without
 * one (detached) or a failed send loses them, counted in tx_drops, as the
 * direct path does. */
static int deliver_out(void *arg, struct vtx *tx, unsigned n, uint64_t now)
{
	struct sw_impair *si = arg;
	struct sw_port *pt = &si->sw->ports[si->port];
	(void)now;
	int s = pt->ep && !pt->link_down ? ep_send_batch(pt->ep, tx, n) : -ENOTCONN;
	if (s < 0) {
		pt->st.tx_drops += n;
		return (int)n;
	}
	for (int k = 0; k < s; k++)
		pt->st.tx_bytes += tx[k].len;
	pt->st.tx_pkts += (unsigned)s;
	return s;
}

/* Frames leaving a port's "in" element are forwarded as if just received. */
static int deliver_in(void *arg, struct vtx *tx, unsigned n, uint64_t now)
{
	struct sw_impair *si = arg;
	struct sw *sw = si->sw;
	struct vpkt *pp[VPKT_BURST];
	for (unsigned k = 0; k < n; k++) {
		vpkt_reset(&sw->reinj[k]);
		vtx_flatten(&tx[k], vpkt_data(&sw->reinj[k]));
		sw->reinj[k].len = tx[k].len;
		pp[k] = &sw->reinj[k];
	}
	sw_forward(sw, si->port, pp, n, now);
	sw_flush(sw); /* the buffers are reused by the next release */
	return (int)n;
}

/* Drop an element that was cleared and has drained. */
static void maybe_retire(struct sw *sw, struct sw_port *pt, int d)
{
	struct sw_impair *si = pt->imp[d];
	if (si && !impair_port_active(&si->ip)) {
		impair_drop(sw, pt, d);
		if (!has_chain(pt) && sw->nimpaired)
			sw->nimpaired--;
	}
}

int sw_port_impair(struct sw *sw, unsigned port, int dir, const struct impair_params *p)
{
	if (port >= sw->nports || !sw->ports[port].exists || (dir != SW_IMPAIR_IN && dir != SW_IMPAIR_OUT))
		return EINVAL;
	struct sw_port *pt = &sw->ports[port];
	if (!pt->imp[dir]) {
		if (impair_params_null(p))
			return 0;
		struct sw_impair *si = malloc(sizeof(*si));
		if (!si || impair_port_init(&si->ip, sw->impair_seed + 2 * port + (unsigned)dir,
					    dir == SW_IMPAIR_IN ? deliver_in : deliver_out, si,
					    dir == SW_IMPAIR_IN ? CAPTURE_AT_SWITCH : CAPTURE_AT_WIRE)) {
			free(si);
			return ENOMEM;
		}
		si->sw = sw;
		si->port = (uint16_t)port;
		si->dir = dir;
		si->ip.cap = pt->cap;
		if (!has_chain(pt))
			sw->nimpaired++;
		pt->imp[dir] = si;
	}
	impair_port_set(&pt->imp[dir]->ip, p);
	/* cleared with nothing held: back to the direct path now, not after the
	 * next frame has gone through an empty chain */
	maybe_retire(sw, pt, dir);
	return 0;
}

const struct impair_port *sw_port_impairment(const struct sw *sw, unsigned port, int dir)
{
	if (port >= sw->nports || (dir != SW_IMPAIR_IN && dir != SW_IMPAIR_OUT) || !sw->ports[port].imp[dir])
		return NULL;
	return &sw->ports[port].imp[dir]->ip;
}

uint64_t sw_impair_next_ns(const struct sw *sw)
{
	const struct timerheap_node *n = timerheap_min(&sw->impair_heap);
	return n ? n->at : UINT64_MAX;
}

void sw_impair_run(struct sw *sw, uint64_t now)
{
	struct timerheap_node *n;
	while ((n = timerheap_min(&sw->impair_heap)) && n->at <= now) {
		struct sw_impair *si = (struct sw_impair *)((char *)n - offsetof(struct sw_impair, ip.node));
		struct sw_port *pt = &sw->ports[si->port];
		impair_port_output(&si->ip, now);
		impair_schedule(sw, si);
		maybe_retire(sw, pt, si->dir);
	}
	flush_captures(sw); /* what the elements captured on delivery */
}
