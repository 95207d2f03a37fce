/* libFuzzer target: the endpoint URL grammar (ep_url_parse) and the
 * parsers behind it that open nothing: socket addresses of LOCAL/REMOTE and
 * a VXLAN map= option. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "../../vde/core/ep.h"
#include "../../vde/core/sockaddr.h"
#include "../../vde/core/overlay.h"
#include "../../vde/core/vxlan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ep_url u;
	char s[EP_URL_MAX + 64], err[400];
	if (size > EP_URL_MAX + 32)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ep_url_parse(s, &u, err, sizeof(err)))
		return 0;
	if (!u.cls || !u.path || !u.local || u.nopts > EP_URL_MAX_OPTS)
		__builtin_trap();
	struct sockaddr_storage ss;
	socklen_t len;
	sockaddr_parse(u.local, 1, AF_UNSPEC, &ss, &len, err, sizeof(err));
	if (u.remote)
		sockaddr_parse(u.remote, 0, AF_UNSPEC, &ss, &len, err, sizeof(err));
	const char *map = ep_url_get(&u, "map");
	struct overlay_map m;
	if (map)
		overlay_map_parse(map, VXLAN_VNI_MAX, &m, err, sizeof(err));
	return 0;
}
