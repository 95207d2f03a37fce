/* nodefiles.c - a sandboxed node's own files (nodefiles.h). */
#include "nodefiles.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ctx { const char *upper, *tmpl; uid_t base; GString *err; };

/* make the directories above `rel` (a path inside the node) in the upper
 * layer, each with the template's owner and mode where it has one */
static bool mkparents(const struct ctx *c, const char *rel)
{
	g_auto(GStrv) parts = g_strsplit(rel, "/", -1);
	GString *p = g_string_new(NULL);
	bool ok = true;
	for (int i = 0; parts[i] && parts[i + 1] && ok; i++) {
		if (!parts[i][0])
			continue;
		g_string_append_printf(p, "/%s", parts[i]);
		g_autofree char *dst = g_strconcat(c->upper, p->str, NULL);
		g_autofree char *t = g_strconcat(c->tmpl, p->str, NULL);
		struct stat ts;
		bool known = lstat(t, &ts) == 0 && S_ISDIR(ts.st_mode);
		if (mkdir(dst, known ? ts.st_mode & 07777 : 0755) == 0)
			ok = lchown(dst, known ? ts.st_uid : c->base, known ? ts.st_gid : c->base) == 0;
		else if (errno != EEXIST)
			ok = false;
		else {
			struct stat ds;
			ok = lstat(dst, &ds) == 0 && S_ISDIR(ds.st_mode); /* never through a link */
		}
		if (!ok)
			g_string_printf(c->err, "node file %s: %s", p->str, g_strerror(errno ? errno : ENOTDIR));
	}
	g_string_free(p, TRUE);
	return ok;
}

static bool put(const struct ctx *c, const char *rel, const char *data, gsize len, mode_t mode)
{
	if (!mkparents(c, rel))
		return false;
	g_autofree char *dst = g_strconcat(c->upper, rel, NULL);
	g_autofree char *t = g_strconcat(c->tmpl, rel, NULL);
	struct stat ts;
	bool known = lstat(t, &ts) == 0 && S_ISREG(ts.st_mode);
	unlink(dst);
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, data, len) == (ssize_t)len &&
		  fchown(fd, known ? ts.st_uid : c->base, known ? ts.st_gid : c->base) == 0 &&
		  fchmod(fd, known ? ts.st_mode & 0777 : mode) == 0;
	if (!ok)
		g_string_printf(c->err, "node file %s: %s", rel, g_strerror(errno));
	if (fd >= 0)
		close(fd);
	return ok;
}

static char *bare(const char *cidr) { return g_strndup(cidr, strcspn(cidr, "/")); }

static char *hosts_text(const struct lab *lab)
{
	GString *s = g_string_new("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	for (guint i = 0; i < lab->nodes->len; i++) {
		const struct lab_node *n = g_ptr_array_index(lab->nodes, i);
		bool named = false;
		for (guint k = 0; k < n->ifs->len; k++) {
			const struct lab_if *f = g_ptr_array_index(n->ifs, k);
			for (guint a = 0; a < f->ips->len; a++) {
				g_autofree char *ip = bare(g_ptr_array_index(f->ips, a));
				/* the node's name first: it is what a reverse lookup answers */
				g_string_append_printf(s, "%s\t%s%s%s-%s\n", ip, named ? "" : n->name, named ? "" : " ",
						       n->name, f->name);
				named = true;
			}
		}
	}
	return g_string_free(s, FALSE);
}

/* ---- the node's folder ---- */

static const struct ctx *walk;
static size_t walk_root;

static int copy_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (ftw->level == 0)
		return 0;
	const char *rel = path + walk_root; /* "/etc/frr/frr.conf" */
	if (type == FTW_D) {
		g_autofree char *probe = g_strconcat(rel, "/x", NULL);
		return mkparents(walk, probe) ? 0 : -1;
	}
	if (type == FTW_SL) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n < 0 || !mkparents(walk, rel))
			return n < 0 ? 0 : -1;
		target[n] = 0;
		g_autofree char *dst = g_strconcat(walk->upper, rel, NULL);
		unlink(dst);
		if (symlink(target, dst) < 0 || lchown(dst, walk->base, walk->base) < 0) {
			g_string_printf(walk->err, "node file %s: %s", rel, g_strerror(errno));
			return -1;
		}
		return 0;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0; /* devices, fifos, sockets: not a node's business */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		g_string_printf(walk->err, "%s: %s", path, g_strerror(errno));
		return -1;
	}
	GString *data = g_string_new(NULL);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		g_string_append_len(data, buf, n);
	close(fd);
	bool ok = n == 0 && put(walk, rel, data->str, data->len, st->st_mode & 0111 ? 0755 : 0644);
	if (n < 0)
		g_string_printf(walk->err, "%s: %s", path, g_strerror(errno));
	g_string_free(data, TRUE);
	return ok ? 0 : -1;
}

bool node_files_write(const struct lab *lab, const struct lab_node *n, const char *upper, const char *tmpl,
		      uid_t base, GString *err)
{
	struct ctx c = { upper, tmpl, base, err };
	g_autofree char *hn = g_strdup_printf("%s\n", n->name), *hosts = hosts_text(lab);
	const char *resolv = "# vdelab: lab names are in /etc/hosts; no name server\noptions timeout:1 attempts:1\n";
	if (!put(&c, "/etc/hostname", hn, strlen(hn), 0644) || !put(&c, "/etc/hosts", hosts, strlen(hosts), 0644) ||
	    !put(&c, "/etc/resolv.conf", resolv, strlen(resolv), 0644))
		return false;
	g_autofree char *labdir = g_path_get_dirname(lab->path);
	g_autofree char *folder = g_build_filename(labdir, n->name, NULL);
	struct stat fs;
	if (lstat(folder, &fs) == 0 && S_ISDIR(fs.st_mode)) {
		walk = &c;
		walk_root = strlen(folder);
		if (nftw(folder, copy_one, 16, FTW_PHYS) != 0) {
			if (!err->len)
				g_string_printf(err, "node folder %s: %s", folder, g_strerror(errno));
			return false;
		}
	}
	for (guint k = 0; k < n->files->len; k++) {
		const struct lab_file *fl = g_ptr_array_index(n->files, k);
		g_autofree char *rel = fl->path[0] == '/' ? g_strdup(fl->path) : g_strconcat("/root/", fl->path, NULL);
		if (!put(&c, rel, fl->content, strlen(fl->content), 0644))
			return false;
	}
	return true;
}
