#include "console.h"
#include "limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

void sb_append(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns)
			return; /* out of memory: output is truncated, state is intact */
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		sb_append(b, tmp, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_append(b, big, (size_t)n);
	free(big);
}

void sb_free(struct strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

bool console_split(char *line, char **path, char **arg)
{
	while (*line == ' ' || *line == '\t')
		line++;
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
	if (*line == '\0' || *line == '#')
		return false;
	*path = line;
	char *sp = line + strcspn(line, " \t");
	if (*sp) {
		*sp++ = '\0';
		while (*sp == ' ' || *sp == '\t')
			sp++;
	}
	*arg = sp;
	return true;
}

static void help(const struct console_table *tabs, size_t ntabs, const char *prefix,
		 struct strbuf *out)
{
	size_t n = strlen(prefix);
	sb_printf(out, "%-18s %-15s %s\n", "COMMAND PATH", "SYNTAX", "HELP");
	sb_printf(out, "%-18s %-15s %s\n", "------------", "--------------", "------------");
	if (strncmp("help", prefix, n) == 0)
		sb_printf(out, "%-18s %-15s %s\n", "help", "[arg]", "Help (limited to arg when specified)");
	if (strncmp("logout", prefix, n) == 0)
		sb_printf(out, "%-18s %-15s %s\n", "logout", "", "logout from this mgmt terminal");
	for (size_t t = 0; t < ntabs; t++)
		for (size_t i = 0; i < tabs[t].n; i++) {
			const struct console_cmd *c = &tabs[t].cmds[i];
			if (strncmp(c->path, prefix, n) == 0)
				sb_printf(out, "%-18s %-15s %s\n", c->path, c->syntax, c->help);
		}
}

int console_load(const struct console_table *tabs, size_t ntabs, const char *path, void *ctx,
		 const char *prog, bool *shutdown)
{
	static unsigned depth; /* one loop per process: nesting through `load` lines */
	char line[CONSOLE_MAX_LINE + 2];
	unsigned lineno = 0;
	struct stat st;
	if (depth >= CONSOLE_LOAD_MAX_DEPTH)
		return ELOOP;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONSOLE_LOAD_MAX_BYTES) {
		int rc = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		close(fd);
		return rc;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		int rc = errno;
		close(fd);
		return rc;
	}
	depth++;
	size_t total = 0;
	while (fgets(line, sizeof(line), f) && (total += strlen(line)) <= CONSOLE_LOAD_MAX_BYTES) {
		struct strbuf out = { 0 };
		lineno++;
		int rv = console_exec(tabs, ntabs, line, ctx, &out);
		if (rv > 0) {
			line[strcspn(line, "\n")] = '\0';
			fprintf(stderr, "%s: %s:%u: %s: %s\n", prog, path, lineno, line, strerror(rv));
		} else if (rv == CONSOLE_SHUTDOWN) {
			*shutdown = true;
		}
		sb_free(&out);
	}
	depth--;
	fclose(f);
	return 0;
}

int console_exec(const struct console_table *tabs, size_t ntabs, const char *line, void *ctx,
		 struct strbuf *out)
{
	char buf[CONSOLE_MAX_LINE + 1];
	char *path, *arg;
	int rv = ENOSYS;

	snprintf(buf, sizeof(buf), "%s", line);
	if (!console_split(buf, &path, &arg))
		return CONSOLE_IGNORED;
	if (strcmp(path, "help") == 0) {
		sb_printf(out, "0000 DATA END WITH '.'\n");
		help(tabs, ntabs, arg, out);
		sb_printf(out, ".\n");
		rv = 0;
	} else if (strcmp(path, "logout") == 0) {
		return CONSOLE_LOGOUT;
	} else {
		for (size_t t = 0; t < ntabs && rv == ENOSYS; t++)
			for (size_t i = 0; i < tabs[t].n; i++) {
				const struct console_cmd *c = &tabs[t].cmds[i];
				if (!c->fn || strcmp(c->path, path) != 0)
					continue;
				if (c->flags & CONSOLE_LISTING) {
					struct strbuf body = { 0 };
					rv = c->fn(&body, arg, ctx);
					sb_printf(out, "0000 DATA END WITH '.'\n");
					if (body.len)
						sb_append(out, body.s, body.len);
					sb_printf(out, ".\n");
					sb_free(&body);
				} else {
					rv = c->fn(out, arg, ctx);
				}
				break;
			}
	}
	if (rv == 0)
		sb_printf(out, "1000 Success\n");
	else if (rv > 0)
		sb_printf(out, "1%03d %s\n", rv, strerror(rv));
	return rv;
}

