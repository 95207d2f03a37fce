/* sw.h - the learning switch: ports, 802.1Q VLANs, FDB, flow cache, output.
 *
 * Pipeline per received batch (run to completion):
 *   parse -> flow cache lookup (hit: refresh src age, take the action)
 *   miss: ingress VLAN filter -> learn src -> FDB lookup or flood set ->
 *         install in the cache with the current generation
 *   execute: per egress port, tag/untag by gather list (no copies), pad to
 *   60 bytes, append to the port's tx queue; queues are flushed with one
 *   sendmmsg per port at the end of the batch.
 *
 * VLAN model (vde_switch's): each port has one untagged VLAN (its PVID,
 * port/setvlan; VLAN_NONE = none) and any number of tagged memberships
 * (vlan/addport). An untagged frame belongs to the PVID; a tagged frame is
 * accepted only if the port is a member of its VID (ingress filtering); a
 * priority tag (VID 0) means the PVID. On egress a frame is untagged on the
 * port whose PVID is its VLAN and tagged elsewhere. VLAN 0 always exists.
 * Hub mode floods every frame unchanged to every other port.
 *
 * When a port's socket is full, frames wait in a bounded per-port backlog
 * (PORT_BACKLOG frames, copied only under congestion) and the owner is told
 * to poll for writability. Past half the backlog, back-pressure applies to
 * the inputs that feed that port alone: an input whose unicast frames go
 * there is paused (the owner stops reading it) until the backlog drains
 * below half, and flooded copies for it are dropped and counted rather than
 * held, so a slow reader costs only its own frames and never the latency of
 * unrelated ports. Beyond the backlog, frames are dropped and counted in
 * tx_drops.
 */
#ifndef VDE_CORE_SW_H
#define VDE_CORE_SW_H

#include <stdbool.h>
#include <stdint.h>

#include "ep.h"
#include "fdb.h"
#include "impair_port.h"
#include "flowcache.h"
#include "limits.h"
#include "pkt.h"
#include "timerheap.h"

enum sw_drop {
	SW_DROP_VLAN_INGRESS = 0, /* tagged with a VLAN the port is not in */
	SW_DROP_NO_PVID,          /* untagged on a port without untagged VLAN */
	SW_DROP_SAME_PORT,        /* destination learned on the ingress port */
	SW_DROP_BAD_FRAME,        /* truncated 802.1Q tag */
	SW_DROP_NO_PORT,          /* frame from a port that does not exist */
	SW_DROP_DISCARDING,       /* received on, or learned behind, a port the spanning tree blocks */
	SW_DROP_LINK_DOWN,        /* received on, or for, a port whose link is down */
	SW_DROP__N
};
extern const char *const sw_drop_names[SW_DROP__N];

struct sw_port_stats {
	uint64_t rx_pkts, rx_bytes;  /* frames received from the port */
	uint64_t tx_pkts, tx_bytes;  /* frames handed to the port's endpoint */
	uint64_t rx_drops;           /* received frames the switch discarded */
	uint64_t tx_drops;           /* frames for this port lost (backlog full) */
	uint64_t tx_flood;           /* of tx_pkts, copies of flooded frames */
};

struct sw_txq {
	unsigned n;
	struct vtx tx[VPKT_BURST];
	uint8_t tag[VPKT_BURST][4];
	bool flood[VPKT_BURST];  /* a flooded copy (never back-pressures its source) */
};

struct sw_port {
	bool exists;           /* allocated (auto or port/create) */
	bool notinpool;        /* made by port/create: not auto-allocated */
	struct ep *ep;         /* attached endpoint, NULL = inactive */
	uint16_t pvid;         /* untagged VLAN, VLAN_NONE = none */
	struct sw_port_stats st;
	struct sw_txq txq;
	bool dirty;            /* txq holds frames to flush */
	/* backlog ring, allocated on first congestion */
	uint8_t *bl_buf;       /* PORT_BACKLOG * VPKT_MAXFRAME bytes */
	uint16_t bl_len[PORT_BACKLOG];
	unsigned bl_head, bl_count;
	/* back-pressure: the inputs paused because of this port's backlog, and
	 * how many congested ports this port (as an input) is paused for */
	uint16_t *feeders;
	unsigned nfeeders, feeders_cap;
	unsigned pause_refs;
	void *owner;           /* the daemon's per-port data */
	/* impairments: [SW_IMPAIR_IN] on frames received from the port, before
	 * forwarding; [SW_IMPAIR_OUT] on frames sent to it. NULL = none. Read
	 * them through sw_port_impairment(). */
	struct sw_impair *imp[2];
	/* pcap capture of this port (capture.h), NULL = off: one pointer test
	 * per batch on the data path */
	struct capture *cap;
	/* spanning tree (stp.h) and link state: all false = forwarding, up;
	 * the data path reads only these flags */
	bool stp_discarding;   /* not in the forwarding state: nothing in or out */
	bool stp_nolearn;      /* not learning either (discarding, not learning state) */
	bool link_down;        /* carrier off in both directions (port/setlink) */
	/* access control (vde-2 port/setuser, port/setgroup): who may plug into
	 * the port, -1 = anyone; cur_user: the uid of its (last) client, -1 none */
	int ac_user, ac_group, cur_user;
};

