/* vdegen - traffic generator/sink over libvdeplug (vde_open/vde_send/
 * vde_recv), so Debian's vde_switch, vdelab-switch, wirefilters and a direct
 * ptp:// link are driven by exactly the same code; or over plain UDP
 * ("udp:HOST:PORT[@LPORT]" to send, from LPORT if given, since connected
 * UDP endpoints only hear their peer; "udp::PORT" to receive) for kernel
 * paths and UDP-fed plugs.
 *
 *   vdegen recv VNL COUNT TIMEOUT_MS   announce our MAC, receive until COUNT
 *                                      frames or TIMEOUT_MS of silence; print
 *                                      key=value results
 *   vdegen send VNL COUNT SIZE [PPS]   send COUNT frames of SIZE bytes to the
 *                                      receiver's MAC (0 PPS = as fast as possible)
 *
 * Each frame carries its sequence number, its CLOCK_MONOTONIC send time and
 * a pattern derived from the sequence number, so the sink reports one-way
 * delay (mean, sigma, percentiles), loss with its mean burst length,
 * duplicates, corrupted frames and the achieved rate.
 */
#include <arpa/inet.h>
#include <libvdeplug.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const uint8_t MAC_RX[6] = { 0x02, 0x42, 0, 0, 0, 0x02 };
static const uint8_t MAC_TX[6] = { 0x02, 0x42, 0, 0, 0, 0x01 };

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* transport: libvdeplug or UDP */
static VDECONN *vc;
static int ufd = -1;
static struct sockaddr_in udst;
static size_t hdr; /* bytes before our payload: 14 (Ethernet) or 0 (UDP) */

static int t_open(const char *vnl, int receiver)
{
	if (strncmp(vnl, "udp:", 4) == 0) {
		char host[64] = "", spec[128];
		int port, lport = 0;
		snprintf(spec, sizeof(spec), "%s", vnl);
		char *at = strchr(spec, '@');
		if (at) {
			*at = '\0';
			lport = atoi(at + 1);
		}
		vnl = spec;
		const char *c = strrchr(vnl, ':');
		snprintf(host, sizeof(host), "%.*s", (int)(c - vnl - 4), vnl + 4);
		port = atoi(c + 1);
		ufd = socket(AF_INET, SOCK_DGRAM, 0);
		int sz = 8 << 20;
		setsockopt(ufd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		memset(&udst, 0, sizeof(udst));
		udst.sin_family = AF_INET;
		udst.sin_port = htons((uint16_t)port);
		if (receiver) {
			udst.sin_addr.s_addr = htonl(INADDR_ANY);
			if (bind(ufd, (struct sockaddr *)&udst, sizeof(udst)) < 0)
				return -1;
		} else if (inet_pton(AF_INET, host, &udst.sin_addr) != 1) {
			return -1;
		} else if (lport) {
			struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons((uint16_t)lport) };
			me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (bind(ufd, (struct sockaddr *)&me, sizeof(me)) < 0)
				return -1;
		}
		hdr = 0;
		return 0;
	}
	vc = vde_open((char *)vnl, "vdegen", NULL);
	hdr = 14;
	return vc ? 0 : -1;
}
static int t_fd(void) { return vc ? vde_datafd(vc) : ufd; }
static ssize_t t_send(const void *b, size_t n)
{
	return vc ? vde_send(vc, b, n, 0) : sendto(ufd, b, n, 0, (struct sockaddr *)&udst, sizeof(udst));
}
static ssize_t t_recv(void *b, size_t n) { return vc ? vde_recv(vc, b, n, 0) : recv(ufd, b, n, 0); }

static uint8_t pat(uint32_t seq, size_t i) { return (uint8_t)(seq * 7 + i * 13 + 5); }

