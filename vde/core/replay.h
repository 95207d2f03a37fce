/* replay.h - anti-replay sliding window for datagram counters.
 *
 * The bitmap ring of RFC 6479 ("IPsec Anti-Replay Algorithm without Bit
 * Shifting"), as WireGuard's counter_validate uses it: REPLAY_BITS bits in
 * 64-bit words; moving the window forward clears whole words instead of
 * shifting the map, so a check costs O(1) however far the counter jumps.
 * The usable window is REPLAY_BITS - 64 = 8128 counters behind the highest
 * one seen: a datagram reordered by less than that is still accepted once.
 *
 * Call replay_check() only after the datagram authenticated: a forged
 * counter must not move the window.
 */
#ifndef VDE_CORE_REPLAY_H
#define VDE_CORE_REPLAY_H

#include <stdint.h>

enum {
	REPLAY_BITS = 8192,
	REPLAY_WORDS = REPLAY_BITS / 64,
	REPLAY_WINDOW = REPLAY_BITS - 64, /* counters behind the top still accepted */
};

struct replay_window {
	uint64_t top;                  /* highest counter accepted, plus one (0: none yet) */
	uint64_t words[REPLAY_WORDS];  /* bit c % REPLAY_BITS: counter c seen */
};

enum replay_verdict {
	REPLAY_OK = 0,   /* first time seen: accepted, now marked */
	REPLAY_DUP,      /* seen before (a replay or a duplicate) */
	REPLAY_OLD,      /* behind the window: cannot tell, refused */
};

/* Empty window: every counter from 0 is new. */
void replay_reset(struct replay_window *w);

/* Accept counter `c` once. UINT64_MAX is never accepted (REPLAY_OLD), so
 * `top` cannot wrap. */
enum replay_verdict replay_check(struct replay_window *w, uint64_t c);

#endif
