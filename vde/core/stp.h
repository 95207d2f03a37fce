/* stp.h - the Rapid Spanning Tree Protocol, IEEE 802.1D-2004 clause 17.
 *
 * One spanning tree for the whole bridge (all VLANs share it, as in
 * vde_switch's FSTP per-switch mode and the Linux bridge). The element owns
 * no sockets and no clock: the switch hands it received BPDUs (stp_rx), one
 * call per elapsed second (stp_tick), and port events; it answers through
 * three callbacks (send a BPDU, set a port's learning/forwarding state,
 * flush a port's FDB entries). Every call runs the state machines of
 * clause 17 until nothing changes, so tests drive it with simulated time
 * and exact expectations.
 *
 * Machines (17.22-17.31): Port Timers, Port Receive, Port Protocol
 * Migration, Bridge Detection, Port Transmit, Port Information, Port Role
 * Selection, Port Role Transitions, Port State Transition, Topology Change.
 * Choices where the standard leaves room or has errata, all documented:
 *  - recordDispute() sets disputed and clears agreed (802.1Q-2005 13.26.6),
 *    DESIGNATED_DISCARD is taken on disputed; ROOT_SYNCED is included;
 *  - a TCN BPDU sets rcvdTcn on receipt (setTcFlags), since rcvInfo()
 *    classes it OtherInfo;
 *  - fdbFlush flushes the port's entries at once (RSTP behaviour), also in
 *    STP compatibility mode, where 802.1D-1998 would age them in FwdDelay;
 *  - every port is point-to-point (operPointToPointMAC) unless told.
 *
 * Modes: STP_MODE_RSTP (ForceProtocolVersion 2) speaks RST BPDUs and falls
 * back to Configuration/TCN BPDUs per port when a legacy bridge speaks
 * (Port Protocol Migration, MigrateTime 3 s); STP_MODE_STP (ForceProtocol
 * Version 0) speaks 802.1D-1998 only; STP_MODE_OFF: every port forwards.
 *
 * Identifiers: bridge id = priority (multiple of 4096, 0..61440) << 48 |
 * MAC; port id = priority (multiple of 16, 0..240) << 8 | port number
 * (1..4095; the element's port index is the switch's port number).
 * Times are whole seconds. Path costs follow table 17-3 (20 000 = 1 Gbit/s).
 */
#ifndef VDE_CORE_STP_H
#define VDE_CORE_STP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpdu.h"

enum stp_mode { STP_MODE_OFF = 0, STP_MODE_STP, STP_MODE_RSTP };
enum stp_role { STP_ROLE_DISABLED = 0, STP_ROLE_ROOT, STP_ROLE_DESIGNATED, STP_ROLE_ALTERNATE, STP_ROLE_BACKUP };
enum stp_state { STP_DISCARDING = 0, STP_LEARNING, STP_FORWARDING };

extern const char *const stp_role_names[];  /* "disabled", "root", "designated", "alternate", "backup" */
extern const char *const stp_state_names[]; /* "discarding", "learning", "forwarding" */
extern const char *const stp_mode_names[];  /* "off", "stp", "rstp" */

enum {
	STP_DEFAULT_BRIDGE_PRIORITY = 32768,
	STP_DEFAULT_PORT_PRIORITY = 128,
	STP_DEFAULT_COST = 20000,        /* 1 Gbit/s, 802.1D-2004 table 17-3 */
	STP_HELLO_TIME = 2,              /* s, table 17-1 */
	STP_MAX_AGE = 20,
	STP_FWD_DELAY = 15,
	STP_MIGRATE_TIME = 3,
	STP_TX_HOLD_COUNT = 6,
	STP_MAX_PORTS = 4095,
};

struct stp;

struct stp_ops {
	/* Send the BPDU frame (60 bytes, untagged, to 01:80:C2:00:00:00) on port. */
	void (*tx)(void *arg, unsigned port, const uint8_t *frame, size_t len);
	/* The port's state changed (802.1D 17.30: learning / forwarding). */
	void (*set_state)(void *arg, unsigned port, bool learning, bool forwarding);
	/* Remove the FDB entries learned on port (topology change, 17.31). */
	void (*flush)(void *arg, unsigned port);
};

/* Counters of one port. */
struct stp_port_stats {
	uint64_t rx_rst, rx_config, rx_tcn;   /* valid BPDUs received, by type */
	uint64_t tx_rst, tx_config, tx_tcn;   /* BPDUs sent */
	uint64_t rx_bad[BPDU_ERR__N];         /* frames to the STP address dropped, by reason */
	uint64_t tc;                          /* topology changes detected or propagated here */
	uint64_t transitions_fwd;             /* times it became forwarding */
};

