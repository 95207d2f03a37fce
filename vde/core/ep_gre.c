/* ep_gre.c - Ethernet over GRE, two schemes on one codec (gre.c):
 *
 *   gretap://LADDR[?key=N]&remote=HOST...   GRE-TAP (RFC 2784, key per RFC
 *        2890), as Linux's gretap device and OVS's gre port: without key=,
 *        GRE without a key; with it, only frames with that key
 *   nvgre://LADDR?vsid=N&remote=HOST...     NVGRE (RFC 7637): the key holds
 *        the 24-bit VSID and an 8-bit FlowID, which we fill with the inner
 *        flow hash (§3.2) and ignore on receipt
 *
 * Both are raw IP protocol 47 (no ports), so they need CAP_NET_RAW. The
 * VTEP (learning, flooding, map=, netns=) is overlay.c. */
#include "ep.h"
#include "gre.h"
#include "overlay.h"

static size_t gretap_build(uint8_t h[OVERLAY_HDR_MAX], bool has_key, uint32_t key, uint32_t flow)
{
	return gre_hdr_build(h, has_key, key);
}

static int gretap_parse(const uint8_t *h, size_t len, bool *has_key, uint32_t *key)
{
	return gre_hdr_parse(h, len, has_key, key);
}

static size_t nvgre_build(uint8_t h[OVERLAY_HDR_MAX], bool has_id, uint32_t vsid, uint32_t flow)
{
	return gre_hdr_build(h, true, nvgre_key(vsid, (uint8_t)flow));
}

static int nvgre_parse(const uint8_t *h, size_t len, bool *has_id, uint32_t *vsid)
{
	uint32_t key;
	int hl = gre_hdr_parse(h, len, has_id, &key);
	*vsid = key >> 8;
	return hl;
}

#define GRE_DROPS { "bad_version", "bad_flags", "bad_proto", "truncated", "bad_csum" }

static const struct overlay_encap gretap_encap = {
	.name = "gretap", .id_key = "key", .id_max = 0xffffffffu, .id_optional = true, .ip_proto = IPPROTO_GRE_NUM,
	.hdr_min = GRE_HDR_MIN, .build = gretap_build, .parse = gretap_parse, .drops = GRE_DROPS,
};

static const struct overlay_encap nvgre_encap = {
	.name = "nvgre", .id_key = "vsid", .id_max = NVGRE_VSID_MAX, .ip_proto = IPPROTO_GRE_NUM,
	.hdr_min = GRE_HDR_MIN, .build = nvgre_build, .parse = nvgre_parse, .drops = GRE_DROPS,
};

static int gretap_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	return overlay_open(ep, &gretap_encap, u, err, errlen);
}

static int nvgre_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	return overlay_open(ep, &nvgre_encap, u, err, errlen);
}

const struct ep_class ep_gretap_class = {
	.scheme = "gretap",
	.syntax = "gretap://LADDR",
	.help = "Ethernet over GRE (RFC 2784/2890, IP protocol 47, needs CAP_NET_RAW): key= (or none) or map=, remote= endpoints",
	.options = (const struct ep_opt[]){ { "key", "N", false }, { "map", "VLAN:KEY,...", false },
					    { "remote", "HOST", true }, { "netns", "NS", false }, { NULL, NULL, false } },
	.priv_size = OVERLAY_PRIV_SIZE,
	.open = gretap_open,
	.recv_batch = overlay_recv,
	.send_batch = overlay_send,
	.close = overlay_close,
	.info = overlay_info,
};

const struct ep_class ep_nvgre_class = {
	.scheme = "nvgre",
	.syntax = "nvgre://LADDR",
	.help = "NVGRE (RFC 7637, GRE with a 24-bit VSID and FlowID, needs CAP_NET_RAW): vsid= or map=, remote= endpoints",
	.options = (const struct ep_opt[]){ { "vsid", "N", false }, { "map", "VLAN:VSID,...", false },
					    { "remote", "HOST", true }, { "netns", "NS", false }, { NULL, NULL, false } },
	.priv_size = OVERLAY_PRIV_SIZE,
	.open = nvgre_open,
	.recv_batch = overlay_recv,
	.send_batch = overlay_send,
	.close = overlay_close,
	.info = overlay_info,
};
