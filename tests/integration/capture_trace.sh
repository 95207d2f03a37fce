# Seeing inside a lab (issue 8): labctl capture on a trunk cable, a node
# interface with a BPF filter, a tunnel's underlay and its overlay side;
# a pcap:// port bringing an outside namespace into a lab switch; labctl
# trace (computed and --probe) on the VLAN and overlay teaching labs; bad
# filters, unknown ports and unwritable files give clear errors and the
# port keeps forwarding.
. tests/integration/lib.sh
need_root
command -v tshark >/dev/null || skip "tshark not installed"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
V="${P}v"; O="${P}o"
lab "$V"; lab "$O"
"$L" up --name "$V" labs/vlans.xml >/dev/null || fail "vlans lab up"
"$L" check --name "$V" labs/vlans.xml >/dev/null || fail "vlans lab checks"
x() { "$L" exec "$1" "$2" -- sh -c "$3"; }
fields() { tshark -r "$1" -Y "${3:-frame}" -T fields -E occurrence=f $2 2>/dev/null; }

# 1. the trunk cable: tagged ICMP between red1 and red2, nothing else (filter)
"$L" capture "$V" sw1-sw2 -f "vlan and icmp" -c 4 -d 10 -w "$T/trunk.pcap" 2>"$T/cap.err" &
CP=$!; sleep 0.5
x "$V" red1 "ping -c 2 -i 0.2 -W 2 192.168.50.3" >/dev/null || fail "ping red1 -> red2"
wait $CP || fail "capture of the trunk: $(cat "$T/cap.err")"
cat "$T/cap.err"
fields "$T/trunk.pcap" "-e vlan.id -e ip.src -e ip.dst -e icmp.type" > "$T/trunk.txt"
cat "$T/trunk.txt"
[ "$(wc -l < "$T/trunk.txt")" -eq 4 ] || fail "expected 4 frames on the trunk"
grep -q "^10	192.168.50.1	192.168.50.3	8$" "$T/trunk.txt" || fail "no tagged echo request red1 -> red2"
grep -q "^10	192.168.50.3	192.168.50.1	0$" "$T/trunk.txt" || fail "no tagged echo reply red2 -> red1"
[ "$(fields "$T/trunk.pcap" "-e frame.number" "not icmp" | wc -l)" -eq 0 ] || fail "the filter let other frames through"
tshark -r "$T/trunk.pcap" -T fields -e frame.time_epoch 2>/dev/null | head -1 | grep -q '\.[0-9]\{9\}$' ||
	fail "timestamps are not nanosecond"

# 2. a node interface, live to stdout, ARP only
x "$V" blue1 "ip neigh flush all"
"$L" capture "$V" blue1:eth0 -f arp -c 2 -d 10 -w - 2>/dev/null > "$T/arp.pcap" &
CP=$!; sleep 0.5
x "$V" blue1 "ping -c 1 -W 2 192.168.50.4" >/dev/null || fail "ping blue1 -> blue2"
wait $CP
fields "$T/arp.pcap" "-e arp.opcode" > "$T/arp.txt"
[ "$(sort -u "$T/arp.txt" | tr '\n' ' ')" = "1 2 " ] || fail "expected an ARP request and reply, got: $(cat "$T/arp.txt")"

# 3. bad input: clear errors, and the port still forwards
"$L" capture "$V" red1 -f "icmp and (" -c 1 2>"$T/e1" && fail "bad filter accepted"
grep -q "red1\|sw1 port" "$T/e1" && grep -q "syntax error\|parse" "$T/e1" || fail "unclear error for a bad filter: $(cat "$T/e1")"
"$L" capture "$V" nosuch:eth9 -c 1 2>"$T/e2" && fail "unknown port accepted"
grep -q 'no port "nosuch:eth9"' "$T/e2" || fail "unclear error for an unknown port: $(cat "$T/e2")"
"$L" capture "$V" sw1:99 -c 1 2>"$T/e3" && fail "port 99 accepted"
grep -q "port 99 does not exist" "$T/e3" || fail "unclear error for a missing port: $(cat "$T/e3")"
"$L" capture "$V" red1 -w /nonexistent/dir/x.pcap -c 1 2>"$T/e4" && fail "unwritable file accepted"
grep -q "No such file or directory" "$T/e4" || fail "unclear error for an unwritable file: $(cat "$T/e4")"
x "$V" red1 "ping -c 1 -W 2 192.168.50.3" >/dev/null || fail "red1's port stopped forwarding after the errors"

