# The spanning-tree teaching lab (labs/stp.xml) end to end: its checks pass
# (pings, the root, exactly the expected ports discard); top --json shows
# roles and states; pulling a cable (link set ... down) reroutes and traffic
# flows again; up restores the tree. The same wiring with STP off is warned
# about at validate, naming the cycles.
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}s"
lab "$N"
sed 's/ stp="rstp"//; s/ priority="[0-9]*"//' labs/stp.xml > "$T/nostp.xml"
"$L" validate "$T/nostp.xml" 2> "$T/warn" || fail "the STP-off variant is valid, only warned about"
cat "$T/warn"
grep -q 'warning: cables .* make a loop s2 -> s1 -> s3 -> s2' "$T/warn" || fail "no warning naming the triangle"
grep -q 'warning: cables s2-s3, spare make a loop' "$T/warn" || fail "no warning naming the parallel cables"
"$L" validate labs/stp.xml 2>&1 | grep -q warning && fail "warning with STP on"

"$L" up --name "$N" labs/stp.xml >/dev/null || fail "up"
"$L" check --name "$N" labs/stp.xml > "$T/check" || { cat "$T/check"; fail "the lab's checks"; }
cat "$T/check"
"$L" top --name "$N" --once --json "$N" > "$T/top.json" 2>/dev/null || "$L" top --once --json "$N" > "$T/top.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sw = {s["name"]: s for s in d["switches"]}
assert sw["s1"]["is_root"] and sw["s3"]["stp_root"].startswith("1000."), sw
blocked = [p for p in sw["s3"]["ports"] if p["stp_state"] == "discarding"]
assert len(blocked) == 2 and all(p["stp_role"] == "alternate" and p["led"] == "#" for p in blocked), blocked
' "$T/top.json" || { cat "$T/top.json"; fail "top --json roles/states/LEDs"; }
"$L" status "$N" | grep -q 'stp_role=alternate stp_state=discarding' || fail "status shows no blocked port"

x() { "$L" exec "$N" h2 -- ping -c 2 -i 0.2 -W 2 10.70.0.3 >/dev/null; }
x || fail "h2 -> h3 before"
"$L" link set "$N" s1-s3 down || fail "link set down"
m="$VDELAB_RUN_DIR/$N/sw-s3.mgmt"
rerouted() { mgmt "$m" stp/print | grep -q 'role=root state=forwarding' && \
	[ "$(mgmt "$m" stp/print | grep -c 'role=alternate state=discarding')" -eq 1 ]; }
wait_for rerouted || { mgmt "$m" stp/print; fail "s3 did not reroute through s2"; }
x || fail "h2 -> h3 after s1-s3 went down"
"$L" exec "$N" h1 -- ping -c 2 -i 0.2 -W 2 10.70.0.3 >/dev/null || fail "h1 -> h3 around the pulled cable"
"$L" link set "$N" s1-s3 up || fail "link set up"
back() { [ "$(mgmt "$m" stp/print | grep -c 'role=alternate state=discarding')" -eq 2 ]; }
wait_for back || { mgmt "$m" stp/print; fail "the tree did not return"; }
"$L" check --name "$N" labs/stp.xml >/dev/null || fail "checks after the cable came back"
"$L" link set "$N" nosuch down 2>/dev/null && fail "link set down of an unknown link"
"$L" down "$N" >/dev/null
echo PASS
