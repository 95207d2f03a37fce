# VLAN isolation and an 802.1Q trunk between two vdelab-switches joined by a
# vdelab-plug cable.
#
#   [A1 vlan10 10.9.2.1]--p1 +-----+ p8 ==trunk 10,20== p8 +-----+ p1--[B1 vlan10 10.9.2.2]
#   [A2 vlan20 10.9.2.3]--p2 | sw1 | (vdelab-plug cable)   | sw2 | p2--[B2 vlan20 10.9.2.4]
#                            +-----+                       +-----+
# Same subnet on both VLANs on purpose: tagging must keep them apart.
. tests/integration/lib.sh
need_root
for s in sw1 sw2; do
	switch $s
	for c in "vlan/create 10" "vlan/create 20" "port/create 1" "port/create 2" "port/create 8" \
		 "port/setvlan 1 10" "port/setvlan 2 20" "port/setvlan 8 4095" "vlan/addport 10 8" "vlan/addport 20 8"; do
		mgmt "$T/$s.mgmt" "$c" >/dev/null || fail "$s: $c"
	done
done
bg "$B/vdelab-plug" "vde://$T/sw1[8]" "vde://$T/sw2[8]"
host_debian A1 10.9.2.1/24 "vde://$T/sw1[1]"
host_debian A2 10.9.2.3/24 "vde://$T/sw1[2]"
host_ours B1 10.9.2.2/24 "vde://$T/sw2[1]"
host_ours B2 10.9.2.4/24 "vde://$T/sw2[2]"
nsx A1 ping -c 3 -i 0.2 -W 2 10.9.2.2 || fail "VLAN 10 across the trunk"
nsx A2 ping -c 3 -i 0.2 -W 2 10.9.2.4 || fail "VLAN 20 across the trunk"
nsx A1 ping -c 2 -i 0.2 -W 1 10.9.2.4 && fail "VLAN 10 reached VLAN 20"
nsx B2 ping -c 2 -i 0.2 -W 1 10.9.2.1 && fail "VLAN 20 reached VLAN 10"
mgmt "$T/sw1.mgmt" vlan/print 10 | grep -q "Port 0008 tagged=1 active=1" || fail "vlan/print trunk"
mgmt "$T/sw1.mgmt" vlan/print 10 | grep -q "Port 0001 tagged=0 active=1" || fail "vlan/print access"
mgmt "$T/sw1.mgmt" "vlan/remove 10" | grep -q "1098 Address already in use" || fail "vlan/remove of a used VLAN"
echo PASS
