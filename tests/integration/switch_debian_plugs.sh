# Debian's vde_plug clients on vdelab-switch: ping, then per-port counters
# prove a learned unicast flow reaches only its port.
#
#   [A 10.9.0.1] --vde_plug-- port1 +--------------+ port3 --vde_plug-- [C 10.9.0.3]
#   [B 10.9.0.2] --vde_plug-- port2 | vdelab-switch|
#                                   +--------------+
. tests/integration/lib.sh
need_root
switch sw
host_debian A 10.9.0.1/24 "vde://$T/sw[1]"
host_debian B 10.9.0.2/24 "$T/sw[2]"
host_debian C 10.9.0.3/24 "vde://$T/sw[3]"
nsx A ping -c 3 -i 0.2 -W 2 10.9.0.2 || fail "A cannot ping B"
nsx B ping -c 2 -i 0.2 -W 2 10.9.0.1 || fail "B cannot ping A"
mgmt "$T/sw.mgmt" port/print | grep -q "Port 0001 untagged_vlan=0000 ACTIVE" || fail "port/print"
mgmt "$T/sw.mgmt" port/print | grep -q "endpoint ID .*vdeplug" || fail "port/print descr"

# after learning, 200 pings A->B must not reach port 3: no frame other than
# a flood (broadcast/multicast noise) may be sent there
c3=$(( $(pstat "$T/sw.mgmt" 3 tx_packets) - $(pstat "$T/sw.mgmt" 3 tx_flood) ))
b2=$(pstat "$T/sw.mgmt" 2 tx_packets)
out=$(nsx A ping -c 200 -i 0.002 -q -W 2 10.9.0.2)
echo "$out" | grep -q " 0% packet loss" || {
	echo "$out"; mgmt "$T/sw.mgmt" stats/ports; mgmt "$T/sw.mgmt" stats/switch
	fail "ping burst lost frames"; }
c3b=$(( $(pstat "$T/sw.mgmt" 3 tx_packets) - $(pstat "$T/sw.mgmt" 3 tx_flood) ))
b2b=$(pstat "$T/sw.mgmt" 2 tx_packets)
echo "port2 tx $b2 -> $b2b, port3 non-flooded tx $c3 -> $c3b"
[ $((b2b - b2)) -ge 200 ] || fail "port 2 got $((b2b - b2)) < 200 frames"
[ $((c3b - c3)) -eq 0 ] || fail "port 3 was sent $((c3b - c3)) unicast frames of a flow learned elsewhere"
mgmt "$T/sw.mgmt" hash/print | grep -c "to port" | grep -q '^[23]$' || fail "hash/print"
mgmt "$T/sw.mgmt" flow/showinfo | grep -q '^hits=[1-9]' || fail "flow cache never hit"
echo PASS
