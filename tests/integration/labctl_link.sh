# labctl link set/show/reset on a running lab, observed in ping times; a bad
# value is refused and changes nothing.
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}w"
lab "$N"
"$L" up --name "$N" labs/routed-wan.xml >/dev/null || fail "up"
# the minimum of 5 RTTs: a delay is a floor, and one ping that waits for ARP
# or a busy CPU must not move the figure (the average did, on CI)
x() { "$L" exec "$N" h1 -- ping -c 5 -i 0.2 -W 2 10.0.2.10 | sed -n 's|.*= \([0-9.]*\)/.*|\1|p'; }
x >/dev/null
a=$(x); echo "lab as written (20 ms each way on r1:eth1): $a ms"
within "$a" 39 43 || fail "baseline RTT $a"
"$L" link set "$N" h1 out delay=30ms || fail "link set"
b=$(x); echo "h1 out +30 ms: $b ms"
within "$b" 69 74 || fail "RTT after link set: $b"
"$L" link show "$N" h1 > "$T/show"; cat "$T/show"
grep -q "^  out delay=30ms" "$T/show" || fail "link show does not say h1's out (the node's view)"
grep -q "^  in  none" "$T/show" || fail "link show: h1's in"
grep -q "^link r1:eth1" "$T/show" && fail "link show h1 printed other links"
"$L" link show "$N" r1:eth1 | grep -q "^  out delay=20ms" || fail "link show r1:eth1: the lab file's 20 ms"
"$L" link set "$N" h1 out loss=0% || fail "link set of another key"
"$L" link show "$N" h1 | grep -q "^  out delay=30ms" || fail "link set of one key dropped the others"
"$L" link set "$N" h1 out 'loss=150%' 2>"$T/err" && fail "bad value accepted"
grep -q "loss=150%" "$T/err" || fail "bad value not named"
c=$(x); within "$c" 69 74 || fail "a refused value changed the link: $c"
"$L" link set "$N" nosuch delay=1ms 2>/dev/null && fail "unknown link accepted"
"$L" link reset "$N" r1:eth1 >/dev/null || fail "reset r1:eth1"
d=$(x); echo "after reset of r1:eth1 (back to the file's 20 ms): $d ms"
within "$d" 69 74 || fail "RTT after reset of r1:eth1: $d"
"$L" link set "$N" r1:eth1 both 'none' >/dev/null
e=$(x); echo "r1:eth1 cleared: $e ms"
within "$e" 29 33 || fail "RTT with r1:eth1 cleared: $e"
"$L" link reset "$N" >/dev/null || fail "reset"
f=$(x); echo "after reset of every link: $f ms"
within "$f" 39 43 || fail "RTT after reset: $f, not the lab file's 40 ms"
"$L" down "$N" >/dev/null

# two cables between the same two switches: each has its own name and is
# addressed on its own (red over the first, blue over the second)
M="${P}2c"
lab "$M"
cat > "$T/two.xml" <<XML
<lab name="$M">
  <switch name="sw1" vlans="10,20"/>
  <switch name="sw2" vlans="10,20"/>
  <cable a="sw1" b="sw2" vlan-trunk="10"/>
  <cable a="sw1" b="sw2" vlan-trunk="20"/>
  <node name="red1"><if switch="sw1" vlan="10" ip="192.168.60.1/24"/></node>
  <node name="blue1"><if switch="sw1" vlan="20" ip="192.168.60.2/24"/></node>
  <node name="red2"><if switch="sw2" vlan="10" ip="192.168.60.3/24"/></node>
  <node name="blue2"><if switch="sw2" vlan="20" ip="192.168.60.4/24"/></node>
</lab>
XML
"$L" up "$T/two.xml" >/dev/null || fail "up of two cables"
"$L" top "$M" --once --json > "$T/top.json"
grep -q '"sw1-sw2"' "$T/top.json" || fail "top --json lacks the first cable"
grep -q '"sw1-sw2.2"' "$T/top.json" || fail "top --json lacks the second cable"
"$L" link set "$M" sw1-sw2.2 both delay=25ms || fail "link set of the second cable"
"$L" exec "$M" blue1 -- ping -c 1 -W 2 192.168.60.4 >/dev/null   # ARP first
"$L" exec "$M" red1 -- ping -c 1 -W 2 192.168.60.3 >/dev/null
rb=$("$L" exec "$M" blue1 -- ping -c 5 -i 0.2 -W 2 192.168.60.4 | sed -n 's|.*= \([0-9.]*\)/.*|\1|p')
rr=$("$L" exec "$M" red1 -- ping -c 5 -i 0.2 -W 2 192.168.60.3 | sed -n 's|.*= \([0-9.]*\)/.*|\1|p')
echo "blue over sw1-sw2.2 (25 ms each way): $rb ms; red over sw1-sw2: $rr ms"
within "$rb" 49 54 || fail "the second cable's delay did not apply: $rb"
within "$rr" 0 3 || fail "link set of sw1-sw2.2 reached the first cable: $rr"
"$L" link show "$M" sw1-sw2 | grep -q "ab none" || fail "link show of the first cable"
"$L" down "$M" >/dev/null
echo PASS
