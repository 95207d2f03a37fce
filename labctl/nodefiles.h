/* nodefiles.h - what a sandboxed node finds in its root at `up`. */
#ifndef LABCTL_NODEFILES_H
#define LABCTL_NODEFILES_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "lab.h"

/* Write node n's own files into its upper layer `upper` (the node's root
 * as it will see it), in this order, later ones winning:
 *   1. /etc/hostname (the node's name), /etc/hosts (every node of the lab:
 *      its first address as NODE, each interface's addresses as NODE-IF;
 *      localhost), /etc/resolv.conf (no server: names are in /etc/hosts);
 *   2. the node's folder next to the lab file, LABDIR/NODE/..., copied
 *      Kathara-style (symbolic links stay links, resolved inside the node;
 *      devices, sockets and fifos are skipped);
 *   3. each <file path=>: absolute paths as given, relative ones under
 *      /root (the node's working directory).
 * Files and directories the template `tmpl` has at the same path take its
 * owner and mode; others belong to node root (host uid `base`), mode 0644
 * (0755 for directories and for copies of executable files). False with
 * the reason in err. */
bool node_files_write(const struct lab *lab, const struct lab_node *n, const char *upper, const char *tmpl,
		      uid_t base, GString *err);

#endif
