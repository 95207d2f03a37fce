/* console.h - management console speaking the vde_switch protocol.
 *
 * Protocol (vde-2 consmgmt.c): on connect the server writes a banner and the
 * prompt ("\nvde$ " for a switch, "\nVDEwf$ " for wirefilter). Each input
 * line is one command: leading blanks are skipped, empty and '#' lines are
 * ignored. The first word is matched exactly against the command paths
 * ("port/print"); the rest, trimmed, is the argument. A listing command
 * wraps its output in "0000 DATA END WITH '.'" ... "."; every command ends
 * with "1000 Success" or "1NNN <strerror(NNN)>" (unknown command:
 * "1038 Function not implemented"), then the prompt. `logout` answers
 * "9999 END OF SESSION"; the session ends when the client closes it or
 * CONSOLE_LOGOUT_GRACE_MS later (console_sweep). Debian's vdeterm and unixterm rely on
 * exactly this.
 *
 * Lines longer than CONSOLE_MAX_LINE are answered "1007 Argument list too
 * long" and discarded. A client that stops reading is dropped once
 * CONSOLE_MAX_OUTBUF bytes are pending, so it can never block the switch.
 */
#ifndef VDE_CORE_CONSOLE_H
#define VDE_CORE_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

/* Growable output buffer. */
struct strbuf {
	char *s;
	size_t len, cap;
};
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_append(struct strbuf *b, const char *s, size_t n);
void sb_free(struct strbuf *b);

/* Special results of a command function besides 0 / errno. */
enum { CONSOLE_LOGOUT = -1, CONSOLE_SHUTDOWN = -2, CONSOLE_IGNORED = -3 };

enum console_flags {
	CONSOLE_LISTING = 1, /* wrap output in 0000 DATA ... . */
};

/* A command handler: write output lines (each ending in '\n') to `out`,
 * return 0, an errno, CONSOLE_LOGOUT or CONSOLE_SHUTDOWN. */
typedef int (*console_fn)(struct strbuf *out, const char *arg, void *ctx);

struct console_cmd {
	const char *path;    /* "port/print"; a menu heading has fn == NULL */
	const char *syntax;  /* "[N]", or "============" for a menu heading */
	const char *help;
	console_fn fn;
	unsigned flags;
};

/* A menu heading row of a command table (vde-2's "============" lines). */
#define CONSOLE_MENU(path, heading) { path, "============", heading, NULL, 0 }

struct console_table {
	const struct console_cmd *cmds;
	size_t n;
};

/* Split a command line into its path and argument (both trimmed, in place).
 * Returns false for an empty or comment line. */
bool console_split(char *line, char **path, char **arg);

/* Run one line against the tables (searched in order) and append the full
 * response, status line included, to `out`. Returns 0 or errno from the
 * command, CONSOLE_LOGOUT/CONSOLE_SHUTDOWN, or CONSOLE_IGNORED for an
 * empty or comment line.
 * The builtin "help [prefix]" lists every table. */
int console_exec(const struct console_table *tabs, size_t ntabs, const char *line, void *ctx,
		 struct strbuf *out);

/* Run every line of the script at `path` (vde_switch's `load` and `-f
 * RCFILE`): each through console_exec(); a line whose command fails is
 * reported on stderr as "PROG: PATH:LINE: CMD: STRERROR" and the rest still
 * run. *shutdown is set if a line asked for shutdown. Refused before any
 * line runs: a file that is not a regular file (EINVAL: /dev/zero, a FIFO,
 * a directory), larger than CONSOLE_LOAD_MAX_BYTES (EFBIG), or a `load`
 * nested more than CONSOLE_LOAD_MAX_DEPTH deep (ELOOP: a file that loads
 * itself); or open's errno. Returns 0 or that errno. */
int console_load(const struct console_table *tabs, size_t ntabs, const char *path, void *ctx,
		 const char *prog, bool *shutdown);

struct console_client;

/* An event channel a client may subscribe to with debug/add (vde-2's debug
 * categories, consmgmt.c): each event is written to every subscriber as
 * "3TAG PATH MESSAGE\n", TAG in three octal digits (vdeterm shows such lines
 * as "** DBG MSG:"). */
struct console_channel {
	const char *path;    /* "port/+" */
	unsigned tag;        /* vde-2's: 021 */
	const char *help;    /* "new port" */
};
enum { CONSOLE_MAX_CHANNELS = 32 };

struct console_server {
	struct loop *loop;
	int listen_fd;
	struct loop_watch lw;
	char path[108];
	const char *banner;
	const char *prompt;
	const struct console_table *tabs;
	size_t ntabs;
	void *ctx;
	struct console_client *clients;
	unsigned nclients;
	bool shutdown_requested; /* set by a command returning CONSOLE_SHUTDOWN */
	void (*on_shutdown)(struct console_server *cs);
	const struct console_channel *channels; /* NULL: no debug/ channels */
	size_t nchannels;                       /* at most CONSOLE_MAX_CHANNELS */
	uint32_t subscribed;    /* channels with at least one subscriber */
	unsigned max_debug;     /* clients that may subscribe at once (vde_switch -D); 0 = any */
	struct console_client *current; /* the client whose command runs, or NULL */
};

/* debug/list, debug/add, debug/del for the client whose command is running
 * (vde-2 semantics): PREFIX selects every channel whose path starts with
 * it ("" = all). list prints "CATEGORY TAG STATUS HELP" rows and returns
 * ENOENT if none matches; add returns EINVAL if none matches, EEXIST if the
 * client had them all already, EUSERS if max_debug other clients listen
 * already; del returns EINVAL if none matches, ENOENT if the client had
 * none of them. Outside a client (an rc file): EINVAL. */
int console_debug_list(struct console_server *cs, struct strbuf *out, const char *prefix);
int console_debug_add(struct console_server *cs, const char *prefix);
int console_debug_del(struct console_server *cs, const char *prefix);
/* Is anybody subscribed to channel `ch` (an index into cs->channels)?
 * Cheap: callers test it before formatting an event. */
static inline bool console_wants(const struct console_server *cs, unsigned ch)
{
	return cs->subscribed & (1u << ch);
}
/* Send an event of channel `ch` to its subscribers (a printf message). */
void console_event(struct console_server *cs, unsigned ch, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with the whole line given (no "3TAG PATH" prefix): for
 * wirefilter's Markov lines, "3801 Node 0 ... -> 1 ...". */
void console_event_line(struct console_server *cs, unsigned ch, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Listen on a unix stream socket at `path` with `mode` (chmod) and group
 * `gid` (-1 to keep). A stale socket nobody answers on is replaced; one in
 * use is EADDRINUSE. Returns 0 or errno. */
int console_listen(struct console_server *cs, struct loop *l, const char *path, unsigned mode,
		   int gid);

/* Serve an already-open fd pair (stdin/stdout console). EOF on rfd calls
 * on_shutdown. Returns 0 or errno. */
int console_attach_stdio(struct console_server *cs, int rfd, int wfd);

/* Close sessions that logged out more than CONSOLE_LOGOUT_GRACE_MS ago and
 * whose client has not closed yet. Call from a periodic timer. */
void console_sweep(struct console_server *cs, uint64_t now_ns);

/* Close every client and the listener; unlink the socket path. */
void console_close(struct console_server *cs);

#endif
