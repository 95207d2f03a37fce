#include "vm.h"
#include "util.h"

#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static void quiet_errors(void *data, virErrorPtr e) { (void)data; (void)e; }

const char *vm_uri(const char *opt)
{
	const char *env = getenv("VDELAB_LIBVIRT_URI");
	return opt ? opt : env && *env ? env : "qemu:///system";
}

static virConnectPtr conn(const char *uri, GString *err)
{
	virSetErrorFunc(NULL, quiet_errors);
	virConnectPtr c = virConnectOpen(uri);
	if (!c && err)
		g_string_printf(err, "libvirt %s: %s%s", uri, virGetLastErrorMessage(),
				access("/run/systemd/system", F_OK) == 0 ? " (systemctl start libvirtd)"
				: " (no service manager here: start the daemons with  virtlogd -d; libvirtd -d)");
	return c;
}

int vm_create(const char *uri, const struct vm_spec *s, GString *err)
{
	virConnectPtr c = conn(uri, err);
	if (!c)
		return -1;
	const char *kvm = getenv("VDELAB_KVM");
	bool use_kvm = kvm && !strcmp(kvm, "1") && access("/dev/kvm", R_OK | W_OK) == 0;
	GString *x = g_string_new(NULL);
	g_autofree char *k = g_markup_escape_text(s->kernel ? s->kernel : "", -1);
	g_autofree char *i = g_markup_escape_text(s->initrd ? s->initrd : "", -1);
	g_autofree char *cl = g_markup_escape_text(s->cmdline ? s->cmdline : "", -1);
	g_autofree char *se = g_markup_escape_text(s->serial, -1);
	g_string_append_printf(x,
		"<domain type='%s'>\n  <name>%s</name>\n  <memory unit='MiB'>%d</memory>\n  <vcpu>1</vcpu>\n"
		"  <os><type arch='x86_64'>hvm</type>", use_kvm ? "kvm" : "qemu", s->name, s->memory_mib);
	if (s->kernel)
		g_string_append_printf(x, "<kernel>%s</kernel><initrd>%s</initrd>\n    <cmdline>%s</cmdline>", k, i, cl);
	else
		g_string_append(x, "<boot dev='hd'/>");
	g_string_append(x, "</os>\n");
	if (!use_kvm)
		g_string_append(x, "  <features><tcg><tb-cache unit='MiB'>32</tb-cache></tcg></features>\n");
	g_string_append(x, "  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>\n"
			   "  <devices>\n");
	if (s->disk) {
		g_autofree char *d = g_markup_escape_text(s->disk, -1);
		g_string_append_printf(x, "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
				       "<source file='%s'/><target dev='vda' bus='virtio'/></disk>\n", d);
	}
	for (guint n = 0; n < s->ifs->len; n++) {
		const struct vm_if *f = &g_array_index(s->ifs, struct vm_if, n);
		g_string_append_printf(x,
			"    <interface type='udp'><mac address='%s'/><source address='127.0.0.1' port='%d'>"
			"<local address='127.0.0.1' port='%d'/></source><model type='virtio'/></interface>\n",
			f->mac, f->sw_udp, f->vm_udp);
	}
	g_string_append_printf(x, "    <serial type='unix'><source mode='bind' path='%s'/><target port='0'/></serial>\n"
			       "    <memballoon model='none'/>\n  </devices>\n</domain>\n", se);
	int rc = -1;
	virDomainPtr d = virDomainDefineXML(c, x->str);
	if (!d)
		g_string_printf(err, "%s: define: %s", s->name, virGetLastErrorMessage());
	else if (virDomainCreate(d) < 0)
		g_string_printf(err, "%s: start: %s", s->name, virGetLastErrorMessage());
	else
		rc = 0;
	if (d)
		virDomainFree(d);
	g_string_free(x, TRUE);
	virConnectClose(c);
	return rc;
}

bool vm_remove(const char *uri, const char *name)
{
	virConnectPtr c = conn(uri, NULL);
	if (!c)
		return false;
	virDomainPtr d = virDomainLookupByName(c, name);
	if (d) {
		if (virDomainIsActive(d) == 1)
			virDomainDestroy(d);
		virDomainUndefine(d);
		virDomainFree(d);
	}
	virConnectClose(c);
	return d != NULL;
}

const char *vm_state(const char *uri, const char *name)
{
	virConnectPtr c = conn(uri, NULL);
	if (!c)
		return "libvirt not answering";
	virDomainPtr d = virDomainLookupByName(c, name);
	const char *s = "absent";
	int st, reason;
	if (d && virDomainGetState(d, &st, &reason, 0) == 0)
		s = st == VIR_DOMAIN_RUNNING ? "running" : st == VIR_DOMAIN_SHUTOFF ? "shut off" :
		    st == VIR_DOMAIN_PAUSED ? "paused" : st == VIR_DOMAIN_CRASHED ? "crashed" : "other";
	if (d)
		virDomainFree(d);
	virConnectClose(c);
	return s;
}

static int serial_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Read into buf until `marker` followed by a newline shows up, or the deadline. */
static bool read_until(int fd, GString *buf, const char *marker, double deadline)
{
	char chunk[4096];
	for (;;) {
		const char *m = strstr(buf->str, marker);
		if (m && strchr(m, '\n'))
			return true;
		double left = deadline - now_s();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r <= 0)
			continue;
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return false;
		g_string_append_len(buf, chunk, n);
	}
}

