/* cable.h - two endpoints joined in both directions, each direction with its
 * own impairment chain: LR (A -> B) and RL (B -> A), as vde-2 wirefilter
 * names them. The loop glue shared by vdelab-plug and vdelab-wirefilter.
 *
 * The cable ends (loop_stop) when either endpoint reports EOF, a fatal
 * error, or its peer leaving (ctl EOF); frames still held in a delay line
 * are then counted in the chain's lost_on_close by cable_close().
 */
#ifndef VDE_CORE_CABLE_H
#define VDE_CORE_CABLE_H

#include "ep.h"
#include "link.h"
#include "loop.h"

enum { CABLE_LR = 0, CABLE_RL = 1 };

struct cable;

struct cable_side {
	struct cable *c;
	int idx;               /* 0 = A (left), 1 = B (right) */
	struct ep *ep;
	struct loop_watch dw, cw;
	struct vpkt *buf;
	struct vpkt *p[VPKT_BURST];
};

struct cable {
	struct loop *loop;
	struct cable_side side[2];
	struct link_dir dir[2];    /* dir[CABLE_LR]: A -> B; dir[CABLE_RL]: B -> A */
	struct loop_timer timer;
	int status;                /* exit status: 0 peer left, 1 error */
	char why[256];             /* why the cable ended */
};

/* Join endpoints a and b (ownership passes to the cable). `seed` seeds the
 * two directions' generators (seed and seed+1). Returns 0 or errno. */
int cable_open(struct cable *c, struct loop *l, struct ep *a, struct ep *b, uint64_t seed);
/* Set the impairments of one direction (CABLE_LR / CABLE_RL). */
void cable_set(struct cable *c, int dir, const struct impair_params *p);
/* Close both endpoints and free the chains (held frames counted as lost). */
void cable_close(struct cable *c);
/* Re-arm the deadline timer (after a parameter change). */
void cable_kick(struct cable *c);

#endif
