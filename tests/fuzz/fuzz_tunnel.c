/* libFuzzer target: the receive side of the tunnels on arbitrary datagrams:
 * cable v1 opening (header checks, session rules, replay window) against a
 * fixed PSK, where the first input byte picks whether the datagram is first
 * sealed for real (so the fuzzer explores the post-authentication paths:
 * counters, epochs, window moves) or taken raw; then VXLAN header parsing
 * and the VLAN-VNI map parser on the same bytes. Nothing may crash, and a
 * raw (unsealed) input must never be accepted. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../vde/core/cablecrypt.h"
#include "../../vde/core/overlay.h"
#include "../../vde/core/vxlan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cc_state tx, rx;
	static int init;
	static uint8_t buf[9300];
	if (!init) {
		uint8_t psk[32] = { 1, 2, 3 };
		cc_global_init();
		cc_init_psk(&tx, psk, 7, 1000);
		cc_init_psk(&rx, psk, 9, 2000);
		init = 1;
	}
	if (size < 1 || size > 9000)
		return 0;
	size_t len, n = size - 1;
	const size_t in = size - 1; /* input bytes after the selector */
	if (data[0] & 1) {
		/* sealed for real, with a counter and epoch taken from the input */
		if (n >= 9)
			tx.counter = ((uint64_t)data[1] << 8 | data[2]) * (data[3] + 1);
		if (data[0] & 2)
			tx.epoch += data[0] >> 2;
		n = cc_seal(&tx, buf, data + 1, n);
		if (data[0] & 0x80 && n > 30)
			buf[data[0] % n] ^= 0x20; /* and perhaps damaged */
		cc_open(&rx, buf, n, (uint64_t)data[0] * 1000000000ULL, &len);
	} else {
		memcpy(buf, data + 1, n);
		if (cc_open(&rx, buf, n, 0, &len) == CC_OK)
			__builtin_trap(); /* a forgery was accepted */
	}
	uint32_t vni;
	if (size >= 9)
		vxlan_hdr_parse(data + 1, &vni);
	char s[64], err[200];
	struct overlay_map m;
	memcpy(s, data + 1, in < 63 ? in : 63);
	s[in < 63 ? in : 63] = '\0';
	overlay_map_parse(s, VXLAN_VNI_MAX, &m, err, sizeof(err));
	return 0;
}
