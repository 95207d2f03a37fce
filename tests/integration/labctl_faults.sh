# labctl under faults: a failure part-way rolls back; down after kill -9 of
# labctl in the middle of up; two labs side by side; bad input to up.
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
lab "${P}b"; lab "${P}c"; lab "${P}r"; lab "${P}k"; lab "${P}x"; lab "${P}y"; lab "${P}v"
leftovers() { ip netns list | grep -c "vl-$1\."; }

# 1. an exec that fails on the last node: everything created is removed
cat > "$T/broken.xml" <<XML
<lab name="${P}b">
  <switch name="s"/>
  <node name="a"><if switch="s" ip="10.20.0.1/24"/></node>
  <node name="b"><if switch="s" ip="10.20.0.2/24"/></node>
  <exec node="b">echo "the reason it failed"; exit 3</exec>
</lab>
XML
"$L" up "$T/broken.xml" 2>"$T/err" && fail "up of a failing lab succeeded"
cat "$T/err"
grep -q "exec on b failed" "$T/err" || fail "the failure is not named"
grep -q "| the reason it failed" "$T/err" || fail "the failing exec's output is not shown (its log goes with the rollback)"
# check on a lab that is not up: said at once, exit 2
start=$(date +%s)
"$L" check "$T/broken.xml" 2>"$T/cerr"; rc=$?
[ $rc -eq 2 ] || fail "check of a lab that is not up: exit $rc, not 2"
grep -q "is not up" "$T/cerr" || fail "check does not say the lab is not up"
[ $(( $(date +%s) - start )) -le 10 ] || fail "check of a lab that is not up waited for its timeouts"
grep -q "rolling back" "$T/err" || fail "no rollback message"
[ "$(leftovers "${P}b")" -eq 0 ] || fail "rollback left namespaces"
[ -e "$VDELAB_RUN_DIR/${P}b" ] && fail "rollback left the run directory"

# 2. kill -9 labctl in the middle of up, then down cleans everything
cat > "$T/big.xml" <<XML
<lab name="${P}k">
  <switch name="s"/>
$(i=1; while [ $i -le 20 ]; do echo "  <node name=\"n$i\"><if switch=\"s\" ip=\"10.21.0.$i/24\"/></node>"; i=$((i+1)); done)
</lab>
XML
"$L" up "$T/big.xml" > "$T/up.out" 2>&1 & up=$!
wait_for grep -q "node n3" "$T/up.out" || fail "up did not start"
kill -9 $up; wait $up 2>/dev/null
echo "killed up after: $(grep -c node "$T/up.out") nodes"
[ "$(leftovers "${P}k")" -gt 0 ] || fail "nothing was created before the kill?"
"$L" down "${P}k" || fail "down after kill -9"
[ "$(leftovers "${P}k")" -eq 0 ] || fail "down after kill -9 left namespaces"
pgrep -f "$VDELAB_RUN_DIR/${P}k/" && fail "down after kill -9 left daemons"

# 2b. kill -9 of labctl right after each state record reaches the disk:
# down finishes every time, leaving no namespace, daemon or run directory
cat > "$T/cut.xml" <<XML
<lab name="${P}c">
  <switch name="s1"/>
  <switch name="s2"/>
  <node name="a"><if switch="s1" ip="10.22.0.1/24"/></node>
  <node name="b"><if switch="s2" ip="10.22.0.2/24"/></node>
  <cable a="s1" b="s2"/>
  <exec node="a">sleep 60</exec>
</lab>
XML
n=1; completed=0
while [ $n -le 40 ]; do
	VDELAB_TEST_KILL_AFTER=$n "$L" up "$T/cut.xml" >/dev/null 2>&1; rc=$?
	"$L" down "${P}c" >/dev/null || fail "down after a kill at record $n"
	[ "$(leftovers "${P}c")" -eq 0 ] || fail "a kill at record $n left namespaces"
	pgrep -f "$VDELAB_RUN_DIR/${P}c/" >/dev/null && fail "a kill at record $n left daemons"
	[ -e "$VDELAB_RUN_DIR/${P}c" ] && fail "a kill at record $n left the run directory"
	[ $rc -eq 0 ] && { completed=1; break; }
	n=$((n + 1))
