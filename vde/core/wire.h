/* wire.h - the on-the-wire formats vdelab speaks, with diagrams.
 *
 * Every struct here is packed and size-checked; multi-byte fields are in the
 * byte order named in the comment. Read them with memcpy or the helpers in
 * frame.h, never with type-punned loads (vde-2's extmac() does; don't).
 */
#ifndef VDE_CORE_WIRE_H
#define VDE_CORE_WIRE_H

#include <stdint.h>
#include <sys/un.h>

/* Ethernet II header (IEEE 802.3), no FCS on VDE wires.
 *
 *   0      6      12   14
 *   | dst  | src  |type|
 */
struct eth_hdr {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t type; /* network byte order */
} __attribute__((packed));
_Static_assert(sizeof(struct eth_hdr) == 14, "Ethernet header");

/* IEEE 802.1Q tag, inserted after src:
 *
 *   | TPID 0x8100 | PCP(3) DEI(1) VID(12) |
 */
struct vlan_tag {
	uint16_t tpid; /* network byte order, 0x8100 */
	uint16_t tci;  /* network byte order */
} __attribute__((packed));
_Static_assert(sizeof(struct vlan_tag) == 4, "802.1Q tag");

#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_VLAN_HOST 0x8100u /* host-order constant for parsed types */

/* VDE2 control request, version 3 (vdeplug4 libvdeplug_vde.c; vde-2
 * datasock.c). Host byte order, packed; sent in one send() on DIR/ctl.
 *
 *   0       4         8      12                    122           <=250
 *   | magic | version | type | sockaddr_un (110 B) | description |
 *
 * type: 0 = new port (REQ_NEW_CONTROL), 1 = port 0 (REQ_NEW_PORT0);
 * a requested port N is carried as N << 8 on top of 0.
 * The description is ASCII, not NUL-terminated, at most 128 bytes.
 */
#define VDE_SWITCH_MAGIC 0xfeedfaceu
#define VDE_REQ_VERSION 3u
enum vde_req_type { VDE_REQ_NEW_CONTROL = 0, VDE_REQ_NEW_PORT0 = 1 };

struct vde_request_v3 {
	uint32_t magic;
	uint32_t version;
	uint32_t type;
	struct sockaddr_un sock;
	char description[128];
} __attribute__((packed));
_Static_assert(sizeof(struct sockaddr_un) == 110, "sockaddr_un is the 110-byte ctl reply");
_Static_assert(sizeof(struct vde_request_v3) == 12 + 110 + 128, "request_v3 layout");
#define VDE_REQ_FIXED_LEN (12 + 110)

/* VXLAN header (RFC 7348 section 5), network byte order:
 *
 *   |R R R R I R R R|   reserved (24)   |
 *   |        VNI (24)          | rsvd(8)|
 */
struct vxlan_hdr {
	uint32_t flags; /* 0x08000000: I bit set */
	uint32_t vni;   /* VNI << 8 */
} __attribute__((packed));
_Static_assert(sizeof(struct vxlan_hdr) == 8, "RFC 7348 header");

#endif
