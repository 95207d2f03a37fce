/* libFuzzer target: BPDU validation (bpdu.c) and the RSTP state machines
 * (stp.c) on arbitrary frames. Two bridges share a link; the first input
 * byte picks the mode, the second the port, the third how many seconds
 * pass afterwards; the rest is the frame, with the STP address forced so
 * every input reaches the parser. The machines must never loop past their
 * bound nor send a malformed BPDU. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../vde/core/stp.h"

static struct stp *peer;

static void tx(void *arg, unsigned port, const uint8_t *frame, size_t len)
{
	struct bpdu b;
	if (len != 60 || bpdu_parse(frame, len, &b) != BPDU_OK)
		__builtin_trap(); /* we only ever send valid BPDUs */
	if (arg == NULL && peer)
		stp_rx(peer, port, frame, len);
}
static void state(void *arg, unsigned port, bool l, bool f) { (void)arg, (void)port, (void)l, (void)f; }
static void flush(void *arg, unsigned port) { (void)arg, (void)port; }
static const struct stp_ops ops = { tx, state, flush };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct stp *s;
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 }, mac2[6] = { 2, 0, 0, 0, 0, 2 };
	if (!s) {
		s = stp_new(8, mac, &ops, NULL);
		peer = stp_new(8, mac2, &ops, (void *)1);
		stp_set_mode(s, STP_MODE_RSTP);
		stp_set_mode(peer, STP_MODE_RSTP);
		for (unsigned p = 1; p < 4; p++) {
			stp_port_add(s, p, true);
			stp_port_add(peer, p, true);
		}
	}
	if (size < 3)
		return 0;
	stp_set_mode(s, data[0] % 3 == 0 ? STP_MODE_STP : STP_MODE_RSTP);
	unsigned port = 1 + data[1] % 3, secs = data[2] % 8;
	uint8_t frame[256];
	size_t n = size - 3 > sizeof(frame) ? sizeof(frame) : size - 3;
	memcpy(frame, data + 3, n);
	if (n >= 6)
		memcpy(frame, bpdu_stp_addr, 6);
	stp_rx(s, port, frame, n);
	for (unsigned t = 0; t < secs; t++)
		stp_tick(s);
	struct stp_bridge_info bi;
	stp_bridge_get(s, &bi);
	if (bi.root_id > bi.bridge_id)
		__builtin_trap(); /* the root is never worse than ourselves */
	return 0;
}
