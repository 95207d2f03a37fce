#include "impair.h"
#include "limits.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct iframe {
	uint64_t depart_ns;
	uint64_t seq;
	uint16_t len;
	uint8_t cls;
	struct iframe *next; /* free list */
	uint8_t data[];
};

static const uint16_t cls_size[4] = { 128, 512, 1600, VPKT_MAXFRAME };

int impair_init(struct impair_chain *c, uint64_t seed)
{
	memset(c, 0, sizeof(*c));
	impair_params_default(&c->p);
	rng_seed(&c->rng, seed);
	c->cap = 256;
	c->heap = malloc(c->cap * sizeof(*c->heap));
	return c->heap ? 0 : ENOMEM;
}

static void frame_free(struct impair_chain *c, struct iframe *f)
{
	f->next = c->freel[f->cls];
	c->freel[f->cls] = f;
}

void impair_destroy(struct impair_chain *c)
{
	c->st.lost_on_close += c->nheap;
	for (unsigned i = 0; i < c->nheap; i++)
		free(c->heap[i]);
	for (unsigned i = 0; i < c->nout; i++)
		free(c->out[i]);
	for (int k = 0; k < 4; k++)
		while (c->freel[k]) {
			struct iframe *n = c->freel[k]->next;
			free(c->freel[k]);
			c->freel[k] = n;
		}
	free(c->heap);
	c->heap = NULL;
	c->nheap = c->nout = 0;
}

void impair_set(struct impair_chain *c, const struct impair_params *p)
{
	c->p = *p;
	if (p->burst <= 1)
		c->ge_bad = false;
}

void impair_limits(const struct impair_params *p, uint64_t *frames, uint64_t *bytes)
{
	*frames = 0;
	*bytes = 0;
	if (p->queue_auto) {
		if (p->rate) {
			double b = 2.0 * (double)p->rate / 8 * (double)(p->delay_ns + p->jitter_ns) / 1e9;
			*bytes = b < IMPAIR_QUEUE_AUTO_FLOOR ? IMPAIR_QUEUE_AUTO_FLOOR : (uint64_t)b;
		} else {
			*frames = IMPAIR_QUEUE_DEFAULT_FRAMES;
		}
	} else {
		*frames = p->queue_frames;
		*bytes = p->queue_bytes;
	}
	if (!*bytes || *bytes > IMPAIR_MAX_HELD_BYTES)
		*bytes = IMPAIR_MAX_HELD_BYTES;
}

/* ---- heap on (depart, seq) ---- */

static inline bool before(const struct iframe *a, const struct iframe *b)
{
	return a->depart_ns < b->depart_ns || (a->depart_ns == b->depart_ns && a->seq < b->seq);
}

static int heap_push(struct impair_chain *c, struct iframe *f)
{
	if (c->nheap == c->cap) {
		struct iframe **n = realloc(c->heap, 2 * c->cap * sizeof(*n));
		if (!n)
			return ENOMEM;
		c->heap = n;
		c->cap *= 2;
	}
	unsigned i = c->nheap++;
	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (!before(f, c->heap[parent]))
			break;
		c->heap[i] = c->heap[parent];
		i = parent;
	}
	c->heap[i] = f;
	return 0;
}

static struct iframe *heap_pop(struct impair_chain *c)
{
	struct iframe *top = c->heap[0];
	struct iframe *last = c->heap[--c->nheap];
	unsigned i = 0;
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;
		const struct iframe *best = last;
		if (l < c->nheap && before(c->heap[l], best))
			m = l, best = c->heap[l];
		if (r < c->nheap && before(c->heap[r], best))
			m = r;
		if (m == i)
			break;
		c->heap[i] = c->heap[m];
		i = m;
	}
	if (c->nheap)
		c->heap[i] = last;
	return top;
}

/* ---- the stages ----
 *
 * One function per stage, called from frame_stages[] (once per offered
 * frame) and copy_stages[] (once per copy) in netem's order. A stage returns
 * STAGE_PASS or the reason the frame (copy) is dropped. */