done
[ $completed -eq 1 ] || fail "up never completed"
[ $n -gt 6 ] || fail "only $n records: the kill points did not cover the lab"
echo "killed at each of $((n - 1)) record boundaries, down finished each time"

# 3. the same lab twice, side by side
"$L" up --name "${P}x" labs/switched-lan.xml >/dev/null || fail "up x"
"$L" up --name "${P}y" labs/switched-lan.xml >/dev/null || fail "up y"
"$L" up --name "${P}y" labs/switched-lan.xml 2>&1 | grep -q "already up" || fail "double up not refused"
"$L" check --name "${P}x" labs/switched-lan.xml >/dev/null || fail "checks of x"
"$L" check --name "${P}y" labs/switched-lan.xml >/dev/null || fail "checks of y"
"$L" down "${P}x" >/dev/null
"$L" check --name "${P}y" labs/switched-lan.xml >/dev/null || fail "down of x broke y"
"$L" down "${P}y" >/dev/null
[ "$(leftovers "${P}x") $(leftovers "${P}y")" = "0 0" ] || fail "leftovers of x or y"

# 3b. a failing check says why and shows the output; several reports in one run
cat > "$T/chk.xml" <<XML
<lab name="${P}r">
  <switch name="s"/>
  <node name="a"><if switch="s" ip="10.23.0.1/24"/></node>
  <check node="a" run="echo hello; echo world" expect="^bye" timeout="1"/>
  <check node="a" run="exit 3" timeout="1"/>
  <check node="a" run="echo fine" expect="fine"/>
</lab>
XML
"$L" up "$T/chk.xml" >/dev/null || fail "up chk"
"$L" check "$T/chk.xml" > "$T/chk.txt"; rc=$?
cat "$T/chk.txt"
[ $rc -eq 1 ] || fail "failing checks: exit $rc"
grep -q "does not match /^bye/" "$T/chk.txt" || fail "the expression that did not match is not shown"
grep -q "| world" "$T/chk.txt" || fail "the failing check's output is not shown"
grep -q "exit 3, expected 0" "$T/chk.txt" || fail "the exit code is not explained"
"$L" check "$T/chk.xml" --format json="$T/r.json" --format junit="$T/r.xml" --format tap > "$T/r.tap"
grep -q '"output": "hello\\nworld\\n"' "$T/r.json" || { cat "$T/r.json"; fail "JSON lacks the full output"; }
grep -q '"expect": "^bye"' "$T/r.json" || fail "JSON lacks the expression"
grep -q '<failure message="exit 0, but the output does not match /^bye/">hello' "$T/r.xml" || { cat "$T/r.xml"; fail "JUnit lacks the failure and output"; }
grep -q '^#   world' "$T/r.tap" || fail "TAP lacks the output"
grep -q '^not ok 2 ' "$T/r.tap" || fail "TAP results"
"$L" check "$T/chk.xml" --format json --format tap >/dev/null 2>&1 && fail "two reports on stdout accepted"
"$L" down "${P}r" >/dev/null

# 4. an invalid file is refused before anything is created
printf '<lab name="%s">\n <switch name="s"/>\n <node name="a"><if switch="t"/></node>\n</lab>\n' "${P}v" > "$T/v.xml"
"$L" up "$T/v.xml" 2>"$T/err" && fail "invalid lab went up"
grep -q "v.xml:3: switch \"t\" is not defined" "$T/err" || fail "error not FILE:LINE: $(cat "$T/err")"
[ -e "$VDELAB_RUN_DIR/${P}v" ] && fail "invalid lab created a run directory"
echo PASS
