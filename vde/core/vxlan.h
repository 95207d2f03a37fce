/* vxlan.h - VXLAN encapsulation (RFC 7348): header, VNI map, flow entropy.
 *
 * Receive rules are those of strict real VTEPs (OVS netdev-native-tnl.c
 * checks `flags == htonl(0x08000000)` and a zero low VNI byte): the I flag
 * set and every reserved bit zero, or the packet is dropped and counted.
 */
#ifndef VDE_CORE_VXLAN_H
#define VDE_CORE_VXLAN_H

#include <stddef.h>
#include <stdint.h>

enum {
	VXLAN_HDR_LEN = 8,
	VXLAN_PORT = 4789,       /* IANA; Linux's default 8472 is not it */
	VXLAN_VNI_MAX = 0xffffff,
};

/* Write the 8-byte header for `vni` (0..2^24-1): flags 0x08, rest zero. */
void vxlan_hdr_build(uint8_t h[VXLAN_HDR_LEN], uint32_t vni);

/* Check a received header. Returns 0 and the VNI, or -1 if the flags are
 * not exactly I=1 with zero reserved bits (RFC 7348 §5: "MUST be set to
 * zero on transmission"; we refuse rather than ignore them). */
int vxlan_hdr_parse(const uint8_t h[VXLAN_HDR_LEN], uint32_t *vni);

/* A hash of the inner flow for outer source-port entropy (RFC 7348 §5:
 * "a hash of fields from the inner packet"): MACs and ethertype, plus IPv4
 * addresses, protocol and TCP/UDP ports when present. Frames of one flow
 * always hash alike. */
uint32_t vxlan_flow_hash(const uint8_t *frame, size_t len);

#endif
