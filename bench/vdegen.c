/* vdegen - traffic generator/sink over libvdeplug (vde_open/vde_send/
 * vde_recv), so Debian's vde_switch, vdelab-switch and a direct ptp:// link
 * are driven by exactly the same code.
 *
 *   vdegen recv VNL COUNT TIMEOUT_MS   announce our MAC, receive up to COUNT
 *                                      frames; print key=value results
 *   vdegen send VNL COUNT SIZE [PPS]   send COUNT frames of SIZE bytes to the
 *                                      receiver's MAC (0 PPS = as fast as possible)
 *
 * Each frame carries its CLOCK_MONOTONIC send time (ns) and sequence number,
 * so the sink reports one-way latency percentiles and loss.
 */
#include <libvdeplug.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: vdegen recv VNL COUNT TIMEOUT_MS | send VNL COUNT SIZE [PPS]\n");
		return 2;
	}
	VDECONN *c = vde_open(argv[2], "vdegen", NULL);
	if (!c) {
		perror(argv[2]);
		return 1;
	}
	long count = atol(argv[3]);
	uint8_t f[9300];
	memset(f, 0, sizeof(f));
	if (strcmp(argv[1], "recv") == 0) {
		int timeout = atoi(argv[4]);
		uint64_t *lat = malloc(sizeof(uint64_t) * (size_t)count);
		/* announce our MAC so the switch learns it */
		memset(f, 0xff, 6);
		memcpy(f + 6, MAC_RX, 6);
		f[12] = 0x88, f[13] = 0xb5;
		for (int i = 0; i < 3; i++)
			vde_send(c, f, 60, 0);
		printf("ready=1\n");
		fflush(stdout);
		long got = 0, maxseq = -1;
		uint64_t first = 0, last = 0, bytes = 0;
		struct pollfd p = { .fd = vde_datafd(c), .events = POLLIN };
		while (got < count) {
			if (poll(&p, 1, got ? timeout : 30000) <= 0)
				break;
			ssize_t n = vde_recv(c, f, sizeof(f), 0);
			if (n < 30 || memcmp(f, MAC_RX, 6) != 0 || f[12] != 0x88)
				continue;
			uint64_t t = now_ns(), sent;
			uint32_t seq;
			memcpy(&sent, f + 14, 8);
			memcpy(&seq, f + 22, 4);
			if (!got)
				first = t;
			last = t;
			lat[got++] = t - sent;
			bytes += (uint64_t)n;
			if ((long)seq > maxseq)
				maxseq = seq;
		}
		qsort(lat, (size_t)got, sizeof(uint64_t), cmp64);
		double secs = (double)(last - first) / 1e9;
		printf("received=%ld\nsent_seen=%ld\nseconds=%.3f\nfps=%.0f\nmbps=%.1f\n", got, maxseq + 1, secs,
		       secs > 0 ? (double)got / secs : 0, secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0);
		if (got)
			printf("lat_p50_us=%.1f\nlat_p99_us=%.1f\n", (double)lat[got / 2] / 1e3,
			       (double)lat[(size_t)((double)got * 0.99)] / 1e3);
		vde_close(c);
		return 0;
	}
	size_t size = (size_t)atol(argv[4]);
	long pps = argc > 5 ? atol(argv[5]) : 0;
	if (size < 60 || size > 9234)
		return 2;
	memcpy(f, MAC_RX, 6);
	memcpy(f + 6, MAC_TX, 6);
	f[12] = 0x88, f[13] = 0xb5;
	uint64_t start = now_ns();
	long errors = 0;
	for (long i = 0; i < count; i++) {
		if (pps) {
			uint64_t due = start + (uint64_t)i * 1000000000ull / (uint64_t)pps;
			while (now_ns() < due)
				;
		}
		uint64_t t = now_ns();
		uint32_t seq = (uint32_t)i;
		memcpy(f + 14, &t, 8);
		memcpy(f + 22, &seq, 4);
		if (vde_send(c, f, size, 0) < 0)
			errors++;
	}
	double secs = (double)(now_ns() - start) / 1e9;
	printf("sent=%ld\nsend_errors=%ld\nsend_seconds=%.3f\nsend_fps=%.0f\n", count, errors, secs, (double)count / secs);
	vde_close(c);
	return 0;
}
