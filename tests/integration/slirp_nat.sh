# slirp:// (libslirp): a switch port that is a user-mode NAT router. A node
# on the switch gets a DHCP lease from it (dhclient, the real client),
# fetches a page from an HTTP server this test runs on the host's 127.0.0.1
# (reached as the router's address, 10.0.2.2), and a host port forward
# reaches a server inside the node. With restrict=yes the node reaches
# nothing on the host but the forward still works; with dns=off nothing
# answers DNS. Every service is on loopback: no traffic leaves the machine.
. tests/integration/lib.sh
need_root
command -v dhclient >/dev/null || skip "needs dhclient (isc-dhcp-client)"
command -v curl >/dev/null || skip "needs curl"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTP=$(free_port); FWD=$(free_port); FWD2=$(free_port)
mkdir -p "$T/www"; echo "hello from the host $P" > "$T/www/index.html"
bg python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$HTTP"
wait_for curl -sf "http://127.0.0.1:$HTTP/" || fail "http server"

switch sw
SW=$LAST
out=$(mgmt "$T/sw.mgmt" "port/add slirp://?dns=off&hostfwd=tcp:127.0.0.1:$FWD-10.0.2.15:8080 5")
echo "$out" | grep -q "^1000 Success" || fail "port/add slirp: $out"
host_ours C 0.0.0.0/32 "vde://$T/sw[1]"
nsx C ip addr flush dev "${P}tC"
# the lease: dhclient without its script (which would rewrite the host's
# resolv.conf); we read the lease and set the address ourselves
nsx C timeout 20 dhclient -1 -v -sf /bin/true -lf "$T/lease" -pf "$T/dhclient.pid" "${P}tC" 2>"$T/dhclient.log" ||
	{ cat "$T/dhclient.log"; fail "no DHCP lease from slirp"; }
[ -f "$T/dhclient.pid" ] && PIDS="$PIDS $(cat "$T/dhclient.pid")"
addr=$(sed -n 's/^ *fixed-address \(.*\);/\1/p' "$T/lease" | tail -1)
router=$(sed -n 's/^ *option routers \(.*\);/\1/p' "$T/lease" | tail -1)
echo "lease: $addr router $router"
[ "$addr" = 10.0.2.15 ] || fail "lease is not 10.0.2.15: $addr"
[ "$router" = 10.0.2.2 ] || fail "router is not 10.0.2.2: $router"
nsx C ip addr add "$addr/24" dev "${P}tC"
nsx C ip route add default via "$router"

# out through the NAT to the host's loopback service
page=$(nsx C curl -s -m 10 "http://10.0.2.2:$HTTP/")
[ "$page" = "hello from the host $P" ] || fail "fetch through the NAT: '$page'"
# in through the host forward to a server in the node
ip netns exec "$P-C" sh -c "printf 'HTTP/1.0 200 OK\r\n\r\ninside the node\n' | timeout 10 nc -l -p 8080 -q 1 || printf 'HTTP/1.0 200 OK\r\n\r\ninside the node\n' | timeout 10 nc -l 8080" >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 0.5
got=$(curl -s -m 10 "http://127.0.0.1:$FWD/" 2>/dev/null)
[ "$got" = "inside the node" ] || fail "host forward 127.0.0.1:$FWD -> node:8080 gave '$got'"
# dns=off: a query to the forwarder's address gets no answer
nsx C python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
q = bytes.fromhex("12340100000100000000000007657861 6d706c6503636f6d0000010001".replace(" ", ""))
s.sendto(q, ("10.0.2.3", 53))
try: print("answer:", s.recv(512))
except OSError: sys.exit(0)  # timeout, or refused
sys.exit(1)' || fail "dns=off, yet DNS answered"
mgmt "$T/sw.mgmt" "port/info 5" | grep "type=slirp" | grep "dns_dropped=[1-9]" || fail "dns=off drop not counted"

# restrict=yes on a second switch: the host's services are out of reach,
# the forward still works
switch sr
mgmt "$T/sr.mgmt" "port/add slirp://?restrict=yes&net=10.9.0.0/24&hostfwd=tcp:127.0.0.1:$FWD2-10.9.0.15:8080 5" |
	grep -q "^1000 Success" || fail "port/add restricted slirp"
host_ours R 10.9.0.15/24 "vde://$T/sr[1]"
nsx R ip route add default via 10.9.0.2
nsx R curl -s -m 4 "http://10.9.0.2:$HTTP/" >/dev/null && fail "restrict=yes, yet the node reached the host"
ip netns exec "$P-R" sh -c "printf 'HTTP/1.0 200 OK\r\n\r\nrestricted node\n' | timeout 10 nc -l -p 8080 -q 1 || printf 'HTTP/1.0 200 OK\r\n\r\nrestricted node\n' | timeout 10 nc -l 8080" >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 0.5
got=$(curl -s -m 10 "http://127.0.0.1:$FWD2/" 2>/dev/null)
[ "$got" = "restricted node" ] || fail "host forward with restrict=yes gave '$got'"

# bad options: clear errors
for u in "slirp://?net=10.0.2.0/33" "slirp://?hostfwd=tcp:80-10.0.2.15:80" "slirp://?dhcp=192.168.1.5" "slirp://x"; do
	out=$(mgmt "$T/sw.mgmt" "port/add $u")
	echo "$out" | grep -q "^1000 Success" && fail "$u accepted"
	echo "$u: $(echo "$out" | head -1)"
done
# the switch ends cleanly on SIGTERM with a slirp port (its thread joined)
kill -TERM "$SW"
i=0; while kill -0 "$SW" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$SW" 2>/dev/null && fail "switch with a slirp port did not end on SIGTERM"
wait "$SW"; rc=$?
[ "$rc" -eq 0 ] || fail "switch exit status $rc after SIGTERM"
echo PASS
