/* pkt.h - packet buffers and transmit descriptors.
 *
 * A vpkt holds one frame with VPKT_HEADROOM bytes in front (VLAN, VXLAN or
 * cable headers are pushed in place) and VPKT_TAILROOM behind (AEAD tag).
 * Buffers are preallocated by their owner; nothing on the data path mallocs.
 *
 * Transmission is scatter-gather: a vtx is up to VTX_MAXSEG iovecs that point
 * into a received vpkt (and at small per-queue tag buffers), so a flooded
 * frame is never copied and tagging/untagging never moves payload bytes.
 */
#ifndef VDE_CORE_PKT_H
#define VDE_CORE_PKT_H

#include <stdint.h>
#include <sys/uio.h>

#include "limits.h"

struct vpkt {
	uint16_t off;     /* offset of the frame in buf */
	uint16_t len;     /* frame length, bytes */
	uint16_t in_port; /* switch port the frame came from */
	uint16_t flags;
	uint64_t rx_ns;   /* CLOCK_MONOTONIC receive time, ns (0 if unset) */
	uint8_t buf[VPKT_HEADROOM + VPKT_MAXFRAME + VPKT_TAILROOM];
};

static inline uint8_t *vpkt_data(struct vpkt *p) { return p->buf + p->off; }
static inline void vpkt_reset(struct vpkt *p) { p->off = VPKT_HEADROOM; p->len = 0; p->flags = 0; }
/* Room a receive may fill: one byte more than the largest frame, so an
 * oversize datagram is detected rather than silently truncated. */
#define VPKT_RX_ROOM (VPKT_MAXFRAME + 1)

enum { VTX_MAXSEG = 4 };

/* One outgoing frame as a gather list. */
struct vtx {
	struct iovec iov[VTX_MAXSEG];
	uint16_t niov;
	uint16_t len; /* total bytes */
};

static inline void vtx_init(struct vtx *t) { t->niov = 0; t->len = 0; }
static inline void vtx_add(struct vtx *t, const void *base, size_t len)
{
	if (len == 0)
		return;
	t->iov[t->niov].iov_base = (void *)base;
	t->iov[t->niov].iov_len = len;
	t->niov++;
	t->len = (uint16_t)(t->len + len);
}

/* Zero bytes for padding short frames to ETH_MIN_LEN. */
extern const uint8_t vpkt_zero_pad[ETH_MIN_LEN];

/* Pad `t` with zeros to ETH_MIN_LEN if shorter (vde-2 port.c pads to 60). */
static inline void vtx_pad(struct vtx *t)
{
	if (t->len < ETH_MIN_LEN && t->niov < VTX_MAXSEG)
		vtx_add(t, vpkt_zero_pad, ETH_MIN_LEN - t->len);
}

/* Copy a gather list into a flat buffer of at least t->len bytes. */
void vtx_flatten(const struct vtx *t, uint8_t *out);

#endif
