/* mgmt.h - labctl's one client of the switches' management consoles (the
 * vde_switch console protocol, vde/core/console.h), one-shot or kept open.
 *
 * A command is one line: a command with a control character in it (a
 * newline would start a second command) is refused here, never sent. A
 * reply succeeds only when its *final* status line ("1NNN ...", the last
 * one before the prompt) is "1000 Success": a "1000 Success" echoed inside
 * a listing or a message does not count.
 */
#ifndef LABCTL_MGMT_H
#define LABCTL_MGMT_H

#include <stdbool.h>

/* A console connection kept open across commands (labctl console, top). */
struct mgmt_conn {
	char *path;   /* the socket; owned */
	int fd;       /* -1 until connected, and after a failure */
};

void mgmt_conn_init(struct mgmt_conn *c, const char *path);
void mgmt_conn_close(struct mgmt_conn *c);
/* Send `cmd` (connecting first if needed) and read up to the prompt; the
 * reply without the prompt in *reply (if not NULL). 0 when the final status
 * is 1000 Success, 1 on another status (or a refused command line), -1 if
 * the console did not answer (the connection is retried next time). */
int mgmt_conn_cmd(struct mgmt_conn *c, const char *cmd, char **reply);

/* One command on a fresh connection: the same results as mgmt_conn_cmd(). */
int mgmt(const char *sock, const char *cmd, char **reply);
/* Does `reply` end in 1000 Success (its last status line)? */
bool mgmt_reply_ok(const char *reply);
/* The first line of a reply that carries a message (for errors), new string. */
char *mgmt_reason(const char *reply);

#endif
