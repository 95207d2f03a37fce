/* util.h - helpers shared by labctl's subcommands (util.c, teardown.c). */
#ifndef LABCTL_UTIL_H
#define LABCTL_UTIL_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "lab.h"
#include "mgmt.h"

/* CLOCK_MONOTONIC, seconds. */
double now_s(void);
/* Where labs keep their run directories (--run-dir, $VDELAB_RUN_DIR,
 * /run/vdelab as root, else $XDG_RUNTIME_DIR/vdelab). */
char *run_root(void);
/* A file of vdelab's data (the guest builder "mkguest.sh", "lab.rng",
 * "labs", "examples"): in the source tree when labctl runs from its build
 * folder (BINDIR/../labctl/guest, BINDIR/../labs...), else installed under
 * VDELAB_DATADIR (make install: PREFIX/share/vdelab). A new path, which
 * may not exist. */
char *data_file(const char *name);
/* Where the default VM guest image lives: $VDELAB_GUEST_DIR, BINDIR/guest
 * from a build folder; installed: /var/cache/vdelab/guest as root, else
 * $XDG_CACHE_HOME/vdelab/guest. A new path. */
char *guest_dir(void);
/* The run directory of lab `name`: run_root()/name. */
char *lab_dir(const char *name);
/* A new capture file for `what` (a port, node or cable name) in the lab's
 * run directory: DIR/captures/WHAT-YYYYmmdd-HHMMSS.pcap (directory made). */
char *capture_file(const char *dir, const char *what);
/* The network namespace (and VM domain) of a lab's node: "vl-LAB.NODE". */
char *ns_name(const char *lab, const char *node);
/* Run argv to completion; stdout then stderr into *out if not NULL.
 * Returns the exit status, or -1 if it could not run. */
int spawn(char **argv, char **out);
/* Subcommand prologue: options (common ones plus `extra`), --help text,
 * exactly `nargs` positional arguments; false after a message if not. */
bool begin(int *argc, char ***argv, const char *cmd, const char *usage, const char *descr,
	   GOptionEntry *extra, int nargs, const char *what);
/* Set (spec != NULL) or clear the impairments of a running link: TARGET is
 * NODE:IF, NODE or a cable SW1-SW2, dirw in|out|both (nodes) or ab|ba|both
 * (cables). 0, or 1/2/3 with the reason in err; a refused value changes
 * nothing (the switch checks it before applying). */
int link_apply(const char *dir, const char *target, const char *dirw, const char *spec, GString *err);
/* Load a lab file, printing every FILE:LINE error; NULL if invalid. */
struct lab *load_or_report(const char *path);
/* FILE.xml or NAME (or --name) -> the lab's name. */
char *lab_name_of(const char *arg);
/* The --name given to this subcommand, NULL if none (already checked). */
const char *opt_lab_name(void);
/* Parse the common options plus ctx's own; false after a message. */
bool parse_options(GOptionContext *ctx, int *argc, char ***argv, const char *cmd);
/* Is pid alive and one of our daemons started with exactly `pidfile` as an
 * argument (-p PIDFILE)? A reused pid, or another lab's daemon whose path
 * merely contains ours, never matches. */
bool pid_is_ours(pid_t pid, const char *pidfile);
/* The daemon of `pidfile` is running (pid_is_ours of the pid it holds). */
bool alive_pidfile(const char *pidfile);
/* The serial console socket of VM node `node` of the lab in `dir`, NULL if
 * it is not a VM. */
char *vm_serial_of(const char *dir, const char *node);
/* Remove what the state of the lab in `dir` lists (teardown.c): VMs,
 * daemons, namespaces, then the run directory. Idempotent. */
int lab_teardown(const char *dir, bool verbose);

#endif
