/* sandbox.c - start, enter and stop a sandboxed namespace node (sandbox.h).
 *
 * Who does what when a node starts (P = labctl as host root):
 *
 *   P  fork C ............................................................
 *   C  unshare(user)            -> P writes uid_map/gid_map "0 BASE 65536",
 *                                  puts C in the node's cgroups
 *   C  setresuid(0), unshare(mnt, uts, ipc, net): all owned by the new
 *      user namespace, so node root has every capability over them
 *   P  fork H: setns(C's mount namespace) as host root, mounts the root:
 *      overlay lowerdir=TEMPLATE:/ upperdir=DIR/upper (TEMPLATE: the lab's
 *      id-shifted /etc and directory skeleton, sandbox_template), tmpfs on
 *      /run, /tmp, /dev with bind mounts of the allowed devices
 *   C  unshare(pid), fork I (PID 1 of the node) and exit
 *   I  mounts /proc, /sys and /dev/pts of its own namespaces, pivot_root
 *      into the new root (the host's tree is then unreachable), init loop
 *   P  binds /proc/I/ns/net at /run/netns/NS, writes DIR/init.pid
 *
 * Host files are seen through the overlay with their host owners, which
 * the node's user namespace does not map (they show as nobody): node root
 * reads what any host user may read and writes none of it; what the node
 * may change (/etc, the directory skeleton of /var, /root) comes from the
 * lab's template, whose copies are owned by node ids. Files of /etc that
 * only host root may read (/etc/shadow, ssh host keys, sudoers) are not in
 * the template.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

#define SANDBOX_FIRST 0x40000000u /* far above login uids and subuid ranges */
#define CG_ROOT "/sys/fs/cgroup"

static GQuark sb_quark(void) { return g_quark_from_static_string("vdelab-sandbox"); }

/* ---- id ranges ---- */

uid_t sandbox_alloc_base(const char *run_root, int *lock_fd)
{
	g_mkdir_with_parents(run_root, 0711);
	g_autofree char *lk = g_build_filename(run_root, ".uids.lock", NULL);
	int fd = open(lk, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	*lock_fd = fd;
	GHashTable *used = g_hash_table_new(NULL, NULL);
	GDir *d = g_dir_open(run_root, 0, NULL);
	const char *ent;
	while (d && (ent = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(run_root, ent, "state", NULL), *txt = NULL;
		if (!g_file_get_contents(p, &txt, NULL, NULL))
			continue;
		g_auto(GStrv) lines = g_strsplit(txt, "\n", -1);
		for (int i = 0; lines[i]; i++) {
			unsigned long b;
			if (sscanf(lines[i], "uids %lu", &b) == 1)
				g_hash_table_add(used, GUINT_TO_POINTER((guint)b));
		}
	}
	if (d)
		g_dir_close(d);
	uid_t base = SANDBOX_FIRST;
	while (g_hash_table_contains(used, GUINT_TO_POINTER((guint)base)))
		base += SANDBOX_IDS;
	g_hash_table_destroy(used);
	return base;
}

/* ---- small helpers ---- */

static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = write(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(text);
}

static bool xread(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* A step's result travels as an int: 0 or an errno, then a short text. */
struct step { int err; char what[120]; };

static void report(int fd, int err, const char *what)
{
	struct step s = { .err = err };
	g_strlcpy(s.what, what, sizeof s.what);
	if (write(fd, &s, sizeof s) < 0)
		_exit(126);
}

static void fail_child(int fd, const char *what)
{
	report(fd, errno ? errno : EINVAL, what);
	_exit(1);
}

/* cgroup v1 directories of the node, one per controller that exists */
static const char *const cg_ctrls[] = { "pids", "memory" };

static bool cg_setup(const struct sandbox *sb, pid_t pid)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cg_ctrls); i++) {
		g_autofree char *top = g_build_filename(CG_ROOT, cg_ctrls[i], NULL);
		if (!g_file_test(top, G_FILE_TEST_IS_DIR))
			continue; /* the kernel has no such controller here */
		g_autofree char *d = g_build_filename(top, sb->cgroup, NULL);
		if (g_mkdir_with_parents(d, 0755) < 0)
			return false;
		char val[32];
		if (!strcmp(cg_ctrls[i], "pids") && sb->pids_max > 0) {
			g_autofree char *f = g_build_filename(d, "pids.max", NULL);
			snprintf(val, sizeof val, "%ld", sb->pids_max);
			if (!write_file(f, val))
				return false;
		}
		if (!strcmp(cg_ctrls[i], "memory") && sb->mem_max > 0) {
			g_autofree char *f = g_build_filename(d, "memory.limit_in_bytes", NULL);
			snprintf(val, sizeof val, "%lld", sb->mem_max);
			if (!write_file(f, val))
				return false;
		}
		g_autofree char *procs = g_build_filename(d, "cgroup.procs", NULL);
		snprintf(val, sizeof val, "%d", (int)pid);
		if (!write_file(procs, val))
			return false;
	}
	return true;
}

