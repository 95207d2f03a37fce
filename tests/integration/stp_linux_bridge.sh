# Interop with a real 802.1D peer: the Linux bridge's kernel STP. A kernel
# bridge (stp_state 1) and two vdelab-switches in a loop, all in one netns:
#
#   br0 (Linux, priority 0xF000) --tap a-- S1 (priority 0x1000, root)
#     \--tap b-- S2 (0x8000) ==== vdelab cable ==== S1
#
# The tree must agree: everyone names S1 as root; Linux's port to S2 is the
# one blocking port (S2 is the better designated bridge on that segment);
# our ports to the kernel speak 802.1D (the kernel ignores RST BPDUs), the
# S1-S2 cable speaks RSTP; tshark decodes our BPDUs of both kinds cleanly.
. tests/integration/lib.sh
need_root
command -v tshark >/dev/null || skip "no tshark"
ns L
# S1 and S2 run in the namespace so that their taps are there
bgsw() {
	bg ip netns exec "$P-L" "$B/vdelab-switch" -s "$T/$1" -M "$T/$1.mgmt" --nostdin --macaddr "$2" -t "$3"
	wait_for test -S "$T/$1.mgmt" || fail "switch $1 did not start"
}
bgsw s1 02:00:00:00:00:01 "${P}a"
bgsw s2 02:00:00:00:00:02 "${P}b"
# 802.1D timers of the root, short for the test: hello 1, max age 6, fwd delay 4
for s in s1 s2; do
	mgmt "$T/$s.mgmt" "stp/settimes 1 6 4" | grep -q '^1000' || fail "stp/settimes"
done
mgmt "$T/s1.mgmt" "stp/setpriority 4096" | grep -q '^1000' || fail "stp/setpriority"
nsx L ip link add br0 type bridge stp_state 1 priority 61440 forward_delay 400 hello_time 100 max_age 600
nsx L ip link set "${P}a" master br0
nsx L ip link set "${P}b" master br0
# path costs as ours (1 Gbit/s, 802.1D-2004), so that S2 wins the S2-br0 segment
nsx L bridge link set dev "${P}a" cost 20000
nsx L bridge link set dev "${P}b" cost 20000
for i in "${P}a" "${P}b" br0; do nsx L ip link set "$i" up; done
nsx L ip addr add 10.9.16.1/24 dev br0
bg "$B/vdelab-plug" "vde://$T/s1[2]" "vde://$T/s2[2]"
port2() { mgmt "$T/s1.mgmt" "port/print 2" | grep -q '^1000'; }
wait_for port2 || fail "cable s1-s2"
mgmt "$T/s1.mgmt" "capture/start 2 $T/rst.pcap" | grep -q '^1000' || fail "capture rst"
mgmt "$T/s1.mgmt" "capture/start 1 $T/stp.pcap" | grep -q '^1000' || fail "capture stp"
for s in s1 s2; do mgmt "$T/$s.mgmt" "fstp/setfstp 1" | grep -q '^1000' || fail "setfstp"; done
host_debian H 10.9.16.2/24 "vde://$T/s2[3]"
mgmt "$T/s2.mgmt" "stp/setedge 3 1" >/dev/null

S1ID=1000.02:00:00:00:00:01
# the kernel's designated root as sysfs has it: 1000.020000000001
kroot() { nsx L cat /sys/class/net/br0/bridge/root_id; }
kstate() { nsx L bridge link show dev "$1" | sed -n 's/.* state \([a-z]*\) .*/\1/p'; }
agreed() {
	[ "$(kroot)" = "$(echo "$S1ID" | tr -d :)" ] || return 1
	mgmt "$T/s2.mgmt" stp/print | grep -q "root=$S1ID" || return 1
	[ "$(kstate "${P}b")" = blocking ] && [ "$(kstate "${P}a")" = forwarding ] || return 1
	mgmt "$T/s2.mgmt" stp/print | grep -q '^port=1 role=designated state=forwarding'
}
i=0; while ! agreed; do i=$((i + 1)); [ $i -ge 300 ] && break; sleep 0.1; done
echo "kernel: root $(kroot), ${P}a $(kstate "${P}a"), ${P}b $(kstate "${P}b")"
nsx L bridge link show
for s in s1 s2; do echo "== $s"; mgmt "$T/$s.mgmt" stp/print | grep -v '^0000\|^\.\|^1000' | cut -d' ' -f1-12; done
agreed || fail "the kernel bridge and vdelab do not agree on the tree"
# exactly one blocking port in the loop: the kernel's; none of ours discards
[ "$(mgmt "$T/s1.mgmt" stp/print | grep -c 'state=discarding')" -eq 0 ] || fail "s1 discards"
[ "$(mgmt "$T/s2.mgmt" stp/print | grep -c 'state=discarding')" -eq 0 ] || fail "s2 discards"
# the protocol per port: 802.1D toward the kernel, RSTP on our cable
mgmt "$T/s1.mgmt" "stp/print 1" | grep -q 'proto=stp' || fail "s1 port 1 did not fall back to 802.1D"
mgmt "$T/s2.mgmt" "stp/print 1" | grep -q 'proto=stp' || fail "s2 port 1 did not fall back to 802.1D"
mgmt "$T/s1.mgmt" "stp/print 2" | grep -q 'proto=rstp' || fail "s1 port 2 should speak RSTP"
mgmt "$T/s2.mgmt" "stp/print 1" | grep -q 'config_in=[1-9]' || fail "no Configuration BPDU from the kernel counted"
mgmt "$T/s2.mgmt" "stp/print 1" | grep -q 'bpdu_bad=0' || fail "kernel BPDUs counted as bad"
# data through the kernel bridge and our switches
nsx L ping -c 3 -i 0.2 -W 2 10.9.16.2 >/dev/null || fail "ping br0 -> H over the tree"

# tshark decodes what we sent, both kinds, without errors
for s in s1; do mgmt "$T/$s.mgmt" "capture/stop 1" >/dev/null; mgmt "$T/$s.mgmt" "capture/stop 2" >/dev/null; done
out=$(tshark -r "$T/rst.pcap" -Y "stp && eth.src == 02:00:00:00:00:01" -V 2>&1)
echo "$out" | grep -q 'Protocol Version Identifier: Rapid Spanning Tree (2)' || { echo "$out" | head -40; fail "no RST BPDU decoded"; }
echo "$out" | grep -q 'Root Identifier: 4096 / 0 / 02:00:00:00:00:01' || fail "root id as tshark reads it"
out2=$(tshark -r "$T/stp.pcap" -Y "stp && eth.src == 02:00:00:00:00:01" -V 2>&1)
echo "$out2" | grep -q 'Protocol Version Identifier: Spanning Tree (0)' || { echo "$out2" | head -40; fail "no 802.1D BPDU decoded"; }
echo "$out2" | grep -q 'BPDU Type: Configuration (0x00)' || fail "no Configuration BPDU decoded"
for o in "$out" "$out2"; do
	echo "$o" | grep -qi 'malformed\|Expert Info (Error' && fail "tshark reports errors: $(echo "$o" | grep -i 'malformed\|error' | head -3)"
done
n1=$(tshark -r "$T/rst.pcap" -Y "stp.protocol && eth.src == 02:00:00:00:00:01" 2>/dev/null | wc -l)
n2=$(tshark -r "$T/stp.pcap" -Y "stp.protocol && eth.src == 02:00:00:00:00:01" 2>/dev/null | wc -l)
echo "tshark decoded $n1 RST and $n2 802.1D BPDUs of ours"
echo PASS