/* What stp/print and the daemon show of a port. */
struct stp_port_info {
	bool exists, enabled;
	enum stp_role role;
	enum stp_state state;
	uint32_t cost;                 /* path cost in use (configured, less any bonus) */
	uint32_t bonus;                /* fstp/bonus */
	unsigned priority;             /* port priority */
	bool admin_edge, oper_edge, p2p;
	bool send_rstp;                /* speaks RST BPDUs (false: fell back to 802.1D) */
	uint64_t designated_root, designated_bridge;
	uint32_t designated_cost;
	uint16_t port_id, designated_port;
	unsigned tc_while;             /* s */
	struct stp_port_stats st;
};

struct stp_bridge_info {
	enum stp_mode mode;
	uint64_t bridge_id, root_id;
	uint32_t root_cost;
	unsigned root_port;            /* 0 when this bridge is the root */
	unsigned max_age, hello, fwd_delay;  /* rootTimes in use */
	uint64_t tc_count;             /* topology changes seen (any port) */
	unsigned tc_ago_s;             /* seconds since the last one (UINT32_MAX: never) */
	bool tc_active;                /* a tcWhile timer runs on some port */
};

/* Create the element for ports 0..nports-1 (no port exists yet), bridge
 * MAC `mac`, mode off. NULL on ENOMEM or nports > STP_MAX_PORTS+1. */
struct stp *stp_new(unsigned nports, const uint8_t mac[6], const struct stp_ops *ops, void *arg);
void stp_free(struct stp *s);

/* Turn the protocol off, to 802.1D STP or to RSTP. Starting or changing
 * mode runs BEGIN (all ports discard, then the tree forms again); turning it
 * off makes every existing port forward. */
void stp_set_mode(struct stp *s, enum stp_mode mode);
enum stp_mode stp_mode(const struct stp *s);
/* Bridge priority, a multiple of 4096 in 0..61440. 0 or EINVAL. */
int stp_set_priority(struct stp *s, unsigned prio);
/* Bridge Hello Time, Max Age and Forward Delay in seconds (17.13: 1..10,
 * 6..40, 4..30, with 2*(fwd_delay-1) >= max_age >= 2*(hello+1)); used when
 * this bridge is root. 0 or EINVAL. */
int stp_set_times(struct stp *s, unsigned hello, unsigned max_age, unsigned fwd_delay);
/* Change the number of ports. Ports beyond the new count are removed. 0, EINVAL, ENOMEM. */
int stp_set_numports(struct stp *s, unsigned nports);

/* A port appears (endpoint attached) with link `up`, or goes away. The
 * port starts discarding; an admin-edge port forwards at once. EINVAL out of range. */
int stp_port_add(struct stp *s, unsigned port, bool up);
void stp_port_remove(struct stp *s, unsigned port);
/* Link state: portEnabled (carrier in both directions). */
void stp_port_set_enabled(struct stp *s, unsigned port, bool up);
/* Port settings (cost, bonus, priority, edge, p2p) may be given before the
 * port is added and stay when it goes: they belong to the switch port.
 * Path cost 1..200000000, 0 = the default (STP_DEFAULT_COST). 0 or EINVAL. */
int stp_port_set_cost(struct stp *s, unsigned port, uint32_t cost);
/* fstp/bonus (vde_switch): lower one port's path cost by `bonus` (at least
 * 1 remains); setting it on a port clears it on the others. 0 or EINVAL. */
int stp_port_set_bonus(struct stp *s, unsigned port, uint32_t bonus);
/* Port priority, a multiple of 16 in 0..240. 0 or EINVAL. */
int stp_port_set_priority(struct stp *s, unsigned port, unsigned prio);
/* AdminEdge (an edge port forwards at once; a BPDU clears operEdge until the
 * port restarts). 0 or EINVAL. */
int stp_port_set_edge(struct stp *s, unsigned port, bool edge);
/* adminPointToPointMAC (default true). 0 or EINVAL. */
int stp_port_set_p2p(struct stp *s, unsigned port, bool p2p);
/* mcheck (17.19.13): try RST BPDUs again on a port that fell back to STP. */
int stp_port_mcheck(struct stp *s, unsigned port);

/* A frame to the STP address received on `port`: validated (9.3.4),
 * counted, and fed to the machines. Invalid ones are counted in
 * rx_bad[reason] and change nothing. Ignored when the mode is off or the
 * port does not exist. */
void stp_rx(struct stp *s, unsigned port, const uint8_t *frame, size_t len);
/* One second has passed (the Port Timers machine's tick). */
void stp_tick(struct stp *s);

void stp_bridge_get(const struct stp *s, struct stp_bridge_info *bi);
/* Fill *pi for `port`; false if out of range. */
bool stp_port_get(const struct stp *s, unsigned port, struct stp_port_info *pi);

#endif
