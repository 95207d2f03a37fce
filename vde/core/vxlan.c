#include "vxlan.h"


void vxlan_hdr_build(uint8_t h[VXLAN_HDR_LEN], uint32_t vni)
{
	h[0] = 0x08;
	h[1] = h[2] = h[3] = 0;
	h[4] = (uint8_t)(vni >> 16);
	h[5] = (uint8_t)(vni >> 8);
	h[6] = (uint8_t)vni;
	h[7] = 0;
}

int vxlan_hdr_parse(const uint8_t h[VXLAN_HDR_LEN], uint32_t *vni)
{
	if (h[0] != 0x08 || h[1] || h[2] || h[3] || h[7])
		return -1;
	*vni = (uint32_t)h[4] << 16 | (uint32_t)h[5] << 8 | h[6];
	return 0;
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v * 0xcc9e2d51u;
	h = (h << 13 | h >> 19) * 5 + 0xe6546b64u;
	return h;
}

uint32_t vxlan_flow_hash(const uint8_t *f, size_t len)
{
	uint32_t h = 0x9747b28cu;
	if (len < 14)
		return h;
	for (int i = 0; i < 12; i += 4)
		h = mix(h, (uint32_t)f[i] << 24 | (uint32_t)f[i + 1] << 16 | (uint32_t)f[i + 2] << 8 | f[i + 3]);
	size_t l3 = 14;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x8100 && len >= 18) {
		type = (uint16_t)(f[16] << 8 | f[17]);
		l3 = 18;
	}
	h = mix(h, type);
	if (type == 0x0800 && len >= l3 + 20 && (f[l3] >> 4) == 4) {
		const uint8_t *ip = f + l3;
		size_t ihl = (size_t)(ip[0] & 15) * 4;
		for (int i = 12; i < 20; i += 4)
			h = mix(h, (uint32_t)ip[i] << 24 | (uint32_t)ip[i + 1] << 16 | (uint32_t)ip[i + 2] << 8 | ip[i + 3]);
		h = mix(h, ip[9]);
		if ((ip[9] == 6 || ip[9] == 17) && ihl >= 20 && len >= l3 + ihl + 4)
			h = mix(h, (uint32_t)ip[ihl] << 24 | (uint32_t)ip[ihl + 1] << 16 |
				   (uint32_t)ip[ihl + 2] << 8 | ip[ihl + 3]);
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}
