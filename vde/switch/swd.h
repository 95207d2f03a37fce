/* swd.h - the vdelab-switch daemon: state shared by its files.
 *
 *   main.c      options, lifecycle, the data-path glue between loop and sw
 *   datasock.c  the VDE2 control socket DIR/ctl (request_v3 handshake)
 *   cmds.c      the management console commands
 *   stp.c       the spanning tree: element glue and its console commands
 *   events.c    debug/ channels: port, endpoint and FDB events for consoles
 */
#ifndef VDE_SWITCH_SWD_H
#define VDE_SWITCH_SWD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/console.h"
#include "../core/ep.h"
#include "../core/limits.h"
#include "../core/loop.h"
#include "../core/sw.h"
#include "../core/stp.h"

enum { PAUSE_MAX_MS = 50 };

struct swd;

/* Per active port: the loop watches of its endpoint. */
struct port_io {
	struct swd *d;
	uint16_t port;
	uint32_t epid;          /* endpoint ID shown in port/print (ctl fd, as vde-2) */
	struct loop_watch dw;   /* data fd */
	struct loop_watch cw;   /* ctl fd (VDE clients) */
	bool blocked;           /* waiting for EPOLLOUT */
	char sockpath[108];     /* DIR/NNN.FD to unlink, "" if none */
};

struct pending_ctl {
	struct swd *d;
	int fd;                 /* -1 = free slot */
	uint64_t since_ns;
	struct loop_watch w;
};

struct swd_stats {
	uint64_t ctl_accepted, ctl_refused, ctl_bad_request, ctl_timeout, ctl_overflow;
	uint64_t rx_batches, rx_frames, tx_wakeups;
	struct ep_stats closed;  /* endpoint counters of ports that have closed */
};

struct swd {
	struct loop loop;
	struct sw sw;
	struct console_server cs;
	struct loop_timer tick;
	/* data socket directory */
	char dir[96];
	unsigned dirmode, ctlmode;
	gid_t gid;              /* (gid_t)-1 = unchanged */
	int ctl_fd;
	struct loop_watch ctlw;
	struct pending_ctl pending[SW_MAX_PENDING];
	struct swd_stats st;
	/* receive buffers for one batch */
	struct vpkt *rx;
	struct vpkt *rxp[VPKT_BURST];
	uint8_t mac[6];
	uint64_t start_ns;
	struct loop_timer pause_timer;
	struct loop_timer impair_timer;
	bool pause_overridden;  /* paused too long: drop instead of waiting */
	struct stp *stp;        /* spanning tree, mode off unless -F / fstp/setfstp 1 */
	enum stp_mode stp_mode; /* the mode "on" means (--stp, default rstp) */
	char *mgmt_path;
	unsigned mgmt_mode;
	unsigned gc_interval_s; /* FDB aging sweep every this many seconds (hash/setgcint) */
	uint64_t next_gc_ns;
	bool stop;
};

/* datasock.c */
int ds_open(struct swd *d, char *err, size_t errlen);
void ds_close(struct swd *d);
void ds_sweep(struct swd *d, uint64_t now_ns);

/* main.c */
/* Attach `ep` to `port` and start polling it. 0 or errno (ep not closed). */
int swd_port_attach(struct swd *d, unsigned port, struct ep *ep, const char *sockpath, uint32_t epid);
/* Open `url` and attach it to `port` (-1: lowest free port). Returns the
 * port, or -errno with a message in err. */
int swd_add_url(struct swd *d, const char *url, int port, char *err, size_t errlen);
/* Add the daemon's timers to its loop: the 1 s tick (FDB aging, console
 * sweep), the impairment deadline and the back-pressure limit (PAUSE_MAX_MS). */
void swd_timers_start(struct swd *d);
/* Release due impaired frames and re-arm the impairment timer. */
void swd_impair_kick(struct swd *d);
/* Stop polling, unlink the data socket, close the endpoint. */
void swd_port_close(struct swd *d, unsigned port);

/* cmds.c */
extern const struct console_table swd_cmds;
/* Every console table of the daemon, in help order; *n gets their count. */
const struct console_table *swd_tables(size_t *n);
/* Parse up to `max` unsigned decimal integers separated by blanks; returns
 * how many, or -1 on anything else. */
int swd_parse_uints(const char *arg, unsigned *v, int max);

/* events.c */
enum swd_channel {
	SWD_CH_HASH_NEW, SWD_CH_HASH_DEL, SWD_CH_PORT_NEW, SWD_CH_PORT_DEL, SWD_CH_PORT_DESCR,
	SWD_CH_EP_NEW, SWD_CH_EP_DEL,
};
/* Give the console its channels and hook the FDB's learn/remove events. */
void swd_events_init(struct swd *d);
/* A port was created (port/+) or removed (port/-). */
void swd_event_port(struct swd *d, bool created, unsigned port);
/* An endpoint was attached (port/ep/+, then port/descr) or closed (port/ep/-). */
void swd_event_ep(struct swd *d, bool attached, unsigned port, uint32_t epid, const char *descr);
/* vde-2 checkport_ac: may uid plug into this port? (root always may) */
bool swd_port_access(const struct sw_port *p, uid_t uid);

/* stp.c */
extern const struct console_table swd_stp_cmds;
/* Create the spanning-tree element (mode off) and hook it to the switch. 0 or ENOMEM. */
int swd_stp_init(struct swd *d);
void swd_stp_free(struct swd *d);
/* Mode off/stp/rstp; EBUSY in hub mode (vde_switch: no fstp in hub mode). */
int swd_stp_set_mode(struct swd *d, enum stp_mode mode);
/* A port got an endpoint / lost it. */
void swd_stp_port_up(struct swd *d, unsigned port);
void swd_stp_port_down(struct swd *d, unsigned port);
/* Run every line of an rc file; errors go to stderr. 0 or errno (open). */
int swd_load_rc(struct swd *d, const char *path);

#endif
