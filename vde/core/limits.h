/* limits.h - every size and default of the vdelab core in one place.
 *
 * Sources: VDE_ETHBUFSIZE from vdeplug4 libvdeplug.h (9216 + 14 + 4);
 * min persistence, console line size and the 110-byte reply from vde-2
 * (hash.c, consmgmt.c, datasock.c); burst size from OVS NETDEV_MAX_BURST;
 * aging default from IEEE 802.1D / the Linux bridge (300 s).
 */
#ifndef VDE_CORE_LIMITS_H
#define VDE_CORE_LIMITS_H

enum vde_limits {
	VPKT_HEADROOM = 64,       /* bytes before the frame for pushed headers */
	VPKT_MAXFRAME = 9234,     /* largest frame accepted (vdeplug4 VDE_ETHBUFSIZE) */
	VPKT_TAILROOM = 32,       /* bytes after the frame (AEAD tag) */
	VPKT_BURST = 32,          /* frames per recvmmsg/sendmmsg batch */
	ETH_HDR_LEN = 14,         /* dst + src + ethertype */
	ETH_MIN_LEN = 60,         /* shortest frame on the wire without FCS */
	VLAN_TAG_LEN = 4,         /* 802.1Q TPID + TCI */
	VLAN_MAX = 4096,          /* VIDs 0..4095; 4095 = "no untagged VLAN" */
	VLAN_NONE = 4095,         /* port/setvlan value meaning "no untagged VLAN" (vde-2) */

	SW_DEFAULT_PORTS = 32,    /* vde_switch -n default */
	SW_MAX_PORTS = 4096,      /* upper bound for -n / port/setnumports */
	SW_MAX_PENDING = 64,      /* ctl connections that have not sent a request yet */
	SW_PENDING_TIMEOUT_S = 5, /* a ctl connection must send its request within this */

	FDB_DEFAULT_MAX = 8192,   /* MAC table entries (OVS MAC_DEFAULT_MAX) */
	FDB_DEFAULT_AGE_S = 300,  /* aging time, s */
	FDB_MIN_PERSIST_S = 3,    /* anti-flap: a MAC active on a port stays for 3 s (vde-2) */

	FLOWCACHE_SETS = 4096,    /* exact-match cache: 4096 sets x 2 ways */
	FLOWCACHE_WAYS = 2,

	CONSOLE_MAX_LINE = 1024,  /* longest console command line */
	CONSOLE_MAX_CLIENTS = 32, /* simultaneous management connections */
	CONSOLE_MAX_OUTBUF = 4 << 20, /* a client that reads nothing is dropped past this */
	CONSOLE_LOGOUT_GRACE_MS = 1000, /* after logout, wait this long for the client to close */
	CONSOLE_LOAD_MAX_DEPTH = 8,     /* `load` inside a loaded file, at most this deep */
	CONSOLE_LOAD_MAX_BYTES = 1 << 20, /* a script larger than this is refused */

	VDE_REPLY_LEN = 110,      /* sizeof(struct sockaddr_un) on Linux: the ctl reply */
	VDE_DESCR_MAX = 128,      /* request_v3 description, bytes, no NUL */
	VDE_REQ_READ = 256,       /* vde_switch reads the request with one read(256) */

	STREAM_MAXLEN = VPKT_MAXFRAME, /* largest frame in 2-byte length framing */
	PORT_BACKLOG = 256,       /* frames held per output port while its socket is full */
};

#endif
