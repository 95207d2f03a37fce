/* daemon.h - the start-up steps every vdelab daemon shares. */
#ifndef VDE_CORE_DAEMON_H
#define VDE_CORE_DAEMON_H

#include "loop.h"

/* Detach (daemon(3), keeping the working directory), log to syslog from
 * then on, and remake the loop's signalfd for the child. 0 or errno. */
int daemon_start(struct loop *l);

/* Write the current pid to `path` (pidfile of -p/--pidfile). 0 or errno. */
int pidfile_write(const char *path);

#endif
