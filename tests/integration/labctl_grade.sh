# labctl grade on a generated class of 12 submissions of a small routed lab
# (h1 - router r - web server, a 10 ms WAN leg, h1 keeps pinging web):
# the correct one, each kind of fault (no gateway, a wrong mask, no
# forwarding, no web server, the wrong page, the wrong VLAN, no delay), a
# file that does not validate, one that does not come up (it asks for a NAT
# to the host, which grade never allows), and two that try to get out of
# their sandbox (write the host's /etc; nsenter into pid 1, reach pid 1's
# root; each attempt fails and the lab still comes up). Graded four at a time: each gets exactly its expected score, the
# escapes change nothing on the host, text/json/junit/csv reports agree and
# nothing of any submission's lab is left.
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
mkdir -p "$T/class"
cat > "$T/ref.xml" <<'X'
<lab name="rt">
  <switch name="a" vlans="10"/><switch name="b"/>
  <node name="h1"><if switch="a" ip="10.8.1.10/24" gw="10.8.1.1"/></node>
  <node name="r" forward="yes"><if switch="a" ip="10.8.1.1/24"/><if switch="b" ip="10.8.2.1/24"><impair out="delay=10ms" in="delay=10ms"/></if></node>
  <node name="web"><if switch="b" ip="10.8.2.10/24" gw="10.8.2.1"/><file path="/srv/www/index.html">welcome to web</file></node>
  <exec node="web">busybox httpd -f -p 80 -h /srv/www</exec>
  <exec node="h1">while sleep 0.2; do ping -c 1 -W 1 10.8.2.10; done &gt;/dev/null 2&gt;&amp;1</exec>
  <check node="h1" ping="10.8.1.1" name="h1 reaches its router" timeout="3s"/>
  <check node="h1" ping="web" name="h1 reaches web" points="2" timeout="3s"/>
  <check node="h1" tcp="web:80" name="web listens on 80" points="2" timeout="3s"/>
  <check node="h1" http="http://10.8.2.10/" expect="welcome" name="the home page" points="2" timeout="3s"/>
  <check path="h1 web" via="r" name="h1 routes to web through r" timeout="3s"/>
  <check node="h1" rtt="web" min="15ms" max="200ms" name="the WAN leg has its delay" timeout="3s"/>
  <check seen="r:eth1" filter="icmp and dst host 10.8.2.10" name="h1's pings cross the WAN" timeout="3s"/>
</lab>
X
C="$T/class"
# the students' own checks are ignored: theirs always "pass"
sed 's|<check .*/>||' "$T/ref.xml" | sed 's|</lab>|  <check node="h1" run="true"/>\n</lab>|' > "$C/alice.xml"
sub() { name=$1; shift; sed "$@" "$C/alice.xml" > "$C/$name.xml"; }
sub bob -e 's| gw="10.8.1.1"||'                                   # h1 has no gateway
sub carol -e 's|10.8.2.10/24|10.8.2.10/16|'                       # web's mask is wrong
printf '<lab name="x"><switch name="a"/>\n<node name="h1"><if switch="nope"/></node></lab>\n' > "$C/dave.xml"
sub erin -e 's|</lab>|  <nat name="inet" switch="a"/>\n</lab>|'  # wants a way to the host
sub frank -e "s|</lab>|  <exec node=\"h1\">echo escaped > /etc/vdelab-escape-$P</exec>\n</lab>|"
sub grace -e 's|<node name="r" forward="yes">|<node name="r">|'  # r does not forward
sub heidi -e '/busybox httpd/d'                                   # no web server
sub ivan -e 's|welcome to web|under construction|'                # the wrong page
sub judy -e 's|<if switch="a" ip="10.8.1.10/24"|<if switch="a" vlan="10" ip="10.8.1.10/24"|' # h1 on VLAN 10
sub ken -e 's|<impair out="delay=10ms" in="delay=10ms"/>||'       # no delay on the WAN
sub mallory -e "s|</lab>|  <exec node=\"web\">nsenter -t 1 -a -- touch /etc/vdelab-escape2-$P; touch /proc/1/root/etc/vdelab-escape3-$P; chroot /proc/1/root touch /tmp/vdelab-escape4-$P; true</exec>\n</lab>|"

start=$(date +%s.%N)
"$L" grade -j 4 "$T/ref.xml" "$C" --format text --format json="$T/g.json" --format csv="$T/g.csv" \
	--format junit="$T/g.junit" > "$T/report" 2>"$T/err"; rc=$?
secs=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }')
cat "$T/report" "$T/err"
echo "12 submissions graded in $secs s, 4 at a time"
[ $rc -eq 0 ] || fail "grade exit $rc"
score() { awk -v s="$1" '$1 == s { print $2 }' "$T/report"; }
for want in alice:10/10 bob:1/10 carol:3/10 dave:0/10 erin:0/10 frank:10/10 grace:2/10 heidi:6/10 \
	    ivan:8/10 judy:0/10 ken:9/10 mallory:10/10; do
	st=${want%%:*}; exp=${want#*:}
	[ "$(score "$st")" = "$exp" ] || fail "$st scored $(score "$st"), expected $exp"
done
grep -q "^dave .*does not validate" "$T/report" || fail "dave's reason"
grep -q "^erin .*does not come up" "$T/report" || fail "erin's reason"
grep -q "^judy .*0 of 7" "$T/report" || fail "judy's lab came up and ran every check"
for f in /etc/vdelab-escape-$P /etc/vdelab-escape2-$P /etc/vdelab-escape3-$P /tmp/vdelab-escape4-$P; do
	[ -e "$f" ] && { rm -f "$f"; fail "a submission wrote the host's $f"; }
done
[ "$(grep -c '^\[[0-9]*/12\] ' "$T/err")" -eq 12 ] || fail "no progress line per submission"
grep -q '"student": "alice", "score": 10' "$T/g.json" || fail "json"
[ "$(grep -c '^"bob","h1 reaches web",0,0,' "$T/g.csv")" -eq 1 ] || fail "csv"
# junit: a suite per student, 7 cases each (1 for the two that scored 0 before their checks)
[ "$(grep -c '<testsuite name=' "$T/g.junit")" -eq 12 ] || fail "junit suites"
grep -q '<testsuites name="rt" tests="72" ' "$T/g.junit" || fail "junit case count"
grep -q '<testsuite name="heidi" tests="7" failures="2"' "$T/g.junit" || fail "junit heidi"
grep -q 'classname="dave" name="the lab comes up"><failure message="does not validate' "$T/g.junit" || fail "junit dave"
if command -v python3 >/dev/null; then
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T/g.junit" || fail "junit is not XML"
fi
grep -q "line 8 *9 of 12  h1 reaches its router" "$T/report" || fail "per-check count"
left=$(ls "$T/run" 2>/dev/null | grep -v '^\.' || true)
[ -z "$left" ] || fail "labs left in the run directory: $left"
echo PASS
