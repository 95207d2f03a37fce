/* bpdu.h - the wire format of spanning-tree BPDUs (IEEE 802.1D-2004 clause 9).
 *
 * A BPDU travels in an untagged IEEE 802.3 frame to 01:80:C2:00:00:00 with
 * a length field (not an EtherType) and the LLC header 42 42 03. Three
 * kinds exist:
 *
 *   type 0x00 Configuration BPDU (802.1D STP, protocol version 0)   35 bytes
 *   type 0x80 Topology Change Notification BPDU                       4 bytes
 *   type 0x02 RST BPDU (protocol version 2; 1 byte v1 length = 0)     36 bytes
 *
 * Times are carried in units of 1/256 s; identifiers are big-endian:
 * bridge id = 4-bit priority, 12-bit system id extension, 48-bit MAC;
 * port id = 4-bit priority, 12-bit port number.
 *
 * This file only encodes, decodes and validates (9.3.4); stp.c runs the
 * protocol.
 */
#ifndef VDE_CORE_BPDU_H
#define VDE_CORE_BPDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum bpdu_type { BPDU_CONFIG = 0x00, BPDU_RST = 0x02, BPDU_TCN = 0x80 };

/* flags octet (9.3.3, figure 9-3) */
enum {
	BPDU_F_TC = 0x01,
	BPDU_F_PROPOSAL = 0x02,
	BPDU_F_ROLE_MASK = 0x0c,   /* RST only: 00 unknown, 01 alt/backup, 10 root, 11 designated */
	BPDU_F_LEARNING = 0x10,
	BPDU_F_FORWARDING = 0x20,
	BPDU_F_AGREEMENT = 0x40,
	BPDU_F_TCA = 0x80,         /* Configuration BPDUs only */
};
enum { BPDU_ROLE_UNKNOWN = 0, BPDU_ROLE_ALTBACKUP = 1, BPDU_ROLE_ROOT = 2, BPDU_ROLE_DESIGNATED = 3 };
static inline unsigned bpdu_role(uint8_t flags) { return (flags & BPDU_F_ROLE_MASK) >> 2; }

struct bpdu {
	uint8_t type;        /* enum bpdu_type */
	uint8_t version;     /* protocol version identifier: 0 STP, 2 RSTP */
	uint8_t flags;
	uint64_t root_id;
	uint32_t root_cost;
	uint64_t bridge_id;
	uint16_t port_id;
	uint16_t msg_age, max_age, hello, fwd_delay; /* 1/256 s */
};

/* Why a frame to the STP address was not a usable BPDU (counted per port). */
enum bpdu_err {
	BPDU_OK = 0,
	BPDU_ERR_TRUNC,      /* shorter than its header or than its length field says */
	BPDU_ERR_LLC,        /* EtherType frame, or LLC not 42 42 03 */
	BPDU_ERR_PROTO,      /* protocol identifier not 0 */
	BPDU_ERR_VERSION,    /* RST type with a version below 2 */
	BPDU_ERR_TYPE,       /* unknown BPDU type */
	BPDU_ERR_LENGTH,     /* too short for its type (35 config, 4 TCN, 36 RST) */
	BPDU_ERR_AGE,        /* Configuration BPDU with message age >= max age (9.3.4 a) */
	BPDU_ERR__N
};
extern const char *const bpdu_err_names[BPDU_ERR__N];

extern const uint8_t bpdu_stp_addr[6]; /* 01:80:C2:00:00:00 */

static inline bool bpdu_is_stp_dst(const uint8_t *frame)
{
	return memcmp(frame, bpdu_stp_addr, 6) == 0;
}

/* Decode and validate the BPDU in an Ethernet frame (dst MAC first, no FCS)
 * of `len` bytes, per IEEE 802.1D-2004 9.3.4: the 802.3 length field, LLC
 * 42 42 03, protocol identifier 0, and the minimum size of its type. An RST
 * BPDU (type 2) needs version >= 2; versions above 2 are taken as RST
 * (9.3.4 c). Never reads beyond frame[len-1]. Returns BPDU_OK and fills
 * `b`, or the reason. */
enum bpdu_err bpdu_parse(const uint8_t *frame, size_t len, struct bpdu *b);

/* Encode `b` as a complete frame from MAC `src` into buf (at least 60
 * bytes), padded to the 60-byte Ethernet minimum. The type decides the
 * size (Configuration 35, TCN 4, RST 36 BPDU bytes; RST carries version
 * 2 and a version 1 length of 0). Returns the frame length, 0 if cap < 60. */
size_t bpdu_build(uint8_t *buf, size_t cap, const uint8_t src[6], const struct bpdu *b);

/* "8000.02:00:00:00:00:01" (iproute2's bridge id form) into buf (>= 23 bytes). */
char *bpdu_id_format(uint64_t id, char *buf);

#endif
