/* vdeproto.h - the VDE2 switch control protocol (request_v3).
 *
 * A client connects a SOCK_STREAM socket to DIR/ctl and sends one
 * struct vde_request_v3 (wire.h) in one send(); the switch answers with the
 * 110-byte sockaddr_un of the data socket it bound for that port, or closes
 * the connection to refuse. (vdeplug4 libvdeplug_vde.c; vde-2 datasock.c.)
 * Legacy version-1 requests are not accepted.
 */
#ifndef VDE_CORE_VDEPROTO_H
#define VDE_CORE_VDEPROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#define VDE_PORT_AUTO (-1)

struct vde_request {
	uint32_t type;           /* raw type field */
	int port;                /* VDE_PORT_AUTO, 0 (REQ_NEW_PORT0) or the requested port */
	struct sockaddr_un sock; /* client's data socket; sun_path NUL-terminated */
	char descr[129];         /* description, NUL-terminated, at most 128 bytes */
};

/* Parse a request of `len` bytes as read by one read(256). A description
 * past 128 bytes (a request over 250) is cut to 128, as vde_switch takes
 * what its one read(256) got.
 * Returns 0 and fills `out`, or:
 *   EBADMSG          shorter than the fixed part (122 bytes);
 *   EPROTO           magic is not 0xfeedface;
 *   EPROTONOSUPPORT  version is not 3;
 *   EINVAL           family is not AF_UNIX, empty or unterminated path,
 *                    or a port number outside 0..65535. */
int vdeproto_parse_request(const void *buf, size_t len, struct vde_request *out);

/* Build a request_v3 into buf (at least sizeof(struct vde_request_v3)).
 * port: VDE_PORT_AUTO, 0 for port 0, or N > 0. descr is truncated to 128
 * bytes. Returns the number of bytes to send (122 + strlen(descr)), or 0 if
 * `path` does not fit in sun_path. */
size_t vdeproto_build_request(void *buf, int port, const char *path, const char *descr);

#endif