/* join the node's cgroups (a process about to enter it) */
static void cg_join(const char *cgroup)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cg_ctrls); i++) {
		g_autofree char *procs = g_build_filename(CG_ROOT, cg_ctrls[i], cgroup, "cgroup.procs", NULL);
		char val[32];
		snprintf(val, sizeof val, "%d", (int)getpid());
		write_file(procs, val);
	}
}

static void cg_remove(const char *cgroup)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cg_ctrls); i++) {
		g_autofree char *d = g_build_filename(CG_ROOT, cg_ctrls[i], cgroup, NULL);
		for (int k = 0; k < 50 && rmdir(d) < 0 && errno == EBUSY; k++)
			g_usleep(10000); /* the last processes are still exiting */
		/* the lab's and vdelab's directories go when they are empty */
		g_autofree char *lab = g_path_get_dirname(d);
		rmdir(lab);
	}
}

/* ---- the root file system (run by H, host root in C's mount namespace) ---- */

static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty", "net/tun" };

static int mount_root(const struct sandbox *sb, const char *tmpl)
{
	g_autofree char *root = g_build_filename(sb->dir, "root", NULL);
	g_autofree char *upper = g_build_filename(sb->dir, "upper", NULL);
	g_autofree char *work = g_build_filename(sb->dir, "work", NULL);
	g_autofree char *opts = g_strdup_printf("lowerdir=%s:/,upperdir=%s,workdir=%s", tmpl, upper, work);
	if (mount("overlay", root, "overlay", MS_NOSUID, opts) < 0)
		return -1;
	static const char *const tmpfs[][2] = { { "run", "mode=755" }, { "tmp", "mode=1777" }, { "dev", "mode=755" } };
	for (size_t i = 0; i < G_N_ELEMENTS(tmpfs); i++) {
		g_autofree char *p = g_build_filename(root, tmpfs[i][0], NULL);
		g_autofree char *o = g_strdup_printf("%s,uid=%u,gid=%u", tmpfs[i][1], sb->base, sb->base);
		mkdir(p, 0755);
		if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, o) < 0)
			return -1;
	}
	g_autofree char *dev = g_build_filename(root, "dev", NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(devices); i++) {
		g_autofree char *src = g_build_filename("/dev", devices[i], NULL);
		g_autofree char *dst = g_build_filename(dev, devices[i], NULL);
		g_autofree char *dd = g_path_get_dirname(dst);
		if (!g_file_test(src, G_FILE_TEST_EXISTS))
			continue;
		mkdir(dd, 0755);
		int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		close(fd);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			return -1;
	}
	static const char *const links[][2] = { { "pts/ptmx", "ptmx" }, { "/proc/self/fd", "fd" },
						{ "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
						{ "/proc/self/fd/2", "stderr" } };
	for (size_t i = 0; i < G_N_ELEMENTS(links); i++) {
		g_autofree char *p = g_build_filename(dev, links[i][1], NULL);
		if (symlink(links[i][0], p) < 0)
			return -1;
	}
	const char *dirs[] = { "pts", "shm" };
	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree char *p = g_build_filename(dev, dirs[i], NULL);
		if (mkdir(p, 0755) < 0 || chown(p, sb->base, sb->base) < 0)
			return -1;
	}
	return 0;
}

/* ---- init (PID 1 of the node) ---- */

static volatile sig_atomic_t init_term;
static void on_term(int sig) { (void)sig; init_term = 1; }
static void on_chld(int sig) { (void)sig; }