int vm_exec(const char *serial, const char *cmd, double timeout_s, char **out)
{
	*out = NULL;
	double deadline = now_s() + timeout_s;
	int fd = -1;
	while ((fd = serial_connect(serial)) < 0 && now_s() < deadline)
		g_usleep(100000);
	if (fd < 0) {
		*out = g_strdup_printf("%s: %s", serial, g_strerror(errno));
		return -1;
	}
	unsigned id = g_random_int();
	/* the shell prints __VLB<id>__ from "__VLB""<id>__": the echoed line never matches */
	g_autofree char *b = g_strdup_printf("__VLB%u__", id), *e = g_strdup_printf("__VLE%u__", id);
	g_autofree char *line = g_strdup_printf("\n echo __VLB\"\"%u__; ( %s ) </dev/null 2>&1; echo \"__VLE\"\"%u__ $?\"\n",
						 id, cmd, id);
	GString *buf = g_string_new(NULL);
	int rc = -1;
	if (write(fd, line, strlen(line)) == (ssize_t)strlen(line) && read_until(fd, buf, e, deadline)) {
		const char *start = strstr(buf->str, b), *end = strstr(buf->str, e);
		if (start && end > start) {
			start += strlen(b);
			while (*start == '\r' || *start == '\n')
				start++;
			rc = atoi(end + strlen(e));
			g_autofree char *raw = g_strndup(start, (gsize)(end - start));
			GString *clean = g_string_new(NULL);
			for (const char *p = raw; *p; p++)
				if (*p != '\r')
					g_string_append_c(clean, *p);
			*out = g_string_free(clean, FALSE);
		}
	}
	if (rc < 0 && !*out)
		*out = g_strdup_printf("no answer from the guest within %.0f s", timeout_s);
	g_string_free(buf, TRUE);
	close(fd);
	return rc;
}

bool vm_wait_ready(const char *serial, double timeout_s)
{
	double deadline = now_s() + timeout_s;
	while (now_s() < deadline) {
		char *out = NULL;
		int rc = vm_exec(serial, "true", 1.5, &out);
		g_free(out);
		if (rc == 0)
			return true;
		g_usleep(200000);
	}
	return false;
}

int vm_console(const char *serial)
{
	int fd = serial_connect(serial);
	if (fd < 0) {
		fprintf(stderr, "labctl exec: %s: %s\n", serial, g_strerror(errno));
		return 1;
	}
	struct termios old, raw;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		raw = old;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	fprintf(stderr, "connected to the guest's console (Ctrl-] leaves)\r\n");
	if (write(fd, "\n", 1) < 0) { /* a fresh prompt */ }
	char b[4096];
	for (;;) {
		struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0)
			break;
		if (p[0].revents) {
			ssize_t n = read(STDIN_FILENO, b, sizeof(b));
			if (n <= 0 || memchr(b, 0x1d, (size_t)n))
				break;
			if (write(fd, b, (size_t)n) < 0)
				break;
		}
		if (p[1].revents) {
			ssize_t n = read(fd, b, sizeof(b));
			if (n <= 0 || write(STDOUT_FILENO, b, (size_t)n) < 0)
				break;
		}
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
	close(fd);
	fprintf(stderr, "\n");
	return 0;
}

int vm_overlay(const char *base, const char *overlay, GString *err)
{
	char magic[4] = "";
	FILE *f = fopen(base, "rb");
	if (!f || fread(magic, 1, 4, f) != 4) {
		g_string_printf(err, "image %s: %s", base, f ? "too short" : g_strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	const char *fmt = !memcmp(magic, "QFI\xfb", 4) ? "qcow2" : "raw";
	g_autofree char *out = NULL;
	char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", (char *)fmt, "-b", (char *)base,
			 (char *)overlay, NULL };
	if (spawn(argv, &out) != 0) {
		g_string_printf(err, "qemu-img create %s: %s", overlay, out && *out ? g_strstrip(out) : "failed (apt-get install qemu-utils)");
		return -1;
	}
	return 0;
}

int vm_free_udp_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int port = 0;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &l) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

bool vm_default_guest(char **kernel, char **initrd, GString *err)
{
	g_autofree char *dir = guest_dir();
	*kernel = g_build_filename(dir, "vmlinuz", NULL);
	*initrd = g_build_filename(dir, "initrd.img", NULL);
	if (g_file_test(*kernel, G_FILE_TEST_EXISTS) && g_file_test(*initrd, G_FILE_TEST_EXISTS))
		return true;
	g_autofree char *script = data_file("mkguest.sh");
	if (g_file_test(script, G_FILE_TEST_EXISTS)) {
		g_autofree char *out = NULL;
		char *argv[] = { "sh", script, dir, NULL };
		if (spawn(argv, &out) == 0)
			return true;
		g_string_printf(err, "building the guest image: %s", out ? g_strstrip(out) : "failed");
		return false;
	}
	g_string_printf(err, "no guest image in %s (make guest-image, or kernel= and initrd= on the node)", dir);
	return false;
}
