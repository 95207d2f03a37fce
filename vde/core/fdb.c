#include "fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

static inline uint32_t slot_of(const struct fdb *f, const uint8_t mac[6], uint16_t vlan)
{
	uint64_t k = (uint64_t)vlan << 48;
	for (int i = 0; i < 6; i++)
		k |= (uint64_t)mac[i] << (8 * (5 - i));
	return (uint32_t)fmix64(k ^ f->seed) & f->mask;
}

static uint32_t capacity_for(uint32_t max)
{
	uint32_t cap = 16;
	while (cap < 2 * max)
		cap <<= 1;
	return cap;
}

int fdb_init(struct fdb *f, uint32_t max, uint64_t age_ns, uint64_t min_persist_ns, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	if (max == 0 || max > (1u << 24))
		return EINVAL;
	uint32_t cap = capacity_for(max);
	f->tab = calloc(cap, sizeof(*f->tab));
	if (!f->tab)
		return ENOMEM;
	f->mask = cap - 1;
	f->max = max;
	f->age_ns = age_ns;
	f->min_persist_ns = min_persist_ns;
	f->seed = seed;
	f->rng = (uint32_t)(seed | 1);
	return 0;
}

void fdb_destroy(struct fdb *f)
{
	free(f->tab);
	f->tab = NULL;
}

uint32_t fdb_lookup(const struct fdb *f, const uint8_t mac[6], uint16_t vlan)
{
	for (uint32_t i = slot_of(f, mac, vlan);; i = (i + 1) & f->mask) {
		const struct fdb_entry *e = &f->tab[i];
		if (!e->used)
			return FDB_NONE;
		if (e->vlan == vlan && memcmp(e->mac, mac, 6) == 0)
			return i;
	}
}

/* Backward-shift deletion (Knuth 6.4 algorithm R). */
static void remove_at(struct fdb *f, uint32_t i)
{
	uint32_t j = i;
	f->tab[i].used = 0;
	f->count--;
	for (;;) {
		j = (j + 1) & f->mask;
		if (!f->tab[j].used)
			return;
		uint32_t home = slot_of(f, f->tab[j].mac, f->tab[j].vlan);
		/* move j into the hole at i unless home lies cyclically in (i, j] */
		bool keep = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (!keep) {
			f->tab[i] = f->tab[j];
			f->tab[j].used = 0;
			i = j;
		}
	}
}

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void evict_one(struct fdb *f)
{
	uint32_t victim = FDB_NONE, seen = 0;
	uint32_t i = xorshift(&f->rng) & f->mask;
	for (uint32_t n = 0; n <= f->mask && seen < 8; n++, i = (i + 1) & f->mask) {
		if (!f->tab[i].used)
			continue;
		seen++;
		if (victim == FDB_NONE || f->tab[i].last_seen_ns < f->tab[victim].last_seen_ns)
			victim = i;
	}
	if (victim != FDB_NONE) {
		remove_at(f, victim);
		f->st.evicted++;
	}
}

enum fdb_result fdb_learn(struct fdb *f, const uint8_t mac[6], uint16_t vlan, uint16_t port,
			  uint64_t now_ns, uint32_t *idx)
{
	uint32_t i = slot_of(f, mac, vlan);
	for (;; i = (i + 1) & f->mask) {
		struct fdb_entry *e = &f->tab[i];
		if (!e->used)
			break;
		if (e->vlan != vlan || memcmp(e->mac, mac, 6) != 0)
			continue;
		if (idx)
			*idx = i;
		if (e->port == port) {
			e->last_seen_ns = now_ns;
			return FDB_REFRESHED;
		}
		if (now_ns - e->last_seen_ns < f->min_persist_ns) {
			f->st.flap_held++;
			return FDB_FLAP_HELD;
		}
		e->port = port;
		e->last_seen_ns = e->learned_ns = now_ns;
		f->st.moved++;
		return FDB_MOVED;
	}
	enum fdb_result res = FDB_LEARNED;
	if (f->count >= f->max) {
		evict_one(f);
		res = FDB_EVICTED;
		/* the hole may have moved our insertion point: probe again */
		for (i = slot_of(f, mac, vlan); f->tab[i].used; i = (i + 1) & f->mask)
			;
	}
	struct fdb_entry *e = &f->tab[i];
	memcpy(e->mac, mac, 6);
	e->vlan = vlan;
	e->port = port;
	e->used = 1;
	e->last_seen_ns = e->learned_ns = now_ns;
	f->count++;
	f->st.learned++;
	if (idx)
		*idx = i;
	return res;
}