# 4. pcap:// brings an outside namespace into the lab (VLAN 10, with red1)
ns OUT; ns PS
veth OUT PS x y 192.168.50.99/24
M="$VDELAB_RUN_DIR/$V/sw-sw1.mgmt"
mgmt "$M" "port/add pcap://${P}y?netns=$P-PS 20" | grep -q "^1000" || fail "port/add pcap://"
mgmt "$M" "port/setvlan 20 10" | grep -q "^1000" || fail "port/setvlan"
nsx OUT ping -c 2 -i 0.2 -W 2 192.168.50.1 || fail "outside namespace -> red1 through pcap://"
nsx OUT ping -c 1 -W 1 192.168.50.2 >/dev/null 2>&1 && fail "outside namespace reached blue1 (VLAN 20)"
rx=$(pstat "$M" 20 rx_packets)
echo "pcap port rx_packets=$rx"
[ "$rx" -le 20 ] || fail "frames we injected came back into the switch ($rx)"

# 5. trace on the VLAN lab
"$L" trace "$V" red1 red2 > "$T/tr1" || fail "trace vlans"
cat "$T/tr1"
grep -q "switch    sw1 port 1 -> port [0-9]*, VLAN 10" "$T/tr1" || fail "trace: sw1 hop"
grep -q "cable     sw1-sw2  cable, 802.1Q trunk" "$T/tr1" || fail "trace: trunk cable"
grep -q "switch    sw2 port [0-9]* -> port 1, VLAN 10" "$T/tr1" || fail "trace: sw2 hop"
grep -q "node      red2:eth0" "$T/tr1" || fail "trace: destination"
"$L" trace "$V" red1 red2 --probe --json > "$T/tr1.json" || fail "trace --probe --json"
grep -q '"answered": true' "$T/tr1.json" || fail "probe not answered"
grep '"port": "sw' "$T/tr1.json" | grep -q 'null' && fail "probe not seen at every port: $(cat "$T/tr1.json")"
[ "$(grep -c '"port": "sw' "$T/tr1.json")" -ge 4 ] || fail "probe points missing"
"$L" down "$V" >/dev/null

# 6. the overlay lab: underlay capture shows VXLAN, overlay side the tenant frame; trace names the tunnel
"$L" up --name "$O" labs/overlay.xml >/dev/null || fail "overlay lab up"
"$L" check --name "$O" labs/overlay.xml >/dev/null || fail "overlay checks"
"$L" trace "$O" red1 red2 > "$T/tr2" || fail "trace overlay"
cat "$T/tr2"
grep -q "switch    leaf1 port 1 -> port 3, VLAN 10" "$T/tr2" || fail "trace: leaf1 hop"
grep -q "tunnel    vtep1 -> vtep2  VXLAN VNI 5010 (VLAN 10), UDP 10.1.0.10:4789 -> 10.2.0.10:4789" "$T/tr2" || fail "trace: tunnel"
grep -q "encrypted UDP cable to 127.0.0.1:480" "$T/tr2" || fail "trace: the underlay's encrypted cable"
grep -q "switch    leaf2 port 3 -> port 1, VLAN 10" "$T/tr2" || fail "trace: leaf2 hop"
"$L" trace "$O" blue1 blue2 | grep -q "VNI 5020 (VLAN 20)" || fail "trace: blue goes in VNI 5020"
"$L" trace "$O" red1 red2 --probe > "$T/tr2p" || fail "probe overlay"
cat "$T/tr2p"
grep -q "NOT answered" "$T/tr2p" && fail "overlay probe not answered"
[ "$(grep -c '^  leaf[12]:[0-9]* *+[0-9]* us *+[0-9]* us$' "$T/tr2p")" -eq 4 ] || fail "probe not seen at the 4 leaf ports"

"$L" capture "$O" vtep1 -f "udp port 4789" -d 3 -w "$T/under.pcap" 2>/dev/null &
C1=$!
"$L" capture "$O" leaf1:3 -c 2 -d 10 -f "vlan and icmp" -w "$T/over.pcap" 2>/dev/null &
C2=$!; sleep 0.5
x "$O" red1 "ping -c 2 -i 0.2 -W 2 192.168.1.2" >/dev/null || fail "red1 -> red2"
wait $C1 $C2
fields "$T/under.pcap" "-e ip.src -e ip.dst -e vxlan.vni" "vxlan" > "$T/under.txt"
cat "$T/under.txt"
grep -q "^10.1.0.10	10.2.0.10	5010$" "$T/under.txt" || fail "underlay capture does not show VXLAN VNI 5010 from vtep1"
fields "$T/over.pcap" "-e vlan.id -e ip.src -e ip.dst -e udp.port" > "$T/over.txt"
cat "$T/over.txt"
grep -q "^10	192.168.1.1	192.168.1.2	$" "$T/over.txt" || fail "overlay side does not show the tenant frame"
echo PASS
