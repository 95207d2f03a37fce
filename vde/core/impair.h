/* impair.h - link impairments: one chain of stages per direction of a link.
 *
 * Order of application, per frame offered at time `now` (netem's order,
 * vde-2 wirefilter's rows; documented for users in README.md):
 *
 *   1. mtu      frames longer than `mtu` bytes are dropped
 *   2. loss     independent (Bernoulli) with probability `loss`, or
 *               Gilbert-Elliott bursts when `burst` > 1: from the good
 *               state go bad with p/(B(1-p)), leave bad with 1/B, drop while
 *               bad; long-run loss is p and bursts last B frames on average
 *   3. dup      with probability `dup` one extra copy (netem); each copy
 *               goes through the rows below on its own
 *   4. queue    drop-tail when the frames or bytes held by this direction
 *               (waiting for the link or in flight on it) would exceed the
 *               limit; `auto` = 2 * rate * (delay + jitter) bytes, at least
 *               64 KiB: the frames in flight plus one bandwidth-delay product
 *               of bottleneck buffer, so a delay never starves TCP; without a
 *               rate, 1000 frames (netem's default limit)
 *   5. corrupt  with probability `corrupt` one random bit is flipped; and
 *               `noise` bit errors per MiB (wirefilter -n): a Poisson number
 *               of flips with mean noise * len / 2^20
 *   6. rate     serialization: the link is busy for len*8/rate after the
 *               previous frame, so a 1500-byte frame at 12 Mbit/s leaves
 *               1 ms after the one before it
 *   7. reorder  with probability `reorder` a frame skips the delay and
 *               leaves as soon as it is serialized, ahead of delayed frames;
 *               with `gap=N` (netem's "reorder P gap N", sch_netem.c) the
 *               N-1 frames after a reordered one are always delayed and the
 *               Nth and later ones skip with probability P (gap 1, the
 *               default, is plain per-frame reordering)
 *   8. delay    + jitter drawn per frame (uniform +-jitter, or normal /
 *               pareto with sigma = jitter), never below 0; frames keep their
 *               order (a frame never leaves before the one before it) unless
 *               `reorder_jitter` is set
 *
 * The stages are functions called from two arrays in this order (the first
 * three once per offered frame, the rest once per copy), and every key is a
 * row of one table (impair.c: name, unit, field, range, help) that drives
 * parsing, formatting, the "does nothing" test, the known-keys list and the
 * --help text: a new stage is one function and one row, a new key one row.
 *
 * Time is injected (`now_ns`, CLOCK_MONOTONIC in programs, anything in
 * tests) and randomness comes from a seeded generator, so a test can assert
 * exactly which frames drop and when each one leaves.
 *
 * Changing the parameters (impair_set) affects frames offered afterwards;
 * frames already held keep their departure times, and order is preserved
 * across the change (a new frame never overtakes a held one unless reorder
 * is asked for).
 *
 * Held frames are copied into recycled buffers of a few size classes; after
 * warm-up nothing is allocated per frame.
 */
#ifndef VDE_CORE_IMPAIR_H
#define VDE_CORE_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"
#include "rng.h"

enum impair_dist { IMPAIR_UNIFORM = 0, IMPAIR_NORMAL, IMPAIR_PARETO };

enum {
	IMPAIR_QUEUE_DEFAULT_FRAMES = 1000,    /* without a rate (netem's limit) */
	IMPAIR_QUEUE_AUTO_FLOOR = 64 * 1024,   /* bytes, queue=auto with a rate */
	IMPAIR_MAX_HELD_BYTES = 256 << 20,     /* hard cap whatever the settings */
};

struct impair_params {
	uint32_t mtu;          /* bytes; 0 = no limit */
	double loss;           /* probability 0..1 */
	double burst;          /* mean loss burst length in frames; <= 1: independent */
	double dup;            /* probability 0..1 of one extra copy */
	double corrupt;        /* probability 0..1 of one flipped bit per frame */
	double noise;          /* bit errors per MiB (2^20 bytes) */
	uint64_t rate;         /* bit/s; 0 = unlimited */
	uint64_t delay_ns;
	uint64_t jitter_ns;    /* uniform: +-jitter; normal, pareto: sigma */
	uint8_t dist;          /* enum impair_dist */
	bool reorder_jitter;   /* jitter may reorder (wirefilter "fifo 0") */
	double reorder;        /* probability 0..1 that a frame skips the delay */
	uint32_t gap;          /* reorder only every gap-th frame (netem); 0, 1 = every frame */
	bool queue_auto;       /* limits from rate and delay (the default) */
	uint32_t queue_frames; /* explicit limit in frames (0 = none) */
	uint64_t queue_bytes;  /* explicit limit in bytes (0 = none) */
};

/* Why a frame was dropped; names in impair_drop_names ("mtu", "loss",
 * "queue"), printed as drop_NAME=N. */
enum impair_drop { IMPAIR_DROP_MTU = 0, IMPAIR_DROP_LOSS, IMPAIR_DROP_QUEUE, IMPAIR_DROP__N };
extern const char *const impair_drop_names[IMPAIR_DROP__N];

struct impair_stats {
	uint64_t offered;      /* frames offered */
	uint64_t passed;       /* frames delivered */
	uint64_t drops[IMPAIR_DROP__N];
	uint64_t duplicated;   /* extra copies made */
	uint64_t corrupted;    /* frames with at least one flipped bit */
	uint64_t lost_on_close;/* frames still held when the chain was destroyed */
	uint64_t held_frames, held_bytes; /* now */
};

