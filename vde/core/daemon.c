#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int daemon_start(struct loop *l, const char *pidfile)
{
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return errno;
	pid_t pid = fork();
	if (pid < 0) {
		int rc = errno;
		close(ready[0]);
		close(ready[1]);
		return rc;
	}
	if (pid > 0) { /* the parent returns to its caller only once the child is ready */
		char st = 1;
		close(ready[1]);
		ssize_t r = read(ready[0], &st, 1);
		_exit(r == 1 && st == 0 ? 0 : 1);
	}
	close(ready[0]);
	setsid();
	int rc = pidfile ? pidfile_write(pidfile) : 0;
	if (rc) {
		char st = 1;
		if (write(ready[1], &st, 1) < 0) { /* the parent exits 1 either way */ }
		close(ready[1]);
		return rc;
	}
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		dup2(nul, STDERR_FILENO);
		if (nul > STDERR_FILENO)
			close(nul);
	}
	char ok = 0;
	if (write(ready[1], &ok, 1) < 0) { /* the parent then exits 1; we go on */ }
	close(ready[1]);
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
