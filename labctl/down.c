/* down.c - labctl down. */
#include "cmds.h"
#include "mgmt.h"
#include "state.h"
#include "util.h"
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int run_down(int argc, char **argv)
{
	if (!begin(&argc, &argv, "down", "LAB|FILE - remove everything a lab created on this host",
		   "Stops the lab's switches and cables (by the pid files it recorded, checking that\n"
		   "each pid is still one of them), ends the processes inside its namespaces, deletes\n"
		   "the namespaces and the run directory. Idempotent; works after kill -9 of labctl\n"
		   "or of any daemon; never touches what the lab did not create.",
		   NULL, 1, "lab"))
		return 2;
	g_autofree char *name = lab_name_of(argv[1]);
	if (!name)
		return 1;
	g_autofree char *dir = lab_dir(name);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		printf("lab %s is not up\n", name);
		return 0;
	}
	printf("lab %s: down\n", name);
	lab_teardown(dir, true);
	printf("lab %s is down\n", name);
	return 0;
}

