#include "geneve.h"

void geneve_hdr_build(uint8_t h[GENEVE_HDR_LEN], uint32_t vni)
{
	h[0] = 0;   /* Ver 0, Opt Len 0 */
	h[1] = 0;   /* O = C = 0 */
	h[2] = GENEVE_PROTO_ETH >> 8;
	h[3] = GENEVE_PROTO_ETH & 0xff;
	h[4] = (uint8_t)(vni >> 16);
	h[5] = (uint8_t)(vni >> 8);
	h[6] = (uint8_t)vni;
	h[7] = 0;
}

int geneve_hdr_parse(const uint8_t *h, size_t len, uint32_t *vni)
{
	if (len < GENEVE_HDR_LEN)
		return -GENEVE_BAD_OPTIONS;
	if (h[0] >> 6)
		return -GENEVE_BAD_VERSION;
	size_t optlen = (size_t)(h[0] & 0x3f) * 4, hl = GENEVE_HDR_LEN + optlen;
	if ((h[2] << 8 | h[3]) != GENEVE_PROTO_ETH)
		return -GENEVE_BAD_PROTO;
	if (len < hl)
		return -GENEVE_BAD_OPTIONS;
	/* walk the TLVs: class (16), type (8, high bit critical), R R R len (5) */
	int critical = 0;
	for (size_t o = GENEVE_HDR_LEN; o < hl;) {
		if (hl - o < 4)
			return -GENEVE_BAD_OPTIONS;
		size_t l = 4 + (size_t)(h[o + 3] & 0x1f) * 4;
		if (l > hl - o)
			return -GENEVE_BAD_OPTIONS;
		critical |= h[o + 2] & 0x80;
		o += l;
	}
	/* the C bit says critical options are present; either sign is enough */
	if (critical || (h[1] & 0x40))
		return -GENEVE_CRITICAL;
	if (h[1] & 0x80)
		return -GENEVE_OAM;
	*vni = (uint32_t)h[4] << 16 | (uint32_t)h[5] << 8 | h[6];
	return (int)hl;
}
