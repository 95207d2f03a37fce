/* cmds.h - labctl's subcommands, one file each (up.c, down.c, status.c,
 * exec.c, check.c, link.c, capture.c, trace.c, graph.c, console.c for
 * console and top), dispatched from main.c's table; their shared helpers are util.h.
 *
 * Runtime state lives in one run directory per lab (RUN_ROOT/LAB, RUN_ROOT
 * = /run/vdelab as root, else $XDG_RUNTIME_DIR/vdelab or /tmp/vdelab-UID;
 * --run-dir or $VDELAB_RUN_DIR override it). Its file `state` (state.h: one
 * typed record, one loader, typed writers, replaced atomically) names every
 * network namespace, daemon, VM domain, link, cable and tunnel, each added
 * *before* it is created, so `down` removes exactly what the lab made, also
 * after kill -9 of labctl or of any daemon.
 *
 * Nodes are network namespaces "vl-LAB.NODE". Their interfaces are taps the
 * lab's switch creates inside the namespace (tap://IF?netns=NS), so the
 * switch's death takes them away too. Switches are vdelab-switch daemons
 * configured through their console; cables are vdelab-plug daemons.
 */
#ifndef LABCTL_CMDS_H
#define LABCTL_CMDS_H

#include "lab.h"

/* Entry points of the subcommands; argv[0] is the subcommand name. */
int run_up(int argc, char **argv);      /* up.c */
int run_down(int argc, char **argv);    /* down.c */
int run_status(int argc, char **argv);  /* status.c */
int run_exec(int argc, char **argv);    /* exec.c */
int run_check(int argc, char **argv);   /* check.c */
int run_link(int argc, char **argv);    /* link.c */
int run_capture(int argc, char **argv); /* capture.c */
int run_trace(int argc, char **argv);   /* trace.c */
int run_console(int argc, char **argv); /* console.c */
int run_top(int argc, char **argv);     /* console.c */
int run_grade(int argc, char **argv);   /* grade.c */
int run_graph(int argc, char **argv);   /* graph.c */
int run_list(int argc, char **argv);    /* list.c */
/* extcap.c: labctl run by Wireshark as an extcap program (extcap(4)):
 * extcap_call() says whether argv is such a call (an --extcap-* option or
 * --capture), run_extcap() answers it (argv[0] is the program). */
bool extcap_call(int argc, char **argv);
int run_extcap(int argc, char **argv);
/* capture.c: no progress lines on stderr (set by extcap: only errors). */
extern bool capture_quiet;

/* One check's result as `labctl check --format tsv` writes it, a line of
 * five tab-separated fields: PASS|FAIL, points, lab file line, name,
 * detail (tabs and line ends in them become spaces). `grade` reads them. */
struct check_row {
	bool pass;
	int points, line;
	char *name, *detail;
};
/* Parse one tsv line (without its newline) into *r (owns name, detail).
 * False for anything else. */
bool check_tsv_parse(const char *line, struct check_row *r);

/* capture.c: the capture of `port` on the switch whose console socket is m
 * (capture/show's line "port=N ... written=K state=..."): true while it
 * runs; *written (frames in the file) and *line (a new copy of the line)
 * are set when the port has a capture, either may be NULL. */
bool capture_poll(const char *m, int port, int *written, char **line);

/* trace.c: does the path `labctl trace` computes from node src to dst (a
 * node or an address) pass through `via` (a node, switch or cable of the
 * lab)? 1 yes, 0 no, -1 the path could not be traced; *detail (new) gives
 * the path or the reason. For path= checks. */
int trace_passes(const char *labname, const char *src, const char *dst, const char *via, char **detail);

#endif
