# Sandboxed nodes (isolation="sandbox", the default): each node its own
# hostname, processes, files, unprivileged root and limits; a hostile lab's
# escapes fail while its legitimate work succeeds; down leaves nothing.
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}s"
lab "$N"
mkdir -p "$T/lab/h1/etc" "$T/lab/h1/root/bin"
echo "welcome to h1 (from the node folder)" > "$T/lab/h1/etc/motd"
printf '#!/bin/sh\necho tool-ran\n' > "$T/lab/h1/root/bin/tool"; chmod 755 "$T/lab/h1/root/bin/tool"
ln -s /etc/shadow "$T/lab/h1/root/shadow-link"   # a link stays a link, resolved inside the node
echo "host-marker-$$" > "$T/marker"; chmod 600 "$T/marker"
cat > "$T/lab/lab.xml" <<XML
<lab name="$N">
  <switch name="sw1"/>
  <node name="h1" pids="64">
    <if switch="sw1" ip="10.91.0.1/24"/>
    <file path="/etc/vdelab-test.conf">absolute path inside the node</file>
    <file path="notes.txt">relative: in /root</file>
  </node>
  <node name="h2" memory="48"><if switch="sw1" ip="10.91.0.2/24"/></node>
  <node name="bare" isolation="none"><if switch="sw1" ip="10.91.0.3/24"/></node>
  <exec node="h2">sleep 600 &amp; echo started > /tmp/started</exec>
  <exec node="h2">while true; do echo served-by-h2 | nc -N -l 8080; done</exec>
  <exec node="h2">bird -c /etc/bird/bird.conf -s /run/bird.ctl</exec>
  <!-- the hostile part: every escape must fail -->
  <check node="h1" name="read the host's /etc/shadow" run="{ cat /etc/shadow; } || exit 1" exit="1"/>
  <check node="h1" name="a secret through a link of the node folder" run="{ cat /root/shadow-link; } || exit 1" exit="1"/>
  <check node="h1" name="read a host file by path" run="{ cat $T/marker; } || exit 1" exit="1"/>
  <check node="h1" name="write a host file" run="{ echo owned > $T/escaped; test -e /proc/1/root$T/marker; } || exit 1" exit="1"/>
  <check node="h1" name="nsenter into PID 1's namespaces (the node's init)" run="{ nsenter -t 1 -m -n -- sh -c 'hostname; test -e $T/marker'; } || exit 1" exit="1"/>
  <check node="h1" name="see or kill a host process" run="{ kill -0 $$; } || exit 1" exit="1"/>
  <check node="h1" name="load a kernel module" run="{ modprobe -q dummy || insmod /nonexistent.ko; } || exit 1" exit="1"/>
  <check node="h1" name="create a device" run="{ mknod /tmp/sda b 8 0; } || exit 1" exit="1"/>
  <check node="h1" name="remount the host's root writable" run="{ mount -o remount,rw / &amp;&amp; touch /usr/escaped; } || exit 1" exit="1"/>
  <check node="h1" name="reach the host's network namespace" run="{ ip netns list | grep -q . || nsenter --net=/proc/$$/ns/net true; } || exit 1" exit="1"/>
  <!-- the legitimate part: all of it works -->
  <check node="h1" name="hostname is the node's" run="hostname" expect="^h1$"/>
  <check node="h1" name="root in the node" run="id -u" expect="^0$"/>
  <check node="h1" name="addresses and routes" run="ip addr add 10.92.0.1/24 dev eth0 &amp;&amp; ip route add 10.93.0.0/24 via 10.92.0.2 &amp;&amp; ip route" expect="10.93.0.0/24 via 10.92.0.2"/>
  <check node="h1" name="nftables rules" run="nft add table inet t &amp;&amp; nft add chain inet t c &amp;&amp; nft list ruleset" expect="table inet t"/>
  <check node="h1" name="a name resolves" run="ping -c 1 -W 2 h2" expect="1 received"/>
  <check node="h1" name="a daemon of h2 answers" run="nc -w 2 h2 8080" expect="served-by-h2"/>
  <check node="h1" name="the node folder and files" run="cat /etc/motd /etc/vdelab-test.conf notes.txt; bin/tool" expect="tool-ran"/>
  <check node="h2" name="exec's output stays in the node" run="cat /tmp/started" expect="started"/>
  <check node="h2" name="bird runs in h2 with the host's package config" run="birdc -s /run/bird.ctl show status" expect="Daemon is up and running"/>
</lab>
XML
"$L" up "$T/lab/lab.xml" > "$T/up" 2>&1 || { cat "$T/up"; fail "up"; }
cat "$T/up"
"$L" check "$T/lab/lab.xml" > "$T/report"; rc=$?
cat "$T/report"
[ $rc -eq 0 ] || fail "check failed (exit $rc)"
[ -e "$T/escaped" ] && fail "a node wrote a host file"
[ "$(cat "$T/marker")" = "host-marker-$$" ] || fail "the host file changed"

