#include "impair.h"
#include "limits.h"

#include <ctype.h>
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

void impair_params_default(struct impair_params *p)
{
	memset(p, 0, sizeof(*p));
	p->queue_auto = true;
}

bool impair_params_null(const struct impair_params *p)
{
	return !p->mtu && p->loss == 0 && p->dup == 0 && p->corrupt == 0 && p->noise == 0 &&
	       !p->rate && !p->delay_ns && !p->jitter_ns && p->reorder == 0;
}

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

/* ---- the stages ---- */

static bool lose(struct impair_chain *c)
{
	const struct impair_params *p = &c->p;
	if (p->loss <= 0)
		return false;
	if (p->loss >= 1)
		return true;
	if (p->burst > 1) {
		double u = rng_uniform(&c->rng);
		if (!c->ge_bad) {
			if (u < p->loss / (p->burst * (1 - p->loss)))
				c->ge_bad = true;
		} else if (u < 1 / p->burst) {
			c->ge_bad = false;
		}
		return c->ge_bad;
	}
	return rng_uniform(&c->rng) < p->loss;
}

static void flip_bit(struct impair_chain *c, uint8_t *d, size_t len)
{
	uint64_t bit = rng_below(&c->rng, (uint64_t)len * 8);
	d[bit / 8] ^= (uint8_t)(1u << (bit % 8));
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

unsigned impair_enqueue(struct impair_chain *c, const uint8_t *data, size_t len, uint64_t now)
{
	const struct impair_params *p = &c->p;
	c->st.offered++;
	if (len > VPKT_MAXFRAME || (p->mtu && len > p->mtu)) {
		c->st.drop_mtu++;
		return 0;
	}
	if (lose(c)) {
		c->st.drop_loss++;
		return 0;
	}
	unsigned copies = 1 + (p->dup > 0 && rng_uniform(&c->rng) < p->dup);
	unsigned held = 0;
	uint64_t lim_frames, lim_bytes;
	impair_limits(p, &lim_frames, &lim_bytes);
	for (unsigned k = 0; k < copies; k++) {
		if ((lim_frames && c->st.held_frames + 1 > lim_frames) ||
		    c->st.held_bytes + len > lim_bytes) {
			c->st.drop_queue++;
			continue;
		}
		struct iframe *f = frame_get(c, len);
		if (!f) {
			c->st.drop_queue++;
			continue;
		}
		memcpy(f->data, data, len);
		f->len = (uint16_t)len;
		bool corrupted = false;
		if (p->corrupt > 0 && rng_uniform(&c->rng) < p->corrupt) {
			flip_bit(c, f->data, len);
			corrupted = true;
		}
		if (p->noise > 0) {
			unsigned n = rng_poisson(&c->rng, p->noise * (double)len / (1 << 20));
			for (unsigned i = 0; i < n; i++)
				flip_bit(c, f->data, len);
			corrupted |= n > 0;
		}
		c->st.corrupted += corrupted;

		uint64_t t = now;
		if (p->rate) {
			uint64_t start = c->busy_until_ns > now ? c->busy_until_ns : now;
			c->busy_until_ns = start + (uint64_t)((double)len * 8 * 1e9 / (double)p->rate + 0.5);
			t = c->busy_until_ns;
		}
		if (p->reorder > 0 && rng_uniform(&c->rng) < p->reorder) {
			f->depart_ns = t; /* skips the delay line, ahead of delayed frames */
		} else {
			uint64_t d = jitter_sample(c, p->delay_ns);
			f->depart_ns = t + d;
			if (!p->reorder_jitter && f->depart_ns < c->last_depart_ns)
				f->depart_ns = c->last_depart_ns;
			c->last_depart_ns = f->depart_ns;
		}
		f->seq = c->seq++;
		if (heap_push(c, f)) {
			frame_free(c, f);
			c->st.drop_queue++;
			continue;
		}
		c->st.held_frames++;
		c->st.held_bytes += len;
		if (k > 0)
			c->st.duplicated++;
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
			c->st.drop_queue++;
			frame_free(c, f);
		}
	}
	c->nout = 0;
}

/* ---- parsing ---- */

static int bad(char *err, size_t errlen, const char *key, const char *val, const char *why)
{
	snprintf(err, errlen, "%s=%s: %s", key, val, why);
	return EINVAL;
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

static int parse_time(const char *s, uint64_t *ns)
{
	double v;
	const char *u;
	if (number(s, &v, &u))
		return EINVAL;
	double mul;
	if (!*u || !strcmp(u, "ms")) mul = 1e6;
	else if (!strcmp(u, "s")) mul = 1e9;
	else if (!strcmp(u, "us")) mul = 1e3;
	else if (!strcmp(u, "ns")) mul = 1;
	else return EINVAL;
	if (v * mul > 3600e9)
		return ERANGE;
	*ns = (uint64_t)(v * mul + 0.5);
	return 0;
}

static int parse_pct(const char *s, double *prob)
{
	double v;
	const char *u;
	if (number(s, &v, &u) || (*u && strcmp(u, "%")))
		return EINVAL;
	if (v > 100)
		return ERANGE;
	*prob = v / 100;
	return 0;
}

static int parse_rate(const char *s, uint64_t *bps)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "", 1 }, { "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 }, { "tbit", 1e12 },
		{ "bps", 8 }, { "kbps", 8e3 }, { "mbps", 8e6 }, { "gbps", 8e9 },
	};
	double v;
	const char *u;
	if (number(s, &v, &u))
		return EINVAL;
	for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(u, units[i].u)) {
			double r = v * units[i].mul;
			if (r > 1e13)
				return ERANGE;
			*bps = (uint64_t)(r + 0.5);
			return 0;
		}
	return EINVAL;
}