struct ipkt {
	const uint8_t *data;  /* the offered frame */
	size_t len;
	unsigned copies;      /* set by the dup stage */
	struct iframe *f;     /* per copy: the held buffer */
	uint64_t t;           /* per copy: when it can leave so far */
	bool skip_delay;      /* per copy: reordered */
	bool corrupted;
};

enum { STAGE_PASS = -1 };
typedef int (*stage_fn)(struct impair_chain *c, struct ipkt *k);

static int st_mtu(struct impair_chain *c, struct ipkt *k)
{
	return k->len > VPKT_MAXFRAME || (c->p.mtu && k->len > c->p.mtu) ? IMPAIR_DROP_MTU : STAGE_PASS;
}

static int st_loss(struct impair_chain *c, struct ipkt *k)
{
	const struct impair_params *p = &c->p;
	(void)k;
	if (p->loss <= 0)
		return STAGE_PASS;
	if (p->loss >= 1)
		return IMPAIR_DROP_LOSS;
	if (p->burst > 1) { /* Gilbert-Elliott */
		double u = rng_uniform(&c->rng);
		if (!c->ge_bad) {
			if (u < p->loss / (p->burst * (1 - p->loss)))
				c->ge_bad = true;
		} else if (u < 1 / p->burst) {
			c->ge_bad = false;
		}
		return c->ge_bad ? IMPAIR_DROP_LOSS : STAGE_PASS;
	}
	return rng_uniform(&c->rng) < p->loss ? IMPAIR_DROP_LOSS : STAGE_PASS;
}

static int st_dup(struct impair_chain *c, struct ipkt *k)
{
	k->copies = 1 + (c->p.dup > 0 && rng_uniform(&c->rng) < c->p.dup);
	return STAGE_PASS;
}

static struct iframe *frame_get(struct impair_chain *c, size_t len);

/* Drop-tail; a copy that fits takes its buffer here (the stages after this
 * one work on k->f). */
static int st_queue(struct impair_chain *c, struct ipkt *k)
{
	uint64_t lim_frames, lim_bytes;
	impair_limits(&c->p, &lim_frames, &lim_bytes);
	if ((lim_frames && c->st.held_frames + 1 > lim_frames) || c->st.held_bytes + k->len > lim_bytes ||
	    !(k->f = frame_get(c, k->len)))
		return IMPAIR_DROP_QUEUE;
	memcpy(k->f->data, k->data, k->len);
	k->f->len = (uint16_t)k->len;
	return STAGE_PASS;
}

