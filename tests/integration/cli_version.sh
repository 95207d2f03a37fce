# Every program answers --version: its name and the version of
# vde/core/version.h on one line, exit status 0.
. tests/integration/lib.sh
v=$(sed -n 's/^#define VDELAB_VERSION "\(.*\)"$/\1/p' vde/core/version.h)
[ -n "$v" ] || fail "no VDELAB_VERSION in vde/core/version.h"
for p in vdelab-switch vdelab-plug vdelab-wirefilter labctl; do
	out=$("$B/$p" --version) || fail "$p --version exited $?"
	echo "$out"
	case "$out" in "$p $v "*) ;; *) fail "$p --version: \"$out\"" ;; esac
	[ "$(echo "$out" | wc -l)" -eq 1 ] || fail "$p --version: more than one line"
done
echo PASS