/* ---- the server ---- */

struct console_client {
	struct console_client *next;
	struct console_server *cs;
	struct loop_watch w;
	int wfd;
	bool is_stdio;
	bool overlong;     /* discarding the rest of a too-long line */
	bool closing;      /* logged out: close when the client does, or soon */
	uint64_t closing_since;
	size_t inlen;
	char in[CONSOLE_MAX_LINE + 1];
	struct strbuf out;
	size_t out_off;
	uint32_t subs;     /* debug/ channels this client listens to */
};

static void resubscribe(struct console_server *cs)
{
	cs->subscribed = 0;
	for (struct console_client *c = cs->clients; c; c = c->next)
		cs->subscribed |= c->subs;
}

static bool chan_match(const struct console_server *cs, size_t i, const char *prefix)
{
	return !strncmp(cs->channels[i].path, prefix, strlen(prefix));
}

int console_debug_list(struct console_server *cs, struct strbuf *out, const char *prefix)
{
	int rv = ENOENT;
	sb_printf(out, "%-22s %-3s %-6s %s\n", "CATEGORY", "TAG", "STATUS", "HELP");
	sb_printf(out, "%-22s %-3s %-6s %s\n", "------------", "---", "------", "----");
	for (size_t i = 0; i < cs->nchannels; i++)
		if (chan_match(cs, i, prefix)) {
			bool on = cs->current && (cs->current->subs & (1u << i));
			sb_printf(out, "%-22s %03o %-6s %s\n", cs->channels[i].path, cs->channels[i].tag & 0777,
				  on ? "ON" : "OFF", cs->channels[i].help);
			rv = 0;
		}
	return rv;
}

int console_debug_add(struct console_server *cs, const char *prefix)
{
	int rv = EINVAL;
	if (!cs->current)
		return EINVAL;
	if (cs->max_debug && !cs->current->subs) {
		unsigned listening = 0;
		for (struct console_client *c = cs->clients; c; c = c->next)
			listening += c->subs != 0;
		if (listening >= cs->max_debug)
			return EUSERS;
	}
	for (size_t i = 0; i < cs->nchannels; i++)
		if (chan_match(cs, i, prefix)) {
			if (rv == EINVAL)
				rv = EEXIST;
			if (!(cs->current->subs & (1u << i))) {
				cs->current->subs |= 1u << i;
				rv = 0;
			}
		}
	resubscribe(cs);
	return rv;
}

int console_debug_del(struct console_server *cs, const char *prefix)
{
	int rv = EINVAL;
	if (!cs->current)
		return EINVAL;
	for (size_t i = 0; i < cs->nchannels; i++)
		if (chan_match(cs, i, prefix)) {
			if (rv == EINVAL)
				rv = ENOENT;
			if (cs->current->subs & (1u << i)) {
				cs->current->subs &= ~(1u << i);
				rv = 0;
			}
		}
	resubscribe(cs);
	return rv;
}

static bool client_flush(struct console_client *c);

static void send_event(struct console_server *cs, unsigned ch, bool prefix, const char *fmt, va_list ap)
{
	if (ch >= cs->nchannels || !console_wants(cs, ch))
		return;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (struct console_client *c = cs->clients, *next; c; c = next) {
		next = c->next; /* a client that cannot take it is freed by flush */
		if (!(c->subs & (1u << ch)) || c->closing)
			continue;
		if (prefix)
			sb_printf(&c->out, "3%03o %s %s\n", cs->channels[ch].tag & 0777, cs->channels[ch].path, msg);
		else
			sb_printf(&c->out, "%s\n", msg);
		if (c != cs->current) /* the running command's client is flushed after it */
			client_flush(c);
	}
}

