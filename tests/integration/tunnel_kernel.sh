# Geneve and GRE-TAP against the Linux kernel's own devices, where this
# kernel has them (the test detects each; this project's usual machine has
# neither, so there tunnel_ovs.sh is the independent peer):
#
#   ns A: geneve gnv42 (VNI 42) 10.42.0.1 / gretap gt43 (key 43) 10.43.0.1
#         veth 198.18.4.1/24
#   ns B: veth 198.18.4.2/24, vdelab-plug geneve://..vni=42 -- tap 10.42.0.2,
#         vdelab-plug gretap://..key=43 -- tap 10.43.0.2
. tests/integration/lib.sh
need_root
ns A; ns B
veth A B va vb 198.18.4.1/24 198.18.4.2/24
have=""
if nsx A ip link add gnv42 type geneve id 42 remote 198.18.4.2 2>/dev/null; then
	have="$have geneve"
	nsx A ip addr add 10.42.0.1/24 dev gnv42; nsx A ip link set gnv42 up
fi
if nsx A ip link add gt43 type gretap local 198.18.4.1 remote 198.18.4.2 key 43 2>/dev/null; then
	have="$have gretap"
	nsx A ip addr add 10.43.0.1/24 dev gt43; nsx A ip link set gt43 up
fi
[ -n "$have" ] || skip "this kernel has no geneve and no gretap device (tunnel_ovs.sh tests against Open vSwitch)"
echo "kernel devices:$have"
case $have in *geneve*)
	bg ip netns exec "$P-B" "$B/vdelab-plug" "geneve://198.18.4.2?vni=42&remote=198.18.4.1" "tap://${P}g"
	wait_for nsx B ip link show "${P}g" || fail "geneve plug"
	nsx B ip addr add 10.42.0.2/24 dev "${P}g"; nsx B ip link set "${P}g" up
	nsx B ping -c 3 -i 0.2 -W 2 10.42.0.1 || fail "ours -> kernel geneve"
	nsx A ping -c 3 -i 0.2 -W 2 10.42.0.2 || fail "kernel geneve -> ours" ;;
esac
case $have in *gretap*)
	bg ip netns exec "$P-B" "$B/vdelab-plug" "gretap://198.18.4.2?key=43&remote=198.18.4.1" "tap://${P}t"
	wait_for nsx B ip link show "${P}t" || fail "gretap plug"
	nsx B ip addr add 10.43.0.2/24 dev "${P}t"; nsx B ip link set "${P}t" up
	nsx B ping -c 3 -i 0.2 -W 2 10.43.0.1 || fail "ours -> kernel gretap"
	nsx A ping -c 3 -i 0.2 -W 2 10.43.0.2 || fail "kernel gretap -> ours" ;;
esac
echo PASS
