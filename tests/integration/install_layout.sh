# make install DESTDIR=... puts the programs, man pages, bash completion,
# the extcap link and share/vdelab where PREFIX says; the installed labctl
# validates an installed lab and answers --version; make uninstall removes
# every file it installed.
. tests/integration/lib.sh
command -v scdoc >/dev/null || skip "no scdoc (apt-get install scdoc)"
R="$T/root"
make -s --no-print-directory install B="$B" DESTDIR="$R" > "$T/log" 2>&1 || { cat "$T/log"; fail "make install"; }
P0=/usr/local
for f in bin/vdelab-switch bin/vdelab-plug bin/vdelab-wirefilter bin/labctl \
	 share/man/man8/vdelab-switch.8 share/man/man1/vdelab-plug.1 share/man/man1/vdelab-wirefilter.1 \
	 share/man/man8/labctl.8 share/man/man5/vdelab-lab.5 share/vdelab/lab.rng share/vdelab/mkguest.sh \
	 share/vdelab/labs/vlans.xml share/vdelab/labs/README.md share/vdelab/labs/bgp/r1/etc/frr/frr.conf \
	 share/vdelab/examples/demo.sh share/bash-completion/completions/labctl \
	 share/bash-completion/completions/vdelab-switch; do
	[ -e "$R$P0/$f" ] || fail "make install did not install $P0/$f"
done
ext=$(find "$R" -path '*/wireshark/extcap/vdelab')
[ -L "$ext" ] && [ "$(readlink -f "$ext")" = "$(readlink -f "$R$P0/bin/labctl")" ] || fail "no extcap link to $P0/bin/labctl: $ext"
[ -x "$R$P0/bin/labctl" ] && [ ! -x "$R$P0/share/vdelab/labs/vlans.xml" ] || fail "modes"
"$R$P0/bin/labctl" --version | grep -q '^labctl ' || fail "installed labctl --version"
"$R$P0/bin/labctl" validate "$R$P0/share/vdelab/labs/vlans.xml" || fail "installed labctl validate"
MANWIDTH=80 man -l "$R$P0/share/man/man5/vdelab-lab.5" | grep -q 'vdelab-lab - the vdelab lab file format' || fail "man page"
n=$(find "$R" -type f -o -type l | wc -l)
echo "installed $n files"
make -s --no-print-directory uninstall B="$B" DESTDIR="$R" > "$T/log" 2>&1 || { cat "$T/log"; fail "make uninstall"; }
left=$(find "$R" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"
echo PASS
