/* frame.h - parsing Ethernet frames as they arrive from any endpoint.
 *
 * A frame is what one VDE datagram carries: dst MAC first, no FCS. The
 * parser looks at the outer header only: an 802.1Q tag (TPID 0x8100) gives
 * the VLAN; a second tag (QinQ) is left in the payload and reported through
 * `ethertype` == 0x8100, as IEEE 802.1Q bridges do for the C-tag.
 */
#ifndef VDE_CORE_FRAME_H
#define VDE_CORE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FRAME_UNTAGGED 0xffffu

enum frame_status {
	FRAME_OK = 0,
	FRAME_RUNT,      /* shorter than 14 bytes: vde-2 ignores these */
	FRAME_OVERSIZE,  /* longer than VPKT_MAXFRAME */
	FRAME_TRUNC_TAG, /* TPID 0x8100 but no room for the TCI and ethertype */
};

struct frame_info {
	uint16_t vid;       /* 0..4095 from the outer tag, FRAME_UNTAGGED if none */
	uint16_t pcp;       /* priority code point of the outer tag (0 if none) */
	uint16_t ethertype; /* after the outer tag, host order */
	uint16_t hdr_len;   /* 14 untagged, 18 tagged */
	bool group_dst;     /* dst has the I/G bit: broadcast or multicast */
	bool group_src;     /* src has the I/G bit: never learned */
};

/* Parse the outer L2 header of a frame of `len` bytes at `p`.
 * Returns FRAME_OK and fills `fi`, or the reason the frame is unusable.
 * Never reads beyond p[len-1]. (IEEE 802.1Q-2018 §9; vde-2 port.c.) */
enum frame_status frame_parse(const uint8_t *p, size_t len, struct frame_info *fi);

/* Build the 4-byte 802.1Q tag for VLAN `vid` (0..4094) with priority `pcp`
 * into out[0..3] in network byte order. */
static inline void frame_make_tag(uint8_t out[4], uint16_t vid, uint16_t pcp)
{
	uint16_t tci = (uint16_t)(((pcp & 7u) << 13) | (vid & 0x0fffu));
	out[0] = 0x81;
	out[1] = 0x00;
	out[2] = (uint8_t)(tci >> 8);
	out[3] = (uint8_t)(tci & 0xff);
}

static inline bool mac_is_group(const uint8_t mac[6]) { return mac[0] & 1; }

/* Format a MAC as "aa:bb:cc:dd:ee:ff" into buf (at least 18 bytes); returns buf. */
char *mac_format(const uint8_t mac[6], char *buf);

/* Parse "aa:bb:cc:dd:ee:ff" (also '-' separators). Returns 0, or EINVAL. */
int mac_parse(const char *s, uint8_t mac[6]);

#endif
