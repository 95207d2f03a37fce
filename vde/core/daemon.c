#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int daemon_start(struct loop *l)
{
	if (daemon(1, 0) < 0)
		return errno;
	log_to_syslog();
	return loop_after_fork(l);
}

int pidfile_write(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return errno;
	if (fprintf(f, "%d\n", getpid()) < 0) {
		int rc = errno;
		fclose(f);
		return rc ? rc : EIO;
	}
	return fclose(f) ? errno : 0;
}