/* Remove every entry matching pred; restarting the scan position after a
 * backward shift keeps moved entries from being skipped. */
static unsigned remove_if(struct fdb *f, bool (*pred)(const struct fdb_entry *, const void *),
			  const void *arg)
{
	unsigned n = 0;
	for (uint32_t i = 0; i <= f->mask;) {
		if (f->tab[i].used && pred(&f->tab[i], arg)) {
			if (f->on_remove)
				f->on_remove(f->on_remove_arg, &f->tab[i]);
			remove_at(f, i);
			n++;
			continue; /* slot i may now hold a shifted entry */
		}
		i++;
	}
	/* entries that wrapped around past the end may have shifted into
	 * slots we already passed: one more pass over the start settles it */
	for (uint32_t i = 0; i <= f->mask && f->tab[i].used;) {
		if (pred(&f->tab[i], arg)) {
			if (f->on_remove)
				f->on_remove(f->on_remove_arg, &f->tab[i]);
			remove_at(f, i);
			n++;
			continue;
		}
		i++;
	}
	return n;
}

static bool is_old(const struct fdb_entry *e, const void *arg)
{
	const uint64_t *p = arg; /* p[0] = now, p[1] = age */
	return p[0] - e->last_seen_ns >= p[1];
}
static bool on_port(const struct fdb_entry *e, const void *arg) { return e->port == *(const uint16_t *)arg; }
static bool on_vlan(const struct fdb_entry *e, const void *arg) { return e->vlan == *(const uint16_t *)arg; }
static bool any(const struct fdb_entry *e, const void *arg) { (void)e; (void)arg; return true; }

unsigned fdb_age(struct fdb *f, uint64_t now_ns)
{
	uint64_t a[2] = { now_ns, f->age_ns };
	unsigned n = remove_if(f, is_old, a);
	f->st.expired += n;
	return n;
}

unsigned fdb_flush_port(struct fdb *f, uint16_t port)
{
	unsigned n = remove_if(f, on_port, &port);
	f->st.flushed += n;
	return n;
}

unsigned fdb_flush_vlan(struct fdb *f, uint16_t vlan)
{
	unsigned n = remove_if(f, on_vlan, &vlan);
	f->st.flushed += n;
	return n;
}

unsigned fdb_flush_all(struct fdb *f)
{
	unsigned n = remove_if(f, any, NULL);
	f->st.flushed += n;
	return n;
}

static int cmp_recent_first(const void *a, const void *b)
{
	const struct fdb_entry *x = a, *y = b;
	return x->last_seen_ns > y->last_seen_ns ? -1 : x->last_seen_ns < y->last_seen_ns;
}

int fdb_resize(struct fdb *f, uint32_t max)
{
	if (max == 0 || max > (1u << 24))
		return EINVAL;
	uint32_t cap = capacity_for(max);
	struct fdb_entry *old = malloc((size_t)f->count * sizeof(*old) + 1);
	struct fdb_entry *tab = calloc(cap, sizeof(*tab));
	if (!old || !tab) {
		free(old);
		free(tab);
		return ENOMEM;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i <= f->mask; i++)
		if (f->tab[i].used)
			old[n++] = f->tab[i];
	qsort(old, n, sizeof(*old), cmp_recent_first);
	free(f->tab);
	f->tab = tab;
	f->mask = cap - 1;
	f->max = max;
	f->count = 0;
	for (uint32_t k = 0; k < n && k < max; k++) {
		uint32_t i = slot_of(f, old[k].mac, old[k].vlan);
		while (f->tab[i].used)
			i = (i + 1) & f->mask;
		f->tab[i] = old[k];
		f->count++;
	}
	if (n > max)
		f->st.evicted += n - max;
	free(old);
	return 0;
}
