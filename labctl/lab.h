/* lab.h - the lab model: what one lab XML file describes, loaded and
 * checked. Loading validates against labs/lab.rng (RELAX NG through
 * libxml2; the schema is compiled into labctl) and then applies the rules a
 * schema cannot express. Every problem becomes one "FILE:LINE: message"
 * string, so a teacher sees all of them at once. */
#ifndef LABCTL_LAB_H
#define LABCTL_LAB_H

#include <glib.h>
#include <stdbool.h>

struct lab_node;

/* A host taking part in a multi-host lab (DESIGN.md §7). */
struct lab_site {
	char *name;
	char *address;      /* where the other sites reach it (NULL: 127.0.0.1) */
	char *libvirt;      /* libvirt URI for its VM nodes (e.g. qemu+ssh://host/system) */
	int line;
};

struct lab_switch {
	char *name;
	int ports;          /* ports 0..ports-1; port 0 is VDE's management port */
	bool hub;
	int stp;            /* spanning tree: 0 off, 1 stp (802.1D), 2 rstp (enum stp_mode) */
	int priority;       /* bridge priority, -1 = the switch's default (32768) */
	GArray *vlans;      /* int VIDs declared besides 0 */
	char *site;         /* NULL when the lab has no sites */
	int line;
};

struct lab_if {
	struct lab_node *node;
	char *name;         /* eth0, eth1, ... unless named */
	char *sw;
	int port;           /* 0 = next free port */
	int vlan;           /* untagged VLAN (default 0) */
	GArray *trunk;      /* int tagged VIDs */
	GPtrArray *ips;     /* "10.0.0.1/24", "2001:db8::1/64" */
	char *gw;
	char *mac;
	int mtu;
	char *imp_in, *imp_out; /* as seen from the node: in = towards the node */
	int line;
};

struct lab_route {
	char *to, *via;
	int line;
};

struct lab_file {
	char *path, *content;
	int line;
};

struct lab_node {
	char *name;
	char *kind;         /* "netns" or "vm" */
	int memory_mib;     /* vm: guest RAM (default 96) */
	char *kernel, *initrd; /* vm: another kernel/initrd than the default guest (absolute paths) */
	char *image;        /* vm: base disk image (qcow2 or raw); the VM writes to a per-node overlay */
	bool forward;
	/* kind="netns": isolation="sandbox" (the default: sandbox.h) or "none"
	 * (a bare network namespace with the host's files and real root) */
	bool sandbox;
	int pids;           /* sandbox: cgroup pids.max (default LAB_PIDS_DEFAULT) */
	int mem_limit_mib;  /* sandbox: memory limit, MiB (memory=, default LAB_MEM_DEFAULT) */
	GPtrArray *ifs, *routes, *files;
	char *site;         /* NULL when the lab has no sites */
	int line;
};

#define LAB_PIDS_DEFAULT 1024
#define LAB_MEM_DEFAULT 512

struct lab_cable {
	char *name;         /* name= or "A-B"; a second cable between A and B is "A-B.2", ... */
	char *a, *b;        /* switch names */
	GArray *trunk;      /* VIDs carried tagged; empty = VLAN 0 untagged */
	char *imp_ab, *imp_ba;
	int udp_port;       /* across sites: end a binds this UDP port, end b the next */
	int cost;           /* spanning-tree path cost of both ends, 0 = default */
	int line;
};

/* A tunnel segment (VXLAN, Geneve, GRE-TAP or NVGRE): VTEPs on switches,
 * each living in a node's namespace and using that node's first address as
 * its underlay address. */
struct lab_vtep {
	char *sw, *node;
	int line;
};

/* What labctl knows of each encapsulation: its URL scheme, the name of its
 * segment id (the URL option and lab attribute), the id's range, its UDP
 * port (0: raw IP) and the name people write it with. */
struct lab_tunnel_type {
	const char *type;   /* "geneve": URL scheme and type= value */
	const char *id_key; /* "vni", "key", "vsid" */
	gint64 id_max;
	bool id_optional;   /* gretap: no key at all */
	int udp_port;       /* 4789, 6081; 0 for GRE */
	const char *title;  /* "Geneve" */
};
/* The entry of `type`, or NULL if there is none. */
const struct lab_tunnel_type *lab_tunnel_type(const char *type);
/* "vxlan, geneve, gretap, nvgre" */
const char *lab_tunnel_types(void);

struct lab_tunnel {
	const struct lab_tunnel_type *tt; /* NULL: unknown type (an error at load) */
	char *type;
	gint64 id;          /* VNI, key or VSID; -1 when map is set or none is given */
	char *map;          /* "VLAN:ID,..." (trunk VTEPs) or NULL */
	int udp_port;       /* the type's port unless port= */
	GPtrArray *vteps;
	int line;
};

/* A way out: a user-mode NAT router (slirp://, libslirp) on a switch, with
 * a DHCP server and host port forwards. It acts on the host (nodes reach the
 * host's services through it), so `labctl up` needs --allow-nat for it. */
