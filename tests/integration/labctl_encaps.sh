# The encapsulations lab (labs/encapsulations.xml): labctl trace names each
# encapsulation, its tenant id and outer endpoints; a capture at the
# underlay decodes in tshark as VXLAN, Geneve and GRE (NVGRE) with the ids
# of the map; a GRE-TAP segment without a key traces as such.
. tests/integration/lib.sh
need_root
command -v tshark >/dev/null || skip "tshark not installed"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}e"
lab "$N"
"$L" up --name "$N" labs/encapsulations.xml > "$T/up" 2>&1 || { cat "$T/up"; fail "up"; }
"$L" check --name "$N" labs/encapsulations.xml > "$T/check" || { cat "$T/check"; fail "checks"; }
for t in "red-vx1 red-vx2 VXLAN VNI 1010 (VLAN 10), UDP 192.0.2.1:4789 -> 192.0.2.2:4789" \
	 "blue-gn1 blue-gn2 Geneve VNI 2020 (VLAN 20), UDP 192.0.2.1:6081 -> 192.0.2.2:6081" \
	 "red-nv2 red-nv1 NVGRE VSID 5010 (VLAN 10), IP protocol 47 192.0.2.2 -> 192.0.2.1"; do
	set -- $t
	a=$1 b=$2; shift 2
	out=$("$L" trace "$N" "$a" "$b") || { echo "$out"; fail "trace $a $b"; }
	echo "$out" | grep "tunnel"
	echo "$out" | grep -qF "$*" || { echo "$out"; fail "trace $a -> $b does not say: $*"; }
done

"$L" capture "$N" vtep1 -w "$T/u.pcap" -d 3 2>"$T/cap.err" &
CAP=$!
sleep 1
for n in 1 2 3; do
	for c in red blue; do
		s=$(echo "vx gn nv" | cut -d' ' -f$n)
		"$L" exec "$N" "$c-${s}1" -- ping -c 1 -W 1 10.$n.0.2 >/dev/null || fail "$c-${s}1 ping"
	done
done
wait "$CAP" || { cat "$T/cap.err"; fail "capture"; }
tshark -r "$T/u.pcap" -Y "icmp.type == 8" -T fields -E occurrence=f -e vxlan.vni -e geneve.vni -e gre.key \
	> "$T/ids.txt" 2>/dev/null
cat "$T/ids.txt"
grep -q "^1010" "$T/ids.txt" && grep -q "^1020" "$T/ids.txt" || fail "no VXLAN VNIs 1010 and 1020 in the capture"
grep -qP "^\t0x0007da\t" "$T/ids.txt" && grep -qP "^\t0x0007e4\t" "$T/ids.txt" || fail "no Geneve VNIs 2010 (0x7da) and 2020 (0x7e4)"
grep -qP "^\t\t0x001392" "$T/ids.txt" && grep -qP "^\t\t0x00139c" "$T/ids.txt" || fail "no NVGRE VSIDs 5010 (0x1392) and 5020 (0x139c)"
"$L" down "$N" >/dev/null || fail "down"

# GRE-TAP without a key, traced
cat > "$T/g.xml" <<'X'
<lab name="g">
  <switch name="u"/><switch name="a"/><switch name="b"/>
  <node name="v1"><if switch="u" ip="192.0.2.1/24"/></node>
  <node name="v2"><if switch="u" ip="192.0.2.2/24"/></node>
  <tunnel type="gretap"><vtep switch="a" node="v1"/><vtep switch="b" node="v2"/></tunnel>
  <node name="h1"><if switch="a" ip="10.9.0.1/24"/></node>
  <node name="h2"><if switch="b" ip="10.9.0.2/24"/></node>
  <check node="h1" ping="10.9.0.2" name="across GRE-TAP"/>
</lab>
X
G="${P}g"
lab "$G"
"$L" up --name "$G" "$T/g.xml" > "$T/up2" 2>&1 || { cat "$T/up2"; fail "up gretap lab"; }
"$L" check --name "$G" "$T/g.xml" || fail "ping across GRE-TAP"
"$L" trace "$G" h1 h2 | grep -F "GRE-TAP without a key (VLAN 0), IP protocol 47 192.0.2.1 -> 192.0.2.2" ||
	{ "$L" trace "$G" h1 h2; fail "gretap trace"; }
"$L" down "$G" >/dev/null || fail "down gretap lab"
echo PASS
