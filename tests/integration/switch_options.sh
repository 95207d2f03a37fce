# vde_switch options and console commands not covered elsewhere: -t TAP,
# -f RCFILE, -u udp:// ports joining two switches, -m/--dirmode/-g
# permissions, port 0, aging through hash/setexpire, hash/find, shutdown.
#
#   [A 10.9.5.1] ==tap "tA" (-t)== +-----+ udp 127.0.0.1:P1 <-> :P2 +-----+ --vde_plug-- [B 10.9.5.2]
#                                  | sw1 |--------------------------| sw2 |
#                                  +-----+   (-u on both sides)     +-----+
. tests/integration/lib.sh
need_root
ns A
# -t: a tap in namespace A, opened by the switch (run inside A so it sees the tap)
nsx A ip tuntap add dev "${P}tA" mode tap || fail "tuntap"
nsx A ip addr add 10.9.5.1/24 dev "${P}tA"; nsx A ip link set "${P}tA" up
P1=$((20000 + $$ % 20000)); P2=$((P1 + 1))
cat > "$T/sw1.rc" <<RC
# an rc file: comments, blank lines, commands
vlan/create 33

hash/setexpire 2
RC
bg ip netns exec "$P-A" "$B/vdelab-switch" -s "$T/sw1" -M "$T/sw1.mgmt" --nostdin -t "${P}tA" \
	-u "udp://127.0.0.1:$P1@127.0.0.1:$P2" -f "$T/sw1.rc" -m 0660 -g 0
# both switches run in namespace A, so their udp:// ports meet on A's loopback
wait_for test -S "$T/sw1.mgmt" || fail "sw1 did not start"
bg ip netns exec "$P-A" "$B/vdelab-switch" -s "$T/sw2" -M "$T/sw2.mgmt" --nostdin \
	-u "udp://127.0.0.1:$P2@127.0.0.1:$P1"
wait_for test -S "$T/sw2.mgmt" || fail "sw2 did not start"
host_debian B 10.9.5.2/24 "vde://$T/sw2"
nsx A ping -c 3 -i 0.2 -W 2 10.9.5.2 || fail "tap -> sw1 -> udp -> sw2 -> vde_plug"

# permissions: -m 0660 gives ctl 0660 and a setgid directory 02770 (vde-2's rule)
[ "$(stat -c %a "$T/sw1/ctl")" = 660 ] || fail "ctl mode $(stat -c %a "$T/sw1/ctl") != 660"
[ "$(stat -c %a "$T/sw1")" = 2770 ] || fail "dir mode $(stat -c %a "$T/sw1") != 2770"
[ "$(stat -c %g "$T/sw1")" = 0 ] || fail "dir group"
# rc file ran: VLAN 33 exists, expiry is 2 s
mgmt "$T/sw1.mgmt" "vlan/print 33" | grep -q "VLAN 0033" || fail "rc file: vlan/create"
mgmt "$T/sw1.mgmt" hash/showinfo | grep -q "^GC expire 2 secs$" || fail "rc file: hash/setexpire"
mgmt "$T/sw1.mgmt" port/print | grep -q "module tuntap *: ${P}tA$" || { mgmt "$T/sw1.mgmt" port/print; fail "tap port in port/print (vde_switch: module tuntap, the interface name)"; }
mgmt "$T/sw1.mgmt" port/print | grep -q "module udp" || fail "udp port in port/print"
# hash/find, then aging: after 2 s of silence the MACs of A are gone
macA=$(nsx A cat "/sys/class/net/${P}tA/address")
mgmt "$T/sw1.mgmt" "hash/find $macA" | grep -q "to port" || fail "hash/find"
mgmt "$T/sw1.mgmt" "hash/find 02:00:00:00:00:99" | grep -q "^1019 No such device" || fail "hash/find miss"
sleep 3.5
mgmt "$T/sw1.mgmt" "hash/find $macA" | grep -q "^1019" || fail "MAC of A did not age out after 2 s"
# port 0 (vde_plug DIR[0]) is granted; a port/add at runtime works too
"$B/tests/vdeprobe" port "$T/sw2" 0 || fail "port 0 request"
mgmt "$T/sw2.mgmt" "port/add udp://127.0.0.1:$((P1 + 2))@127.0.0.1:$((P1 + 3)) 7" | grep -q "Port 0007" || fail "port/add"
mgmt "$T/sw2.mgmt" "port/add bogus://x" | grep -q "unknown scheme" || fail "port/add of a bad URL must say why"
mgmt "$T/sw2.mgmt" "port/add udp://nonsense" | grep -q "expected udp://" || fail "malformed udp URL"
# shutdown from the console stops the switch and removes its sockets
mgmt "$T/sw2.mgmt" shutdown | grep -q "9999 END OF SESSION" || fail "shutdown reply"
wait_for test ! -e "$T/sw2.mgmt" || fail "sw2 still serving after shutdown"
test ! -e "$T/sw2" || fail "sw2 directory left after shutdown"
# hash/setsize rounds up to a power of 2, as vde_switch does
mgmt "$T/sw1.mgmt" "hash/setsize 100" | grep -q "^1000" || fail "hash/setsize 100"
mgmt "$T/sw1.mgmt" hash/showinfo | grep -q "^Hash size 128$" || fail "hash/setsize 100 did not give 128"
# vde_switch(1)'s forms: -t a,b is two taps; single-dash long options; --vdesock
ns C
bg ip netns exec "$P-C" "$B/vdelab-switch" -hub -sock "$T/sw3" -M "$T/sw3.mgmt" --nostdin -t "${P}a,${P}b"
wait_for test -S "$T/sw3.mgmt" || fail "switch with -hub -sock -t a,b did not start"
nsx C ip link show "${P}a" >/dev/null || fail "-t a,b: no tap a"
nsx C ip link show "${P}b" >/dev/null || fail "-t a,b: no tap b"
nsx C ip link show "${P}a,${P}b" >/dev/null 2>&1 && fail "-t a,b made one tap named a,b"
bg "$B/vdelab-switch" --vdesock "$T/sw4" -M "$T/sw4.mgmt" --nostdin
wait_for test -S "$T/sw4/ctl" || fail "--vdesock DIR"
echo PASS
