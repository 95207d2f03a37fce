/* vm.h - VM nodes through libvirt (kind="vm").
 *
 * A VM node is a libvirt domain named like the node's namespace would be
 * (vl-LAB-NODE), so nothing else is ever touched. It boots the default tiny
 * guest (labctl/guest/mkguest.sh: Debian's cloud kernel and a busybox
 * initramfs; or the node's kernel=/initrd=) configured from the kernel
 * command line (vl.* keys), under TCG (type='qemu'; VDELAB_KVM=1 for kvm),
 * 96 MiB, TCG code cache 32 MiB. Each interface is <interface type='udp'>
 * on 127.0.0.1, the peer of a udp:// port of the lab's switch (no bridge,
 * no root-only trick). The first serial port is a unix socket in the run
 * directory: `labctl exec` and checks run commands there, between markers
 * the guest's shell computes (so the terminal's echo of the command never
 * matches), robust against console noise.
 */
#ifndef LABCTL_VM_H
#define LABCTL_VM_H

#include <glib.h>
#include <stdbool.h>

struct vm_if {
	char *mac;           /* 52:54:00:.. */
	int sw_udp, vm_udp;  /* switch side and VM side UDP ports on 127.0.0.1 */
};

struct vm_spec {
	const char *name;    /* domain name */
	const char *kernel, *initrd, *cmdline; /* kernel NULL: boot from the disk */
	const char *disk;    /* qcow2 overlay (virtio vda), or NULL */
	int memory_mib;
	const char *serial;  /* unix socket path */
	GArray *ifs;         /* struct vm_if */
};

/* The libvirt URI to use: --libvirt-uri, $VDELAB_LIBVIRT_URI, qemu:///system. */
const char *vm_uri(const char *opt);

/* Define and start a domain. 0, or -1 with the reason in err (when no
 * libvirt daemon answers: how to start one). */
int vm_create(const char *uri, const struct vm_spec *s, GString *err);

/* Destroy and undefine a domain if it exists. Quiet; true if it existed. */
bool vm_remove(const char *uri, const char *name);

/* "running", "shut off", ... or "absent". */
const char *vm_state(const char *uri, const char *name);

/* Run `cmd` in the guest through its serial socket: output (without the
 * markers) in *out, exit status returned; -1 with *out = reason if the
 * guest does not answer within timeout_s. */
int vm_exec(const char *serial, const char *cmd, double timeout_s, char **out);

/* Wait until the guest's shell answers (boot done). True if it did. */
bool vm_wait_ready(const char *serial, double timeout_s);

/* An interactive console on the serial socket (Ctrl-] leaves). */
int vm_console(const char *serial);

/* Make `overlay`, a qcow2 file backed by `base` (qcow2 or raw, detected by
 * its magic), with qemu-img: the base is never written. 0 or -1 with err. */
int vm_overlay(const char *base, const char *overlay, GString *err);

/* A free UDP port on 127.0.0.1 (bound and released; 0 on failure). */
int vm_free_udp_port(void);

/* Paths of the default guest (kernel, initrd) in guest_dir(), building it
 * with mkguest.sh (data_file()) if needed. False with the reason in err. */
bool vm_default_guest(char **kernel, char **initrd, GString *err);

#endif
