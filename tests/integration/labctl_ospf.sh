# The OSPF lab (labs/ospf: FRR on three sandboxed routers, per-node /etc/frr
# folders): neighbours reach Full, routes are installed, a cut link reroutes
# within the dead interval, and down leaves nothing on the host.
. tests/integration/lib.sh
need_root
command -v vtysh >/dev/null && [ -x /usr/lib/frr/frrinit.sh ] || skip "FRR is not installed (apt-get install frr)"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}o"
lab "$N"
frr_before=$(ls /run/frr 2>/dev/null | wc -l)
"$L" up --name "$N" labs/ospf/ospf.xml > "$T/up" 2>&1 || { cat "$T/up"; fail "up"; }
"$L" check --name "$N" labs/ospf/ospf.xml > "$T/report"; rc=$?
cat "$T/report"
[ $rc -eq 0 ] || fail "checks of the OSPF lab failed"
x() { "$L" exec "$N" "$@"; }
x r1 -- ip route show 10.255.0.3 | tee "$T/before"
grep -q "via 10.0.13.3" "$T/before" || fail "r1 does not reach r3 over their own link"
# cut r1-r3: after the 4 s dead interval r1 goes through r2
"$L" link set "$N" r1:eth1 both loss=100% || fail "link set"
t0=$(date +%s.%N)
ok=""
for i in $(seq 60); do
	x r1 -- ping -n -c 1 -W 1 -I 10.255.0.1 10.255.0.3 >/dev/null 2>&1 && { ok=1; break; }
	sleep 0.2
done
t1=$(date +%s.%N)
[ -n "$ok" ] || fail "r1 never reached r3 again after the cut"
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
x r1 -- ip route show 10.255.0.3 | tee "$T/after"
echo "rerouted through r2 in $secs s (dead interval 4 s)"
grep -q "via 10.0.12.2" "$T/after" || fail "r1's route to r3 is not through r2"
within "$secs" 0 8 || fail "rerouting took $secs s"
x r2 -- sh -c 'ls /run/frr' | grep -q zebra || fail "r2's FRR sockets are not in its own /run/frr"
base=$(awk '$1 == "uids" { print $2 }' "$T/run/$N/state")
"$L" down "$N" >/dev/null || fail "down"
[ "$(ls /run/frr 2>/dev/null | wc -l)" = "$frr_before" ] || fail "down left files in the host's /run/frr"
lab_left "$N" "$base" && fail "down left something"
echo PASS
