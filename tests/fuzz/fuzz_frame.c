/* libFuzzer target: frame parsing and the whole switch forwarding path
 * (VLAN filter, learning, flow cache, tag/untag) on arbitrary frames. The
 * first input byte picks the ingress port; ports have mixed VLAN setups. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vde/core/frame.h"
#include "../../vde/core/sw.h"

static int null_send(struct ep *ep, struct vtx *tx, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (tx[i].len < 60 || tx[i].len > VPKT_MAXFRAME + 4)
			__builtin_trap();
	return (int)n;
}
static int null_recv(struct ep *ep, struct vpkt **p, unsigned n) { return 0; }
static const struct ep_class null_class = { .scheme = "null", .recv_batch = null_recv, .send_batch = null_send };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw sw;
	static struct vpkt pk;
	static int init;
	if (!init) {
		sw_init(&sw, 6, 64, 300);
		sw_vlan_create(&sw, 10);
		sw_vlan_create(&sw, 20);
		for (unsigned p = 1; p < 6; p++) {
			sw_port_create(&sw, p, true);
			sw_port_attach(&sw, p, ep_alloc(&null_class, "null://"));
		}
		sw_port_setvlan(&sw, 2, 10);
		sw_port_setvlan(&sw, 3, VLAN_NONE);
		sw_vlan_addport(&sw, 10, 3);
		sw_vlan_addport(&sw, 20, 3);
		init = 1;
	}
	if (size < 1)
		return 0;
	struct frame_info fi;
	frame_parse(data + 1, size - 1, &fi);
	if (size - 1 > VPKT_MAXFRAME)
		return 0;
	vpkt_reset(&pk);
	memcpy(vpkt_data(&pk), data + 1, size - 1);
	pk.len = (uint16_t)(size - 1);
	struct vpkt *pp = &pk;
	if (pk.len >= 14) {
		sw_input(&sw, (uint16_t)(1 + data[0] % 5), &pp, 1, (uint64_t)size * 1000000000ull);
		sw_flush(&sw);
	}
	return 0;
}
