# A lab across two hosts: two namespaces play hosts A and B (198.18.2.1 and
# .2 on a veth pair). Each runs `labctl up FILE --site X` for its part; the
# cable between s1 (site A) and s2 (site B) becomes an encrypted UDP cable
# between the two addresses. Site A comes up first and waits for B; the
# lab's checks pass from both sides; `status` shows the cable's peer and
# counters; B going down and up again (a new epoch) is picked up by A
# without touching A; `down` on both leaves nothing.
. tests/integration/lib.sh
need_root
ns HA; ns HB
veth HA HB ha hb 198.18.2.1/30 198.18.2.2/30

L="ms$$"
"$B/vdelab-plug" --genkey "$T/ms.key" || fail "genkey"
cat > "$T/ms.xml" <<XML
<lab name="$L" key="$T/ms.key">
  <site name="A" address="198.18.2.1"/>
  <site name="B" address="198.18.2.2"/>
  <switch name="s1" site="A"/>
  <switch name="s2" site="B"/>
  <cable a="s1" b="s2"><impair both="delay=2ms"/></cable>
  <node name="h1" site="A"><if switch="s1" ip="10.88.0.1/24"/></node>
  <node name="h2" site="B"><if switch="s2" ip="10.88.0.2/24"/></node>
  <check node="h1" ping="h2"/>
  <check node="h2" ping="h1"/>
  <check node="h1" run="ping -c1 -W1 10.88.0.2" expect="time=[2-9]" name="the cable's delay applies"/>
</lab>
XML
# nsenter enters the network namespace only: the lab's own namespaces must be
# made in the real mount namespace, which `ip netns exec` would replace
on() { h=$1; shift; VDELAB_RUN_DIR="$T/run$h" nsenter --net="/run/netns/$P-H$h" "$B/labctl" "$@"; }
cleanup_sites() { on A down "$L" >/dev/null 2>&1; on B down "$L" >/dev/null 2>&1; cleanup; }
trap cleanup_sites EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up

on A up "$T/ms.xml" --site B2 2>"$T/err" && fail "unknown site accepted"
grep -q "no such site" "$T/err" || fail "no clear error for an unknown site"
on A up "$T/ms.xml" --site A || fail "site A up"
ip netns list | grep -q "vl-$L\.h2" && fail "site A brought up site B's node"
on A status "$L" > "$T/stA"
grep -q "type=cable peer=198.18.2.2:4801 state=waiting" "$T/stA" || { cat "$T/stA"; fail "A's cable end is not waiting for B"; }

on B up "$T/ms.xml" --site B || fail "site B up"
on A check "$T/ms.xml" || fail "checks from site A"
on B check "$T/ms.xml" > "$T/chB" || { cat "$T/chB"; fail "checks from site B"; }
cat "$T/chB"
grep -q "h1: ping" "$T/chB" && fail "site B ran site A's checks"
on A status "$L" > "$T/stA"
cat "$T/stA"
grep -q "type=cable peer=198.18.2.2:4801 state=up .*sessions=1" "$T/stA" || fail "A's cable end is not up"
on B status "$L" | grep -q "type=cable peer=198.18.2.1:4800 state=up" || fail "B's cable end is not up"

# B restarts: A keeps running and picks up the new session
on B down "$L" >/dev/null || fail "site B down"
on B up "$T/ms.xml" --site B >/dev/null || fail "site B up again"
on B check "$T/ms.xml" >/dev/null || fail "checks after B restarted"
on A status "$L" | grep -q "type=cable .*state=up .*sessions=2" || fail "A did not pick up B's new epoch"

on A down "$L" >/dev/null || fail "down A"
on B down "$L" >/dev/null || fail "down B"
ip netns list | grep -q "vl-$L\." && fail "namespaces left behind"
[ -e "$T/runA/$L" ] || [ -e "$T/runB/$L" ] && fail "run directories left behind"
echo PASS
