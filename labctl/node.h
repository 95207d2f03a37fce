/* node.h - run a command in a namespace node, whatever its isolation: the
 * one way exec, check, trace, the console and up's <exec> enter a node. */
#ifndef LABCTL_NODE_H
#define LABCTL_NODE_H

#include <stdbool.h>

/* The run directory of node `node`'s sandbox layers in the lab at `labdir`:
 * LABDIR/fs/nodes/NODE. */
char *node_dir(const char *labdir, const char *node);
/* Is the node sandboxed (isolation="sandbox") and running? */
bool node_sandboxed(const char *labdir, const char *node);
/* The node's cgroup path below each controller: vdelab/LAB/NODE. */
char *node_cgroup(const char *labdir, const char *node);

/* Run argv in the node and wait: in its sandbox (sandbox_run: node root,
 * cwd /root, NODE and LAB set) or, for isolation="none", through
 * `ip netns exec`. With `out`, stdout then stderr are collected there (else
 * inherited). Returns the exit status, 128+N for signal N, -1 with errno
 * (ESRCH: the node is not up). */
int node_run(const char *labdir, const char *node, char **argv, char **out);

/* Replace this process by argv in the node, or exit with its status (a
 * sandboxed node needs a process outside it to wait). Never returns. */
void node_exec(const char *labdir, const char *node, char **argv) __attribute__((noreturn));

#endif
