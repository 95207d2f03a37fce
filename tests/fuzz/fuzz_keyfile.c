/* libFuzzer target: cable key files (cc_key_load) with arbitrary contents,
 * as a secret (mode 0600) and as a public key. */
#include <fcntl.h>
#include <sys/stat.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../vde/core/cablecrypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/vdelab-fuzz-key.%d", (int)getpid());
		cc_global_init();
	}
	if (size > 4096)
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	fchmod(fd, 0600);
	close(fd);
	uint8_t key[CC_KEY_LEN];
	char err[300];
	cc_key_load(path, 1, key, err, sizeof(err));
	cc_key_load(path, 0, key, err, sizeof(err));
	unlink(path);
	return 0;
}
