#include "sockaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *p, unsigned *port)
{
	char *e;
	if (*p < '0' || *p > '9')
		return EINVAL;
	unsigned long v = strtoul(p, &e, 10);
	if (*e || v == 0 || v > 65535)
		return EINVAL;
	*port = (unsigned)v;
	return 0;
}

int sockaddr_parse(const char *s, int allow_port_only, int family,
		   struct sockaddr_storage *out, socklen_t *outlen, char *err, size_t errlen)
{
	char host[64];
	const char *portstr;
	unsigned port;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host)) {
			snprintf(err, errlen, "\"%s\": expected [IPV6]:PORT", s);
			return EINVAL;
		}
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		portstr = end + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon) {
			if (!allow_port_only) {
				snprintf(err, errlen, "\"%s\": expected HOST:PORT", s);
				return EINVAL;
			}
			if (parse_port(s, &port)) {
				snprintf(err, errlen, "\"%s\": port must be 1..65535", s);
				return EINVAL;
			}
			if (family == AF_INET6) {
				struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
				a->sin6_family = AF_INET6;
				a->sin6_addr = in6addr_any;
				a->sin6_port = htons((uint16_t)port);
				*outlen = sizeof(*a);
			} else {
				struct sockaddr_in *a = (struct sockaddr_in *)out;
				a->sin_family = AF_INET;
				a->sin_addr.s_addr = htonl(INADDR_ANY);
				a->sin_port = htons((uint16_t)port);
				*outlen = sizeof(*a);
			}
			return 0;
		}
		if ((size_t)(colon - s) >= sizeof(host) || colon == s) {
			snprintf(err, errlen, "\"%s\": bad host", s);
			return EINVAL;
		}
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		portstr = colon + 1;
	}
	if (parse_port(portstr, &port)) {
		snprintf(err, errlen, "\"%s\": port \"%s\" must be 1..65535", s, portstr);
		return EINVAL;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*outlen = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*outlen = sizeof(*a6);
	} else {
		snprintf(err, errlen, "\"%s\": \"%s\" is not a numeric IPv4 or IPv6 address", s, host);
		return EINVAL;
	}
	return 0;
}

int sockaddr_parse_host(const char *s, struct sockaddr_storage *out, socklen_t *outlen, char *err, size_t errlen)
{
	char host[64];
	size_t n = strlen(s);
	memset(out, 0, sizeof(*out));
	if (s[0] == '[' && n > 2 && s[n - 1] == ']')
		s++, n -= 2;
	if (n >= sizeof(host)) {
		snprintf(err, errlen, "\"%s\": not a numeric IP address", s);
		return EINVAL;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	struct sockaddr_in *a4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		*outlen = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		*outlen = sizeof(*a6);
	} else {
		snprintf(err, errlen, "\"%s\": not a numeric IP address", host);
		return EINVAL;
	}
	return 0;
}
