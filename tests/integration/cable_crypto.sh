# Encrypted UDP cable (cable://, DESIGN.md §6) between two namespaces, with a
# misbehaving relay (udpmitm) in the middle:
#
#   ns A: tap 10.77.0.1 ── vdelab-plug cable://198.18.1.1:5000 ─┐ veth
#   ns B: udpmitm 198.18.1.2:5001 (replay, flip, truncate, ...) ┘
#         cable://198.18.1.2:5000 = port 5 of vdelab-switch ── tap in ns H 10.77.0.2
#
# Ping crosses; replayed, flipped, truncated, wrong-version and wrong-key
# datagrams are never delivered and each is counted; the side that starts
# first waits; a restarted peer (new epoch) is picked up; a key file others
# can read is refused.
. tests/integration/lib.sh
need_root
ns A; ns B
veth A B ca cb 198.18.1.1/30 198.18.1.2/30

"$B/vdelab-plug" --genkey "$T/lab.key" || fail "--genkey"
[ "$(stat -c %a "$T/lab.key")" = 600 ] || fail "key file mode $(stat -c %a "$T/lab.key")"
"$B/vdelab-plug" --genkey "$T/lab.key" 2>"$T/err" && fail "--genkey overwrote a key"
"$B/vdelab-plug" --genkey "$T/other.key" || fail "--genkey other"

echo pass > "$T/mode"
bg ip netns exec "$P-B" "$B/tests/udpmitm" 198.18.1.2:5001 198.18.1.1:5000 198.18.1.2:5000 "$T/mode"
switch sw
mgmt "$T/sw.mgmt" "port/add cable://198.18.1.2:5000@198.18.1.2:5001?psk=$T/lab.key&netns=$P-B 5" |
	grep -q "^1000 Success" || fail "port/add cable"
host_ours H 10.77.0.2/24 "vde://$T/sw[1]"
info() { mgmt "$T/sw.mgmt" "port/info 5" | grep "^port=5"; }
get() { info | tr ' ' '\n' | sed -n "s/^$1=//p"; }
[ "$(get state)" = waiting ] || fail "state before the peer is up: $(info)"

plug_a() {
	bg ip netns exec "$P-A" "$B/vdelab-plug" "tap://${P}tA" "cable://198.18.1.1:5000@198.18.1.2:5001?psk=$T/lab.key"
	PLUG_A=$LAST
	wait_for nsx A ip link show "${P}tA" || fail "tap in A"
	nsx A ip addr add 10.77.0.1/24 dev "${P}tA"; nsx A ip link set "${P}tA" up
}
plug_a
nsx A ping -c 3 -i 0.2 -W 2 10.77.0.2 || fail "ping through the encrypted cable"
info
[ "$(get state)" = up ] || fail "state is not up"
[ "$(get sessions)" = 1 ] || fail "sessions != 1"

# frames larger than the underlay's 1500-byte MTU cross: the outer datagram
# is fragmented (IP_PMTUDISC_DONT), the inner packet is not (-M do)
nsx A ip link set "${P}tA" mtu 4000; nsx H ip link set "${P}tH" mtu 4000
nsx A ping -c 2 -i 0.2 -W 2 -M do -s 3500 10.77.0.2 || fail "3528-byte frames through the cable"

# expect COUNTER DELTA_MIN COMMAND...: run, then the counter grew by >= DELTA_MIN
expect() {
	k=$1 min=$2; shift 2
	b=$(get "$k"); "$@"; a=$(get "$k")
	echo "$k: $b -> $a"
	[ $((a - b)) -ge "$min" ] || fail "$k grew by $((a - b)), expected >= $min"
}
echo replay > "$T/mode"
expect replay 5 sh -c "ip netns exec $P-A ping -c 5 -i 0.2 -W 2 10.77.0.2 > $T/ping" || fail "ping with replays"
grep -q DUP "$T/ping" && fail "a replayed datagram was delivered"
for m in flip truncate version; do
	echo $m > "$T/mode"
	k=$(case $m in flip) echo auth_fail ;; truncate) echo truncated ;; version) echo bad_version ;; esac)
	expect "$k" 3 sh -c "! ip netns exec $P-A ping -c 3 -i 0.2 -W 1 10.77.0.2 >/dev/null"
done
echo pass > "$T/mode"
# a datagram sealed under another key, from a third sender
frame='\377\377\377\377\377\377\002\000\000\000\000\011\010\006'
expect auth_fail 1 sh -c "printf '\000\016$frame' | ip netns exec $P-A $B/vdelab-plug 'cable://198.18.1.1:5009@198.18.1.2:5001?psk=$T/other.key'; sleep 0.3"
# the switch side delivered only what it should: H saw no frame from 02:00:00:00:00:09
nsx H ip neigh | grep -q "02:00:00:00:00:09" && fail "forged frame delivered"
nsx A ping -c 2 -i 0.2 -W 2 10.77.0.2 || fail "cable did not survive the attacks"

# peer restart: a new epoch starts a new session on the switch side
kill "$PLUG_A"; wait "$PLUG_A" 2>/dev/null
wait_for sh -c "! ip netns exec $P-A ip link show ${P}tA" || fail "old tap still there"
plug_a
nsx A ping -c 3 -i 0.2 -W 2 10.77.0.2 || fail "ping after the peer restarted"
[ "$(get sessions)" = 2 ] || fail "restart not seen as a new session: $(info)"
info

# key file readable by others: refused with a clear message, nothing opened
chmod 644 "$T/other.key"
"$B/vdelab-plug" "cable://5999@127.0.0.1:5998?psk=$T/other.key" "udp://5997@127.0.0.1:5996" 2>"$T/err" &&
	fail "a world-readable key was accepted"
cat "$T/err"
grep -q "chmod 600" "$T/err" || fail "no clear error for a readable key"
echo PASS
