/* state.h - what a running lab made on this host: one typed record, one
 * loader, typed writers.
 *
 * `labctl up` adds each object to the state *before* creating it, and every
 * addition rewrites RUN_DIR/state atomically (a temporary file, fsync,
 * rename), so a kill -9 at any point leaves a whole state file naming
 * everything that may exist; `down` removes what it names (what was never
 * created is skipped). Readers (down, status, console, top, trace, link,
 * capture, check) use state_load() and the typed arrays only.
 *
 * The file is text, one record per line, fields separated by one space:
 *
 *   site NAME                          the site this host runs (up --site)
 *   netns NAME                         a node's network namespace
 *   uids BASE                          the lab's host id range of sandboxed
 *                                      nodes (BASE .. BASE+65535)
 *   fs PATH                            the lab's tmpfs of sandbox layers
 *   sandbox NODE NS                    a sandboxed node (its init, cgroups,
 *                                      layers in fs/nodes/NODE)
 *   daemon switch|plug NAME PIDFILE    a vdelab-switch / vdelab-plug (NAME:
 *                                      the switch, or the cable)
 *   link NODE:IF SWITCH PORT           a node interface on a switch port
 *   cable NAME SWA PORTA|- SWB PORTB|-  a cable between two switches ("-":
 *                                      that end is on another site)
 *   tunnel TYPE SWITCH PORT NODE       a tunnel port (vxlan, geneve, gretap,
 *                                      nvgre) in NODE; or slirp: a <nat>
 *                                      port, NODE being the nat's name
 *   domain NAME URI                    a libvirt domain (VM node)
 *   vmserial NODE PATH                 a VM's serial console socket
 *
 * Names and paths never contain spaces (lab_name_ok, lab_path_ok and the
 * run directory's own names), so splitting on spaces is exact. An unknown
 * or malformed line is skipped by the loader (and counted in `bad`).
 */
#ifndef LABCTL_STATE_H
#define LABCTL_STATE_H

#include <glib.h>
#include <stdbool.h>

struct st_daemon { char *kind, *name, *pidfile; };
struct st_link { char *node, *ifname, *sw; int port; };
struct st_cable { char *name, *sw[2]; int port[2]; }; /* port -1: not on this host */
struct st_tunnel { char *type, *sw, *node; int port; };
struct st_domain { char *name, *uri; };
struct st_vmserial { char *node, *path; };
struct st_sandbox { char *node, *ns; };

struct state {
	char *path;          /* RUN_DIR/state */
	char *site;          /* NULL: every site */
	GPtrArray *netns;    /* char *, in creation order */
	GArray *daemons, *links, *cables, *tunnels, *domains, *vmserials, *sandboxes; /* of st_* */
	unsigned long uids;  /* BASE of the uids record, 0 if none */
	char *fs;            /* the fs record, NULL if none */
	unsigned records;    /* lines written or read */
	unsigned bad;        /* lines the loader skipped */
};

/* An empty state to be written at RUN_DIR/state (nothing written yet). */
struct state *state_new(const char *dir);
/* The state of the lab in `dir`, or NULL if there is none (not up). */
struct state *state_load(const char *dir);
void state_free(struct state *st);
typedef struct state LabState; /* for g_autoptr(LabState) */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LabState, state_free)

/* Typed writers: add the record, then rewrite the file atomically (mode
 * 0600). Return false with errno set if the file could not be written.
 * For tests, VDELAB_TEST_KILL_AFTER=N makes the process kill itself with
 * SIGKILL right after the Nth record is on disk (a kill -9 at that point). */
bool state_add_site(struct state *st, const char *site);
bool state_add_netns(struct state *st, const char *ns);
bool state_add_daemon(struct state *st, const char *kind, const char *name, const char *pidfile);
bool state_add_link(struct state *st, const char *node, const char *ifname, const char *sw, int port);
bool state_add_cable(struct state *st, const char *name, const char *swa, int pa, const char *swb, int pb);
bool state_add_tunnel(struct state *st, const char *type, const char *sw, int port, const char *node);
bool state_add_domain(struct state *st, const char *name, const char *uri);
bool state_add_vmserial(struct state *st, const char *node, const char *path);
bool state_add_uids(struct state *st, unsigned long base);
bool state_add_fs(struct state *st, const char *path);
bool state_add_sandbox(struct state *st, const char *node, const char *ns);

/* Is `target` this cable: its name, or "B-A" for a cable named "A-B"? */
bool state_cable_is(const struct st_cable *c, const char *target, bool *reversed);

/* Lookups. */
const struct st_daemon *state_switch(const struct state *st, const char *sw);
bool state_has_netns(const struct state *st, const char *ns);
const char *state_vmserial(const struct state *st, const char *node);
const struct st_domain *state_domain(const struct state *st, const char *name);
/* The sandboxed node whose network namespace is `ns`, NULL if none. */
const struct st_sandbox *state_sandbox(const struct state *st, const char *ns);

/* The switch port a capture target means: NODE:IF or NODE (its first
 * interface's port), SWITCH:PORT, or a cable SW1-SW2 (its end on SW1, or on
 * SW2 when SW1 is on another site). False with *err saying so if the lab
 * has no such port. *sw is a new string. */
bool state_target_port(const struct state *st, const char *target, char **sw, int *port, GString *err);

/* The management socket of switch `sw` (its pid file with .pid -> .mgmt):
 * the one place that name is derived. A new string, NULL if no such switch. */
char *state_switch_mgmt(const struct state *st, const char *sw);

#endif