static void flip_bit(struct impair_chain *c, uint8_t *d, size_t len)
{
	uint64_t bit = rng_below(&c->rng, (uint64_t)len * 8);
	d[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

static int st_corrupt(struct impair_chain *c, struct ipkt *k)
{
	if (c->p.corrupt > 0 && rng_uniform(&c->rng) < c->p.corrupt) {
		flip_bit(c, k->f->data, k->len);
		k->corrupted = true;
	}
	return STAGE_PASS;
}

static int st_noise(struct impair_chain *c, struct ipkt *k)
{
	if (c->p.noise > 0) {
		unsigned n = rng_poisson(&c->rng, c->p.noise * (double)k->len / (1 << 20));
		for (unsigned i = 0; i < n; i++)
			flip_bit(c, k->f->data, k->len);
		k->corrupted |= n > 0;
	}
	return STAGE_PASS;
}

static int st_rate(struct impair_chain *c, struct ipkt *k)
{
	if (c->p.rate) {
		uint64_t start = c->busy_until_ns > k->t ? c->busy_until_ns : k->t;
		c->busy_until_ns = start + (uint64_t)((double)k->len * 8 * 1e9 / (double)c->p.rate + 0.5);
		k->t = c->busy_until_ns;
	}
	return STAGE_PASS;
}

/* netem_enqueue(): with gap N, frames inside the last gap are delayed; after
 * that each frame is reordered with probability P, which restarts the gap */
static int st_reorder(struct impair_chain *c, struct ipkt *k)
{
	const struct impair_params *p = &c->p;
	if (p->reorder <= 0)
		return STAGE_PASS;
	uint32_t gap = p->gap ? p->gap : 1;
	if (c->reorder_count < gap - 1 || rng_uniform(&c->rng) >= p->reorder) {
		c->reorder_count++;
		return STAGE_PASS;
	}
	c->reorder_count = 0;
	k->skip_delay = true;
	return STAGE_PASS;
}

static uint64_t jitter_sample(struct impair_chain *c, uint64_t base)
{
	const struct impair_params *p = &c->p;
	if (!p->jitter_ns)
		return base;
	double j = (double)p->jitter_ns, x;
	switch (p->dist) {
	case IMPAIR_NORMAL: x = j * rng_normal(&c->rng); break;
	case IMPAIR_PARETO: x = j * rng_pareto(&c->rng); break;
	default: x = j * (2 * rng_uniform(&c->rng) - 1); break;
	}
	double t = (double)base + x;
	return t <= 0 ? 0 : (uint64_t)t;
}

static int st_delay(struct impair_chain *c, struct ipkt *k)
{
	if (k->skip_delay) { /* leaves when serialized, ahead of delayed frames */
		k->f->depart_ns = k->t;
		return STAGE_PASS;
	}
	k->f->depart_ns = k->t + jitter_sample(c, c->p.delay_ns);
	if (!c->p.reorder_jitter && k->f->depart_ns < c->last_depart_ns)
		k->f->depart_ns = c->last_depart_ns;
	c->last_depart_ns = k->f->depart_ns;
	return STAGE_PASS;
}

/* netem's order (see impair.h); reorder decides before delay applies */
static const stage_fn frame_stages[] = { st_mtu, st_loss, st_dup };
static const stage_fn copy_stages[] = { st_queue, st_corrupt, st_noise, st_rate, st_reorder, st_delay };

const char *const impair_drop_names[IMPAIR_DROP__N] = {
	[IMPAIR_DROP_MTU] = "mtu", [IMPAIR_DROP_LOSS] = "loss", [IMPAIR_DROP_QUEUE] = "queue",
};

static struct iframe *frame_get(struct impair_chain *c, size_t len)
{
	uint8_t k = 0;
	while (cls_size[k] < len)
		k++;
	struct iframe *f = c->freel[k];
	if (f) {
		c->freel[k] = f->next;
		return f;
	}
	f = malloc(sizeof(*f) + cls_size[k]);
	if (f)
		f->cls = k;
	return f;
}

/* Run the copy stages for one copy. Returns true if the copy is held. */
static bool hold_copy(struct impair_chain *c, struct ipkt *k, uint64_t now)
{
	k->f = NULL;
	k->t = now;
	k->skip_delay = k->corrupted = false;
	for (size_t i = 0; i < sizeof(copy_stages) / sizeof(copy_stages[0]); i++) {
		int why = copy_stages[i](c, k);
		if (why != STAGE_PASS) {
			if (k->f)
				frame_free(c, k->f);
			c->st.drops[why]++;
			return false;
		}
	}
	c->st.corrupted += k->corrupted;
	k->f->seq = c->seq++;
	if (heap_push(c, k->f)) {
		frame_free(c, k->f);
		c->st.drops[IMPAIR_DROP_QUEUE]++;
		return false;
	}
	c->st.held_frames++;
	c->st.held_bytes += k->len;
	return true;
}

unsigned impair_enqueue(struct impair_chain *c, const uint8_t *data, size_t len, uint64_t now)
{
	struct ipkt k = { .data = data, .len = len, .copies = 1 };
	c->st.offered++;
	for (size_t i = 0; i < sizeof(frame_stages) / sizeof(frame_stages[0]); i++) {
		int why = frame_stages[i](c, &k);
		if (why != STAGE_PASS) {
			c->st.drops[why]++;
			return 0;
		}
	}
	unsigned held = 0;
	for (unsigned n = 0; n < k.copies; n++)
		if (hold_copy(c, &k, now)) {
			c->st.duplicated += n > 0;
			held++;
		}
	return held;
}

uint64_t impair_next_ns(const struct impair_chain *c)
{
	return c->nheap ? c->heap[0]->depart_ns : UINT64_MAX;
}

unsigned impair_dequeue(struct impair_chain *c, uint64_t now, struct vtx *tx, unsigned n)
{
	if (n > VPKT_BURST)
		n = VPKT_BURST;
	c->nout = 0;
	while (c->nout < n && c->nheap && c->heap[0]->depart_ns <= now) {
		struct iframe *f = heap_pop(c);
		vtx_init(&tx[c->nout]);
		vtx_add(&tx[c->nout], f->data, f->len);
		c->out[c->nout++] = f;
	}
	return c->nout;
}

void impair_release(struct impair_chain *c, unsigned sent)
{
	for (unsigned i = 0; i < c->nout; i++) {
		struct iframe *f = c->out[i];
		if (i < sent) {
			c->st.passed++;
			c->st.held_frames--;
			c->st.held_bytes -= f->len;
			frame_free(c, f);
		} else if (heap_push(c, f)) { /* same key: back at the head of the line */
			c->st.held_frames--;
			c->st.held_bytes -= f->len;
			c->st.drops[IMPAIR_DROP_QUEUE]++;
			frame_free(c, f);
		}
	}
	c->nout = 0;
}

/* ---- the key table: parsing, formatting, null test, help ---- */

enum ukind {
	U_TIME,   /* uint64_t ns; ns|us|ms|s, bare ms */
	U_PROB,   /* double 0..1; written in %, bare % */
	U_NUM,    /* double */
	U_UINT,   /* uint32_t, whole numbers */
	U_RATE,   /* uint64_t bit/s; bit|kbit|mbit|gbit|tbit or bps|kbps|mbps|gbps */
	U_QUEUE,  /* queue_auto/queue_frames/queue_bytes; auto | N | N B|KB|KiB|MB|MiB */
	U_DIST,   /* uint8_t enum impair_dist */
	U_FIFO,   /* bool reorder_jitter, written fifo=0|1 (inverted) */
};

struct ikey {
	const char *name, *alias;
	enum ukind kind;
	size_t off;            /* the field in struct impair_params */
	double min, max;       /* accepted range in the field's unit */
	bool modifier;         /* shapes another stage: alone it impairs nothing */
	const char *arg, *help;
};

#define F(x) offsetof(struct impair_params, x)
/* In the order impair_format() writes them. */
static const struct ikey keys[] = {
	{ "delay", NULL, U_TIME, F(delay_ns), 0, 3600e9, false, "TIME", "fixed one-way delay (ns|us|ms|s, bare: ms; at most 1 h)" },
	{ "jitter", NULL, U_TIME, F(jitter_ns), 0, 3600e9, false, "TIME", "delay variation: +-TIME uniform, or sigma with dist=" },
	{ "dist", NULL, U_DIST, F(dist), 0, 2, true, "uniform|normal|pareto", "jitter distribution" },
	{ "loss", NULL, U_PROB, F(loss), 0, 1, false, "P%", "drop probability" },
	{ "burst", NULL, U_NUM, F(burst), 0, 1e6, true, "N", "mean loss burst length in frames (Gilbert-Elliott, same long-run loss)" },
	{ "dup", "duplicate", U_PROB, F(dup), 0, 1, false, "P%", "probability of one extra copy" },
	{ "corrupt", NULL, U_PROB, F(corrupt), 0, 1, false, "P%", "probability of one flipped bit per frame" },
	{ "noise", NULL, U_NUM, F(noise), 0, 8.0 * (1 << 20), false, "N", "bit errors per MiB (wirefilter -n)" },
	{ "rate", NULL, U_RATE, F(rate), 0, 1e13, false, "RATE", "serialization rate (bit|kbit|mbit|gbit SI bit/s, or bps|kbps|mbps bytes/s as tc; 0 = unlimited)" },
	{ "reorder", NULL, U_PROB, F(reorder), 0, 1, false, "P%", "probability that a frame skips the delay (netem reorder)" },
	{ "gap", NULL, U_UINT, F(gap), 0, 1e6, true, "N", "reorder only after N-1 delayed frames (netem reorder P gap N)" },
	{ "fifo", NULL, U_FIFO, F(reorder_jitter), 0, 1, true, "0|1", "0: jitter may reorder frames (default 1: keep order)" },
	{ "mtu", NULL, U_UINT, F(mtu), ETH_HDR_LEN, VPKT_MAXFRAME, false, "BYTES", "drop frames longer than BYTES (14..9234, 0 = off)" },
	{ "queue", "limit", U_QUEUE, F(queue_auto), 1, IMPAIR_MAX_HELD_BYTES, true, "auto|N|BYTES", "drop-tail limit: frames, or bytes like 64KiB (auto: from rate and delay)" },
};
#undef F
enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };

static void *field(struct impair_params *p, const struct ikey *k) { return (char *)p + k->off; }
static const void *cfield(const struct impair_params *p, const struct ikey *k) { return (const char *)p + k->off; }

/* The value of a numeric key in its field's unit (0 for the others). */
static double get_num(const struct impair_params *p, const struct ikey *k)
{
	const void *f = cfield(p, k);
	switch (k->kind) {
	case U_TIME: case U_RATE: return (double)*(const uint64_t *)f;
	case U_PROB: case U_NUM: return *(const double *)f;
	case U_UINT: return *(const uint32_t *)f;
	case U_DIST: return *(const uint8_t *)f;
	case U_FIFO: return *(const bool *)f;
	case U_QUEUE: return 0;
	}
	return 0;
}

/* Store v (in the field's unit) after the range check: 0, or ERANGE. */
static int store(struct impair_params *p, const struct ikey *k, double v)
{
	void *f = field(p, k);
	if (!isfinite(v) || v > k->max || (v < k->min && v != 0) || v < 0)
		return ERANGE;
	switch (k->kind) {
	case U_TIME: case U_RATE: *(uint64_t *)f = (uint64_t)(v + 0.5); break;
	case U_PROB: case U_NUM: *(double *)f = v; break;
	case U_UINT:
		if (v != floor(v))
			return ERANGE;
		*(uint32_t *)f = (uint32_t)v;
		break;
	case U_DIST: *(uint8_t *)f = (uint8_t)v; break;
	case U_FIFO: *(bool *)f = v != 0; break;
	case U_QUEUE: /* v bytes; 0 = auto */
		p->queue_auto = v == 0;
		p->queue_frames = 0;
		p->queue_bytes = (uint64_t)v;
		break;
	}
	return 0;
}

void impair_params_default(struct impair_params *p)
{
	memset(p, 0, sizeof(*p));
	p->queue_auto = true;
}

bool impair_params_null(const struct impair_params *p)
{
	for (unsigned i = 0; i < NKEYS; i++)
		if (!keys[i].modifier && get_num(p, &keys[i]) != 0)
			return false;
	return true;
}

/* A non-negative decimal number; *end points after it. */
static int number(const char *s, double *v, const char **end)
{
	char *e;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return EINVAL;
	*v = strtod(s, &e);
	if (e == s || !isfinite(*v) || *v < 0)
		return EINVAL;
	*end = e;
	return 0;
}

struct unit { const char *u; double mul; };
static const struct unit time_units[] = { { "", 1e6 }, { "ms", 1e6 }, { "s", 1e9 }, { "us", 1e3 }, { "ns", 1 }, { NULL, 0 } };
static const struct unit prob_units[] = { { "", 0.01 }, { "%", 0.01 }, { NULL, 0 } };
static const struct unit plain_units[] = { { "", 1 }, { NULL, 0 } };
static const struct unit rate_units[] = {
	{ "", 1 }, { "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 }, { "tbit", 1e12 },
	{ "bps", 8 }, { "kbps", 8e3 }, { "mbps", 8e6 }, { "gbps", 8e9 }, { NULL, 0 },
};
static const struct unit byte_units[] = {
	{ "b", 1 }, { "kb", 1e3 }, { "kib", 1024 }, { "mb", 1e6 }, { "mib", 1 << 20 }, { NULL, 0 },
};

/* NUMBER UNIT with one of `units` (case-insensitive) -> v * mul. */
static int scaled(const char *s, const struct unit *units, double *out)
{
	double v;
	const char *u;
	if (number(s, &v, &u))
		return EINVAL;
	for (unsigned i = 0; units[i].u; i++)
		if (!strcasecmp(u, units[i].u)) {
			*out = v * units[i].mul;
			return 0;
		}
	return EINVAL;
}

static const char *expect(const struct ikey *k)
{
	switch (k->kind) {
	case U_TIME: return "expected a time >= 0 like 40ms, 1.5s, 200us, at most 1h";
	case U_PROB: return "expected a percentage between 0% and 100%";
	case U_RATE: return "expected a rate like 10Mbit, 512kbit, 1Gbit (0 = unlimited), at most 10Tbit";
	case U_QUEUE: return "expected auto, a number of frames (<= 10000000), or bytes like 64KiB (<= 256MiB)";
	case U_DIST: return "expected uniform, normal or pareto";
	case U_FIFO: return "expected 0 or 1";
	case U_UINT:
		if (k->off == offsetof(struct impair_params, mtu))
			return "expected a frame size in bytes, 14..9234 (0 = off)";
		return "expected a whole number of frames";
	case U_NUM:
		if (k->off == offsetof(struct impair_params, burst))
			return "expected a mean burst length in frames (>= 1)";
		return "expected bit errors per MiB (>= 0)";
	}
	return "bad value";
}

/* Parse the unit form of one key's value into p. 0 or EINVAL/ERANGE. */
static int parse_value(const struct ikey *k, const char *v, struct impair_params *p)
{
	double x;
	int rc;
	switch (k->kind) {
	case U_TIME: rc = scaled(v, time_units, &x); break;
	case U_PROB: rc = scaled(v, prob_units, &x); break;
	case U_RATE: rc = scaled(v, rate_units, &x); break;
	case U_NUM: case U_UINT: rc = scaled(v, plain_units, &x); break;
	case U_DIST:
		if (!strcmp(v, "uniform")) x = IMPAIR_UNIFORM;
		else if (!strcmp(v, "normal")) x = IMPAIR_NORMAL;
		else if (!strcmp(v, "pareto")) x = IMPAIR_PARETO;
		else return EINVAL;
		rc = 0;
		break;
	case U_FIFO:
		if (strcmp(v, "0") && strcmp(v, "1"))
			return EINVAL;
		x = v[0] == '0'; /* fifo=0: jitter may reorder */
		rc = 0;
		break;
	case U_QUEUE:
		if (!strcmp(v, "auto"))
			return store(p, k, 0);
		if (!scaled(v, plain_units, &x)) { /* frames */
			if (x < 1 || x != floor(x) || x > 1e7)
				return ERANGE;
			p->queue_auto = false;
			p->queue_frames = (uint32_t)x;
			p->queue_bytes = 0;
			return 0;
		}
		if ((rc = scaled(v, byte_units, &x)))
			return rc;
		if (x < 1)
			return ERANGE;
		x = floor(x);
		break;
	default:
		return EINVAL;
	}
	return rc ? rc : store(p, k, x);
}

static const struct ikey *key_find(const char *name)
{
	for (unsigned i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name) || (keys[i].alias && !strcmp(keys[i].alias, name)))
			return &keys[i];
	return NULL;
}

const char *impair_key_names(void)
{
	static char names[256];
	if (!names[0]) {
		size_t o = 0;
		for (unsigned i = 0; i < NKEYS; i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", i ? " " : "", keys[i].name);
	}
	return names;
}

void impair_help(char *buf, size_t len, unsigned indent)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < NKEYS && o < len; i++) {
		char kv[48];
		snprintf(kv, sizeof(kv), "%s=%s", keys[i].name, keys[i].arg);
		o += (size_t)snprintf(buf + o, len - o, "%*s%-26s %s\n", (int)indent, "", kv, keys[i].help);
	}
}

