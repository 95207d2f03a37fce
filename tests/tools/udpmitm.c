/* udpmitm - a UDP relay that misbehaves on purpose, for cable tests.
 *
 *   udpmitm BIND_ADDR:PORT X_ADDR:PORT Y_ADDR:PORT MODEFILE
 *
 * Datagrams from Y go to X unchanged. Datagrams from anyone else go to Y,
 * treated as MODEFILE says (read for every datagram):
 *   pass      as they are
 *   replay    twice (the second copy is a replay)
 *   flip      with byte 30 inverted (inside the ciphertext)
 *   truncate  cut to 30 bytes
 *   version   with byte 1 (the version) set to 2
 *   drop      not at all
 * Prints nothing; exits on SIGTERM.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *c = strrchr(s, ':');
	if (!c || (size_t)(c - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(c - s));
	host[c - s] = '\0';
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(c + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in me, x, y, from;
	static unsigned char buf[65536];
	if (argc != 5 || parse(argv[1], &me) || parse(argv[2], &x) || parse(argv[3], &y)) {
		fprintf(stderr, "usage: udpmitm BIND:PORT X:PORT Y:PORT MODEFILE\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("udpmitm: bind");
		return 1;
	}
	for (;;) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		if (from.sin_addr.s_addr == y.sin_addr.s_addr && from.sin_port == y.sin_port) {
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&x, sizeof(x));
			continue;
		}
		char mode[32] = "pass";
		FILE *f = fopen(argv[4], "r");
		if (f) {
			if (fscanf(f, "%31s", mode) != 1)
				strcpy(mode, "pass");
			fclose(f);
		}
		int copies = 1;
		if (!strcmp(mode, "replay"))
			copies = 2;
		else if (!strcmp(mode, "flip") && n > 30)
			buf[30] ^= 0xff;
		else if (!strcmp(mode, "truncate") && n > 30)
			n = 30;
		else if (!strcmp(mode, "version") && n > 1)
			buf[1] = 2;
		else if (!strcmp(mode, "drop"))
			copies = 0;
		for (int i = 0; i < copies; i++)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&y, sizeof(y));
	}
}