x() { "$L" exec "$N" "$@"; }
# identity, processes, files
[ "$(x h2 -- hostname)" = h2 ] || fail "h2's hostname"
[ "$(x bare -- hostname)" = "$(hostname)" ] || fail "isolation=none is not the host's"
x h2 -- ps -eo pid,comm > "$T/ps"; cat "$T/ps"
grep -q " sleep" "$T/ps" || fail "h2's daemon is not in its ps"
grep -q "vdelab-switch\|labctl up" "$T/ps" && fail "ps in h2 shows host processes"
[ "$(x h2 -- sh -c 'echo $$')" -lt 100 ] || fail "h2's pid namespace"
x h1 -- sh -c "echo h1-tmp > /tmp/f-$P; echo h1-etc > /etc/f-$P" || fail "writes in h1"
[ -e "/tmp/f-$P" ] || [ -e "/etc/f-$P" ] && fail "a node write reached the host"
x h2 -- sh -c "test -e /tmp/f-$P || test -e /etc/f-$P" && fail "h1's writes are seen in h2"
x h1 -- cat /etc/motd | grep -q "from the node folder" || fail "the node folder was not copied"
# node root is an unprivileged host uid
base=$(awk '$1 == "uids" { print $2 }' "$T/run/$N/state")
[ -n "$base" ] || fail "no uid range in the state"
sp=$(for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = sleep ] && [ "$(readlink $p/ns/net)" = "$(readlink /proc/$(cat "$T/run/$N/fs/nodes/h2/init.pid")/ns/net)" ] && echo ${p#/proc/}; done | head -1)
[ -n "$sp" ] || fail "h2's sleep not found from the host"
hu=$(awk '/^Uid:/ { print $2 }' /proc/$sp/status)
echo "h2's root is host uid $hu (lab range from $base)"
[ "$hu" = "$base" ] || fail "node root is host uid $hu, not $base"
# the memory limit of h2 (memory="48" MiB)
mc=/sys/fs/cgroup/memory/vdelab/$N/h2/memory.limit_in_bytes
[ ! -e "$mc" ] || [ "$(cat $mc)" = $((48 << 20)) ] || fail "h2's memory limit is $(cat $mc)"
# a second lab gets another uid range
M="${P}t"
lab "$M"
printf '<lab name="%s"><switch name="s"/><node name="a"><if switch="s"/></node></lab>\n' "$M" > "$T/two.xml"
"$L" up "$T/two.xml" > /dev/null || fail "up of a second lab"
base2=$(awk '$1 == "uids" { print $2 }' "$T/run/$M/state")
echo "second lab's range from $base2"
[ -n "$base2" ] && [ "$base2" != "$base" ] || fail "two labs share uid range $base"
"$L" down "$M" > /dev/null
# the pids limit: a fork bomb in h1 stops at 64 processes; h2 keeps answering
x h1 -- sh -c 'for i in $(seq 200); do sleep 30 & done 2>/dev/null; exit 0' 2>/dev/null
cg=/sys/fs/cgroup/pids/vdelab/$N/h1
if [ -d "$cg" ]; then
	echo "h1 after starting 200 sleeps with pids=64: pids.current=$(cat $cg/pids.current), refused forks: $(cat $cg/pids.events)"
	[ "$(cat $cg/pids.current)" -le 64 ] || fail "the pids limit did not hold"
	grep -q "max [1-9]" $cg/pids.events || fail "no fork was refused"
else
	echo "no pids cgroup controller on this kernel: limit not tested"
fi
x h2 -- ping -c 1 -W 2 10.91.0.3 > /dev/null || fail "h2 stopped answering during h1's fork bomb"
# kill -9 of a node's init: the node's processes are gone with it; down cleans up
kill -9 "$(cat "$T/run/$N/fs/nodes/h2/init.pid")"
sleep 0.2
kill -0 "$sp" 2>/dev/null && fail "h2's processes outlived its init"
"$L" down "$N" > /dev/null || fail "down"
lab_left "$N" "$base" && fail "down left something"

# kill -9 of labctl at several points of up, then down: nothing left
for k in 3 5 7 9; do
	VDELAB_TEST_KILL_AFTER=$k "$L" up "$T/lab/lab.xml" > /dev/null 2>&1
	b=$(awk '$1 == "uids" { print $2 }' "$T/run/$N/state" 2>/dev/null)
	"$L" down "$N" > /dev/null 2>&1
	lab_left "$N" "${b:-$base}" && fail "kill -9 of up after record $k, then down: something left"
done
echo PASS