int impair_parse(const char *spec, struct impair_params *out, char *err, size_t errlen)
{
	struct impair_params p = *out;
	char buf[1024];
	char *save = NULL;

	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "impairment specification too long");
		return EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *tok = strtok_r(buf, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		if (!strcmp(tok, "none") || !strcmp(tok, "clear")) {
			impair_params_default(&p);
			continue;
		}
		char *eq = strchr(tok, '=');
		if (!eq || eq == tok || !eq[1]) {
			snprintf(err, errlen, "\"%s\": expected key=value (e.g. delay=40ms loss=1%%)", tok);
			return EINVAL;
		}
		*eq = '\0';
		const struct ikey *k = key_find(tok);
		if (!k) {
			snprintf(err, errlen, "unknown impairment \"%s\" (known: %s)", tok, impair_key_names());
			return EINVAL;
		}
		if (parse_value(k, eq + 1, &p)) {
			snprintf(err, errlen, "%s=%s: %s", tok, eq + 1, expect(k));
			return EINVAL;
		}
	}
	*out = p;
	return 0;
}

/* Classic wirefilter names -> our key, and the factor from wirefilter's unit
 * to the field's (delay ms -> ns, loss % -> probability, bandwidth bytes/s
 * -> bit/s). */
static const struct wfkey {
	const char *name, *key;
	double mul;
} wfkeys[] = {
	{ "delay", "delay", 1e6 }, { "loss", "loss", 0.01 }, { "dup", "dup", 0.01 },
	{ "lostburst", "burst", 1 }, { "bandwidth", "rate", 8 }, { "band", "rate", 8 },
	{ "speed", "rate", 8 }, { "chanbufsize", "queue", 1 }, { "capacity", "queue", 1 },
	{ "noise", "noise", 1 }, { "mtu", "mtu", 1 }, { "fifo", "fifo", 1 },
};

