# Spanning tree on a loop of three vdelab-switches (a triangle) plus a
# redundant parallel cable: no broadcast storm, pings pass, exactly the
# expected ports discard, and after a cable goes down traffic flows again.
#
#        [A]--p1 S1 p2 ====== p2 S2 p1--[B]
#                 p3            p3 p4
#                  \            /  /
#                   p2   S3   p3  / (second S2-S3 cable, p4)
#                        p4 ------
# S1 has the lowest priority (root). Without STP the same wiring storms.
. tests/integration/lib.sh
need_root
switch s1 -F --priority 4096 --macaddr 02:00:00:00:00:01
switch s2 -F --macaddr 02:00:00:00:00:02
switch s3 --fstp --macaddr 02:00:00:00:00:03
cable() { bg "$B/vdelab-plug" "vde://$T/$1[$2]" "vde://$T/$3[$4]"; }
cable s1 2 s2 2
cable s1 3 s3 2
cable s2 3 s3 3
cable s2 4 s3 4
host_debian A 10.9.15.1/24 "vde://$T/s1[1]"
host_debian B 10.9.15.2/24 "vde://$T/s2[1]"
for s in s1 s2 s3; do mgmt "$T/$s.mgmt" stp/setedge\ 1\ 1 >/dev/null 2>&1 || true; done
# the tree forms by proposal/agreement; give it a few hellos
converged() {
	for s in s1 s2 s3; do mgmt "$T/$s.mgmt" stp/print | grep -q 'root=1000.02:00:00:00:00:01' || return 1; done
	[ "$(mgmt "$T/s3.mgmt" stp/print | grep -c 'state=discarding')" -eq 2 ]
}
i=0; while ! converged; do i=$((i + 1)); [ $i -ge 100 ] && break; sleep 0.1; done
for s in s1 s2 s3; do echo "== $s"; mgmt "$T/$s.mgmt" stp/print | cut -d' ' -f1-6; done
converged || fail "tree did not converge"
# roles: S3 (worst bridge) blocks both S2 cables; S2's root port is to S1
p3=$(mgmt "$T/s3.mgmt" stp/print)
echo "$p3" | grep -q '^port=2 role=root state=forwarding' || fail "s3 port 2 should be root/forwarding"
echo "$p3" | grep -q '^port=3 role=alternate state=discarding' || fail "s3 port 3 should be alternate/discarding"
echo "$p3" | grep -q '^port=4 role=alternate state=discarding' || fail "s3 port 4 should be alternate/discarding"
mgmt "$T/s2.mgmt" stp/print | grep -q '^port=2 role=root state=forwarding' || fail "s2 root port"
mgmt "$T/s1.mgmt" stp/print | grep -q 'is_root=1' || fail "s1 is not root"
[ "$(mgmt "$T/s1.mgmt" stp/print | grep -c 'state=discarding')" -eq 0 ] || fail "root bridge discards"
[ "$(mgmt "$T/s2.mgmt" stp/print | grep -c 'state=discarding')" -eq 0 ] || fail "s2 discards"
# the vde_switch views
mgmt "$T/s1.mgmt" fstp/print | grep -q 'FST DATA VLAN 0000 ROOTSWITCH' || fail "fstp/print on the root"
mgmt "$T/s3.mgmt" fstp/print | grep -q 'Port 0003 tagged=0 portcost=20000 role=Alternate/Backup' || fail "fstp/print role"
mgmt "$T/s1.mgmt" fstp/showinfo | grep -q 'FSTP=true' || fail "fstp/showinfo"
mgmt "$T/s3.mgmt" vlan/print | grep -q 'Port 0003 tagged=0 active=1 status=Discarding' || fail "vlan/print status"

nsx A ping -c 3 -i 0.2 -W 2 10.9.15.2 >/dev/null || fail "ping A->B over the tree"
# no storm: one broadcast and 10 s later the rx counters moved by
# BPDUs and a handful of frames, not thousands
rx0=0; for p in 2 3 4; do rx0=$((rx0 + $(pstat "$T/s3.mgmt" $p rx_packets))); done
nsx A ping -c 1 -b -W 1 10.9.15.255 >/dev/null 2>&1 || true
sleep 10
rx1=0; for p in 2 3 4; do rx1=$((rx1 + $(pstat "$T/s3.mgmt" $p rx_packets))); done
echo "s3 cable rx over 10 s: $((rx1 - rx0)) frames"
[ $((rx1 - rx0)) -lt 200 ] || fail "storm: $((rx1 - rx0)) frames in 10 s on s3's cables"

# S1-S2 cable down (both ends): S2 reroots through S3 and pings pass again
mgmt "$T/s1.mgmt" "port/setlink 2 down" >/dev/null
mgmt "$T/s2.mgmt" "port/setlink 2 down" >/dev/null
rerouted() { mgmt "$T/s3.mgmt" stp/print | grep -q '^port=3 role=designated state=forwarding'; }
wait_for rerouted || { mgmt "$T/s3.mgmt" stp/print; mgmt "$T/s2.mgmt" stp/print; fail "no reroute after the link went down"; }
mgmt "$T/s2.mgmt" stp/print | grep -q '^port=2 role=disabled .*link=down' || fail "s2 port 2 not disabled/down"
nsx A ping -c 3 -i 0.2 -W 2 10.9.15.2 >/dev/null || fail "ping A->B after the failure"
mgmt "$T/s1.mgmt" stp/print | grep -q 'topology_changes=[1-9]' || fail "no topology change counted"
# and back
mgmt "$T/s1.mgmt" "port/setlink 2 up" >/dev/null
mgmt "$T/s2.mgmt" "port/setlink 2 up" >/dev/null
wait_for converged || fail "tree did not return"
nsx A ping -c 3 -i 0.2 -W 2 10.9.15.2 >/dev/null || fail "ping A->B after the repair"

# bad input on the console
mgmt "$T/s1.mgmt" "stp/setpriority 4095" | grep -q '^1022' || fail "priority 4095 accepted"
mgmt "$T/s1.mgmt" "fstp/setedge 77 1 1" | grep -q '^1006' || fail "fstp/setedge on a missing VLAN"
mgmt "$T/s1.mgmt" "port/setlink 2 sideways" | grep -q '^1022' || fail "port/setlink garbage"
echo PASS
