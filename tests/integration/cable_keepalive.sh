# Cable keepalives: an encrypted cable between a vdelab-plug in namespace A
# and port 5 of a vdelab-switch in B (keepalive=1 on both ends) is "up"
# while frames pass, "idle" when only keepalives arrive (the peer is there,
# no traffic), "down" when the peer is killed (nothing for 3 intervals) and
# "up" again with a new session (sessions=2) when it comes back; a bad
# keepalive= is refused.
. tests/integration/lib.sh
need_root
ns A; ns B
veth A B ka kb 198.18.2.1/30 198.18.2.2/30
"$B/vdelab-plug" --genkey "$T/lab.key" || fail "--genkey"
switch sw
mgmt "$T/sw.mgmt" "port/add cable://198.18.2.2:5000@198.18.2.1:5000?psk=$T/lab.key&netns=$P-B&keepalive=1 5" |
	grep -q "^1000 Success" || fail "port/add cable"
mgmt "$T/sw.mgmt" "port/add cable://198.18.2.2:5001@198.18.2.1:5001?psk=$T/lab.key&keepalive=0.5 6" | grep -q "keepalive=0.5: expected seconds" ||
	fail "keepalive=0.5 accepted"
host_ours H 10.78.0.2/24 "vde://$T/sw[1]"
info() { mgmt "$T/sw.mgmt" "port/info 5" | grep "^port=5"; }
get() { info | tr ' ' '\n' | sed -n "s/^$1=//p"; }
state_is() { [ "$(get state)" = "$1" ]; }
# wait_state STATE SECONDS
wait_state() {
	i=0
	while ! state_is "$1"; do
		i=$((i + 1)); [ $i -gt $(($2 * 10)) ] && fail "state $(get state), not $1 after $2 s: $(info)"; sleep 0.1
	done
	echo "$1 after $((i / 10)).$((i % 10)) s: $(info | tr ' ' '\n' | grep -E '^(state|sessions|keepalive_tx|keepalive_rx|last_rx_ms)=' | tr '\n' ' ')"
}
plug_a() {
	bg ip netns exec "$P-A" "$B/vdelab-plug" "tap://${P}tA" "cable://198.18.2.1:5000@198.18.2.2:5000?psk=$T/lab.key&keepalive=1"
	PLUG_A=$LAST
	wait_for nsx A ip link show "${P}tA" || fail "tap in A"
	nsx A ip addr add 10.78.0.1/24 dev "${P}tA"; nsx A ip link set "${P}tA" up
}
plug_a
nsx A ping -c 3 -i 0.2 -W 2 10.78.0.2 >/dev/null || fail "ping through the cable"
wait_state up 1
# no traffic (not even ARP's reachability probes of the neighbours just
# used): the peer's keepalives keep it idle, not down
nsx A ip neigh flush dev "${P}tA"; nsx H ip neigh flush dev "${P}tH"
wait_state idle 6
ka=$(get keepalive_rx)
sleep 3
state_is idle || fail "an idle cable went $(get state)"
[ $(($(get keepalive_rx) - ka)) -ge 2 ] || fail "keepalives did not arrive: $ka -> $(get keepalive_rx)"
[ "$(get keepalive_tx)" -ge 2 ] || fail "the switch side sent no keepalive"
# the peer dies: down
kill "$PLUG_A"; wait "$PLUG_A" 2>/dev/null
wait_state down 6
# back, with a new session
plug_a
nsx A ping -c 3 -i 0.2 -W 2 10.78.0.2 >/dev/null || fail "ping after the peer came back"
wait_state up 2
[ "$(get sessions)" = 2 ] || fail "sessions=$(get sessions) after the peer's restart, expected 2"
echo PASS
