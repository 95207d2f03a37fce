# labctl link set/show/reset on a running lab, observed in ping times; a bad
# value is refused and changes nothing.
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}w"
lab "$N"
"$L" up --name "$N" labs/routed-wan.xml >/dev/null || fail "up"
x() { "$L" exec "$N" h1 -- ping -c 3 -i 0.2 -W 2 10.0.2.10 | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p'; }
x >/dev/null
a=$(x); echo "lab as written (20 ms each way on r1:eth1): $a ms"
within "$a" 39 43 || fail "baseline RTT $a"
"$L" link set "$N" h1 out delay=30ms || fail "link set"
b=$(x); echo "h1 out +30 ms: $b ms"
within "$b" 69 74 || fail "RTT after link set: $b"
"$L" link show "$N" | grep -q "dir=in delay=30ms" || fail "link show"
"$L" link set "$N" h1 out 'loss=150%' 2>"$T/err" && fail "bad value accepted"
grep -q "loss=150%" "$T/err" || fail "bad value not named"
c=$(x); within "$c" 69 74 || fail "a refused value changed the link: $c"
"$L" link set "$N" nosuch delay=1ms 2>/dev/null && fail "unknown link accepted"
"$L" link reset "$N" >/dev/null
d=$(x); echo "after reset: $d ms"
within "$d" 0 3 || fail "RTT after reset: $d"
"$L" down "$N" >/dev/null
echo PASS
