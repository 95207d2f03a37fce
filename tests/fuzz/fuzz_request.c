/* libFuzzer target: the VDE request_v3 parser (what DIR/ctl reads). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../vde/core/vdeproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vde_request r;
	if (vdeproto_parse_request(data, size, &r) == 0) {
		/* what the switch relies on after a successful parse */
		if (strnlen(r.sock.sun_path, sizeof(r.sock.sun_path)) == sizeof(r.sock.sun_path))
			__builtin_trap();
		if (strlen(r.descr) > 128)
			__builtin_trap();
	}
	return 0;
}