static void G_GNUC_NORETURN init_loop(void)
{
	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);
	prctl(PR_SET_NAME, "vdelab-init");
	for (;;) {
		if (init_term) {
			kill(-1, SIGTERM);
			for (int i = 0; i < 100; i++) {
				while (waitpid(-1, NULL, WNOHANG) > 0)
					;
				if (kill(-1, 0) < 0 && errno == ESRCH)
					break;
				usleep(10000);
			}
			_exit(0); /* the kernel ends whatever is left */
		}
		if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
			pause();
	}
}

static void G_GNUC_NORETURN run_init(int dirfd, int fd)
{
	/* relative to the node's directory, opened while still host root:
	 * node root may not search the lab's 0700 run directory */
	const unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	int rfd = openat(dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0 || fchdir(rfd) < 0)
		fail_child(fd, "the node's root");
	if (mount("proc", "proc", "proc", safe, NULL) < 0)
		fail_child(fd, "mount /proc");
	if (mount("sysfs", "sys", "sysfs", safe | MS_RDONLY, NULL) < 0)
		fail_child(fd, "mount /sys");
	if (mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620,gid=5") < 0)
		fail_child(fd, "mount /dev/pts");
	if (mount("tmpfs", "dev/shm", "tmpfs", safe, "mode=1777") < 0)
		fail_child(fd, "mount /dev/shm");
	if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		fail_child(fd, "pivot_root");
	close(rfd);
	close(dirfd);
	setsid();
	report(fd, 0, "ready");
	/* labctl says go once init.pid is written; if it died before, nothing
	 * would know this node: end it */
	char go;
	if (!xread(fd, &go, 1))
		_exit(1);
	close(fd);
	int nul = open("/dev/null", O_RDWR);
	for (int i = 0; i < 3 && nul >= 0; i++)
		dup2(nul, i);
	syscall(SYS_close_range, 3, ~0U, 0);
	init_loop();
}

/* ---- start ---- */

static void G_GNUC_NORETURN run_c(const struct sandbox *sb, int fd)
{
	char b;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWUSER) < 0)
		fail_child(fd, "unshare(user)");
	report(fd, 0, "user");
	if (!xread(fd, &b, 1))
		_exit(1);
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) < 0)
		fail_child(fd, "unshare(mount, uts, ipc, net)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail_child(fd, "make / private");
	/* still host uid 0 (the owner of the lab's 0700 run directory): the
	 * node's directory, as this mount namespace sees it */
	int dirfd = open(sb->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		fail_child(fd, sb->dir);
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		fail_child(fd, "become node root");
	if (sethostname(sb->hostname, strlen(sb->hostname)) < 0)
		fail_child(fd, "sethostname");
	report(fd, 0, "namespaces");
	if (!xread(fd, &b, 1))
		_exit(1);
	if (unshare(CLONE_NEWPID) < 0)
		fail_child(fd, "unshare(pid)");
	pid_t i = fork();
	if (i < 0)
		fail_child(fd, "fork init");
	if (i == 0)
		run_init(dirfd, fd);
	if (write(fd, &i, sizeof i) < 0)
		_exit(1);
	_exit(0);
}

static bool p_step(int fd, pid_t c, GError **e)
{
	struct step s;
	if (!xread(fd, &s, sizeof s)) {
		int st = 0;
		waitpid(c, &st, 0);
		g_set_error(e, sb_quark(), EIO, "the node's setup process ended early (status %d)", st);
		return false;
	}
	if (s.err) {
		g_set_error(e, sb_quark(), s.err, "%s: %s", s.what, g_strerror(s.err));
		return false;
	}
	return true;
}

static char *template_dir(const struct sandbox *sb)
{
	/* DIR is RUN/LAB/fs/nodes/NODE; the lab's template is RUN/LAB/fs/template */
	g_autofree char *nodes = g_path_get_dirname(sb->dir);
	g_autofree char *fs = g_path_get_dirname(nodes);
	return g_build_filename(fs, "template", NULL);
}

pid_t sandbox_start(const struct sandbox *sb, GError **e)
{
	if (geteuid() != 0) {
		g_set_error(e, sb_quark(), EPERM, "sandboxed nodes need root (labctl up as root)");
		return -1;
	}
	g_autofree char *tmpl = template_dir(sb);
	const char *sub[] = { "upper", "work", "root" };
	for (size_t i = 0; i < G_N_ELEMENTS(sub); i++) {
		g_autofree char *p = g_build_filename(sb->dir, sub[i], NULL);
		if (g_mkdir_with_parents(p, 0755) < 0 || (i == 0 && chown(p, sb->base, sb->base) < 0)) {
			g_set_error(e, sb_quark(), errno, "%s: %s", p, g_strerror(errno));
			return -1;
		}
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		g_set_error(e, sb_quark(), errno, "socketpair: %s", g_strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t c = fork();
	if (c < 0) {
		g_set_error(e, sb_quark(), errno, "fork: %s", g_strerror(errno));
		close(sv[0]), close(sv[1]);
		return -1;
	}
	if (c == 0) {
		close(sv[0]);
		run_c(sb, sv[1]);
	}
	close(sv[1]);
	int fd = sv[0];
	pid_t init = -1;
	char go = 'g';
	g_autofree char *map = g_strdup_printf("0 %u %u\n", sb->base, SANDBOX_IDS);
	g_autofree char *um = g_strdup_printf("/proc/%d/uid_map", (int)c);
	g_autofree char *gm = g_strdup_printf("/proc/%d/gid_map", (int)c);
	g_autofree char *mntns = g_strdup_printf("/proc/%d/ns/mnt", (int)c);
	if (!p_step(fd, c, e))
		goto out;
	if (!write_file(um, map) || !write_file(gm, map)) {
		g_set_error(e, sb_quark(), errno, "id map of the node: %s", g_strerror(errno));
		goto out;
	}
	if (!cg_setup(sb, c)) {
		g_set_error(e, sb_quark(), errno, "cgroup %s: %s", sb->cgroup, g_strerror(errno));
		goto out;
	}
	if (write(fd, &go, 1) != 1 || !p_step(fd, c, e))
		goto out;
	/* H: the root file system, mounted by host root in C's mount namespace */
	int mfd = open(mntns, O_RDONLY | O_CLOEXEC);
	pid_t h = mfd < 0 ? -1 : fork();
	if (h == 0) {
		/* overlayfs refuses a lower layer with locked mounts below it, as
		 * every mount is in a namespace of the node's user namespace: the
		 * root is built in a private namespace of host root's, then moved
		 * whole (a detached clone) into the node's */
		g_autofree char *root = g_build_filename(sb->dir, "root", NULL);
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount_root(sb, tmpl) < 0)
			_exit(errno ? errno : EIO);
		int tree = (int)syscall(SYS_open_tree, AT_FDCWD, root, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree < 0 || setns(mfd, CLONE_NEWNS) < 0 ||
		    syscall(SYS_move_mount, tree, "", AT_FDCWD, root, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			_exit(errno ? errno : EIO);
		_exit(0);
	}
	int hst = 0;
	if (mfd >= 0)
		close(mfd);
	if (h < 0 || waitpid(h, &hst, 0) != h || !WIFEXITED(hst) || WEXITSTATUS(hst)) {
		int er = h < 0 ? errno : WIFEXITED(hst) ? WEXITSTATUS(hst) : EIO;
		g_set_error(e, sb_quark(), er, "the node's root file system (overlay of the host's /): %s", g_strerror(er));
		goto out;
	}
	if (write(fd, &go, 1) != 1)
		goto out;
	pid_t ipid;
	if (!xread(fd, &ipid, sizeof ipid)) {
		p_step(fd, c, e);
		goto out;
	}
	if (!p_step(fd, c, e)) {
		kill(ipid, SIGKILL);
		goto out;
	}
	init = ipid;
out:
	if (init < 0) {
		close(fd);
		kill(c, SIGKILL);
	}
	waitpid(c, NULL, 0);
	if (init < 0)
		return -1;
	/* the network namespace where ip(8) and the switch find it */
	g_autofree char *nsfile = g_build_filename("/run/netns", sb->ns, NULL);
	g_autofree char *nsproc = g_strdup_printf("/proc/%d/ns/net", (int)init);
	g_mkdir_with_parents("/run/netns", 0755);
	int nf = open(nsfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (nf >= 0)
		close(nf);
	if (nf < 0 || mount(nsproc, nsfile, NULL, MS_BIND, NULL) < 0) {
		g_set_error(e, sb_quark(), errno, "%s: %s", nsfile, g_strerror(errno));
		if (nf >= 0)
			unlink(nsfile);
		close(fd);
		return -1;
	}
	g_autofree char *pidf = g_build_filename(sb->dir, "init.pid", NULL);
	g_autofree char *pids = g_strdup_printf("%d\n", (int)init);
	if (!g_file_set_contents(pidf, pids, -1, NULL) || write(fd, &go, 1) != 1) {
		g_set_error(e, sb_quark(), EIO, "%s: cannot write", pidf);
		close(fd);
		return -1;
	}
	close(fd);
	return init;
}

/* ---- the lab's template ---- */

static uid_t tmpl_base;
static const char *tmpl_dir;

static uid_t shift(uid_t id) { return tmpl_base + (id < SANDBOX_IDS ? id : 65534); }

static int tmpl_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	g_autofree char *dst = g_strconcat(tmpl_dir, path, NULL);
	bool etc = !strncmp(path, "/etc", 4) && (path[4] == '/' || !path[4]);
	/* only host root may read it: not in the template (stays unreadable) */
	bool secret = st->st_uid == 0 && !(st->st_mode & S_IROTH);
	if (type == FTW_D || type == FTW_DNR) {
		if (secret && etc && ftw->level > 0)
			return FTW_SKIP_SUBTREE;
		if (mkdir(dst, st->st_mode & 07777) < 0 && errno != EEXIST)
			return -1;
		if (lchown(dst, shift(st->st_uid), shift(st->st_gid)) < 0 || chmod(dst, st->st_mode & 07777) < 0)
			return -1;
		return 0;
	}
	if (!etc || secret)
		return 0;
	if (type == FTW_SL) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n < 0)
			return 0;
		target[n] = 0;
		if (symlink(target, dst) < 0 && errno != EEXIST)
			return -1;
		/* an unshifted link would belong to host root in the node */
		return lchown(dst, shift(st->st_uid), shift(st->st_gid)) < 0 ? -1 : 0;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode) || st->st_size > (8 << 20))
		return 0;
	g_autofree char *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, NULL))
		return 0;
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	bool ok = write(fd, data, len) == (ssize_t)len && fchown(fd, shift(st->st_uid), shift(st->st_gid)) == 0 &&
		  fchmod(fd, st->st_mode & 07777 & ~(S_ISUID | S_ISGID)) == 0;
	close(fd);
	return ok ? 0 : -1;
}