void console_event(struct console_server *cs, unsigned ch, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	send_event(cs, ch, true, fmt, ap);
	va_end(ap);
}

void console_event_line(struct console_server *cs, unsigned ch, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	send_event(cs, ch, false, fmt, ap);
	va_end(ap);
}

static void client_free(struct console_client *c)
{
	struct console_server *cs = c->cs;
	struct console_client **pp = &cs->clients;
	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	cs->nclients--;
	if (c->subs)
		resubscribe(cs);
	if (cs->current == c)
		cs->current = NULL;
	loop_del(cs->loop, &c->w);
	bool was_stdio = c->is_stdio;
	if (!was_stdio)
		close(c->w.fd);
	sb_free(&c->out);
	loop_free_later(cs->loop, c); /* c may be gone from here on */
	if (was_stdio && cs->on_shutdown)
		cs->on_shutdown(cs);
}

/* Write what we can; returns false if the client was closed. */
static bool client_flush(struct console_client *c)
{
	while (c->out_off < c->out.len) {
		ssize_t w = write(c->wfd, c->out.s + c->out_off, c->out.len - c->out_off);
		if (w < 0) {
			if (errno == EAGAIN)
				break;
			if (errno == EINTR)
				continue;
			client_free(c);
			return false;
		}
		c->out_off += (size_t)w;
	}
	if (c->out_off == c->out.len) {
		c->out.len = c->out_off = 0;
		if (!c->is_stdio)
			loop_mod(c->cs->loop, &c->w, EPOLLIN);
		return true;
	}
	if (c->out.len - c->out_off > CONSOLE_MAX_OUTBUF) {
		client_free(c);
		return false;
	}
	if (!c->is_stdio)
		loop_mod(c->cs->loop, &c->w, EPOLLIN | EPOLLOUT);
	return true;
}

static void run_line(struct console_client *c, const char *line)
{
	struct console_server *cs = c->cs;
	cs->current = c;
	int rv = console_exec(cs->tabs, cs->ntabs, line, cs->ctx, &c->out);
	cs->current = NULL;
	if (rv == CONSOLE_LOGOUT || rv == CONSOLE_SHUTDOWN) {
		sb_printf(&c->out, "9999 END OF SESSION\n");
		/* Closing at once makes some clients (unixterm) see the hang-up
		 * before the last line: let the client close; console_sweep()
		 * closes it after CONSOLE_LOGOUT_GRACE_MS otherwise. */
		c->closing = !c->is_stdio;
		c->closing_since = loop_now_ns();
		if (rv == CONSOLE_SHUTDOWN) {
			cs->shutdown_requested = true;
			if (cs->on_shutdown)
				cs->on_shutdown(cs);
		}
		return;
	}
	if (rv != CONSOLE_IGNORED || !c->is_stdio)
		sb_append(&c->out, cs->prompt, strlen(cs->prompt));
}

static void on_client(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct console_client *c = w->arg;
	(void)l;
	if (ev & EPOLLOUT) {
		if (!client_flush(c))
			return;
	}
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	char buf[4096];
	ssize_t r = read(c->w.fd, buf, sizeof(buf));
	if (c->closing) {
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			client_free(c);
		return; /* anything sent after logout is ignored */
	}
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		client_free(c);
		return;
	}
	if (r < 0)
		return;
	for (ssize_t i = 0; i < r && !c->closing; i++) {
		if (buf[i] == '\n') {
			if (c->overlong) {
				c->overlong = false;
				sb_printf(&c->out, "1%03d %s\n%s", E2BIG, strerror(E2BIG), c->cs->prompt);
			} else {
				c->in[c->inlen] = '\0';
				run_line(c, c->in);
			}
			c->inlen = 0;
			continue;
		}
		if (c->overlong)
			continue;
		if (c->inlen == CONSOLE_MAX_LINE) {
			c->overlong = true;
			c->inlen = 0;
			continue;
		}
		c->in[c->inlen++] = buf[i] ? buf[i] : ' ';
	}
	/* vde_switch treats each read() as a command: a client that sends a
	 * command without '\n' and waits must still get an answer. */
	if (c->inlen && !c->overlong && !c->closing) {
		c->in[c->inlen] = '\0';
		run_line(c, c->in);
		c->inlen = 0;
	}
	client_flush(c);
}

