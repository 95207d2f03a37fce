/* ep_geneve.c - geneve://LADDR[:LPORT]?vni=N&remote=HOST[:PORT]...: a Geneve
 * tunnel endpoint (RFC 8926, UDP 6081), interoperable with the Linux
 * kernel's geneve device and Open vSwitch. The VTEP (learning, flooding,
 * trunk map, netns, flow-hashed outer source port) is overlay.c; the header
 * rules are geneve.c. We send no options. */
#include "ep.h"
#include "geneve.h"
#include "overlay.h"

static size_t geneve_build(uint8_t h[OVERLAY_HDR_MAX], bool has_id, uint32_t vni, uint32_t flow)
{
	geneve_hdr_build(h, vni);
	return GENEVE_HDR_LEN;
}

static int geneve_parse(const uint8_t *h, size_t len, bool *has_id, uint32_t *vni)
{
	*has_id = true;
	return geneve_hdr_parse(h, len, vni);
}

static const struct overlay_encap geneve_encap = {
	.name = "geneve", .id_key = "vni", .id_max = GENEVE_VNI_MAX, .udp_port = GENEVE_PORT,
	.hdr_min = GENEVE_HDR_LEN, .build = geneve_build, .parse = geneve_parse,
	/* in the order of enum geneve_drop */
	.drops = { "bad_version", "bad_proto", "bad_options", "critical", "oam" },
};

static int geneve_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	return overlay_open(ep, &geneve_encap, u, err, errlen);
}

const struct ep_class ep_geneve_class = {
	.scheme = "geneve",
	.syntax = "geneve://LADDR[:LPORT]",
	.help = "Geneve tunnel endpoint (RFC 8926, UDP 6081): vni= (access) or map= (802.1Q trunk), remote= endpoints to flood to",
	.options = (const struct ep_opt[]){ { "vni", "N", false }, { "map", "VLAN:VNI,...", false },
					    { "remote", "HOST[:PORT]", true }, { "netns", "NS", false }, { NULL, NULL, false } },
	.priv_size = OVERLAY_PRIV_SIZE,
	.open = geneve_open,
	.recv_batch = overlay_recv,
	.send_batch = overlay_send,
	.close = overlay_close,
	.info = overlay_info,
};