bool sandbox_template(const char *dir, uid_t base, GError **e)
{
	tmpl_base = base;
	tmpl_dir = dir;
	if (g_mkdir_with_parents(dir, 0755) < 0 || chown(dir, base, base) < 0) {
		g_set_error(e, sb_quark(), errno, "%s: %s", dir, g_strerror(errno));
		return false;
	}
	static const char *const trees[] = { "/etc", "/var" };
	for (size_t i = 0; i < G_N_ELEMENTS(trees); i++)
		if (nftw(trees[i], tmpl_one, 32, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) < 0) {
			g_set_error(e, sb_quark(), errno, "template of %s in %s: %s", trees[i], dir, g_strerror(errno));
			return false;
		}
	/* private and empty: root's home, the logs; /var/run is /run */
	static const char *const opaque[] = { "root", "var/log", "home" };
	for (size_t i = 0; i < G_N_ELEMENTS(opaque); i++) {
		g_autofree char *p = g_build_filename(dir, opaque[i], NULL);
		if ((mkdir(p, i == 0 ? 0700 : 0755) < 0 && errno != EEXIST) || chown(p, base, base) < 0 ||
		    setxattr(p, "trusted.overlay.opaque", "y", 1, 0) < 0) {
			g_set_error(e, sb_quark(), errno, "%s: %s", p, g_strerror(errno));
			return false;
		}
	}
	return true;
}

