/* ep_vxlan.c - vxlan://LADDR[:LPORT]?vni=N&remote=HOST[:PORT]...: a VTEP
 * (RFC 7348) in user space, interoperable with the Linux kernel's vxlan.
 * The VTEP itself (options, learning, flooding, trunk map) is overlay.c;
 * this is the encapsulation: strict flags (I set, reserved bits zero, as
 * OVS's netdev-native-tnl.c checks), UDP 4789. */
#include "ep.h"
#include "overlay.h"
#include "vxlan.h"

static size_t vxlan_build(uint8_t h[OVERLAY_HDR_MAX], bool has_id, uint32_t vni, uint32_t flow)
{
	vxlan_hdr_build(h, vni);
	return VXLAN_HDR_LEN;
}

static int vxlan_parse(const uint8_t *h, size_t len, bool *has_id, uint32_t *vni)
{
	if (len < VXLAN_HDR_LEN || vxlan_hdr_parse(h, vni) < 0)
		return -1; /* bad_flags (a runt has no flags to speak of) */
	*has_id = true;
	return VXLAN_HDR_LEN;
}

static const struct overlay_encap vxlan_encap = {
	.name = "vxlan", .id_key = "vni", .id_max = VXLAN_VNI_MAX, .udp_port = VXLAN_PORT,
	.hdr_min = VXLAN_HDR_LEN, .build = vxlan_build, .parse = vxlan_parse, .drops = { "bad_flags" },
};

static int vxlan_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	return overlay_open(ep, &vxlan_encap, u, err, errlen);
}

const struct ep_class ep_vxlan_class = {
	.scheme = "vxlan",
	.syntax = "vxlan://LADDR[:LPORT]",
	.help = "VXLAN VTEP (RFC 7348, UDP 4789): vni= (access) or map= (802.1Q trunk), remote= VTEPs to flood to",
	.options = (const struct ep_opt[]){ { "vni", "N", false }, { "map", "VLAN:VNI,...", false },
					    { "remote", "HOST[:PORT]", true }, { "netns", "NS", false }, { NULL, NULL, false } },
	.priv_size = OVERLAY_PRIV_SIZE,
	.open = vxlan_open,
	.recv_batch = overlay_recv,
	.send_batch = overlay_send,
	.close = overlay_close,
	.info = overlay_info,
};
