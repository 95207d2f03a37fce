/* patch.h - a patch: two endpoints joined in both directions, each
 * direction through its own impaired element (impair_port.h): LR (A -> B)
 * and RL (B -> A), as vde-2 wirefilter names them. The loop glue shared by
 * vdelab-plug and vdelab-wirefilter. (Not to be confused with the cable://
 * endpoint, an encrypted UDP link, or a lab's <cable>, a link between two
 * switches.)
 *
 * Without impairments (and with nothing still held) a direction forwards
 * straight from the receive buffers, no copy; when the destination cannot
 * take a frame, that direct send waits for room (up to PATCH_SEND_WAIT_MS,
 * back-pressure towards the source). Delayed frames stay in the element and
 * are retried IMPAIR_PORT_RETRY_NS later, never in a busy loop.
 *
 * The patch ends (loop_stop) when either endpoint reports EOF, a fatal
 * error, or its peer leaving (ctl EOF); frames still held in a delay line
 * are then counted in the chain's lost_on_close by patch_close().
 */
#ifndef VDE_CORE_PATCH_H
#define VDE_CORE_PATCH_H

#include "capture.h"
#include "ep.h"
#include "impair_port.h"
#include "loop.h"

enum { PATCH_LR = 0, PATCH_RL = 1, PATCH_SEND_WAIT_MS = 1000 };

struct patch;

struct patch_side {
	struct patch *c;
	int idx;               /* 0 = A (left), 1 = B (right) */
	struct ep *ep;
	struct loop_watch dw, cw;
	struct vpkt *buf;
	struct vpkt *p[VPKT_BURST];
};

/* One direction: frames received on one side go to the other's endpoint. */
struct patch_dir {
	struct ep *out;
	struct impair_port ip;
	uint64_t offered, passed;  /* on the direct path (the element counts its own) */
	uint64_t tx_dropped;       /* frames the destination never took */
	int error;                 /* -errno once the destination has failed */
	/* capture of this direction, NULL = off; owned by the caller (one
	 * capture may serve both). at=in (switch): frames as they enter, before
	 * the impairments; at=out (wire): as they are delivered */
	struct capture *cap;
};

struct patch {
	struct loop *loop;
	struct patch_side side[2];
	struct patch_dir dir[2];   /* dir[PATCH_LR]: A -> B; dir[PATCH_RL]: B -> A */
	struct loop_timer timer;
	struct loop_timer tick;    /* 1 s: the endpoints' ep_tick (keepalives) */
	int status;                /* exit status: 0 peer left, 1 error */
	char why[256];             /* why the patch ended */
};

/* Join endpoints a and b (ownership passes to the patch). `seed` seeds the
 * two directions' generators (seed and seed+1). Returns 0 or errno. */
int patch_open(struct patch *c, struct loop *l, struct ep *a, struct ep *b, uint64_t seed);
/* Set the impairments of one direction (PATCH_LR / PATCH_RL) and re-arm
 * the deadline timer. */
void patch_set(struct patch *c, int dir, const struct impair_params *p);
/* Capture both directions into cap (not owned), or stop with NULL. */
void patch_capture(struct patch *c, int dir, struct capture *cap);
const struct impair_params *patch_params(const struct patch *c, int dir);
/* Frames offered, delivered and still held in direction dir, with the
 * element's counters (drops by reason...) in *st. */
void patch_stats(const struct patch *c, int dir, struct impair_stats *st);
/* Close both endpoints and free the elements (held frames counted as lost). */
void patch_close(struct patch *c);

#endif
