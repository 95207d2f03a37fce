# labctl grade: a reference lab and a small class of submissions, graded
# two at a time: a correct one, a host without its gateway, a wrong mask, a
# file that does not validate, one that does not come up (it asks for a NAT
# to the host, which grade never allows), and one whose
# exec tries to write the host's /etc (sandboxed: it scores as correct and
# the host file does not appear). Exact scores; text, json and csv reports;
# nothing of any submission's lab is left.
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
mkdir -p "$T/class"
cat > "$T/ref.xml" <<'X'
<lab name="rt">
  <switch name="a"/><switch name="b"/>
  <node name="h1"><if switch="a" ip="10.8.1.10/24" gw="10.8.1.1"/></node>
  <node name="r" forward="yes"><if switch="a" ip="10.8.1.1/24"/><if switch="b" ip="10.8.2.1/24"/></node>
  <node name="h2"><if switch="b" ip="10.8.2.10/24" gw="10.8.2.1"/></node>
  <check node="h1" ping="10.8.1.1" name="h1 reaches its router" timeout="3s"/>
  <check node="h1" ping="10.8.2.10" name="h1 reaches h2" points="3" timeout="3s"/>
</lab>
X
# the students' own checks are ignored: theirs always "pass"
sed 's|<check .*/>||' "$T/ref.xml" | sed 's|</lab>|  <check node="h1" run="true"/>\n</lab>|' > "$T/class/alice.xml"
sed 's| gw="10.8.1.1"||' "$T/class/alice.xml" > "$T/class/bob.xml"
sed 's|10.8.2.10/24|10.8.2.10/16|' "$T/class/alice.xml" > "$T/class/carol.xml"
printf '<lab name="x"><switch name="a"/>\n<node name="h1"><if switch="nope"/></node></lab>\n' > "$T/class/dave.xml"
# a way to the host: grade never allows it, so the lab does not come up
sed 's|</lab>|  <nat name="inet" switch="a"/>\n</lab>|' "$T/class/alice.xml" > "$T/class/erin.xml"
sed "s|</lab>|  <exec node=\"h1\">echo escaped > /etc/vdelab-escape-$P</exec>\n</lab>|" "$T/class/alice.xml" > "$T/class/frank.xml"

"$L" grade -j 2 "$T/ref.xml" "$T/class" --format text --format json="$T/g.json" --format csv="$T/g.csv" \
	> "$T/report" 2>"$T/err"; rc=$?
cat "$T/report" "$T/err"
[ $rc -eq 0 ] || fail "grade exit $rc"
score() { awk -v s="$1" '$1 == s { print $2 }' "$T/report"; }
for want in alice:4/4 bob:1/4 carol:1/4 dave:0/4 erin:0/4 frank:4/4; do
	st=${want%%:*}; exp=${want#*:}
	[ "$(score "$st")" = "$exp" ] || fail "$st scored $(score "$st"), expected $exp"
done
grep -q "^dave .*does not validate" "$T/report" || fail "dave's reason"
grep -q "^erin .*does not come up" "$T/report" || fail "erin's reason"
[ -e "/etc/vdelab-escape-$P" ] && { rm -f "/etc/vdelab-escape-$P"; fail "a submission wrote the host's /etc"; }
grep -q '"student": "alice", "score": 4' "$T/g.json" || fail "json"
[ "$(grep -c '^"bob","h1 reaches h2",0,0,' "$T/g.csv")" -eq 1 ] || fail "csv"
grep -q "line 7 *2 of 6  h1 reaches h2" "$T/report" && grep -q "line 6 *4 of 6  h1 reaches its router" "$T/report" || fail "per-check count"
left=$(ls "$T/run" 2>/dev/null | grep -v '^\.' || true)
[ -z "$left" ] || fail "labs left in the run directory: $left"
echo PASS