static struct console_client *client_new(struct console_server *cs, int rfd, int wfd, bool is_stdio)
{
	struct console_client *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cs = cs;
	c->w.fd = rfd;
	c->w.cb = on_client;
	c->w.arg = c;
	c->wfd = wfd;
	c->is_stdio = is_stdio;
	if (loop_add(cs->loop, &c->w, EPOLLIN)) {
		free(c);
		return NULL;
	}
	c->next = cs->clients;
	cs->clients = c;
	cs->nclients++;
	return c;
}

static void on_accept(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct console_server *cs = w->arg;
	(void)l;
	(void)ev;
	int fd = accept4(cs->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (cs->nclients >= CONSOLE_MAX_CLIENTS) {
		static const char msg[] = "1016 Device or resource busy: too many management sessions\n";
		ssize_t ignored = write(fd, msg, sizeof(msg) - 1);
		(void)ignored;
		close(fd);
		return;
	}
	struct console_client *c = client_new(cs, fd, fd, false);
	if (!c) {
		close(fd);
		return;
	}
	sb_append(&c->out, cs->banner, strlen(cs->banner));
	sb_append(&c->out, cs->prompt, strlen(cs->prompt));
	client_flush(c);
}

/* True if something accepts connections at path. */
static bool socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

int console_listen(struct console_server *cs, struct loop *l, const char *path, unsigned mode, int gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cs->loop = l;
	cs->listen_fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = errno;
		if (rc != EADDRINUSE || socket_alive(&sa)) {
			close(fd);
			return rc;
		}
		unlink(path); /* stale socket of a dead process */
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			rc = errno;
			close(fd);
			return rc;
		}
	}
	chmod(path, mode);
	if (gid >= 0 && chown(path, (uid_t)-1, (gid_t)gid) < 0) {
		/* keep going: the mode still applies */
	}
	if (listen(fd, 15) < 0) {
		int rc = errno;
		close(fd);
		unlink(path);
		return rc;
	}
	cs->listen_fd = fd;
	snprintf(cs->path, sizeof(cs->path), "%s", path);
	cs->lw.fd = fd;
	cs->lw.cb = on_accept;
	cs->lw.arg = cs;
	return loop_add(l, &cs->lw, EPOLLIN);
}

int console_attach_stdio(struct console_server *cs, int rfd, int wfd)
{
	struct console_client *c = client_new(cs, rfd, wfd, true);
	if (!c)
		return ENOMEM;
	sb_append(&c->out, cs->banner, strlen(cs->banner));
	sb_append(&c->out, cs->prompt, strlen(cs->prompt));
	client_flush(c);
	return 0;
}

void console_sweep(struct console_server *cs, uint64_t now_ns)
{
	struct console_client *c = cs->clients;
	while (c) {
		struct console_client *next = c->next;
		if (c->closing && now_ns - c->closing_since > CONSOLE_LOGOUT_GRACE_MS * 1000000ull)
			client_free(c);
		c = next;
	}
}

void console_close(struct console_server *cs)
{
	while (cs->clients) {
		struct console_client *c = cs->clients;
		c->is_stdio = false; /* no shutdown callback while closing */
		if (c->w.fd == STDIN_FILENO) {
			cs->clients = c->next;
			cs->nclients--;
			loop_del(cs->loop, &c->w);
			sb_free(&c->out);
			loop_free_later(cs->loop, c);
			continue;
		}
		client_free(c);
	}
	if (cs->listen_fd >= 0) {
		loop_del(cs->loop, &cs->lw);
		close(cs->listen_fd);
		cs->listen_fd = -1;
		unlink(cs->path);
	}
}
