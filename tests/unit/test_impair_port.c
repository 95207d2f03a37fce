/* Unit tests: the impaired-port element (vde/core/impair_port.c) and the
 * deadline heap (vde/core/timerheap.c), on an injected clock: exact
 * delivery times, held frames kept in order when the destination is full,
 * the retry deadline, capture at the input or delivery side, activity. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "../../vde/core/impair_port.h"
#include "../../vde/core/timerheap.h"

#define MS 1000000ull

struct sink {
	unsigned room;          /* frames taken per call */
	int fail;               /* -errno to return */
	unsigned n;
	uint8_t first[64];      /* first byte of each delivered frame */
	uint64_t at[64];
};

static int sink_deliver(void *arg, struct vtx *tx, unsigned n, uint64_t now)
{
	struct sink *s = arg;
	if (s->fail)
		return s->fail;
	unsigned take = n < s->room ? n : s->room;
	for (unsigned i = 0; i < take && s->n < 64; i++) {
		s->first[s->n] = ((uint8_t *)tx[i].iov[0].iov_base)[0];
		s->at[s->n++] = now;
	}
	return (int)take;
}

static void setp(struct impair_port *ip, const char *spec)
{
	struct impair_params p;
	char err[200];
	impair_params_default(&p);
	g_assert_cmpint(impair_parse(spec, &p, err, sizeof(err)), ==, 0);
	impair_port_set(ip, &p);
}

static void test_delay_and_active(void)
{
	struct impair_port ip;
	struct sink s = { .room = 100 };
	uint8_t f[60] = { 0 };
	g_assert_cmpint(impair_port_init(&ip, 1, sink_deliver, &s, CAPTURE_AT_WIRE), ==, 0);
	g_assert_false(impair_port_active(&ip));           /* nothing to impair */
	g_assert_cmpuint(impair_port_next_deadline_ns(&ip), ==, UINT64_MAX);
	setp(&ip, "delay=10ms");
	g_assert_true(impair_port_active(&ip));
	for (int i = 0; i < 3; i++) {
		f[0] = (uint8_t)i;
		impair_port_input(&ip, f, sizeof(f), (uint64_t)i * MS);
	}
	g_assert_cmpuint(impair_port_next_deadline_ns(&ip), ==, 10 * MS);
	g_assert_cmpint(impair_port_output(&ip, 9 * MS), ==, 0);   /* not yet */
	g_assert_cmpint(impair_port_output(&ip, 11 * MS), ==, 2);  /* frames 0 and 1 */
	g_assert_cmpuint(impair_port_next_deadline_ns(&ip), ==, 12 * MS);
	setp(&ip, "none");
	g_assert_true(impair_port_active(&ip));            /* one still held */
	g_assert_cmpint(impair_port_output(&ip, 12 * MS), ==, 1);
	g_assert_false(impair_port_active(&ip));           /* cleared and drained */
	g_assert_cmpuint(s.n, ==, 3);
	for (unsigned i = 0; i < 3; i++)
		g_assert_cmpuint(s.first[i], ==, i);
	g_assert_cmpuint(impair_port_stats(&ip)->passed, ==, 3);
	impair_port_destroy(&ip);
}

static void test_full_destination_retry(void)
{
	struct impair_port ip;
	struct sink s = { .room = 1 };
	uint8_t f[60] = { 0 };
	impair_port_init(&ip, 1, sink_deliver, &s, CAPTURE_AT_WIRE);
	setp(&ip, "delay=1ms");
	for (int i = 0; i < 3; i++) {
		f[0] = (uint8_t)(10 + i);
		impair_port_input(&ip, f, sizeof(f), 0);
	}
	/* the destination takes one: the rest wait, first in line, until the
	 * retry deadline */
	g_assert_cmpint(impair_port_output(&ip, 1 * MS), ==, 1);
	g_assert_cmpuint(impair_port_next_deadline_ns(&ip), ==, 1 * MS + IMPAIR_PORT_RETRY_NS);
	g_assert_cmpint(impair_port_output(&ip, 1 * MS + 10), ==, 0);
	s.room = 100;
	g_assert_cmpint(impair_port_output(&ip, 2 * MS), ==, 2);
	g_assert_cmpuint(s.first[1], ==, 11);
	g_assert_cmpuint(s.first[2], ==, 12);
	/* a failed destination: the frames stay held, counted lost on destroy */
	impair_port_input(&ip, f, sizeof(f), 3 * MS);
	s.fail = -EPIPE;
	g_assert_cmpint(impair_port_output(&ip, 10 * MS), ==, -EPIPE);
	g_assert_cmpuint(impair_port_next_deadline_ns(&ip), ==, UINT64_MAX);
	impair_port_destroy(&ip);
	g_assert_cmpuint(impair_port_stats(&ip)->lost_on_close, ==, 1);
}

static unsigned count_frames(const char *path)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, eb);
	g_assert_nonnull(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned n = 0;
	while (pcap_next_ex(p, &h, &d) == 1)
		n++;
	pcap_close(p);
	return n;
}

/* At the wire of an "out" element, frames are captured as delivered: the
 * ones the loss stage drops are not in the file; at the input side they are. */