/* ---- enter, stop ---- */

pid_t sandbox_pid(const char *dir, const char *ns)
{
	g_autofree char *pidf = g_build_filename(dir, "init.pid", NULL), *txt = NULL;
	if (!g_file_get_contents(pidf, &txt, NULL, NULL))
		return 0;
	pid_t pid = (pid_t)atoi(txt);
	if (pid <= 1)
		return 0;
	g_autofree char *nsfile = g_build_filename("/run/netns", ns, NULL);
	g_autofree char *nsproc = g_strdup_printf("/proc/%d/ns/net", (int)pid);
	struct stat a, b;
	if (stat(nsfile, &a) < 0 || stat(nsproc, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		return 0;
	return pid;
}

int sandbox_run(const char *dir, const char *ns, const char *cgroup, const char *lab, const char *node,
		char **argv)
{
	pid_t init = sandbox_pid(dir, ns);
	if (!init) {
		errno = ESRCH;
		return -1;
	}
	/* the namespaces, opened before any is joined; user last */
	static const struct { const char *name; int type; } nss[] = {
		{ "net", CLONE_NEWNET }, { "uts", CLONE_NEWUTS }, { "ipc", CLONE_NEWIPC },
		{ "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS }, { "user", CLONE_NEWUSER } };
	int fds[G_N_ELEMENTS(nss)];
	for (size_t i = 0; i < G_N_ELEMENTS(nss); i++) {
		g_autofree char *p = g_strdup_printf("/proc/%d/ns/%s", (int)init, nss[i].name);
		fds[i] = open(p, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return -1;
	}
	/* a job-control shell in the node takes the terminal and, ending, cannot
	 * give it back (our process group is not in its pid namespace): the
	 * foreground is taken back below */
	pid_t fg = isatty(0) ? tcgetpgrp(0) : -1;
	fflush(NULL);
	pid_t c = fork();
	if (c < 0)
		return -1;
	if (c == 0) {
		cg_join(cgroup);
		for (size_t i = 0; i < G_N_ELEMENTS(nss); i++)
			if (setns(fds[i], nss[i].type) < 0) {
				fprintf(stderr, "labctl: enter node %s (%s namespace): %s\n", node, nss[i].name,
					g_strerror(errno));
				_exit(126);
			}
		if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			fprintf(stderr, "labctl: enter node %s: %s\n", node, g_strerror(errno));
			_exit(126);
		}
		syscall(SYS_close_range, 3, ~0U, 0);
		/* the pid namespace applies to children: the command is one */
		pid_t g = fork();
		if (g < 0)
			_exit(126);
		if (g == 0) {
			const char *term = getenv("TERM");
			g_autofree char *t = term ? g_strdup(term) : NULL;
			clearenv();
			setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
			setenv("HOME", "/root", 1);
			setenv("USER", "root", 1);
			setenv("LOGNAME", "root", 1);
			setenv("NODE", node, 1);
			setenv("LAB", lab, 1);
			if (t)
				setenv("TERM", t, 1);
			if (chdir("/root") < 0 && chdir("/") < 0)
				_exit(126);
			execvp(argv[0], argv);
			fprintf(stderr, "labctl: %s: %s\n", argv[0], g_strerror(errno));
			_exit(127);
		}
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		int st;
		while (waitpid(g, &st, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	for (size_t i = 0; i < G_N_ELEMENTS(nss); i++)
		close(fds[i]);
	void (*oi)(int) = signal(SIGINT, SIG_IGN), (*oq)(int) = signal(SIGQUIT, SIG_IGN);
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	if (fg > 0 && fg == getpgrp()) {
		void (*ot)(int) = signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(0, fg);
		signal(SIGTTOU, ot);
	}
	signal(SIGINT, oi);
	signal(SIGQUIT, oq);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void sandbox_stop(guint n, const char *const *dirs, const char *const *nss, const char *const *cgroups)
{
	pid_t *pids = g_new0(pid_t, n);
	for (guint i = 0; i < n; i++)
		if ((pids[i] = sandbox_pid(dirs[i], nss[i])))
			kill(pids[i], SIGTERM);
	/* every init at once: 100 nodes take as long as one */
	for (int t = 0; t < 100; t++) {
		bool left = false;
		for (guint i = 0; i < n; i++)
			left |= pids[i] && sandbox_pid(dirs[i], nss[i]) == pids[i];
		if (!left)
			break;
		g_usleep(10000);
	}
	for (guint i = 0; i < n; i++)
		if (pids[i] && sandbox_pid(dirs[i], nss[i]) == pids[i])
			kill(pids[i], SIGKILL);
	for (guint i = 0; i < n; i++)
		cg_remove(cgroups[i]);
	g_free(pids);
}
