#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int netns_enter(const char *ns, char *err, size_t errlen)
{
	char path[256];
	int rc;
	snprintf(path, sizeof(path), "%s%s", strchr(ns, '/') ? "" : "/run/netns/", ns);
	int target = open(path, O_RDONLY | O_CLOEXEC);
	if (target < 0) {
		rc = errno;
		snprintf(err, errlen, "network namespace %s: %s", path, strerror(rc));
		return -rc;
	}
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		rc = errno;
		snprintf(err, errlen, "/proc/self/ns/net: %s", strerror(rc));
		close(target);
		return -rc;
	}
	if (setns(target, CLONE_NEWNET) < 0) {
		rc = errno;
		snprintf(err, errlen, "entering namespace %s: %s", path, strerror(rc));
		close(target);
		close(self);
		return -rc;
	}
	close(target);
	return self;
}

void netns_leave(int self)
{
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
}