static void test_capture_points(void)
{
	g_autofree char *dir = g_dir_make_tmp("vdelab-ip-XXXXXX", NULL);
	for (int point = 0; point < 2; point++) {
		struct impair_port ip;
		struct sink s = { .room = 100 };
		uint8_t f[60] = { 0 };
		g_autofree char *path = g_strdup_printf("%s/%d.pcap", dir, point);
		char err[300];
		struct capture_opts co = { .at = point ? CAPTURE_AT_SWITCH : CAPTURE_AT_WIRE };
		struct capture *cap = capture_open(path, &co, err, sizeof(err));
		g_assert_nonnull(cap);
		impair_port_init(&ip, 5, sink_deliver, &s, CAPTURE_AT_WIRE);
		ip.cap = cap;
		setp(&ip, "loss=50%");
		for (int i = 0; i < 100; i++)
			impair_port_input(&ip, f, sizeof(f), 0);
		impair_port_output(&ip, 0);
		capture_close(cap);
		unsigned delivered = s.n;
		g_assert_cmpuint(delivered, >, 20);
		g_assert_cmpuint(delivered, <, 80);
		g_assert_cmpuint(count_frames(path), ==, point ? 100 : delivered);
		impair_port_destroy(&ip);
		g_unlink(path);
	}
	g_rmdir(dir);
}

static void test_capture_new_files_only(void)
{
	g_autofree char *dir = g_dir_make_tmp("vdelab-cap-XXXXXX", NULL);
	g_autofree char *f = g_build_filename(dir, "x.pcap", NULL);
	g_autofree char *l = g_build_filename(dir, "link.pcap", NULL);
	g_autofree char *victim = g_build_filename(dir, "victim", NULL);
	char err[300];
	struct capture_opts co = { 0 };
	g_assert_true(g_file_set_contents(victim, "keep", -1, NULL));
	g_assert_cmpint(symlink(victim, l), ==, 0);
	struct capture *c = capture_open(f, &co, err, sizeof(err));
	g_assert_nonnull(c);
	capture_close(c);
	struct stat st;
	g_assert_cmpint(stat(f, &st), ==, 0);
	g_assert_cmpuint(st.st_mode & 0777, ==, 0600);
	g_assert_null(capture_open(f, &co, err, sizeof(err)));     /* exists */
	g_assert_nonnull(strstr(err, "File exists"));
	g_assert_null(capture_open(l, &co, err, sizeof(err)));     /* a symlink */
	g_autofree char *txt = NULL;
	g_assert_true(g_file_get_contents(victim, &txt, NULL, NULL));
	g_assert_cmpstr(txt, ==, "keep");
	/* a write error (here the file size limit, as a full disk would) ends
	 * the capture and is named; frames offered after it are refused */
	g_unlink(f);
	c = capture_open(f, &co, err, sizeof(err));
	g_assert_nonnull(c);
	struct rlimit old, lim = { 8192, 8192 };
	getrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_IGN);
	lim.rlim_max = old.rlim_max;
	g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
	uint8_t frame[1500] = { 0 };
	bool running = true;
	for (int i = 0; i < 100 && running; i++) {
		capture_frame(c, frame, sizeof(frame), 0);
		capture_flush(c);
		running = capture_running(c);
	}
	setrlimit(RLIMIT_FSIZE, &old);
	g_assert_false(running);
	g_assert_cmpint(capture_error(c), ==, EFBIG);
	char line[600];
	capture_describe(c, line, sizeof(line));
	g_assert_nonnull(strstr(line, "state=error: File too large"));
	g_assert_false(capture_frame(c, frame, sizeof(frame), 0));
	capture_close(c);
	g_unlink(f);
	g_unlink(l);
	g_unlink(victim);
	g_rmdir(dir);
}

struct item { struct timerheap_node node; int id; };

static void test_timerheap(void)
{
	struct timerheap h = { 0 };
	struct item it[50];
	/* deterministic shuffled deadlines */
	for (int i = 0; i < 50; i++) {
		it[i] = (struct item){ .id = i };
		g_assert_cmpint(timerheap_set(&h, &it[i].node, (uint64_t)((i * 37) % 50) * 10), ==, 0);
	}
	g_assert_cmpuint(h.n, ==, 50);
	/* move some, remove some */
	timerheap_set(&h, &it[3].node, 5);          /* earliest now */
	timerheap_set(&h, &it[0].node, UINT64_MAX); /* 0 had deadline 0 */
	timerheap_set(&h, &it[7].node, 100000);     /* latest */
	timerheap_set(&h, &it[9].node, UINT64_MAX);
	timerheap_set(&h, &it[9].node, UINT64_MAX); /* twice: no-op */
	g_assert_cmpuint(h.n, ==, 48);
	uint64_t last = 0;
	int first = -1, lastid = -1;
	unsigned popped = 0;
	struct timerheap_node *n;
	while ((n = timerheap_min(&h))) {
		struct item *x = (struct item *)n;
		g_assert_cmpuint(n->at, >=, last);
		last = n->at;
		if (first < 0)
			first = x->id;
		lastid = x->id;
		timerheap_set(&h, n, UINT64_MAX);
		popped++;
	}
	g_assert_cmpint(first, ==, 3);
	g_assert_cmpint(lastid, ==, 7);
	g_assert_cmpuint(popped, ==, 48);
	timerheap_destroy(&h);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/impair_port/delay_and_active", test_delay_and_active);
	g_test_add_func("/impair_port/full_destination_retry", test_full_destination_retry);
	g_test_add_func("/impair_port/capture_points", test_capture_points);
	g_test_add_func("/impair_port/capture_new_files_only", test_capture_new_files_only);
	g_test_add_func("/timerheap/order_move_remove", test_timerheap);
	return g_test_run();
}