struct iframe;

struct impair_chain {
	struct impair_params p;
	struct rng rng;
	bool ge_bad;               /* Gilbert-Elliott state */
	uint64_t busy_until_ns;    /* the link serializes until then */
	uint64_t last_depart_ns;   /* order keeping */
	uint64_t seq;
	uint32_t reorder_count;    /* frames delayed since the last reordered one (gap) */
	struct iframe **heap;      /* min-heap on (depart, seq) */
	unsigned nheap, cap;
	struct iframe *freel[4];   /* recycled buffers per size class */
	struct iframe *out[VPKT_BURST];
	unsigned nout;
	struct impair_stats st;
};

/* Default parameters: nothing impaired, queue=auto. */
void impair_params_default(struct impair_params *p);
/* True if `p` does nothing (a link can bypass the chain). */
bool impair_params_null(const struct impair_params *p);

/* Set up a chain with default parameters and RNG seed `seed`. 0 or ENOMEM. */
int impair_init(struct impair_chain *c, uint64_t seed);
/* Free everything; frames still held are counted in st.lost_on_close. */
void impair_destroy(struct impair_chain *c);
/* Change parameters at runtime (see the header comment). */
void impair_set(struct impair_chain *c, const struct impair_params *p);

/* Effective queue limits for `p` (0 = none). */
void impair_limits(const struct impair_params *p, uint64_t *frames, uint64_t *bytes);

/* Offer a frame of `len` bytes at `now_ns`. The frame is copied. Returns the
 * number of copies now held (0: dropped, 2: duplicated). */
unsigned impair_enqueue(struct impair_chain *c, const uint8_t *data, size_t len, uint64_t now_ns);

/* Departure time of the next held frame, or UINT64_MAX if none. */
uint64_t impair_next_ns(const struct impair_chain *c);

/* Take up to n (<= VPKT_BURST) frames due at `now_ns`, in departure order,
 * as gather lists into the chain's buffers. They stay valid until
 * impair_release(), which must be called before the next dequeue. */
unsigned impair_dequeue(struct impair_chain *c, uint64_t now_ns, struct vtx *tx, unsigned n);
/* The caller sent the first `sent` frames of the last dequeue; the rest are
 * held again, first in line, with their departure times. */
void impair_release(struct impair_chain *c, unsigned sent);

/* The parameters in force, and the counters (read-only views). */
const struct impair_params *impair_get(const struct impair_chain *c);
const struct impair_stats *impair_stats(const struct impair_chain *c);
/* Frames held now (waiting or in flight); 0 means the chain can be retired. */
unsigned impair_held(const struct impair_chain *c);
/* Sum of drops[] (every reason). */
uint64_t impair_drops_total(const struct impair_stats *s);
/* The counters as key=value words: "offered=N passed=N drop_mtu=N
 * drop_loss=N drop_queue=N drops=N duplicated=N corrupted=N queued=N
 * queued_bytes=N" (drops = the sum over reasons). */
void impair_stats_format(const struct impair_stats *s, char *buf, size_t len);

/* Parse "key=value ..." (spaces or commas) on top of *p; on error *p is
 * unchanged and err says which value is wrong and what is expected. The
 * keys, units and ranges are the rows of impair.c's key table (listed by
 * impair_help()): delay jitter (ns|us|ms|s, bare: ms, at most 1 h), dist
 * (uniform|normal|pareto), loss dup corrupt reorder (%, bare: %), burst
 * (frames), gap (frames), noise (bit errors per MiB), rate (bit|kbit|mbit|
 * gbit SI bit/s, or bps|kbps|mbps|gbps bytes/s as tc), queue (auto | N
 * frames | N B|KB|KiB|MB|MiB), mtu (bytes, 14..9234, 0 = off), fifo (0|1);
 * "none" resets. Returns 0 or EINVAL. */
int impair_parse(const char *spec, struct impair_params *p, char *err, size_t errlen);

/* Parse one classic wirefilter parameter (vde-2 wirefilter.c syntax
 * [LR|RL]VALUE[+DELTA][K|M|G][U|N]): name is delay (ms), loss (%),
 * lostburst (frames), dup (%), bandwidth or speed (bytes/s), chanbufsize or
 * capacity (bytes), noise (bits/MiB), mtu (bytes, counted as wirefilter
 * does: a frame of len bytes passes if len + 2 <= mtu) or fifo (0/1).
 * No LR/RL prefix: both directions. K/M/G multiply by 2^10/2^20/2^30;
 * +DELTA is the delay's jitter: U uniform +-DELTA (default), N normal with
 * sigma DELTA/3. loss and dup over 100 are 100 (wirefilter drops or
 * duplicates every frame from 100 up). The result is range-checked as the
 * unit form is (a delay
 * over an hour, an mtu over 9236, a buffer over 256 MiB... are refused).
 * Returns 0, or EINVAL/ENOENT (unknown name) with err; on error *lr and *rl
 * are unchanged. */
int impair_parse_wf(const char *name, const char *value, struct impair_params *lr,
		    struct impair_params *rl, char *err, size_t errlen);

/* "delay=40ms jitter=5ms dist=normal loss=0.5% ..." or "none". */
void impair_format(const struct impair_params *p, char *buf, size_t len);

/* The keys for --help and console help: one line per key, "  name=UNIT
 * help\n", indented by `indent` spaces. */
void impair_help(char *buf, size_t len, unsigned indent);
/* The key names, space-separated ("delay jitter dist ..."). */
const char *impair_key_names(void);

#endif
