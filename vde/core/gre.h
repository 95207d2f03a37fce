/* gre.h - Ethernet over GRE: GRE-TAP (RFC 2784 with the RFC 2890 key and
 * sequence number) and NVGRE (RFC 7637).
 *
 *   |C| |K|S|        Reserved0      | Ver |    Protocol Type 0x6558   |
 *   |      Checksum (if C)          |       Reserved1 (if C)        |
 *   |                         Key (if K)                            |
 *   |                   Sequence Number (if S)                      |
 *
 * NVGRE is GRE with C = S = 0, K = 1 and the key split into a 24-bit
 * Virtual Subnet ID and an 8-bit FlowID (per-flow entropy, RFC 7637 §3.2).
 *
 * Receive rules: version 0 only; the routing and strict-source-route bits
 * and the top recursion bit are refused (RFC 2784 §2.3: "MUST discard ...
 * bits 1-5 non-zero"), the other reserved bits ignored; protocol type
 * 0x6558 (Transparent Ethernet Bridging) only; a checksum present must be
 * right (RFC 2784 §2.5: the ones' complement of the GRE header and
 * payload); a sequence number is skipped (we do not reorder).
 */
#ifndef VDE_CORE_GRE_H
#define VDE_CORE_GRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	GRE_HDR_MIN = 4,
	GRE_HDR_MAX = 16,         /* checksum + key + sequence */
	GRE_PROTO_ETH = 0x6558,   /* Transparent Ethernet Bridging */
	IPPROTO_GRE_NUM = 47,
	NVGRE_VSID_MAX = 0xffffff,
};

enum gre_drop {
	GRE_BAD_VERSION = 1,  /* Ver != 0 */
	GRE_BAD_FLAGS,        /* routing, strict source route or recursion bits */
	GRE_BAD_PROTO,        /* not 0x6558 */
	GRE_TRUNCATED,        /* shorter than its flags say */
	GRE_BAD_CSUM,         /* checksum present and wrong */
};

/* Write a GRE header with the key if has_key (8 bytes), else 4 bytes.
 * No checksum or sequence number, as Linux's gretap by default. Returns
 * its length. */
size_t gre_hdr_build(uint8_t h[GRE_HDR_MAX], bool has_key, uint32_t key);

/* Check the GRE header at h, len bytes from the header's start to the end
 * of the payload (the checksum covers all of it). Returns the header's
 * length (4..16), whether a key is present and its value; or -gre_drop. */
int gre_hdr_parse(const uint8_t *h, size_t len, bool *has_key, uint32_t *key);

/* NVGRE key field: VSID in the high 24 bits, FlowID in the low 8. */
static inline uint32_t nvgre_key(uint32_t vsid, uint8_t flowid) { return vsid << 8 | flowid; }

#endif
