/* overlay.h - a tunnel endpoint (VTEP) in user space, generic over its
 * encapsulation: VXLAN, Geneve, GRE-TAP and NVGRE are each one small
 * endpoint file that fills a struct overlay_encap and calls these.
 *
 * URL: SCHEME://LADDR[:LPORT]?ID=N|map=VLAN:ID,...&remote=HOST[:PORT]&netns=NS
 *   ID=N       one segment (VNI, key or VSID); frames cross untagged (access)
 *   map=...    VLAN <-> segment pairs: 802.1Q-tagged frames from the switch
 *              leave in the segment of their VLAN, received ones come back
 *              tagged (trunk mode, the mapping hardware VTEPs do)
 *   remote=    a VTEP to flood to (repeatable); UDP encapsulations default
 *              to their IANA port; raw-IP ones (GRE) take no port
 *   netns=NS   the sockets live in that network namespace
 *
 * Forwarding: the VTEP learns (segment, inner source MAC) -> the sending
 * VTEP's address (RFC 7348 §4.1, and the same for the others); known
 * unicast goes to that VTEP alone, the rest is flooded to every configured
 * remote (head-end replication, as Linux with an all-zeros FDB entry per
 * remote). Entries age after 300 s.
 *
 * Flow entropy: UDP encapsulations send from one of OVERLAY_TX_SOCKS
 * sockets with ephemeral ports picked by the inner flow hash, so a flow
 * keeps one outer source port and flows spread (ECMP); an encapsulation
 * may also put the hash in its header (NVGRE's FlowID). Over IPv4 the outer
 * UDP checksum is zero, as Linux's vxlan and geneve send by default (RFC
 * 7348 §5, RFC 8926 §3.3 allow it; the inner frame has its own checks).
 *
 * Raw-IP encapsulations need CAP_NET_RAW in the socket's namespace (the
 * error says so). Every raw socket of a protocol sees every packet of it to
 * its address, so two GRE endpoints on one address each count the other's
 * keys as foreign.
 *
 * Dropped and counted (`info`): each reason the encapsulation's parser
 * gives, a segment that is not ours, a malformed outer IPv4 header; sent
 * frames whose VLAN is not in the map.
 */
#ifndef VDE_CORE_OVERLAY_H
#define VDE_CORE_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ep;
struct ep_url;
struct vtx;
struct vpkt;

enum {
	OVERLAY_HDR_MAX = 16,     /* longest header an encapsulation builds */
	OVERLAY_MAP_MAX = 64,     /* VLAN <-> segment pairs per endpoint */
	OVERLAY_MAX_DROPS = 6,    /* parser drop reasons per encapsulation */
	OVERLAY_TX_SOCKS = 8,
};

struct overlay_encap {
	const char *name;       /* "vxlan": descriptions, info type= */
	const char *id_key;     /* URL option naming the segment: "vni", "key", "vsid" */
	uint32_t id_max;        /* largest segment id */
	bool id_optional;       /* GRE-TAP: no key= means GRE without a key */
	uint16_t udp_port;      /* default UDP port; 0 = raw IP protocol ip_proto */
	uint8_t ip_proto;
	size_t hdr_min;         /* shortest header it can parse, bytes */
	/* Write the header of a frame of segment `id` (has_id false: without
	 * one) with inner flow hash `flow` into h; returns its length. */
	size_t (*build)(uint8_t h[OVERLAY_HDR_MAX], bool has_id, uint32_t id, uint32_t flow);
	/* Parse the header at h (len bytes to the end of the packet). Returns
	 * its length and the segment, or -N: reason N (1-based) in drops[]. */
	int (*parse)(const uint8_t *h, size_t len, bool *has_id, uint32_t *id);
	const char *drops[OVERLAY_MAX_DROPS]; /* info key of each reason, NULL-ended */
};

/* VLAN <-> segment mapping of a trunk-mode VTEP ("10:100,20:200"). */
struct overlay_map {
	unsigned n;
	uint16_t vlan[OVERLAY_MAP_MAX];
	uint32_t id[OVERLAY_MAP_MAX];
};

/* Parse "VLAN:ID[,VLAN:ID...]": VLAN 1..4094, ID 0..id_max, neither
 * repeated. Returns 0 or EINVAL with a reason in err. */
int overlay_map_parse(const char *s, uint32_t id_max, struct overlay_map *m, char *err, size_t errlen);
/* Index of segment `id` / `vlan` in the map, or -1. */
int overlay_map_by_id(const struct overlay_map *m, uint32_t id);
int overlay_map_by_vlan(const struct overlay_map *m, uint16_t vlan);

/* Bytes of private state of an overlay endpoint: its class's priv_size
 * (overlay.c asserts that its state fits). */
#define OVERLAY_PRIV_SIZE (40u << 10)

/* The ep_class hooks, for an endpoint whose class data names `e`
 * (open takes it; the rest find it in the endpoint's state).
 * open returns 0 or an errno with a reason: EINVAL for a bad URL or
 * option, EPERM for a raw socket without CAP_NET_RAW, what bind() says. */
int overlay_open(struct ep *ep, const struct overlay_encap *e, const struct ep_url *u, char *err,
		 size_t errlen);
int overlay_recv(struct ep *ep, struct vpkt **pkts, unsigned n);
int overlay_send(struct ep *ep, struct vtx *tx, unsigned n);
void overlay_info(const struct ep *ep, char *buf, size_t len);
void overlay_close(struct ep *ep);

#endif
