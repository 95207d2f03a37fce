# The way-out lab (labs/internet.xml): <nat> is a slirp:// port. Without --allow-nat
# up refuses it and creates nothing; with it, the client gets its lease from
# the NAT's DHCP server, reaches a server this test runs on the host's
# 127.0.0.1 through the router's address, and the host reaches the web node
# through the forward (on 127.0.0.1 only). Down leaves nothing listening.
. tests/integration/lib.sh
need_root
command -v dhclient >/dev/null || skip "needs dhclient (isc-dhcp-client)"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}n"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
FWD=$(free_port); HTTP=$(free_port)
sed "s/host-port=\"8080\"/host-port=\"$FWD\"/" labs/internet.xml > "$T/internet.xml"
mkdir -p "$T/www"; echo "the host's mirror $P" > "$T/www/index.html"
bg python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$HTTP"
wait_for curl -sf "http://127.0.0.1:$HTTP/" || fail "http server"

lab "$N"
out=$("$L" up --name "$N" "$T/internet.xml" 2>&1) && fail "up without --allow-nat succeeded"
echo "$out"
echo "$out" | grep -q "internet.xml:[0-9]*: nat internet would let the lab's nodes reach the host.*--allow-nat" ||
	fail "no clear refusal: $out"
[ -e "$T/run/$N" ] && fail "a refused up left a run directory"

"$L" up --allow-nat --name "$N" "$T/internet.xml" > "$T/up" 2>&1 || { cat "$T/up"; fail "up --allow-nat"; }
cat "$T/up"
"$L" check --name "$N" "$T/internet.xml" || fail "the NAT lab's checks"
page=$("$L" exec "$N" client -- curl -s -m 5 "http://10.0.2.2:$HTTP/")
[ "$page" = "the host's mirror $P" ] || fail "client could not fetch the host's 127.0.0.1:$HTTP through the NAT: '$page'"
got=$(curl -s -m 5 "http://127.0.0.1:$FWD/")
[ "$got" = "served by the web node" ] || fail "forward 127.0.0.1:$FWD -> web:80 gave '$got'"
ss -ltn | grep -q "127.0.0.1:$FWD " || fail "the forward does not listen on 127.0.0.1"
ss -ltn | grep -q "0.0.0.0:$FWD \|\*:$FWD " && fail "the forward listens beyond 127.0.0.1"
"$L" status "$N" | grep -q "slirp" || fail "status does not show the NAT port"
"$L" graph "$T/internet.xml" | grep -q "NAT internet" || fail "graph does not draw the NAT"
"$L" down "$N" > /dev/null || fail "down"
ss -ltn | grep -q "127.0.0.1:$FWD " && fail "the forward still listens after down"
echo PASS