struct lab_forward {
	char *proto;        /* "tcp" or "udp" */
	int host_port;      /* on the host's 127.0.0.1, 1024..65535 */
	char *to;           /* "ADDR:PORT" inside the NAT's network */
	int line;
};

struct lab_nat {
	char *name, *sw;
	int vlan;           /* 0: the switch's default */
	char *net;          /* "10.0.2.0/24" */
	bool dns;           /* a DNS forwarder (default no: nothing leaves the host) */
	bool restrict_;     /* restrict="yes": only the forwards, no connections out */
	GPtrArray *forwards;
	int line;
};

struct lab_exec {
	char *node, *cmd;
	int line;
};

struct lab_check {
	char *node, *name;  /* node: NULL for a switch check */
	char *sw, *show;    /* switch check: a read-only console command of switch `sw` */
	int lines;          /* show: how many output lines must match expect, -1 = any */
	char *ping, *run;   /* node check: exactly one of ping, run, tcp, http, dns, rtt, path, seen */
	char *tcp;          /* "HOST:PORT": a TCP connection opens */
	char *http;         /* "http://...": the page is fetched (expect= on its body) */
	char *dns;          /* a name the node resolves (expect= on its addresses) */
	char *rtt;          /* NODE|ADDRESS: the minimum of 3 pings within min_ms..max_ms */
	char *path_src, *path_dst, *via; /* path="SRC DST" via=: the traced path passes through via */
	char *seen, *filter; /* seen="LINK" filter="BPF": a matching frame crosses LINK in the timeout */
	double rtt_min_ms, rtt_max_ms; /* 0 = no bound */
	int points;         /* weight of the check in the score (default 1) */
	char *expect;       /* regex for run; "fail" for ping means must not answer, "none" for seen no frame */
	int exit_code;      /* run: expected status (default 0) */
	double timeout_s;   /* default 5 s */
	int line;
};

struct lab {
	char *path, *name, *description;
	char *key;          /* absolute path of the cable PSK file, or NULL */
	int line;           /* of <lab> */
	GPtrArray *sites, *switches, *nodes, *cables, *tunnels, *nats, *execs, *checks;
	GPtrArray *warnings; /* "FILE:LINE: warning: ..." for a valid lab that will misbehave */
};

/* Default UDP port of the first cross-site cable (end a; end b uses +1,
 * the next cable +2, ...). */
#define LAB_CABLE_PORT_BASE 4800

/* Load and validate `path`. Returns the lab, or NULL with one or more
 * "FILE:LINE: message" strings appended to `errors`. A lab is returned only
 * when it has no error at all. */
struct lab *lab_load(const char *path, GPtrArray *errors);
/* The cable named `name` (its name, or "B-A" for the default "A-B"). */
const struct lab_cable *lab_find_cable(const struct lab *lab, const char *name);
/* Is `name` a lab (or node, switch) name as the schema allows: a letter,
 * then up to 14 letters, digits, '_' or '-'? Command-line names are held to
 * the same rule, so none can walk out of the run root ("../x", "/"). */
bool lab_name_ok(const char *name);
#define LAB_NAME_RULE "a letter, then up to 14 letters, digits, _ or -"
/* A file named in a lab (key=, kernel=, initrd=, image=): absolute, or
 * relative to the directory of the lab file `labpath` (itself absolute or
 * relative to the working directory). A new string. */
char *lab_resolve_path(const char *labpath, const char *attr);
/* Is `path` made only of letters, digits and / . _ - + , @ ~ :? Paths go
 * into switch console lines and endpoint URLs, where a space, a control
 * character, '&', '?' or '#' would start another command or option. */
bool lab_path_ok(const char *path);
/* Is `uri` a libvirt connection a lab may ask for: qemu:///system,
 * qemu:///session, qemu+ssh://[USER@]HOST[:PORT]/system|session or
 * qemu+tls://HOST[:PORT]/system|session, with no query parameters but
 * keyfile=, known_hosts= and sshauth=? (ext://, unix sockets, command=,
 * socket=, netcat= and no_verify= would run programs or skip checks as
 * root.) On refusal *why says what is wrong. */
bool lab_libvirt_uri_ok(const char *uri, const char **why);
void lab_free(struct lab *lab);

struct lab_switch *lab_find_switch(const struct lab *lab, const char *name);
/* May a lab's check run this console command (show=)? Only commands that
 * change nothing and touch no file: stp/print, port/print, vlan/print,
 * hash/print, stats/... with numeric arguments at most. */
bool lab_show_ok(const char *cmd);
struct lab_node *lab_find_node(const struct lab *lab, const char *name);
struct lab_site *lab_find_site(const struct lab *lab, const char *name);
/* First address of a node, without prefix ("10.0.0.1"), or NULL. */
char *lab_node_address(const struct lab_node *n);

/* Parse "5s", "500ms", "2" (seconds). Returns false on garbage. */
bool lab_parse_duration(const char *s, double *seconds);

#endif