/* payload: seq(4) ~seq(4) send_ns(8) then the pattern */
static void fill(uint8_t *p, size_t len, uint32_t seq, uint64_t t)
{
	uint32_t inv = ~seq;
	memcpy(p, &seq, 4);
	memcpy(p + 4, &inv, 4);
	memcpy(p + 8, &t, 8);
	for (size_t i = 16; i < len; i++)
		p[i] = pat(seq, i);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: vdegen recv VNL COUNT TIMEOUT_MS | send VNL COUNT SIZE [PPS]\n");
		return 2;
	}
	int receiver = strcmp(argv[1], "recv") == 0;
	if (t_open(argv[2], receiver) < 0) {
		perror(argv[2]);
		return 1;
	}
	long count = atol(argv[3]);
	uint8_t f[9300];
	memset(f, 0, sizeof(f));
	if (receiver) {
		int timeout = atoi(argv[4]);
		uint64_t *lat = malloc(sizeof(uint64_t) * (size_t)count);
		uint8_t *seen = calloc((size_t)count, 1);
		if (vc) { /* announce our MAC so the switch learns it */
			memset(f, 0xff, 6);
			memcpy(f + 6, MAC_RX, 6);
			f[12] = 0x88, f[13] = 0xb5;
			for (int i = 0; i < 3; i++)
				vde_send(vc, f, 60, 0);
		}
		printf("ready=1\n");
		fflush(stdout);
		long got = 0, uniq = 0, dups = 0, corrupt = 0, maxseq = -1;
		uint64_t first = 0, last = 0, bytes = 0;
		struct pollfd p = { .fd = t_fd(), .events = POLLIN };
		while (uniq < count) {
			if (poll(&p, 1, got ? timeout : 30000) <= 0)
				break;
			ssize_t n = t_recv(f, sizeof(f));
			if (n < (ssize_t)(hdr + 16))
				continue;
			if (vc && (memcmp(f, MAC_RX, 6) != 0 || f[12] != 0x88 || f[13] != 0xb5)) {
				if (memcmp(f + 6, MAC_TX, 6) == 0)
					corrupt++; /* ours, damaged in the header */
				continue;
			}
			uint64_t t = now_ns(), sent;
			uint32_t seq, inv;
			const uint8_t *pl = f + hdr;
			memcpy(&seq, pl, 4);
			memcpy(&inv, pl + 4, 4);
			memcpy(&sent, pl + 8, 8);
			bool ok = seq == ~inv && seq < (uint32_t)count && sent <= t;
			for (size_t i = 16; ok && i < (size_t)n - hdr; i++)
				ok = pl[i] == pat(seq, i);
			got++;
			if (!first)
				first = t;
			last = t;
			bytes += (uint64_t)n + (vc ? 0 : 42);
			if (!ok) {
				corrupt++;
				continue;
			}
			if (seen[seq]) {
				dups++;
				continue;
			}
			seen[seq] = 1;
			lat[uniq++] = t - sent;
			if ((long)seq > maxseq)
				maxseq = seq;
		}
		/* loss bursts over the frames that were sent (0..count-1) */
		long lost = 0, bursts = 0;
		for (long i = 0; i < count; i++)
			if (!seen[i]) {
				lost++;
				if (i == 0 || seen[i - 1])
					bursts++;
			}
		double mean = 0, sd = 0;
		for (long i = 0; i < uniq; i++)
			mean += (double)lat[i];
		mean = uniq ? mean / (double)uniq : 0;
		for (long i = 0; i < uniq; i++)
			sd += ((double)lat[i] - mean) * ((double)lat[i] - mean);
		sd = uniq > 1 ? sqrt(sd / (double)(uniq - 1)) : 0;
		qsort(lat, (size_t)uniq, sizeof(uint64_t), cmp64);
		double secs = (double)(last - first) / 1e9;
		printf("received=%ld\nunique=%ld\nsent_seen=%ld\nduplicates=%ld\ncorrupted=%ld\nlost=%ld\n"
		       "loss_bursts=%ld\nmean_burst=%.3f\nseconds=%.3f\nfps=%.0f\nmbps=%.3f\n",
		       got, uniq, maxseq + 1, dups, corrupt, lost, bursts, bursts ? (double)lost / (double)bursts : 0,
		       secs, secs > 0 ? (double)got / secs : 0, secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0);
		if (uniq)
			printf("lat_mean_us=%.1f\nlat_sd_us=%.1f\nlat_p50_us=%.1f\nlat_p99_us=%.1f\n",
			       mean / 1e3, sd / 1e3, (double)lat[uniq / 2] / 1e3,
			       (double)lat[(size_t)((double)uniq * 0.99)] / 1e3);
		return 0;
	}
	size_t size = (size_t)atol(argv[4]);
	long pps = argc > 5 ? atol(argv[5]) : 0;
	if (size < 60 || size > 9234)
		return 2;
	size_t len = vc ? size : size - 42; /* UDP: the Ethernet frame is `size` bytes */
	if (vc) {
		memcpy(f, MAC_RX, 6);
		memcpy(f + 6, MAC_TX, 6);
		f[12] = 0x88, f[13] = 0xb5;
	}
	uint64_t start = now_ns();
	long errors = 0;
	for (long i = 0; i < count; i++) {
		if (pps) {
			uint64_t due = start + (uint64_t)i * 1000000000ull / (uint64_t)pps;
			uint64_t t;
			while ((t = now_ns()) < due)
				if (due - t > 200000)
					usleep((useconds_t)((due - t) / 2000));
		}
		fill(f + hdr, len - hdr, (uint32_t)i, now_ns());
		if (t_send(f, len) < 0)
			errors++;
	}
	double secs = (double)(now_ns() - start) / 1e9;
	printf("sent=%ld\nsend_errors=%ld\nsend_seconds=%.3f\nsend_fps=%.0f\n", count, errors, secs, (double)count / secs);
	return 0;
}
