/* fdb.h - the forwarding database (MAC learning table).
 *
 * What: a map (VLAN, MAC) -> port, filled by learning from the source
 * address of every unicast-sourced frame (IEEE 802.1Q §8.7; vde-2 hash.c).
 *
 * Design: open addressing with linear probing over a power-of-two array at
 * most half full; deletion by backward shift (no tombstones), so lookups stay
 * short however long the switch runs. The hash is murmur3's fmix64 finalizer
 * of (MAC | VLAN << 48) xor a per-table random seed, so a host cannot aim
 * colliding addresses at the table.
 *
 * Anti-flap (vde-2's min persistence): a MAC seen on port A within the last
 * `min_persist_ns` is not moved to port B; a frame from B then leaves the
 * entry alone (FDB_FLAP_HELD) and is still forwarded. Once A has been quiet
 * for that long, the next frame from B moves it.
 *
 * Aging: an entry not refreshed for `age_ns` is removed by fdb_age().
 * Capacity: when `max` entries exist, learning evicts the least recently
 * seen of 8 entries sampled from a random position (approximate LRU, as
 * Redis does), so a MAC flood cannot lock out real hosts for long.
 *
 * Indexes returned by fdb_learn()/fdb_lookup() stay valid until the next
 * deletion (age, flush, eviction) or resize; every such change is reported to
 * the caller, which bumps its generation so caches drop stale indexes
 * (see flowcache.h).
 */
#ifndef VDE_CORE_FDB_H
#define VDE_CORE_FDB_H

#include <stdbool.h>
#include <stdint.h>

struct fdb_entry {
	uint8_t mac[6];
	uint16_t vlan;
	uint16_t port;
	uint16_t used;         /* 0 = empty slot */
	uint64_t last_seen_ns; /* last frame from this MAC on `port` */
	uint64_t learned_ns;   /* when it was learned on `port` */
};

struct fdb_stats {
	uint64_t learned, moved, flap_held, expired, evicted, flushed;
};

struct fdb {
	struct fdb_entry *tab;
	uint32_t mask;          /* capacity - 1 */
	uint32_t count, max;
	uint64_t age_ns, min_persist_ns;
	uint64_t seed;
	uint32_t rng;
	struct fdb_stats st;
	/* Called for each entry removed by aging or a flush (vde-2's hash/-
	 * debug events), before it goes; NULL: nobody cares. */
	void (*on_remove)(void *arg, const struct fdb_entry *e);
	void *on_remove_arg;
};

enum fdb_result {
	FDB_REFRESHED = 0, /* known on this port: last_seen updated */
	FDB_LEARNED,       /* new entry (table changed) */
	FDB_MOVED,         /* moved to this port (table changed) */
	FDB_FLAP_HELD,     /* kept on its old port by anti-flap */
	FDB_EVICTED,       /* new entry after evicting another (table changed) */
	FDB_FULL,          /* could not learn (max is 0) */
};

#define FDB_NONE UINT32_MAX

/* Set up a table for at most `max` entries (>= 1), aging `age_ns`, anti-flap
 * `min_persist_ns`; `seed` randomizes the hash. Returns 0 or ENOMEM/EINVAL. */
int fdb_init(struct fdb *f, uint32_t max, uint64_t age_ns, uint64_t min_persist_ns, uint64_t seed);
void fdb_destroy(struct fdb *f);

/* Learn `mac` on `vlan` at `port` at time `now_ns`. *idx (if not NULL) gets
 * the entry's index, or FDB_NONE. The caller must not pass group MACs. */
enum fdb_result fdb_learn(struct fdb *f, const uint8_t mac[6], uint16_t vlan, uint16_t port,
			  uint64_t now_ns, uint32_t *idx);

/* True when a learn result changed the table (so caches must be invalidated). */
static inline bool fdb_changed(enum fdb_result r)
{
	return r == FDB_LEARNED || r == FDB_MOVED || r == FDB_EVICTED;
}

/* Index of (vlan, mac), or FDB_NONE. Does not refresh. */
uint32_t fdb_lookup(const struct fdb *f, const uint8_t mac[6], uint16_t vlan);

/* Remove entries idle for at least age_ns. Returns how many. */
unsigned fdb_age(struct fdb *f, uint64_t now_ns);
/* Remove all entries of a port / of a VLAN / everything. Returns how many. */
unsigned fdb_flush_port(struct fdb *f, uint16_t port);
unsigned fdb_flush_vlan(struct fdb *f, uint16_t vlan);
unsigned fdb_flush_all(struct fdb *f);

/* Change the capacity (hash/setsize). Entries are kept while they fit;
 * beyond the new max the least recently seen go. Returns 0 or ENOMEM/EINVAL. */
int fdb_resize(struct fdb *f, uint32_t max);

#endif
