#include "vdeproto.h"
#include "limits.h"
#include "wire.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int vdeproto_parse_request(const void *buf, size_t len, struct vde_request *out)
{
	struct vde_request_v3 req;

	if (len < VDE_REQ_FIXED_LEN)
		return EBADMSG;
	if (len > sizeof(req))
		len = sizeof(req); /* vde_switch reads 256 and takes what fits: so do we */
	memset(&req, 0, sizeof(req));
	memcpy(&req, buf, len);
	if (req.magic != VDE_SWITCH_MAGIC)
		return EPROTO;
	if (req.version != VDE_REQ_VERSION)
		return EPROTONOSUPPORT;
	if (req.sock.sun_family != AF_UNIX)
		return EINVAL;
	size_t plen = strnlen(req.sock.sun_path, sizeof(req.sock.sun_path));
	if (plen == 0 || plen == sizeof(req.sock.sun_path))
		return EINVAL;

	memset(out, 0, sizeof(*out));
	out->type = req.type;
	uint32_t kind = req.type & 0xff;
	uint32_t num = req.type >> 8;
	if (kind == VDE_REQ_NEW_PORT0)
		out->port = 0;
	else if (kind == VDE_REQ_NEW_CONTROL)
		out->port = num == 0 ? VDE_PORT_AUTO : (int)num;
	else
		return EINVAL;
	if (num > 0xffff)
		return EINVAL;
	out->sock = req.sock;
	size_t dlen = len - VDE_REQ_FIXED_LEN;
	memcpy(out->descr, req.description, dlen);
	out->descr[dlen] = '\0';
	/* keep the description printable: it ends up in console listings */
	for (size_t i = 0; i < dlen; i++)
		if ((unsigned char)out->descr[i] < 0x20 || (unsigned char)out->descr[i] == 0x7f)
			out->descr[i] = out->descr[i] ? '?' : '\0';
	return 0;
}

size_t vdeproto_build_request(void *buf, int port, const char *path, const char *descr)
{
	struct vde_request_v3 req;
	size_t plen = strlen(path);

	if (plen == 0 || plen >= sizeof(req.sock.sun_path))
		return 0;
	memset(&req, 0, sizeof(req));
	req.magic = VDE_SWITCH_MAGIC;
	req.version = VDE_REQ_VERSION;
	if (port == 0)
		req.type = VDE_REQ_NEW_PORT0;
	else if (port > 0)
		req.type = (uint32_t)port << 8;
	else
		req.type = VDE_REQ_NEW_CONTROL;
	req.sock.sun_family = AF_UNIX;
	memcpy(req.sock.sun_path, path, plen);
	size_t dlen = descr ? strnlen(descr, VDE_DESCR_MAX) : 0;
	if (dlen)
		memcpy(req.description, descr, dlen);
	memcpy(buf, &req, sizeof(req));
	return VDE_REQ_FIXED_LEN + dlen;
}