enum { SW_IMPAIR_IN = 0, SW_IMPAIR_OUT = 1 };

struct sw_vlan {
	uint8_t *tagged;       /* bitmap over ports: tagged members */
	uint16_t *members;     /* active member ports (tagged or untagged) */
	unsigned nmembers;
};

struct sw;
struct sw_impair;
/* Told when a port starts (true) or stops (false) needing EPOLLOUT. */
typedef void (*sw_blocked_cb)(struct sw *sw, uint16_t port, bool blocked);
/* Told when input from `port` should pause (true) or resume (false). */
typedef void (*sw_pause_cb)(struct sw *sw, uint16_t port, bool pause);
/* A frame to 01:80:C2:00:00:00 received on `port` while the spanning tree
 * runs: handed over here, never forwarded. */
typedef void (*sw_bpdu_cb)(struct sw *sw, uint16_t port, const uint8_t *frame, size_t len);

struct sw_stats {
	uint64_t drops[SW_DROP__N];
	uint64_t flooded;      /* frames flooded (per frame, not per copy) */
	uint64_t unicast;      /* frames sent to one learned port */
};

struct sw {
	unsigned nports;
	struct sw_port *ports;
	struct sw_vlan *vlans[VLAN_MAX]; /* NULL = VLAN does not exist */
	bool hub;
	uint32_t gen;                /* bumped on any change to forwarding state */
	struct fdb fdb;
	struct flowcache fc;
	struct sw_stats st;
	uint16_t *dirty;             /* ports with frames in their txq */
	unsigned ndirty;
	unsigned nblocked;           /* ports with a non-empty backlog */
	unsigned npaused;            /* inputs paused by back-pressure */
	uint16_t cur_in;             /* input port of the batch being forwarded */
	unsigned nimpaired;          /* ports with at least one chain */
	unsigned ncaptures;          /* ports being captured */
	uint64_t impair_seed;
	struct timerheap impair_heap; /* impaired ports with held frames, by deadline */
	struct vpkt *reinj;          /* VPKT_BURST buffers for frames leaving in-chains */
	uint64_t now_ns;             /* time of the batch being forwarded */
	sw_blocked_cb on_blocked;
	sw_pause_cb on_pause;
	bool stp_on;                 /* BPDUs go to on_bpdu instead of being forwarded */
	sw_bpdu_cb on_bpdu;
	/* a (MAC, VLAN) newly learned or moved to a port (vde-2's hash/+ debug
	 * events); NULL: nobody cares. Removals: fdb.on_remove. */
	void (*on_learn)(struct sw *sw, const uint8_t mac[6], uint16_t vlan, uint16_t port);
	void *owner;
};

/* Create a switch with ports 0..nports-1 (no port exists yet), VLAN 0, an
 * FDB of fdb_max entries aging after age_s seconds, and the flow cache on.
 * Returns 0, EINVAL (nports 0 or > SW_MAX_PORTS) or ENOMEM. */
int sw_init(struct sw *sw, unsigned nports, uint32_t fdb_max, unsigned age_s);
void sw_destroy(struct sw *sw);

/* Invalidate every cached decision (O(1)). */
static inline void sw_bump(struct sw *sw)
{
	if (++sw->gen == UINT32_MAX)
		sw->gen = 0;
}

/* Port management (vde_switch port/ commands). 0 or errno:
 * EINVAL out of range; EEXIST already exists; ENXIO does not exist;
 * EADDRINUSE has an endpoint attached; ENOSPC no free port. */
int sw_port_create(struct sw *sw, unsigned port, bool notinpool);
int sw_port_remove(struct sw *sw, unsigned port);
/* Lowest free allocatable port >= 1 (vde-2 port.c alloc_port): one that
 * does not exist yet (then created), or one without an endpoint that is
 * allocatable (port/allocatable N 1); or -ENOSPC. *created (if not NULL)
 * says which. */
int sw_port_alloc(struct sw *sw);
int sw_port_alloc_ex(struct sw *sw, bool *created);
/* Keep the port and its configuration when its endpoint goes
 * (port/create, port/createauto from the console, ports given by URL). */
void sw_port_keep(struct sw *sw, unsigned port);
/* Zero a port's counters (port/resetcounter). EINVAL out of range. */
int sw_port_reset_counters(struct sw *sw, unsigned port);
/* Attach `ep` to an existing port without endpoint. 0, ENXIO or EADDRINUSE. */
int sw_port_attach(struct sw *sw, unsigned port, struct ep *ep);
/* Detach and return the endpoint (caller closes it); flushes the port's
 * MACs and backlog. NULL if none. The port keeps existing if notinpool. */
struct ep *sw_port_detach(struct sw *sw, unsigned port);
/* Change the number of ports (port/setnumports). EADDRINUSE if an active
 * port would be cut off, EINVAL out of range, ENOMEM. */
int sw_set_numports(struct sw *sw, unsigned nports);
void sw_set_hub(struct sw *sw, bool hub);

