#include "flowcache.h"
#include "limits.h"

#include <errno.h>
#include <stdlib.h>

#define load64 flow_load64

static inline uint32_t key_hash(const struct flow_key *k)
{
	uint64_t h = load64(k) * 0x9e3779b97f4a7c15ull;
	h ^= load64((const uint8_t *)k + 8) + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	h ^= load64((const uint8_t *)k + 16) + (h << 6) + (h >> 2);
	h *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h ^ (h >> 32));
}

#define key_eq flow_key_eq

int flowcache_init(struct flowcache *fc)
{
	memset(fc, 0, sizeof(*fc));
	fc->e = calloc(FLOWCACHE_SETS * FLOWCACHE_WAYS, sizeof(*fc->e));
	if (!fc->e)
		return ENOMEM;
	fc->enabled = true;
	flowcache_clear(fc);
	return 0;
}

void flowcache_destroy(struct flowcache *fc)
{
	free(fc->e);
	fc->e = NULL;
}

void flowcache_clear(struct flowcache *fc)
{
	for (unsigned i = 0; i < FLOWCACHE_SETS * FLOWCACHE_WAYS; i++) {
		memset(&fc->e[i], 0, sizeof(fc->e[i]));
		fc->e[i].gen = UINT32_MAX; /* never equal to a live generation at start */
	}
}

struct flow_entry *flowcache_lookup(struct flowcache *fc, const struct flow_key *k, uint32_t gen)
{
	if (!fc->enabled)
		return NULL;
	struct flow_entry *set = &fc->e[(key_hash(k) & (FLOWCACHE_SETS - 1)) * FLOWCACHE_WAYS];
	for (unsigned w = 0; w < FLOWCACHE_WAYS; w++) {
		if (set[w].gen == gen && key_eq(&set[w].key, k)) {
			fc->hits++;
			set[w].used = ++fc->tick;
			return &set[w];
		}
	}
	fc->misses++;
	return NULL;
}

void flowcache_insert(struct flowcache *fc, const struct flow_key *k, uint32_t gen,
		      const struct flow_action *act, uint32_t src_idx)
{
	if (!fc->enabled)
		return;
	struct flow_entry *set = &fc->e[(key_hash(k) & (FLOWCACHE_SETS - 1)) * FLOWCACHE_WAYS];
	struct flow_entry *victim = &set[0];
	for (unsigned w = 0; w < FLOWCACHE_WAYS; w++) {
		if (set[w].gen != gen || key_eq(&set[w].key, k)) {
			victim = &set[w];
			break;
		}
		if (set[w].used < victim->used)
			victim = &set[w];
	}
	victim->key = *k;
	victim->gen = gen;
	victim->src_idx = src_idx;
	victim->act = *act;
	victim->used = ++fc->tick;
	fc->installs++;
}