int impair_parse_wf(const char *name, const char *value, struct impair_params *lr,
		    struct impair_params *rl, char *err, size_t errlen)
{
	const struct wfkey *w = NULL;
	for (unsigned i = 0; i < sizeof(wfkeys) / sizeof(wfkeys[0]); i++)
		if (!strcmp(wfkeys[i].name, name))
			w = &wfkeys[i];
	if (!w) {
		snprintf(err, errlen, "unknown parameter \"%s\"", name);
		return ENOENT;
	}
	const struct ikey *k = key_find(w->key);
	const char *s = value;
	bool do_lr = true, do_rl = true;
	while (*s == ' ')
		s++;
	if (!strncasecmp(s, "LR", 2)) do_rl = false, s += 2;
	else if (!strncasecmp(s, "RL", 2)) do_lr = false, s += 2;
	double v, delta = 0, mul = 1;
	const char *e;
	if (number(s, &v, &e)) {
		snprintf(err, errlen, "%s %s: expected [LR|RL]VALUE[+DELTA][K|M|G][U|N]", name, value);
		return EINVAL;
	}
	if (*e == '+') {
		if (number(e + 1, &delta, &e)) {
			snprintf(err, errlen, "%s %s: bad +DELTA", name, value);
			return EINVAL;
		}
	}
	if (*e == 'K' || *e == 'k') mul = 1 << 10, e++;
	else if (*e == 'M' || *e == 'm') mul = 1 << 20, e++;
	else if (*e == 'G' || *e == 'g') mul = 1 << 30, e++;
	bool normal = false;
	if (*e == 'N' || *e == 'n') normal = true, e++;
	else if (*e == 'U' || *e == 'u') e++;
	while (*e == ' ' || *e == '\n')
		e++;
	if (*e) {
		snprintf(err, errlen, "%s %s: unexpected \"%s\"", name, value, e);
		return EINVAL;
	}
	v *= mul * w->mul;
	delta *= mul * w->mul;
	if (k->kind == U_PROB && v > 1)
		v = 1; /* "loss 200": wirefilter drops everything from 100 % up */
	if (delta > 0 && k->kind != U_TIME) {
		snprintf(err, errlen, "%s %s: +DELTA is supported for delay only", name, value);
		return EINVAL;
	}
	if (k->kind == U_UINT && v != 0) /* wirefilter's mtu counts the 2-byte length */
		v -= 2;
	if (k->kind == U_FIFO) {
		if (v != 0 && v != 1) {
			snprintf(err, errlen, "fifo %s: expected 0 or 1", value);
			return EINVAL;
		}
		v = v == 0; /* fifo 0: jitter may reorder */
	}
	struct impair_params t[2] = { *lr, *rl };
	for (int i = 0; i < 2; i++) {
		if ((i == 0 && !do_lr) || (i == 1 && !do_rl))
			continue;
		struct impair_params *p = &t[i];
		int rc = store(p, k, v);
		if (!rc && k->kind == U_TIME) {
			p->dist = normal ? IMPAIR_NORMAL : IMPAIR_UNIFORM;
			rc = store(p, key_find("jitter"), normal ? delta / 3 : delta);
		}
		if (rc) {
			snprintf(err, errlen, "%s %s: out of range (as %s=: %s)", name, value, k->name, expect(k));
			return EINVAL;
		}
	}
	*lr = t[0];
	*rl = t[1];
	return 0;
}

