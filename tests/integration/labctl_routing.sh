# The routing-protocol labs beyond OSPF: BGP between three ASes with FRR
# (labs/bgp: sessions, a local-preference policy that the path= check sees,
# an import filter) and RIP with BIRD (labs/rip: hop-count metric, updates
# seen on the wire). Their checks pass; a cut link reroutes (BGP within the
# 3 s hold time, RIP after the 6 s timeout) and the traced path moves with
# it; down leaves nothing on the host.
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"

# wait until $1's route to $2 names $3; prints the seconds it took
reroute() {
	t0=$(date +%s.%N)
	for i in $(seq 100); do
		"$L" exec "$N" "$1" -- ip route show "$2" | grep -q "$3" && break
		sleep 0.2
	done
	"$L" exec "$N" "$1" -- ip route show "$2" | grep -q "$3" || fail "$1 never routed $2 $3"
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}
# bring lab file $1 up as $N and pass its checks
up_checked() {
	lab "$N"
	"$L" up --name "$N" "$1" > "$T/up" 2>&1 || { cat "$T/up"; fail "up $1"; }
	"$L" check --name "$N" "$1" > "$T/report"; rc=$?
	cat "$T/report"
	[ $rc -eq 0 ] || fail "checks of $1 failed"
}
if command -v vtysh >/dev/null && [ -x /usr/lib/frr/frrinit.sh ]; then
	N="${P}b"
	up_checked labs/bgp/bgp.xml
	"$L" exec "$N" r3 -- vtysh -c 'show bgp ipv4 unicast' | grep -q '10.99.0.0' && fail "r3 has the filtered prefix"
	"$L" exec "$N" r2 -- vtysh -c 'show bgp ipv4 unicast' | grep -q '10.99.0.0' || fail "r2 (no filter) lacks 10.99.0.0/24"
	"$L" trace "$N" h1 h3 | tee "$T/trace"
	grep -q "r2" "$T/trace" || fail "the traced path does not pass the transit"
	# cut the transit r1-r2: after the hold time r1 goes straight to r3
	"$L" link set "$N" r1:eth0 down || fail "link set down"
	secs=$(reroute r1 10.3.0.0/24 "via 10.13.0.3")
	echo "BGP rerouted over the direct link in $secs s (hold time 3 s)"
	within "$secs" 0 8 || fail "BGP took $secs s"
	# r3 learns the withdrawal through r2 a moment after r1's hold time ends
	secs=$(reroute r3 10.1.0.0/24 "via 10.13.0.1")
	"$L" exec "$N" h1 -- ping -c 1 -W 2 10.3.0.10 >/dev/null || fail "h1 does not reach h3 after the cut"
	# the lab's path= check alone (the others wait for sessions the cut ended)
	grep -v '<check' labs/bgp/bgp.xml | sed 's|</lab>|<check path="h1 h3" via="r2" timeout="1s"/></lab>|' > "$T/path.xml"
	"$L" check --name "$N" "$T/path.xml" > "$T/report2"
	grep -q "^FAIL  path h1 -> h3 via r2 .*does not pass r2: .* > l13\[" "$T/report2" || \
		{ cat "$T/report2"; fail "the path= check did not see the reroute"; }
	"$L" down "$N" >/dev/null || fail "down bgp"
	ip netns list | grep -q "vl-$N\." && fail "namespaces of $N left"
else
	echo "BGP lab skipped: FRR is not installed"
fi

command -v bird >/dev/null || skip "BIRD is not installed (apt-get install bird2)"
N="${P}r"
up_checked labs/rip/rip.xml
"$L" link set "$N" r1:eth1 down || fail "link set down"
secs=$(reroute r1 10.3.0.0/24 "via 10.0.12.2")
echo "RIP rerouted through r2 in $secs s (timeout 6 s)"
within "$secs" 2 14 || fail "RIP took $secs s"
"$L" exec "$N" r1 -- birdc show route 10.3.0.0/24 all | grep -q "RIP.metric: 3" || fail "the metric through r2 is not 3"
# r3 times its route back out a moment later than r1
secs=$(reroute r3 10.1.0.0/24 "via 10.0.23.2")
"$L" exec "$N" h1 -- ping -c 1 -W 2 10.3.0.10 >/dev/null || fail "h1 does not reach h3 after the cut"
"$L" down "$N" >/dev/null || fail "down rip"
ip netns list | grep -q "vl-$N\." && fail "namespaces of $N left"
[ -z "$(ls "$T/run" 2>/dev/null)" ] || fail "run directories left: $(ls "$T/run")"
echo PASS
