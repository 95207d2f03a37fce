# Hub mode (-x): a unicast flow between A and B is repeated to C too.
#
#   [A]--p1 +-----------------+ p2--[B]
#           | vdelab-switch -x| p3--[C]
#           +-----------------+
. tests/integration/lib.sh
need_root
switch hub -x
host_debian A 10.9.3.1/24 "vde://$T/hub[1]"
host_debian B 10.9.3.2/24 "vde://$T/hub[2]"
host_debian C 10.9.3.3/24 "vde://$T/hub[3]"
nsx A ping -c 2 -i 0.2 -W 2 10.9.3.2 || fail "ping through the hub"
c3=$(pstat "$T/hub.mgmt" 3 tx_packets)
nsx A ping -c 50 -i 0.01 -q -W 2 10.9.3.2 >/dev/null || fail "ping burst"
c3b=$(pstat "$T/hub.mgmt" 3 tx_packets)
echo "port3 tx $c3 -> $c3b"
[ $((c3b - c3)) -ge 100 ] || fail "hub repeated only $((c3b - c3)) of 100 frames to port 3"
mgmt "$T/hub.mgmt" port/showinfo | grep -q "HUB=true" || fail "port/showinfo"
echo PASS
