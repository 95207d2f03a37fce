/* bpdu.c - encode, decode and validate spanning-tree BPDUs
 * (IEEE 802.1D-2004 clause 9; offsets from figure 9-1..9-3). */
#include "bpdu.h"

#include <stdio.h>

const uint8_t bpdu_stp_addr[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };

const char *const bpdu_err_names[BPDU_ERR__N] = {
	[BPDU_OK] = "ok",
	[BPDU_ERR_TRUNC] = "truncated",
	[BPDU_ERR_LLC] = "not_llc",
	[BPDU_ERR_PROTO] = "protocol_id",
	[BPDU_ERR_VERSION] = "version",
	[BPDU_ERR_TYPE] = "type",
	[BPDU_ERR_LENGTH] = "length",
	[BPDU_ERR_AGE] = "message_age",
};

enum {
	ETH_HDR = 14,       /* dst, src, 802.3 length */
	LLC_HDR = 3,        /* DSAP 0x42, SSAP 0x42, control 0x03 (UI) */
	BPDU_OFF = ETH_HDR + LLC_HDR,
	LEN_CONFIG = 35, LEN_TCN = 4, LEN_RST = 36,
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)(v >> 32)); put32(p + 4, (uint32_t)v); }

enum bpdu_err bpdu_parse(const uint8_t *frame, size_t len, struct bpdu *b)
{
	if (len < BPDU_OFF + LEN_TCN)
		return BPDU_ERR_TRUNC;
	uint16_t l = get16(frame + 12);
	if (l > 1500 || frame[14] != 0x42 || frame[15] != 0x42 || frame[16] != 0x03)
		return BPDU_ERR_LLC;
	if (l < LLC_HDR + LEN_TCN)
		return BPDU_ERR_LENGTH;
	if ((size_t)ETH_HDR + l > len)
		return BPDU_ERR_TRUNC;
	const uint8_t *p = frame + BPDU_OFF;
	size_t n = l - LLC_HDR; /* BPDU bytes the length field covers */
	if (get16(p) != 0)
		return BPDU_ERR_PROTO;
	memset(b, 0, sizeof(*b));
	b->version = p[2];
	b->type = p[3];
	switch (b->type) {
	case BPDU_TCN:
		return BPDU_OK;
	case BPDU_CONFIG:
		if (n < LEN_CONFIG)
			return BPDU_ERR_LENGTH;
		break;
	case BPDU_RST:
		if (b->version < 2)
			return BPDU_ERR_VERSION;
		if (n < LEN_RST)
			return BPDU_ERR_LENGTH;
		break;
	default:
		return BPDU_ERR_TYPE;
	}
	b->flags = p[4];
	b->root_id = get64(p + 5);
	b->root_cost = get32(p + 13);
	b->bridge_id = get64(p + 17);
	b->port_id = get16(p + 25);
	b->msg_age = get16(p + 27);
	b->max_age = get16(p + 29);
	b->hello = get16(p + 31);
	b->fwd_delay = get16(p + 33);
	if (b->type == BPDU_CONFIG) {
		b->flags &= BPDU_F_TC | BPDU_F_TCA; /* the others are not defined in a Configuration BPDU */
		if (b->msg_age >= b->max_age)
			return BPDU_ERR_AGE;
	}
	return BPDU_OK;
}

size_t bpdu_build(uint8_t *buf, size_t cap, const uint8_t src[6], const struct bpdu *b)
{
	enum { MIN_FRAME = 60 };
	if (cap < MIN_FRAME)
		return 0;
	size_t n = b->type == BPDU_TCN ? LEN_TCN : b->type == BPDU_RST ? LEN_RST : LEN_CONFIG;
	memset(buf, 0, MIN_FRAME);
	memcpy(buf, bpdu_stp_addr, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, (uint16_t)(LLC_HDR + n));
	buf[14] = 0x42;
	buf[15] = 0x42;
	buf[16] = 0x03;
	uint8_t *p = buf + BPDU_OFF;
	p[2] = b->type == BPDU_RST ? 2 : 0;
	p[3] = b->type;
	if (b->type != BPDU_TCN) {
		p[4] = b->flags;
		put64(p + 5, b->root_id);
		put32(p + 13, b->root_cost);
		put64(p + 17, b->bridge_id);
		put16(p + 25, b->port_id);
		put16(p + 27, b->msg_age);
		put16(p + 29, b->max_age);
		put16(p + 31, b->hello);
		put16(p + 33, b->fwd_delay);
		/* RST: p[35], the version 1 length, stays 0 */
	}
	return MIN_FRAME;
}

char *bpdu_id_format(uint64_t id, char *buf)
{
	snprintf(buf, 23, "%04x.%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(id >> 48),
		 (unsigned)(id >> 40) & 0xff, (unsigned)(id >> 32) & 0xff, (unsigned)(id >> 24) & 0xff,
		 (unsigned)(id >> 16) & 0xff, (unsigned)(id >> 8) & 0xff, (unsigned)id & 0xff);
	return buf;
}