static void fmt_scaled(char *b, size_t n, double v, const char *const units[4])
{
	/* the largest unit that keeps an integer: 1500us, not 1.5ms */
	static const double div[4] = { 1e9, 1e6, 1e3, 1 };
	unsigned long long x = (unsigned long long)v;
	for (int i = 0; i < 4; i++)
		if (x % (unsigned long long)div[i] == 0 || i == 3) {
			snprintf(b, n, "%llu%s", x / (unsigned long long)div[i], units[i]);
			return;
		}
}

void impair_format(const struct impair_params *p, char *buf, size_t len)
{
	static const char *const tu[4] = { "s", "ms", "us", "ns" }, *const ru[4] = { "Gbit", "Mbit", "kbit", "bit" };
	static const char *const dn[3] = { "uniform", "normal", "pareto" };
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < NKEYS && o < len; i++) {
		const struct ikey *k = &keys[i];
		double v = get_num(p, k);
		char t[48];
		switch (k->kind) {
		case U_TIME: if (!v) continue; fmt_scaled(t, sizeof(t), v, tu); break;
		case U_RATE: if (!v) continue; fmt_scaled(t, sizeof(t), v, ru); break;
		case U_PROB: if (!v) continue; snprintf(t, sizeof(t), "%.12g%%", v * 100); break;
		case U_NUM: if (!v) continue; snprintf(t, sizeof(t), "%.12g", v); break;
		case U_UINT: if (!v) continue; snprintf(t, sizeof(t), "%u", (unsigned)v); break;
		case U_DIST: if (!p->jitter_ns) continue; snprintf(t, sizeof(t), "%s", dn[(int)v % 3]); break;
		case U_FIFO: if (!v) continue; snprintf(t, sizeof(t), "0"); break;
		case U_QUEUE:
			if (p->queue_auto)
				continue;
			if (p->queue_frames) snprintf(t, sizeof(t), "%u", p->queue_frames);
			else snprintf(t, sizeof(t), "%lluB", (unsigned long long)p->queue_bytes);
			break;
		}
		o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "", k->name, t);
	}
	if (o == 0)
		snprintf(buf, len, "none");
}

/* ---- read-only views ---- */

const struct impair_params *impair_get(const struct impair_chain *c) { return &c->p; }
const struct impair_stats *impair_stats(const struct impair_chain *c) { return &c->st; }
unsigned impair_held(const struct impair_chain *c) { return c->nheap + c->nout; }

uint64_t impair_drops_total(const struct impair_stats *s)
{
	uint64_t t = 0;
	for (int i = 0; i < IMPAIR_DROP__N; i++)
		t += s->drops[i];
	return t;
}

void impair_stats_format(const struct impair_stats *s, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "offered=%llu passed=%llu", (unsigned long long)s->offered,
				    (unsigned long long)s->passed);
	for (int i = 0; i < IMPAIR_DROP__N && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " drop_%s=%llu", impair_drop_names[i],
				      (unsigned long long)s->drops[i]);
	if (o < len)
		snprintf(buf + o, len - o, " drops=%llu duplicated=%llu corrupted=%llu queued=%llu queued_bytes=%llu",
			 (unsigned long long)impair_drops_total(s), (unsigned long long)s->duplicated,
			 (unsigned long long)s->corrupted, (unsigned long long)s->held_frames,
			 (unsigned long long)s->held_bytes);
}
