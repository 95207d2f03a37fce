# Hostile lab files and command lines: each hole found by trying them has a
# check that failed before it was closed.
#
#   lab ${P}a-b: node c      lab ${P}a: node b-c    (same "vl-LAB-NODE" once)
#   lab ${P}k:  switch s     lab ${P}k2: switch s   (pid file paths: one a prefix of the other)
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
lab "${P}a-b"; lab "${P}a"; lab "${P}k"; lab "${P}k2"; lab "${P}n"; lab "${P}m"
mklab() { # NAME NODE
	cat > "$T/$1.xml" <<XML
<lab name="$1">
  <switch name="s"/>
  <node name="$2"><if switch="s" ip="10.31.0.1/24"/></node>
  <exec node="$2">echo started</exec>
</lab>
XML
}

# 1. node namespaces of two labs never collide, and neither up touches the other lab
mklab "${P}a-b" c; mklab "${P}a" b-c
"$L" up "$T/${P}a-b.xml" >/dev/null || fail "up ${P}a-b"
"$L" up "$T/${P}a.xml" >"$T/up2" 2>&1 || { cat "$T/up2"; fail "up of ${P}a (node b-c) failed: namespace collision"; }
"$L" exec "${P}a-b" c -- true || fail "lab ${P}a-b lost its node to the other lab"
"$L" exec "${P}a" b-c -- true || fail "lab ${P}a has no node b-c"

# 2. a namespace the lab did not make is refused, and the rollback leaves it
mklab "${P}n" n1
ip netns add "vl-${P}n.n1"; NSS="$NSS vl-${P}n.n1"
"$L" up "$T/${P}n.xml" 2>"$T/e2" && fail "up over a foreign namespace succeeded"
grep -q "exists already" "$T/e2" || { cat "$T/e2"; fail "the foreign namespace is not named"; }
ip netns list | grep -q "^vl-${P}n.n1" || fail "the rollback removed a namespace it did not make"
sleep 0.2
pgrep -f "$T/run/${P}n/" >/dev/null && fail "the rollback right after the switch started left it running"

# 3. lab names on the command line are checked like the schema's
mkdir -p "$T/victim" "$T/run/keep"
"$L" down ../victim 2>"$T/e3" && fail "down ../victim accepted"
grep -q "not a lab name\|neither a lab file" "$T/e3" || fail "no reason for ../victim"
[ -d "$T/victim" ] || fail "down ../victim deleted a directory beside the run root"
"$L" down / 2>/dev/null && fail "down / accepted"
[ -d "$T/run/keep" ] || fail "down / deleted the run root"
"$L" status --name ../x "$T/${P}a.xml" 2>/dev/null && fail "--name ../x accepted"

# 4. a key path that would end a console line is refused at validate, with FILE:LINE
cat > "$T/inj.xml" <<'XML'
<lab name="inj" key="/tmp/k&#10;capture/start 1 /etc/passwd">
  <switch name="s"/>
</lab>
XML
"$L" validate "$T/inj.xml" 2>"$T/e4" && fail "a key with a newline validated"
grep -q "inj.xml:1: key=" "$T/e4" || { cat "$T/e4"; fail "no FILE:LINE for the key"; }

# 5. a libvirt URI that runs a program is refused at validate; the program never runs
printf '#!/bin/sh\ntouch %s/ran\n' "$T" > "$T/evil"; chmod +x "$T/evil"
cat > "$T/ext.xml" <<XML
<lab name="ext">
  <site name="a" libvirt="qemu+ext:///system?command=$T/evil"/>
  <switch name="s" site="a"/>
  <node name="v" kind="vm" site="a"><if switch="s" ip="10.32.0.1/24"/></node>
</lab>
XML
"$L" validate "$T/ext.xml" 2>"$T/e5" && fail "qemu+ext URI validated"
grep -q "ext.xml:2: site \"a\": libvirt=" "$T/e5" || { cat "$T/e5"; fail "no FILE:LINE for the URI"; }
"$L" up "$T/ext.xml" --site a >/dev/null 2>&1 && fail "up with qemu+ext succeeded"
[ -e "$T/ran" ] && fail "the URI's command ran"

# 6. a relative lab path keeps its relative image= (it was dropped silently)
mkdir -p "$T/rel"
cat > "$T/rel/vm.xml" <<'XML'
<lab name="rel">
  <switch name="s"/>
  <node name="v" kind="vm" image="disk.qcow2"><if switch="s" ip="10.33.0.1/24"/></node>
</lab>
XML
(cd "$T/rel" && "$L" validate vm.xml) 2>"$T/e6" && fail "a missing relative image validated"
grep -q "image $T/rel/disk.qcow2: no such file" "$T/e6" || { cat "$T/e6"; fail "relative image not resolved from the lab's directory"; }

# 7. pid ownership is exact: lab k's pid file naming lab k2's switch does not kill it
mklab "${P}k" h1; mklab "${P}k2" h1
"$L" up "$T/${P}k.xml" >/dev/null || fail "up ${P}k"
"$L" up "$T/${P}k2.xml" >/dev/null || fail "up ${P}k2"
own=$(cat "$T/run/${P}k/sw-s.pid"); other=$(cat "$T/run/${P}k2/sw-s.pid")
PIDS="$PIDS $own"
echo "$other" > "$T/run/${P}k/sw-s.pid"    # as if lab k's switch died and its pid was reused
"$L" down "${P}k" >/dev/null
sleep 0.3  # (a killed daemon may linger as a zombie: ask its console instead)
mgmt "$T/run/${P}k2/sw-s.mgmt" showinfo | grep -q "^1000" || fail "down ${P}k killed lab ${P}k2's switch (substring pid check)"
kill "$own" 2>/dev/null

# 8. run directory private: 0700 directories, 0600 files
mklab "${P}m" h1
"$L" up "$T/${P}m.xml" >/dev/null || fail "up ${P}m"
D="$T/run/${P}m"
[ "$(stat -c %a "$D")" = 700 ] || fail "run directory mode $(stat -c %a "$D"), not 700"
for f in "$D/state" "$D/labfile" "$D"/exec-*.log; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f mode $(stat -c %a "$f"), not 600"
done
"$L" capture "${P}m" h1 -c 1 -d 1 >/dev/null 2>&1
[ "$(stat -c %a "$D/captures")" = 700 ] || fail "captures/ mode $(stat -c %a "$D/captures")"
for f in "$D"/captures/*.pcap; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f mode $(stat -c %a "$f"), not 600"
done
echo "all hostile inputs refused"
