# The check kinds beyond ping and run, each passing and failing where it
# should: tcp= (a connection), http= (a page, expect= on it), dns= (the
# node's own resolver and hosts), rtt= min/max (a link's delay), path= via=
# (the traced path passes a router), seen= filter= (a frame crosses a link,
# or with expect=none does not), points= and the score; definite failures
# (connection refused, no such name, no route) end their check after about
# 1 s instead of its timeout.
. tests/integration/lib.sh
need_root
command -v curl >/dev/null || skip "needs curl"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
cat > "$T/good.xml" <<'X'
<lab name="checks">
  <switch name="lan"/>
  <node name="web"><if switch="lan" ip="10.7.0.1/24"/><file path="/root/www/index.html">hello checks</file></node>
  <node name="cl"><if switch="lan" ip="10.7.0.2/24" gw="10.7.0.254"><impair out="delay=20ms" in="delay=20ms"/></if></node>
  <switch name="lan2"/>
  <node name="r" forward="yes"><if switch="lan" ip="10.7.0.254/24"/><if switch="lan2" ip="10.7.2.254/24"/></node>
  <node name="far"><if switch="lan2" ip="10.7.2.1/24" gw="10.7.2.254"/></node>
  <exec node="web">cd /root/www &amp;&amp; python3 -m http.server --bind 10.7.0.1 80</exec>
  <exec node="far">while sleep 0.3; do ping -c 1 -W 1 10.7.0.2; done &gt;/dev/null 2&gt;&amp;1</exec>
  <check node="cl" tcp="web:80" name="tcp to the web server" points="2"/>
  <check node="cl" http="http://10.7.0.1/" expect="hello checks" name="the page" points="3"/>
  <check node="cl" dns="web" expect="10\.7\.0\.1" name="web resolves"/>
  <check node="cl" rtt="web" min="35ms" max="80ms" name="a 40 ms round trip"/>
  <check node="cl" ping="far" name="cl reaches far" timeout="10s"/>
  <check path="cl far" via="r" name="cl reaches far through r"/>
  <check seen="far:eth0" filter="icmp" name="far's pings cross its link"/>
  <check seen="r:eth0" filter="tcp port 22" expect="none" timeout="1s" name="no ssh on r's LAN leg"/>
</lab>
X
# the same lab, every check wrong in its own way
sed -e 's|tcp="web:80"|tcp="web:81" timeout="10s"|' -e 's|expect="hello checks"|expect="goodbye"|' \
    -e 's|dns="web" expect="10\\.7\\.0\\.1"|dns="nosuchhost" timeout="10s"|' -e 's|min="35ms" max="80ms"|min="100ms"|' \
    -e 's|path="cl far"|path="cl web"|' -e 's|node="cl" ping="far"|node="web" ping="far"|' -e 's|seen="far:eth0" filter="icmp"|seen="web:eth0" filter="icmp" timeout="2s"|' \
    -e 's|filter="tcp port 22"|filter="icmp"|' \
    "$T/good.xml" > "$T/bad.xml"
N="${P}c"
lab "$N"
"$L" validate "$T/good.xml" "$T/bad.xml" || fail "validate"
"$L" up --name "$N" "$T/good.xml" > "$T/up" 2>&1 || { cat "$T/up"; fail "up"; }
"$L" check --name "$N" "$T/good.xml" --format text --format json="$T/good.json" > "$T/good.txt"; rc=$?
cat "$T/good.txt"
[ $rc -eq 0 ] || fail "the good checks failed"
grep -q '"score": 11, "max_score": 11' "$T/good.json" || fail "score of the good lab"
grep -q "^score 11 of 11 points$" "$T/good.txt" || fail "text score"
start=$(date +%s.%N)
"$L" check --name "$N" "$T/bad.xml" --format text --format json="$T/bad.json" > "$T/bad.txt"; rc=$?
secs=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }')
cat "$T/bad.txt"
[ $rc -eq 1 ] || fail "the bad checks did not fail (rc $rc)"
[ "$(grep -c '^FAIL' "$T/bad.txt")" -eq 8 ] || fail "not every bad check failed"
grep -q "no connection to 10.7.0.1:81 (Connection refused)" "$T/bad.txt" || fail "tcp: refusal not said"
grep -q "does not match /goodbye/" "$T/bad.txt" || fail "http: mismatch not said"
grep -q "nosuchhost does not resolve" "$T/bad.txt" || fail "dns: not said"
grep -q "RTT to 10.7.0.1 .* expected 100..any ms" "$T/bad.txt" || fail "rtt: bound not said"
grep -q "ping 10.7.2.1 got no answer (Network is unreachable)" "$T/bad.txt" || fail "ping: no route not said"
grep -q "does not pass r: cl:eth0 > lan\[.*\] > web:eth0" "$T/bad.txt" || fail "path: the direct path not shown"
grep -q "no frame matching 'icmp' crossed web:eth0 in 2 s" "$T/bad.txt" || fail "seen: absence not said"
grep -q "a frame matching 'icmp' crossed r:eth0" "$T/bad.txt" || fail "seen none: the frame not said"
grep -q "PASS  cl reaches far through r .*passes r: cl:eth0 > lan\[.*\] > r:eth0 > lan2\[.*\] > far:eth0" "$T/good.txt" || fail "path: the routed path not shown"
grep -q '"score": 0, "max_score": 11' "$T/bad.json" || fail "score of the bad lab"
# three definite failures with 10 s timeouts (refused, no such name, no
# route) end after about 1 s each: with the others' 5 + 5 + 5 + 2 s and the
# last seen= (at once), about 21 s in all (48 s if they waited)
echo "the bad checks took $secs s"
within "$secs" 0 28 || fail "definite failures waited out their timeouts ($secs s)"
"$L" down "$N" >/dev/null || fail "down"
# validation of the new attributes
cat > "$T/inv.xml" <<'X'
<lab name="inv">
  <switch name="lan"/>
  <node name="a"><if switch="lan" ip="10.7.1.1/24"/></node>
  <check node="a" tcp="a:99999"/>
  <check node="a" tcp="nowhere:80"/>
  <check node="a" http="ftp://x/"/>
  <check node="a" dns="a;rm"/>
  <check node="a" rtt="a"/>
  <check node="a" ping="a" min="5ms"/>
  <check path="a" via="lan"/>
  <check path="a zz" via="nothere"/>
  <check seen="a:eth7"/>
  <check seen="lan:1" filter="icmp and"/>
  <check seen="lan:1" expect="some"/>
  <check node="a" seen="lan:1"/>
</lab>
X
out=$("$L" validate "$T/inv.xml" 2>&1) && fail "invalid checks validated"
echo "$out"
for m in "tcp=\"a:99999\": expected HOST:PORT" "target \"nowhere\" is neither" "http=\"ftp://x/\"" \
	 "dns=\"a;rm\": expected a host name" "rtt=\"a\": give min= and/or max=" "min= and max= bound the RTT" \
	 "path=: expected \"SRC DST\"" "destination \"zz\" is neither" "via=\"nothere\" is neither" \
	 "seen=\"a:eth7\": expected NODE:IF" "filter=\"icmp and\": can't parse" "expect for seen= must be \"none\"" \
	 "seen= names its own nodes"; do
	echo "$out" | grep -qF "$m" || fail "no error: $m"
done
echo PASS
