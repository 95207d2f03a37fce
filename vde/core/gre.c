#include "gre.h"

size_t gre_hdr_build(uint8_t h[GRE_HDR_MAX], bool has_key, uint32_t key)
{
	h[0] = has_key ? 0x20 : 0;
	h[1] = 0;
	h[2] = GRE_PROTO_ETH >> 8;
	h[3] = GRE_PROTO_ETH & 0xff;
	if (!has_key)
		return 4;
	h[4] = (uint8_t)(key >> 24);
	h[5] = (uint8_t)(key >> 16);
	h[6] = (uint8_t)(key >> 8);
	h[7] = (uint8_t)key;
	return 8;
}

/* RFC 1071 ones' complement sum; 0 when a checksummed buffer is right. */
static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

int gre_hdr_parse(const uint8_t *h, size_t len, bool *has_key, uint32_t *key)
{
	if (len < GRE_HDR_MIN)
		return -GRE_TRUNCATED;
	if (h[1] & 0x07)
		return -GRE_BAD_VERSION;
	if (h[0] & 0x4c)  /* R, s, top Recur bit */
		return -GRE_BAD_FLAGS;
	if ((h[2] << 8 | h[3]) != GRE_PROTO_ETH)
		return -GRE_BAD_PROTO;
	bool c = h[0] & 0x80, k = h[0] & 0x20, s = h[0] & 0x10;
	size_t hl = 4 + (c ? 4 : 0) + (k ? 4 : 0) + (s ? 4 : 0);
	if (len < hl)
		return -GRE_TRUNCATED;
	if (c && csum(h, len))
		return -GRE_BAD_CSUM;
	*has_key = k;
	*key = 0;
	if (k) {
		const uint8_t *q = h + 4 + (c ? 4 : 0);
		*key = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	}
	return (int)hl;
}
