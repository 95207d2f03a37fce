# The three troubleshooting labs (broken on purpose): each comes up, its
# checks fail on the broken part only, labctl trace names the fault, and
# the fix labs/README.md gives, applied to the running lab, makes every
# check pass.
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
for f in mask route vlan; do
	N="${P}t$f"
	lab "$N"
	"$L" up --name "$N" "labs/trouble-$f.xml" > "$T/up" 2>&1 || { cat "$T/up"; fail "up trouble-$f"; }
	"$L" check --name "$N" "labs/trouble-$f.xml" > "$T/before"; rc=$?
	cat "$T/before"
	[ $rc -eq 1 ] || fail "trouble-$f: the broken lab's checks pass"
	[ "$(grep -c '^FAIL' "$T/before")" -eq 1 ] && grep -q '^FAIL  h1 reaches h2' "$T/before" ||
		fail "trouble-$f: not exactly the broken check failed"
	trace=$("$L" trace "$N" h1 h2 2>&1)
	echo "$trace" | tail -2
	case $f in
	mask)  echo "$trace" | grep -q "return path: no interface with address 10.20.1.10 in the broadcast domain of h2:eth0" || fail "trace: mask"
	       "$L" exec "$N" h2 -- sh -c 'ip addr del 10.20.2.10/16 dev eth0 && ip addr add 10.20.2.10/24 dev eth0 && ip route add default via 10.20.2.1' ;;
	route) echo "$trace" | grep -q "return path: r2 has no route to 10.21.1.10" || fail "trace: route"
	       "$L" exec "$N" r2 -- ip route add 10.21.1.0/24 via 10.21.12.1 ;;
	vlan)  echo "$trace" | grep -q "no interface with address 10.22.0.2 in the broadcast domain of h1:eth0" || fail "trace: vlan"
	       "$L" status "$N" | grep -q "port=2 active=1 vlan=20" || fail "status: h2's port"
	       mgmt "$T/run/$N/sw-lan.mgmt" "port/setvlan 2 10" | grep -q "^1000" || fail "port/setvlan" ;;
	esac || fail "trouble-$f: the fix"
	"$L" check --name "$N" "labs/trouble-$f.xml" > "$T/after" || { cat "$T/after"; fail "trouble-$f: checks fail after the fix"; }
	tail -1 "$T/after"
	"$L" down "$N" >/dev/null || fail "down trouble-$f"
done
echo PASS
