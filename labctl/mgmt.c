#include "mgmt.h"

#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { MGMT_TIMEOUT_MS = 5000 };

void mgmt_conn_init(struct mgmt_conn *c, const char *path)
{
	c->path = g_strdup(path);
	c->fd = -1;
}

void mgmt_conn_close(struct mgmt_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	g_free(c->path);
	c->path = NULL;
}

/* Read until the buffer ends with the prompt ("vde$ ", "VDEwf$ "). */
static bool read_prompt(int fd, GString *buf)
{
	char chunk[8192];
	for (;;) {
		if (buf->len >= 2 && !strcmp(buf->str + buf->len - 2, "$ "))
			return true;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, MGMT_TIMEOUT_MS) <= 0)
			return false;
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r <= 0)
			return false;
		g_string_append_len(buf, chunk, r);
	}
}

bool mgmt_reply_ok(const char *reply)
{
	const char *last = NULL;
	for (const char *l = reply; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (l[0] == '1' && g_ascii_isdigit(l[1]) && g_ascii_isdigit(l[2]) && g_ascii_isdigit(l[3]) && l[4] == ' ')
			last = l;
	return last && g_str_has_prefix(last, "1000 Success");
}

char *mgmt_reason(const char *reply)
{
	g_auto(GStrv) rl = g_strsplit(reply ? reply : "", "\n", -1);
	for (int k = 0; rl[k]; k++)
		if (*rl[k] && !g_str_has_prefix(rl[k], "0000") && strcmp(rl[k], "."))
			return g_strdup(g_strstrip(rl[k]));
	return g_strdup("refused");
}

int mgmt_conn_cmd(struct mgmt_conn *c, const char *cmd, char **reply)
{
	if (reply)
		*reply = NULL;
	for (const char *p = cmd; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) { /* one line, one command: never a second */
			if (reply)
				*reply = g_strdup_printf("1022 refused: a control character in \"%s\"", cmd);
			return 1;
		}
	GString *buf = g_string_new(NULL);
	if (c->fd < 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		g_strlcpy(sa.sun_path, c->path, sizeof(sa.sun_path));
		c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || !read_prompt(c->fd, buf)) {
			if (reply)
				*reply = g_strdup_printf("%s: %s", c->path, errno ? g_strerror(errno) : "no answer");
			if (c->fd >= 0)
				close(c->fd);
			c->fd = -1;
			g_string_free(buf, TRUE);
			return -1;
		}
		g_string_truncate(buf, 0);
	}
	g_autofree char *line = g_strdup_printf("%s\n", cmd);
	if (write(c->fd, line, strlen(line)) != (ssize_t)strlen(line) || !read_prompt(c->fd, buf)) {
		close(c->fd);
		c->fd = -1;
		if (reply)
			*reply = g_string_free(buf, FALSE);
		else
			g_string_free(buf, TRUE);
		return -1;
	}
	int rc = mgmt_reply_ok(buf->str) ? 0 : 1;
	if (reply)
		*reply = g_string_free(buf, FALSE);
	else
		g_string_free(buf, TRUE);
	return rc;
}

int mgmt(const char *sock, const char *cmd, char **reply)
{
	struct mgmt_conn c;
	mgmt_conn_init(&c, sock);
	int rc = mgmt_conn_cmd(&c, cmd, reply);
	mgmt_conn_close(&c);
	return rc;
}
