/* link.h - one direction of a cable: frames received from one endpoint go,
 * through an impairment chain, to another endpoint. vdelab-plug and
 * vdelab-wirefilter are two of these, one per direction.
 *
 * Without impairments (and with nothing still held in the chain) frames are
 * forwarded straight from the receive buffers, no copy. When the
 * destination cannot take a frame, a direct send waits for room (up to
 * LINK_SEND_WAIT_MS, back-pressure towards the source); delayed frames stay
 * in the chain and are retried LINK_RETRY_NS later, never in a busy loop.
 */
#ifndef VDE_CORE_LINK_H
#define VDE_CORE_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "ep.h"
#include "impair.h"

enum { LINK_SEND_WAIT_MS = 1000, LINK_RETRY_NS = 1000000 };

struct link_dir {
	struct ep *out;
	struct impair_chain chain;
	uint64_t retry_at_ns;  /* destination was full: not before this */
	uint64_t tx_dropped;   /* frames the destination never took */
	int error;             /* -errno once the destination has failed */
	/* pcap capture of this direction (capture.h), NULL = off; owned by the
	 * caller (one capture may serve both directions). at=switch: frames as
	 * they enter, before the impairments; at=wire: as they are delivered */
	struct capture *cap;
};

/* Set up a direction towards `out` with RNG seed `seed`. 0 or ENOMEM. */
int linkdir_init(struct link_dir *d, struct ep *out, uint64_t seed);
void linkdir_destroy(struct link_dir *d);
/* Change the impairments (runtime; held frames keep their times). */
void linkdir_set(struct link_dir *d, const struct impair_params *p);
/* Frames received at now_ns from the other side. */
void linkdir_input(struct link_dir *d, struct vpkt **pkts, unsigned n, uint64_t now_ns);
/* Send every held frame that is due. Returns 0, or -errno (e.g. -EPIPE)
 * once the destination has failed. */
int linkdir_output(struct link_dir *d, uint64_t now_ns);
/* When linkdir_output() has work next, UINT64_MAX if never. */
uint64_t linkdir_next_ns(const struct link_dir *d);

#endif
