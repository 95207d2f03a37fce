/* daemon.h - the start-up steps every vdelab daemon shares. */
#ifndef VDE_CORE_DAEMON_H
#define VDE_CORE_DAEMON_H

#include "loop.h"

/* Detach as daemon(3) does (fork, setsid, the standard fds to /dev/null,
 * the working directory kept), but the parent exits only once the child has
 * written `pidfile` (if not NULL): whoever started us can read the pid file
 * as soon as we return to it, so a rollback right after a start never misses
 * the daemon. The child then logs to syslog and remakes the loop's
 * signalfd. Returns 0 in the child, or errno (fork, pidfile). */
int daemon_start(struct loop *l, const char *pidfile);

/* Write the current pid to `path` (pidfile of -p/--pidfile). 0 or errno. */
int pidfile_write(const char *path);

#endif