/* VLANs (vde_switch vlan/ commands, with vde-2 port.c's answer codes).
 * 0 or errno: EINVAL a VID out of range (create: 1..4094; vde-2 stops at
 * 4093) or a port out of range; EEXIST (create) exists; ENXIO no such VLAN
 * or port; EADDRINUSE remove of a VLAN with member ports or of VLAN 0, or
 * delport of a port's untagged VLAN. addport of a member and delport of a
 * non-member succeed, doing nothing (vde-2). */
int sw_vlan_create(struct sw *sw, unsigned vid);
int sw_vlan_remove(struct sw *sw, unsigned vid);
int sw_vlan_addport(struct sw *sw, unsigned vid, unsigned port);
int sw_vlan_delport(struct sw *sw, unsigned vid, unsigned port);
/* port/setvlan: untagged VLAN of a port (VLAN_NONE for none); ENXIO for
 * a port or VLAN that does not exist (vde-2). */
int sw_port_setvlan(struct sw *sw, unsigned port, unsigned vid);
bool sw_vlan_is_tagged(const struct sw *sw, unsigned vid, unsigned port);

/* Take `n` frames received on `in_port` at time now_ns: the ingress half
 * (capture at the wire, the port's "in" impairments), then sw_forward().
 * Frames are only read; the caller keeps the buffers, which must stay valid
 * until sw_flush() returns. */
void sw_input(struct sw *sw, uint16_t in_port, struct vpkt **pkts, unsigned n, uint64_t now_ns);
/* The forwarding half: classify (flow cache, VLAN filter, learn, FDB or
 * flood) and queue on the egress ports. Frames released by a port's "in"
 * impairments enter here. Same buffer rule as sw_input(). */
void sw_forward(struct sw *sw, uint16_t in_port, struct vpkt **pkts, unsigned n, uint64_t now_ns);
/* Hand every queued frame to the endpoints (end of a batch). */
void sw_flush(struct sw *sw);
/* Port writable again: send from its backlog. */
void sw_port_drain(struct sw *sw, uint16_t port);
/* Is input from `port` paused by back-pressure? */
static inline bool sw_port_paused(const struct sw *sw, uint16_t port)
{
	return port < sw->nports && sw->ports[port].pause_refs > 0;
}

/* Start capturing port `port` into `cap` (taking ownership; a previous
 * capture of the port is closed), or stop with cap == NULL. Frames of both
 * directions are written, at the point capture_point(cap) names. Returns 0,
 * or ENXIO if the port does not exist (cap is then not taken). */
int sw_port_capture(struct sw *sw, unsigned port, struct capture *cap);

/* Impair a port: dir SW_IMPAIR_IN or SW_IMPAIR_OUT, parameters p (a null
 * set removes the element once its held frames are gone). Frames already
 * held keep their departure times. 0, EINVAL (port) or ENOMEM. */
int sw_port_impair(struct sw *sw, unsigned port, int dir, const struct impair_params *p);
/* The impaired element of a port's direction, NULL if it has none. */
const struct impair_port *sw_port_impairment(const struct sw *sw, unsigned port, int dir);
/* Release frames whose time has come: out-elements send to their
 * endpoint, in-elements feed sw_forward(). Only ports whose deadline has
 * passed are visited (a deadline heap, not a scan). Call after each batch
 * and when the deadline of sw_impair_next_ns() passes. */
void sw_impair_run(struct sw *sw, uint64_t now_ns);
/* Earliest deadline over all impaired ports (O(1)), UINT64_MAX if none. */
uint64_t sw_impair_next_ns(const struct sw *sw);

/* Spanning tree on (BPDUs to on_bpdu, per-port states apply) or off (every
 * port forwards, BPDUs are flooded like any multicast, as vde_switch
 * without -F). */
void sw_set_stp(struct sw *sw, bool on);
/* A port's spanning-tree state (802.1D 17.30: the Port State Transition
 * machine's enableLearning/enableForwarding). Invalidates cached decisions
 * when it changes. EINVAL out of range. */
int sw_port_set_stp_state(struct sw *sw, unsigned port, bool learning, bool forwarding);
/* Link up or down: down drops everything received from or sent to the
 * port (counted in drops[SW_DROP_LINK_DOWN]) as a pulled cable would.
 * EINVAL out of range, ENXIO no such port. */
int sw_port_set_link(struct sw *sw, unsigned port, bool up);
/* Send a frame of the switch's own (a BPDU) straight to a port's endpoint:
 * captured, not impaired, not queued. 0, ENOTCONN (no endpoint or link
 * down) or the endpoint's errno. */
int sw_port_send_local(struct sw *sw, unsigned port, const uint8_t *frame, uint16_t len);

/* Periodic work (1 s tick): the ports' endpoints' ep_tick, FDB aging.
 * Returns expired FDB entries. */
unsigned sw_tick(struct sw *sw, uint64_t now_ns);

/* Turn the flow cache on or off (benchmarks, flow/setcache). */
void sw_set_flowcache(struct sw *sw, bool on);

#endif