static int parse_queue(const char *s, struct impair_params *p)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "b", 1 }, { "kb", 1e3 }, { "kib", 1024 }, { "mb", 1e6 }, { "mib", 1 << 20 },
	};
	double v;
	const char *u;
	if (!strcmp(s, "auto")) {
		p->queue_auto = true;
		p->queue_frames = 0;
		p->queue_bytes = 0;
		return 0;
	}
	if (number(s, &v, &u) || v < 1)
		return EINVAL;
	if (!*u) {
		if (v != floor(v) || v > 1e7)
			return EINVAL;
		p->queue_auto = false;
		p->queue_frames = (uint32_t)v;
		p->queue_bytes = 0;
		return 0;
	}
	for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(u, units[i].u)) {
			if (v * units[i].mul > IMPAIR_MAX_HELD_BYTES)
				return ERANGE;
			p->queue_auto = false;
			p->queue_frames = 0;
			p->queue_bytes = (uint64_t)(v * units[i].mul);
			return 0;
		}
	return EINVAL;
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
		const char *k = tok, *v = eq + 1;
		int rc;
		double x;
		const char *end;
		if (!strcmp(k, "delay")) {
			if ((rc = parse_time(v, &p.delay_ns)))
				return bad(err, errlen, k, v, rc == ERANGE ? "more than an hour" :
					   "expected a time >= 0 like 40ms, 1.5s, 200us");
		} else if (!strcmp(k, "jitter")) {
			if ((rc = parse_time(v, &p.jitter_ns)))
				return bad(err, errlen, k, v, "expected a time >= 0 like 5ms");
		} else if (!strcmp(k, "dist")) {
			if (!strcmp(v, "uniform")) p.dist = IMPAIR_UNIFORM;
			else if (!strcmp(v, "normal")) p.dist = IMPAIR_NORMAL;
			else if (!strcmp(v, "pareto")) p.dist = IMPAIR_PARETO;
			else return bad(err, errlen, k, v, "expected uniform, normal or pareto");
		} else if (!strcmp(k, "loss") || !strcmp(k, "dup") || !strcmp(k, "duplicate") ||
			   !strcmp(k, "corrupt") || !strcmp(k, "reorder")) {
			double prob;
			if ((rc = parse_pct(v, &prob)))
				return bad(err, errlen, k, v, "expected a percentage between 0% and 100%");
			if (!strcmp(k, "loss")) p.loss = prob;
			else if (k[0] == 'd') p.dup = prob;
			else if (k[0] == 'c') p.corrupt = prob;
			else p.reorder = prob;
		} else if (!strcmp(k, "burst")) {
			if (number(v, &x, &end) || *end || x > 1e6)
				return bad(err, errlen, k, v, "expected a mean burst length in frames (>= 1)");
			p.burst = x;
		} else if (!strcmp(k, "noise")) {
			if (number(v, &x, &end) || *end || x > 8.0 * (1 << 20))
				return bad(err, errlen, k, v, "expected bit errors per MiB (>= 0)");
			p.noise = x;
		} else if (!strcmp(k, "rate")) {
			if ((rc = parse_rate(v, &p.rate)))
				return bad(err, errlen, k, v, "expected a rate like 10Mbit, 512kbit, 1Gbit (0 = unlimited)");
		} else if (!strcmp(k, "queue") || !strcmp(k, "limit")) {
			if ((rc = parse_queue(v, &p)))
				return bad(err, errlen, k, v, "expected auto, a number of frames, or bytes like 64KiB");
		} else if (!strcmp(k, "mtu")) {
			if (number(v, &x, &end) || *end || x != floor(x) || (x != 0 && x < ETH_HDR_LEN) ||
			    x > VPKT_MAXFRAME)
				return bad(err, errlen, k, v, "expected a frame size in bytes, 14..9234 (0 = off)");
			p.mtu = (uint32_t)x;
		} else if (!strcmp(k, "fifo")) {
			if (strcmp(v, "0") && strcmp(v, "1"))
				return bad(err, errlen, k, v, "expected 0 or 1");
			p.reorder_jitter = v[0] == '0';
		} else {
			snprintf(err, errlen, "unknown impairment \"%s\" (known: delay jitter dist loss burst "
				 "dup corrupt noise rate queue mtu reorder fifo)", k);
			return EINVAL;
		}
	}
	*out = p;
	return 0;
}

