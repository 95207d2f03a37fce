/* netns.h - run a few calls inside another network namespace.
 *
 * Sockets and taps keep the namespace they were created in, so an endpoint
 * opened between netns_enter() and netns_leave() lives in that namespace
 * while the process stays in its own (the trick `ip netns exec` does for a
 * whole process, done for one fd; see setns(2)).
 */
#ifndef VDE_CORE_NETNS_H
#define VDE_CORE_NETNS_H

#include <stddef.h>

/* Switch this thread to namespace `ns`: a name under /run/netns (as made by
 * `ip netns add`) or an absolute path such as /proc/PID/ns/net. Returns an fd
 * for netns_leave(), or -errno (ENOENT: no such namespace; EPERM: needs
 * CAP_SYS_ADMIN) with a one-line reason in err. */
int netns_enter(const char *ns, char *err, size_t errlen);

/* Go back to the namespace saved by netns_enter() and close the fd. Aborts
 * if that fails: nothing the process does afterwards would be sane. */
void netns_leave(int self);

#endif
