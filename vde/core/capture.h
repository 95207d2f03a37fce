/* capture.h - packet capture to pcap files (libpcap's dump API).
 *
 * One capture writes Ethernet frames (LINKTYPE_ETHERNET) to a pcap file with
 * nanosecond timestamps (the 0xa1b23c4d magic; tshark and Wireshark read
 * it), optionally through a BPF filter compiled by libpcap (tcpdump's
 * syntax, pcap-filter(7)), until a frame count or a byte size is reached.
 * The owner calls capture_flush() at the end of each batch, so a reader
 * following the file (labctl capture -w -) sees frames live at the cost of
 * one write per batch, not per frame.
 *
 * Points of capture on a switch port (or a link direction):
 *   CAPTURE_AT_WIRE    what crosses the port's cable: frames received before
 *                      the port's "in" impairments, frames sent after its
 *                      "out" impairments (what a sniffer on the cable sees)
 *   CAPTURE_AT_SWITCH  what the forwarding core sees: received frames after
 *                      "in" impairments, sent frames before "out" ones
 * Without impairments on the port both are the same. On one direction of a
 * cable (vdelab-plug, vdelab-wirefilter) the points are called in (= switch:
 * frames entering, before the impairments) and out (= wire: frames as
 * delivered to the other end).
 */
#ifndef VDE_CORE_CAPTURE_H
#define VDE_CORE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

enum capture_at { CAPTURE_AT_WIRE = 0, CAPTURE_AT_SWITCH = 1 };

struct capture_opts {
	const char *filter;    /* BPF expression, NULL or "" = everything */
	uint64_t max_frames;   /* stop after this many frames written (0 = no limit) */
	uint64_t max_bytes;    /* stop once the file reaches this size (0 = no limit) */
	enum capture_at at;
	unsigned snaplen;      /* bytes kept per frame (0 = whole frames) */
};

struct capture;

/* Create `path` (a new file only: O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, so
 * a console line can neither truncate an existing file nor follow a
 * symlink) and compile the filter. Returns NULL with a one-line reason in
 * err: a filter libpcap cannot compile (its message), a file that exists
 * (EEXIST) or cannot be created (strerror). */
struct capture *capture_open(const char *path, const struct capture_opts *o, char *err, size_t errlen);

/* Offer one frame seen at CLOCK_MONOTONIC `mono_ns`. Frames the filter
 * rejects are only counted. Returns false once the capture is complete
 * (limit reached or a write error): the owner should then close it. */
bool capture_frame(struct capture *c, const uint8_t *data, size_t len, uint64_t mono_ns);
/* The same for a gather list (flattened into a scratch buffer first). */
bool capture_vtx(struct capture *c, const struct vtx *t, uint64_t mono_ns);

/* Write what is buffered (end of a batch). A write error (ENOSPC, EIO...)
 * ends the capture: capture_running() turns false, capture_error() and
 * capture_describe() name the error; the owner keeps forwarding. */
void capture_flush(struct capture *c);

/* Is it still taking frames? */
bool capture_running(const struct capture *c);

/* errno of the write that ended the capture, 0 if none. */
int capture_error(const struct capture *c);

/* One line of key=value for consoles: file, at, seen, written, bytes,
 * filter, and last state=running|done|error: STRERROR (the rest of the
 * line). */
void capture_describe(const struct capture *c, char *buf, size_t len);

enum capture_at capture_point(const struct capture *c);

/* Flush and close. Accepts NULL. */
void capture_close(struct capture *c);

/* Parse "count=N size=BYTES at=wire|switch snaplen=N FILTER..." options as
 * the consoles take them (`capture/start PORT FILE [OPTIONS] [FILTER]`):
 * leading key=value words are options, the rest is the filter. Fills o
 * (o->filter points into buf). Returns 0 or EINVAL with a reason. */
int capture_parse_opts(char *buf, struct capture_opts *o, char *err, size_t errlen);

#endif