int impair_parse_wf(const char *name, const char *value, struct impair_params *lr,
		    struct impair_params *rl, char *err, size_t errlen)
{
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
	v *= mul;
	delta *= mul;
	if (delta > 0 && strcmp(name, "delay")) {
		snprintf(err, errlen, "%s %s: +DELTA is supported for delay only", name, value);
		return EINVAL;
	}
	struct impair_params t[2] = { *lr, *rl };
	for (int i = 0; i < 2; i++) {
		if ((i == 0 && !do_lr) || (i == 1 && !do_rl))
			continue;
		struct impair_params *p = &t[i];
		if (!strcmp(name, "delay")) {
			p->delay_ns = (uint64_t)(v * 1e6);
			p->jitter_ns = (uint64_t)((normal ? delta / 3 : delta) * 1e6);
			p->dist = normal ? IMPAIR_NORMAL : IMPAIR_UNIFORM;
		} else if (!strcmp(name, "loss") || !strcmp(name, "dup")) {
			if (v > 100) {
				snprintf(err, errlen, "%s %s: must be between 0 and 100 (%%)", name, value);
				return EINVAL;
			}
			if (name[0] == 'l') p->loss = v / 100; else p->dup = v / 100;
		} else if (!strcmp(name, "lostburst")) {
			p->burst = v;
		} else if (!strcmp(name, "bandwidth") || !strcmp(name, "band") || !strcmp(name, "speed")) {
			p->rate = (uint64_t)(v * 8);
		} else if (!strcmp(name, "chanbufsize") || !strcmp(name, "capacity")) {
			if (v == 0) {
				p->queue_auto = true, p->queue_bytes = 0, p->queue_frames = 0;
			} else {
				p->queue_auto = false, p->queue_bytes = (uint64_t)v, p->queue_frames = 0;
			}
		} else if (!strcmp(name, "noise")) {
			p->noise = v;
		} else if (!strcmp(name, "mtu")) {
			if (v != 0 && v < ETH_HDR_LEN + 2) {
				snprintf(err, errlen, "mtu %s: too small", value);
				return EINVAL;
			}
			p->mtu = v == 0 ? 0 : (uint32_t)v - 2; /* wirefilter counts the 2-byte length */
		} else if (!strcmp(name, "fifo")) {
			p->reorder_jitter = v == 0;
		} else {
			snprintf(err, errlen, "unknown parameter \"%s\"", name);
			return ENOENT;
		}
	}
	*lr = t[0];
	*rl = t[1];
	return 0;
}

static void fmt_time(char *b, size_t n, uint64_t ns)
{
	if (ns % 1000000000ull == 0) snprintf(b, n, "%llus", (unsigned long long)(ns / 1000000000ull));
	else if (ns % 1000000ull == 0) snprintf(b, n, "%llums", (unsigned long long)(ns / 1000000ull));
	else if (ns % 1000ull == 0) snprintf(b, n, "%lluus", (unsigned long long)(ns / 1000ull));
	else snprintf(b, n, "%lluns", (unsigned long long)ns);
}

static void fmt_rate(char *b, size_t n, uint64_t r)
{
	if (r % 1000000000ull == 0) snprintf(b, n, "%lluGbit", (unsigned long long)(r / 1000000000ull));
	else if (r % 1000000ull == 0) snprintf(b, n, "%lluMbit", (unsigned long long)(r / 1000000ull));
	else if (r % 1000ull == 0) snprintf(b, n, "%llukbit", (unsigned long long)(r / 1000ull));
	else snprintf(b, n, "%llubit", (unsigned long long)r);
}

void impair_format(const struct impair_params *p, char *buf, size_t len)
{
	char t[32];
	size_t o = 0;
	buf[0] = '\0';
#define ADD(...) do { if (o < len) o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__); } while (0)
	if (p->delay_ns) { fmt_time(t, sizeof(t), p->delay_ns); ADD("delay=%s ", t); }
	if (p->jitter_ns) {
		fmt_time(t, sizeof(t), p->jitter_ns);
		ADD("jitter=%s dist=%s ", t, p->dist == IMPAIR_NORMAL ? "normal" : p->dist == IMPAIR_PARETO ? "pareto" : "uniform");
	}
	if (p->loss > 0) ADD("loss=%g%% ", p->loss * 100);
	if (p->burst > 1) ADD("burst=%g ", p->burst);
	if (p->dup > 0) ADD("dup=%g%% ", p->dup * 100);
	if (p->corrupt > 0) ADD("corrupt=%g%% ", p->corrupt * 100);
	if (p->noise > 0) ADD("noise=%g ", p->noise);
	if (p->rate) { fmt_rate(t, sizeof(t), p->rate); ADD("rate=%s ", t); }
	if (p->reorder > 0) ADD("reorder=%g%% ", p->reorder * 100);
	if (p->reorder_jitter) ADD("fifo=0 ");
	if (p->mtu) ADD("mtu=%u ", p->mtu);
	if (!p->queue_auto) {
		if (p->queue_frames) ADD("queue=%u ", p->queue_frames);
		else ADD("queue=%lluB ", (unsigned long long)p->queue_bytes);
	}
#undef ADD
	if (o == 0)
		snprintf(buf, len, "none");
	else if (o <= len)
		buf[o - 1] = '\0';
}
