# VXLAN interop with the Linux kernel (RFC 7348, DESIGN.md §5 recipe):
#
#   ns A: vx42 (kernel, VNI 42) 10.42.0.1    veth 198.18.0.1/30, 198.18.0.5/30
#         vx43 (kernel, VNI 43) 10.43.0.1          |
#   ns B: veth 198.18.0.2/30 ── vxlan:// port of vdelab-switch ── tap in ns C 10.42.0.2
#         veth 198.18.0.6/30 ── vdelab-plug vxlan://..vni=43 ── tap in ns B 10.43.0.2
#
# Ping both ways through both, tshark decodes our packets as VXLAN with the
# right VNI and spread outer source ports; bad flags and a foreign VNI are
# dropped and counted; a second VTEP on a port in use gets a clear error.
. tests/integration/lib.sh
need_root
command -v tshark >/dev/null || skip "tshark not installed"
ns A; ns B
veth A B va vb 198.18.0.1/30 198.18.0.2/30
nsx A ip addr add 198.18.0.5/30 dev "${P}va"; nsx B ip addr add 198.18.0.6/30 dev "${P}vb"
nsx A ip link add vx42 type vxlan id 42 remote 198.18.0.2 local 198.18.0.1 dstport 4789 nolearning ||
	fail "kernel vxlan 42"
nsx A ip link add vx43 type vxlan id 43 remote 198.18.0.6 local 198.18.0.5 dstport 4789 nolearning ||
	fail "kernel vxlan 43"
for v in 42 43; do nsx A ip addr add 10.$v.0.1/24 dev vx$v; nsx A ip link set vx$v up; done

ip netns exec "$P-B" tshark -q -i "${P}vb" -f "udp port 4789" -w "$T/vx.pcap" >/dev/null 2>&1 &
TSHARK=$!; PIDS="$PIDS $TSHARK"
wait_for test -s "$T/vx.pcap" || fail "tshark did not start"

# as a switch port, in namespace B
switch sw
mgmt "$T/sw.mgmt" "port/add vxlan://198.18.0.2?vni=42&remote=198.18.0.1&netns=$P-B 5" |
	grep -q "^1000 Success" || fail "port/add vxlan"
host_ours C 10.42.0.2/24 "vde://$T/sw[1]"
# as a plug, between a tap and the kernel's VNI 43
bg ip netns exec "$P-B" "$B/vdelab-plug" "vxlan://198.18.0.6:4789?vni=43&remote=198.18.0.5" "tap://${P}t43"
wait_for nsx B ip link show "${P}t43" || fail "plug tap"
nsx B ip addr add 10.43.0.2/24 dev "${P}t43"; nsx B ip link set "${P}t43" up

nsx C ping -c 3 -i 0.2 -W 2 10.42.0.1 || fail "ping ours -> kernel, VNI 42 (switch port)"
nsx A ping -c 3 -i 0.2 -W 2 10.42.0.2 || fail "ping kernel -> ours, VNI 42"
nsx B ping -c 3 -i 0.2 -W 2 10.43.0.1 || fail "ping ours -> kernel, VNI 43 (plug)"
nsx A ping -c 3 -i 0.2 -W 2 10.43.0.2 || fail "ping kernel -> ours, VNI 43"
# a few TCP/UDP flows for source-port entropy
for p in 1 2 3 4 5 6 7 8; do nsx C sh -c "echo x > /dev/udp/10.42.0.1/$((9000 + p))" 2>/dev/null; done
nsx C sh -c 'for p in 1 2 3 4 5 6 7 8; do echo x | nc -u -w0 10.42.0.1 $((9000 + p)); done' 2>/dev/null

# a second VTEP on 198.18.0.2:4789 is refused, not silently sharing the port
out=$(mgmt "$T/sw.mgmt" "port/add vxlan://198.18.0.2?vni=44&netns=$P-B")
echo "$out" | grep -q "Address already in use" || fail "second bind of :4789 not refused: $out"

# strict header checks: bad flags, then VNI 99, sent by hand from A
before=$(mgmt "$T/sw.mgmt" "port/info 5")
eth='\377\377\377\377\377\377\002\000\000\000\000\001\010\006'
printf "\014\000\000\000\000\000\052\000$eth" | nsx A nc -u -w1 -s 198.18.0.1 198.18.0.2 4789
printf "\010\000\000\000\000\000\143\000$eth" | nsx A nc -u -w1 -s 198.18.0.1 198.18.0.2 4789
after=$(mgmt "$T/sw.mgmt" "port/info 5")
echo "$after"
get() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
[ "$(get "$after" bad_flags)" -eq $(( $(get "$before" bad_flags) + 1 )) ] || fail "bad flags not counted"
[ "$(get "$after" bad_vni)" -eq $(( $(get "$before" bad_vni) + 1 )) ] || fail "foreign VNI not counted"
[ "$(get "$after" learned)" -ge 1 ] || fail "no (VNI, MAC) -> VTEP learned"

sleep 0.5
kill "$TSHARK"; wait "$TSHARK" 2>/dev/null
tshark -r "$T/vx.pcap" -Y "vxlan && ip.src == 198.18.0.2" -T fields -E occurrence=f -e vxlan.vni -e vxlan.flags -e udp.srcport -e udp.dstport > "$T/ours.txt" 2>/dev/null
tshark -r "$T/vx.pcap" -Y "vxlan && ip.src == 198.18.0.6" -T fields -e vxlan.vni > "$T/plug.txt" 2>/dev/null
echo "ours: $(wc -l < "$T/ours.txt") VXLAN packets; first: $(head -1 "$T/ours.txt")"
[ "$(wc -l < "$T/ours.txt")" -ge 6 ] || fail "tshark saw too few VXLAN packets from us"
awk '$1 != 42 || $4 != 4789 { bad = 1 } END { exit bad }' "$T/ours.txt" || { cat "$T/ours.txt"; fail "wrong VNI or port in our packets"; }
awk '$1 != 43 { bad = 1 } END { exit bad || NR < 6 }' "$T/plug.txt" || fail "plug's packets not VNI 43"
ports=$(awk '{ print $3 }' "$T/ours.txt" | sort -u | wc -l)
echo "distinct outer source ports: $ports"
[ "$ports" -ge 2 ] || fail "outer source port does not vary with the inner flow"
echo PASS
