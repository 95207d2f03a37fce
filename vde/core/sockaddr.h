/* sockaddr.h - "HOST:PORT" and "[V6]:PORT" parsing for UDP-based endpoints. */
#ifndef VDE_CORE_SOCKADDR_H
#define VDE_CORE_SOCKADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Parse "HOST:PORT", "[IPV6]:PORT" or, if allow_port_only, "PORT" (then the
 * address is the wildcard of `family`, or IPv4 when family is AF_UNSPEC).
 * HOST must be a numeric address. Returns 0, or EINVAL with a reason in err. */
int sockaddr_parse(const char *s, int allow_port_only, int family,
		   struct sockaddr_storage *out, socklen_t *outlen, char *err, size_t errlen);

/* Parse a numeric address without a port, for raw-IP protocols: "HOST",
 * "IPV6" or "[IPV6]"; the port in *out is 0. Returns 0, or EINVAL with a
 * reason in err. */
int sockaddr_parse_host(const char *s, struct sockaddr_storage *out, socklen_t *outlen, char *err, size_t errlen);

#endif
