/* flowcache.h - exact-match flow cache in front of the switch's slow path.
 *
 * What is cached: the whole forwarding decision for one microflow, keyed on
 * everything the slow path looks at: (ingress port, VLAN tag as received,
 * dst MAC, src MAC, ethertype). The value is the action (drop, unicast to a
 * port, or flood a VLAN) plus the FDB index of the source MAC so that a hit
 * can refresh the source's age without a second hash lookup. A hit therefore
 * costs one probe of a 2-way set instead of parse + ingress filter + an FDB
 * learn probe + an FDB lookup probe (OVS's EMC, dpif-netdev-dfc.h).
 *
 * Invalidation: every entry records the switch generation at install time.
 * Any change that could alter a decision - an FDB learn, move, expiry,
 * eviction or flush, a port attached or removed, a VLAN or hub-mode change -
 * bumps the switch generation, and an entry whose generation differs is a
 * miss. Invalidation is O(1) and never walks the cache (OVS's reval_seq,
 * simplified to one global sequence).
 *
 * Why that is correct: the decision is a pure function of the key and of
 * switch state; state changes only through the functions that bump the
 * generation; so an entry with the current generation equals what the slow
 * path would compute now. The one side effect of the slow path, learning,
 * is reproduced on a hit by refreshing the source entry (a hit implies the
 * source is already learned on this port, or is a group address that is
 * never learned).
 *
 * Replacement: a new flow goes to the way with a stale generation, else the
 * older of the two. Single-threaded, like the loop that owns it.
 *
 * In front of the table, sw_input() remembers the decision of the previous
 * frame of the batch: a run of frames of one flow (a TCP transfer) costs one
 * 24-byte compare per frame (counted in batch_hits), under the same
 * generation rule.
 */
#ifndef VDE_CORE_FLOWCACHE_H
#define VDE_CORE_FLOWCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct flow_key {
	uint16_t in_port;
	uint16_t vid;       /* VID of the received tag, or 0xffff untagged */
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t ethertype;
	uint16_t pad[3];    /* zero; makes the key 3 x 64 bits */
};
_Static_assert(sizeof(struct flow_key) == 24, "flow key is three 64-bit words");

enum flow_kind { FLOW_DROP = 0, FLOW_UNICAST, FLOW_FLOOD };

struct flow_action {
	uint8_t kind;       /* enum flow_kind */
	uint8_t drop_reason;
	uint16_t port;      /* FLOW_UNICAST: egress port */
	uint16_t vlan;      /* classified VLAN (egress tagging depends on it) */
};

struct flow_entry {
	struct flow_key key;
	uint32_t gen;
	uint32_t src_idx;   /* FDB index of src, or UINT32_MAX */
	uint64_t used;      /* install/hit tick for replacement */
	struct flow_action act;
};

struct flowcache {
	struct flow_entry *e; /* FLOWCACHE_SETS * FLOWCACHE_WAYS */
	bool enabled;
	uint64_t tick;
	uint64_t hits, misses, installs;
	uint64_t batch_hits; /* frames that reused the previous frame's decision */
};

static inline uint64_t flow_load64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Keys equal (three 64-bit compares). */
static inline bool flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	return ((flow_load64(x) ^ flow_load64(y)) | (flow_load64(x + 8) ^ flow_load64(y + 8)) |
		(flow_load64(x + 16) ^ flow_load64(y + 16))) == 0;
}

/* Allocate the cache (enabled). Returns 0 or ENOMEM. */
int flowcache_init(struct flowcache *fc);
void flowcache_destroy(struct flowcache *fc);

/* Find the entry for `k` valid at generation `gen`, or NULL (counted as a
 * miss; nothing is counted while the cache is disabled). */
struct flow_entry *flowcache_lookup(struct flowcache *fc, const struct flow_key *k, uint32_t gen);

/* Install a decision computed by the slow path at generation `gen`. */
void flowcache_insert(struct flowcache *fc, const struct flow_key *k, uint32_t gen,
		      const struct flow_action *act, uint32_t src_idx);

/* Drop every entry (used when the cache is switched off and on again). */
void flowcache_clear(struct flowcache *fc);

#endif
