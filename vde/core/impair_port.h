/* impair_port.h - one impaired direction of a port: the element that the
 * switch (a port's "in" and "out"), vdelab-plug and vdelab-wirefilter (each
 * direction of a patch) all use, in the spirit of a Click element.
 *
 * It owns an impairment chain (impair.h), knows where its frames go (a
 * deliver callback: an endpoint's send_batch, or the switch's forwarding
 * path), where its capture point is, and when it must be looked at next:
 *
 *   frames --> impair_port_input() --> [chain] --> impair_port_output(now)
 *                  capture here if          capture here if     --> deliver()
 *                  the point is the         the point is the
 *                  input side               delivery side
 *
 * When the destination takes fewer frames than offered (a full socket), the
 * rest stay in the chain, first in line with their departure times, and the
 * element is not retried before IMPAIR_PORT_RETRY_NS later: never a busy
 * loop. impair_port_next_deadline_ns() gives the owner its timer (the
 * switch keeps its impaired ports in a deadline heap, timerheap.h).
 *
 * impair_port_active() is false while there is nothing to impair and
 * nothing held: the owner then uses its own direct path (no copy), and does
 * its own capture, since both capture points are the same there.
 */
#ifndef VDE_CORE_IMPAIR_PORT_H
#define VDE_CORE_IMPAIR_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "impair.h"
#include "pkt.h"
#include "timerheap.h"

enum { IMPAIR_PORT_RETRY_NS = 1000000 };

/* Hand n frames to the destination. Returns how many it took (the rest are
 * held again), or -errno if it failed for good (the frames are then held
 * until the element is destroyed, counted as lost_on_close). */
typedef int (*impair_deliver_fn)(void *arg, struct vtx *tx, unsigned n, uint64_t now_ns);

struct impair_port {
	struct impair_chain chain;
	impair_deliver_fn deliver;
	void *arg;
	/* capture (not owned; NULL = off) and which capture point the
	 * delivery side is: CAPTURE_AT_WIRE for a switch port's "out" and a
	 * patch direction, CAPTURE_AT_SWITCH for a switch port's "in" */
	struct capture *cap;
	enum capture_at deliver_point;
	uint64_t retry_at_ns;     /* the destination was full: not before */
	int error;                /* -errno once deliver() failed for good */
	struct timerheap_node node; /* the owner's deadline heap, if any */
};

/* Set up with RNG seed `seed`, delivering to deliver(arg, ...) whose side
 * is capture point `deliver_point`. 0 or ENOMEM. */
int impair_port_init(struct impair_port *ip, uint64_t seed, impair_deliver_fn deliver, void *arg,
		     enum capture_at deliver_point);
/* Free the chain; held frames are counted in lost_on_close. */
void impair_port_destroy(struct impair_port *ip);
/* Change the impairments at runtime; held frames keep their departure
 * times and their order (impair.h). */
void impair_port_set(struct impair_port *ip, const struct impair_params *p);
const struct impair_params *impair_port_params(const struct impair_port *ip);
const struct impair_stats *impair_port_stats(const struct impair_port *ip);
/* Something to impair or something held: frames must go through input(). */
bool impair_port_active(const struct impair_port *ip);

/* Offer one frame (copied) received at now_ns. */
void impair_port_input(struct impair_port *ip, const uint8_t *data, size_t len, uint64_t now_ns);
/* The same for a gather list (flattened). */
void impair_port_input_vtx(struct impair_port *ip, const struct vtx *t, uint64_t now_ns);
/* Deliver every frame that is due at now_ns (unless waiting for a retry).
 * Returns how many were delivered, or ip->error once deliver() failed. */
int impair_port_output(struct impair_port *ip, uint64_t now_ns);
/* When output() has work next: the next departure, not before the retry
 * deadline; UINT64_MAX if nothing is held (or after an error). */
uint64_t impair_port_next_deadline_ns(const struct impair_port *ip);

/* "SETTINGS" and the counters, as the consoles print them:
 * impair_format() into settings, impair_stats_format() into counters. */
void impair_port_describe(const struct impair_port *ip, char *settings, size_t slen, char *counters,
			  size_t clen);

#endif
