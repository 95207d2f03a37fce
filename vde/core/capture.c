#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct capture {
	pcap_t *dead;
	pcap_dumper_t *dump;
	struct bpf_program prog;
	bool has_prog, done, dirty;
	int error;               /* errno of a failed write, 0 = none */
	struct capture_opts o;
	char path[256], filter[256];
	int64_t wall_minus_mono; /* ns */
	uint64_t seen, written, bytes;
	uint8_t flat[VPKT_MAXFRAME + 8];
};

struct capture *capture_open(const char *path, const struct capture_opts *o, char *err, size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->o = *o;
	if (!c->o.snaplen || c->o.snaplen > VPKT_MAXFRAME + 4)
		c->o.snaplen = VPKT_MAXFRAME + 4;
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(c->filter, sizeof(c->filter), "%s", o->filter ? o->filter : "");
	c->o.filter = c->filter;
	c->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)c->o.snaplen, PCAP_TSTAMP_PRECISION_NANO);
	if (!c->dead) {
		snprintf(err, errlen, "libpcap: cannot make a capture handle");
		free(c);
		return NULL;
	}
	if (c->filter[0]) {
		if (pcap_compile(c->dead, &c->prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(err, errlen, "filter \"%s\": %s", c->filter, pcap_geterr(c->dead));
			pcap_close(c->dead);
			free(c);
			return NULL;
		}
		c->has_prog = true;
	}
	/* new files only: never truncate or follow a symlink (the switch may
	 * run as root and the path comes from a console line) */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (f)
		c->dump = pcap_dump_fopen(c->dead, f);
	if (!c->dump) {
		if (fd < 0)
			snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
				 errno == EEXIST ? " (captures create new files only)" : "");
		else
			snprintf(err, errlen, "%s: %s", path, f ? pcap_geterr(c->dead) : strerror(errno));
		if (f)
			fclose(f);
		else if (fd >= 0)
			close(fd);
		if (fd >= 0)
			unlink(path);
		if (c->has_prog)
			pcap_freecode(&c->prog);
		pcap_close(c->dead);
		free(c);
		return NULL;
	}
	pcap_dump_flush(c->dump); /* the file header, so readers can start */
	struct timespec w, m;
	clock_gettime(CLOCK_REALTIME, &w);
	clock_gettime(CLOCK_MONOTONIC, &m);
	c->wall_minus_mono = ((int64_t)w.tv_sec - (int64_t)m.tv_sec) * 1000000000LL + (w.tv_nsec - m.tv_nsec);
	return c;
}

bool capture_frame(struct capture *c, const uint8_t *data, size_t len, uint64_t mono_ns)
{
	if (c->done)
		return false;
	c->seen++;
	uint64_t wall = mono_ns + (uint64_t)c->wall_minus_mono;
	struct pcap_pkthdr h = {
		.caplen = (bpf_u_int32)(len < c->o.snaplen ? len : c->o.snaplen),
		.len = (bpf_u_int32)len,
	};
	/* with nanosecond precision, libpcap's dump writes tv_usec as ns */
	h.ts.tv_sec = (time_t)(wall / 1000000000ULL);
	h.ts.tv_usec = (suseconds_t)(wall % 1000000000ULL);
	if (c->has_prog && !pcap_offline_filter(&c->prog, &h, data))
		return true;
	pcap_dump((u_char *)c->dump, &h, data);
	c->dirty = true;
	c->written++;
	c->bytes += 16 + h.caplen;
	if ((c->o.max_frames && c->written >= c->o.max_frames) ||
	    (c->o.max_bytes && c->bytes + 24 >= c->o.max_bytes)) {
		c->done = true;
		capture_flush(c);
	}
	return !c->done;
}

void capture_flush(struct capture *c)
{
	if (c->dirty) {
		c->dirty = false;
		FILE *f = pcap_dump_file(c->dump);
		errno = 0;
		if (pcap_dump_flush(c->dump) < 0 || ferror(f)) {
			/* a full disk or a failed device: the capture ends, the
			 * owner keeps forwarding; capture_describe() says why */
			c->error = errno ? errno : EIO;
			c->done = true;
			clearerr(f);
		}
	}
}

bool capture_vtx(struct capture *c, const struct vtx *t, uint64_t mono_ns)
{
	if (t->niov == 1)
		return capture_frame(c, t->iov[0].iov_base, t->len, mono_ns);
	vtx_flatten(t, c->flat);
	return capture_frame(c, c->flat, t->len, mono_ns);
}

bool capture_running(const struct capture *c)
{
	return !c->done;
}

int capture_error(const struct capture *c)
{
	return c->error;
}

enum capture_at capture_point(const struct capture *c)
{
	return c->o.at;
}

void capture_describe(const struct capture *c, char *buf, size_t len)
{
	char state[96];
	if (c->error)
		snprintf(state, sizeof(state), "error: %s", strerror(c->error));
	else
		snprintf(state, sizeof(state), "%s", c->done ? "done" : "running");
	snprintf(buf, len, "file=%s at=%s seen=%llu written=%llu bytes=%llu filter=\"%s\" state=%s", c->path,
		 c->o.at == CAPTURE_AT_WIRE ? "wire" : "switch", (unsigned long long)c->seen,
		 (unsigned long long)c->written, (unsigned long long)(c->bytes + 24), c->filter, state);
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	pcap_dump_close(c->dump);
	if (c->has_prog)
		pcap_freecode(&c->prog);
	pcap_close(c->dead);
	free(c);
}

int capture_parse_opts(char *buf, struct capture_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	char *p = buf;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		char *end = p + strcspn(p, " \t");
		char *eq = memchr(p, '=', (size_t)(end - p));
		if (!eq || !*p)
			break;
		char save = *end;
		*end = '\0';
		char *e;
		const char *v = eq + 1;
		if (!strncmp(p, "count=", 6) || !strncmp(p, "size=", 5) || !strncmp(p, "snaplen=", 8)) {
			unsigned long long n = strtoull(v, &e, 10);
			if (!*v || (*e && strcmp(e, "k") && strcmp(e, "M") && strcmp(e, "G"))) {
				snprintf(err, errlen, "%s: expected a number (k, M, G suffixes for size)", p);
				return EINVAL;
			}
			n *= *e == 'k' ? 1000ULL : *e == 'M' ? 1000000ULL : *e == 'G' ? 1000000000ULL : 1;
			if (p[1] == 'o')
				o->max_frames = n;
			else if (p[1] == 'i')
				o->max_bytes = n;
			else
				o->snaplen = (unsigned)(n > 65535 ? 65535 : n);
		} else if (!strncmp(p, "at=", 3)) {
			/* on a link direction: in = entering (before impairments), out = delivered */
			if (!strcmp(v, "wire") || !strcmp(v, "out"))
				o->at = CAPTURE_AT_WIRE;
			else if (!strcmp(v, "switch") || !strcmp(v, "in"))
				o->at = CAPTURE_AT_SWITCH;
			else {
				snprintf(err, errlen, "at=%s: expected wire or switch (in or out on a cable)", v);
				return EINVAL;
			}
		} else {
			/* "word=..." that is not ours: the filter starts here */
			*end = save;
			break;
		}
		*end = save;
		p = end;
	}
	o->filter = p;
	return 0;
}
