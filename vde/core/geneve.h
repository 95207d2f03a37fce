/* geneve.h - Geneve encapsulation (RFC 8926): header and option TLVs.
 *
 *    0                   1                   2                   3
 *   |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *   |        Virtual Network Identifier (VNI)       |    Reserved   |
 *   |                    Variable-Length Options                    |
 *
 * Receive rules (RFC 8926 §3.4, §3.5): version 0 only; protocol type
 * 0x6558 (Transparent Ethernet Bridging) only; options are walked and
 * skipped, and a frame carrying an option with the critical bit (the high
 * bit of its Type) is dropped, since we understand none (§3.5.1: "MUST
 * drop"); options that overrun Opt Len are malformed; an OAM frame (O bit)
 * is for the tunnel, not the tenant, and is not delivered. Reserved bits
 * are ignored on receipt, as the RFC says.
 */
#ifndef VDE_CORE_GENEVE_H
#define VDE_CORE_GENEVE_H

#include <stddef.h>
#include <stdint.h>

enum {
	GENEVE_HDR_LEN = 8,        /* without options */
	GENEVE_OPT_MAX = 63 * 4,   /* Opt Len is 6 bits of 4-byte words */
	GENEVE_PORT = 6081,        /* IANA */
	GENEVE_VNI_MAX = 0xffffff,
	GENEVE_PROTO_ETH = 0x6558, /* Transparent Ethernet Bridging */
};

/* Why a received header was refused: negative returns of geneve_hdr_parse. */
enum geneve_drop {
	GENEVE_BAD_VERSION = 1,  /* Ver != 0 */
	GENEVE_BAD_PROTO,        /* protocol type is not 0x6558 */
	GENEVE_BAD_OPTIONS,      /* truncated header or an option overrunning Opt Len */
	GENEVE_CRITICAL,         /* an option with the critical bit set */
	GENEVE_OAM,              /* O bit: a control message */
};

/* Write the 8-byte header for `vni` (0..2^24-1): version 0, no options,
 * O = C = 0, protocol 0x6558. */
void geneve_hdr_build(uint8_t h[GENEVE_HDR_LEN], uint32_t vni);

/* Check the header at h (len bytes of UDP payload). Returns the header's
 * length with its options (8..260) and the VNI, or -enum geneve_drop. */
int geneve_hdr_parse(const uint8_t *h, size_t len, uint32_t *vni);

#endif
