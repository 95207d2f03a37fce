/* sandbox.h - a namespace node as a small machine (isolation="sandbox").
 *
 * A sandboxed node is a process tree whose PID 1 is a tiny init, in its own
 * user, mount, UTS, IPC, PID and network namespaces:
 *
 *   - user: node uid/gid 0..SANDBOX_IDS-1 are host ids BASE.. (one range per
 *     lab, sandbox_alloc_base); node root has every capability over the
 *     node's namespaces and none over the host's (user_namespaces(7));
 *   - mount: its root is an overlayfs whose lower layer is the host's root
 *     file system, read-only and id-mapped (mount_setattr(2)
 *     MOUNT_ATTR_IDMAP, so host root's files are node root's), and whose
 *     upper layer is DIR/upper (the node's own changes, on the host under
 *     the lab's run directory); /run and /tmp are private tmpfs, /proc and
 *     /sys belong to the node's namespaces, /dev holds only null, zero,
 *     full, random, urandom, tty, net/tun and a private devpts;
 *   - UTS: hostname = node name; PID: init reaps orphans and, on SIGTERM,
 *     ends every process of the node (when PID 1 exits the kernel kills the
 *     rest: pid_namespaces(7));
 *   - cgroup v1 `pids` and `memory` limits (a directory per node under
 *     vdelab/LAB/NODE), joined before the first process of the node runs.
 *
 * The network namespace is bound at /run/netns/NS as `ip netns add` would,
 * so the switch's tap://?netns= and `ip -n NS` configure it from the host.
 * DIR/init.pid holds init's host pid; every user of it checks that the pid's
 * network namespace is still /run/netns/NS (a reused pid never matches).
 */
#ifndef LABCTL_SANDBOX_H
#define LABCTL_SANDBOX_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#define SANDBOX_IDS 65536u /* uids (and gids) per lab */

struct sandbox {
	const char *ns;       /* network namespace name (/run/netns/NS) */
	const char *dir;      /* the node's run directory: upper/, work/, init.pid */
	const char *hostname; /* the node's name */
	const char *cgroup;   /* "vdelab/LAB/NODE" */
	uid_t base;           /* host uid (= gid) of node root */
	long pids_max;        /* cgroup pids.max, 0 = no limit */
	long long mem_max;    /* cgroup memory.limit_in_bytes, 0 = no limit */
};

/* A host id range for a new lab: the lowest BASE = SANDBOX_FIRST + k *
 * SANDBOX_IDS (k >= 0) that no lab under `run_root` records (their state's
 * `uids` line); the caller records it before the first node exists and
 * holds *lock_fd (an flock on RUN_ROOT/.uids.lock) until then. Returns 0 and
 * sets errno if the lock cannot be taken. */
uid_t sandbox_alloc_base(const char *run_root, int *lock_fd);

/* Build the lab's template layer in `dir` (once per lab, before its first
 * node): the directories of /etc and /var and the files of /etc, owned by
 * the node ids of their host owners (host uid U -> BASE+U); files and
 * directories of /etc only host root may read are left out. /root,
 * /var/log and /home are empty and opaque (the host's are not seen).
 * False with the reason in *e. */
bool sandbox_template(const char *dir, uid_t base, GError **e);

/* Start the node: namespaces, id map, root file system, cgroup, init.
 * Returns init's host pid (also written to DIR/init.pid), or -1 with the
 * reason in *e (EPERM: not root; ENOSYS: the kernel lacks idmapped mounts
 * or overlayfs on them). The node's files (DIR/upper/...) are written by
 * the caller before or after; they are owned by node ids. */
pid_t sandbox_start(const struct sandbox *sb, GError **e);

/* init's pid if the node in `dir` is running with network namespace `ns`,
 * else 0. */
pid_t sandbox_pid(const char *dir, const char *ns);

/* Run argv inside the running node (fork; the child joins the node's
 * cgroup and namespaces, becomes node root, works in /root with NODE and LAB
 * set, and execs argv). Returns the exit status (128+N for signal N), or -1
 * with errno (ESRCH: the node is not running). */
int sandbox_run(const char *dir, const char *ns, const char *cgroup, const char *lab,
		const char *node, char **argv);

/* End nodes: SIGTERM to each one's init (which ends every process of its
 * node), SIGKILL to those still there after 1 s; then their cgroups are
 * removed. All nodes at once; arrays of n. Idempotent. */
void sandbox_stop(guint n, const char *const *dirs, const char *const *nss, const char *const *cgroups);

#endif
