# A slow client stalls nobody else: D reads in bursts (its vde_plug stopped
# 150 ms, running 50 ms) while C floods broadcasts, and the unrelated pair
# A -> B keeps its latency (p99 < 5 ms): back-pressure pauses only the inputs
# whose unicast frames fill D's backlog, flooded copies for D are dropped.
#
#   [A]--+                        +--[B]
#        |     vdelab-switch      |
#   [C]--+  (broadcast flood)     +--[D] (reads 50 ms of every 200 ms)
. tests/integration/lib.sh
need_root
command -v vde_plug >/dev/null || skip "vde_plug (package vde2) not installed"
trap 'kill -CONT "$(cat "$T/D.pid" 2>/dev/null)" 2>/dev/null; cleanup' EXIT
switch sw -n 8
for h in A B C D; do
	case $h in A) n=1 ;; B) n=2 ;; C) n=3 ;; D) n=4 ;; esac
	host_debian $h "10.9.30.$n/24" "vde://$T/sw"
done
nsx A ping -c 2 -i 0.2 -W 2 10.9.30.2 >/dev/null || fail "A cannot reach B"
nsx C ping -c 1 -W 2 10.9.30.4 >/dev/null || fail "C cannot reach D"
pd=$(cat "$T/D.pid")
( while :; do kill -STOP "$pd"; sleep 0.15; kill -CONT "$pd"; sleep 0.05; done ) & PIDS="$PIDS $!"
bg "$B/tests/vdeprobe" flood "$T/sw" 20000 6   # C: 20 000 broadcast frames/s
sleep 0.5
nsx A ping -c 200 -i 0.02 -W 1 10.9.30.2 > "$T/ab" || fail "A -> B pings lost during the flood"
kill -CONT "$pd"
p99=$(sed -n 's/.*time=\([0-9.]*\) ms/\1/p' "$T/ab" | sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; print v[i] }')
avg=$(sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p' "$T/ab")
echo "A -> B during the flood towards the slow D: avg $avg ms, p99 $p99 ms"
st=$(mgmt "$T/sw.mgmt" stats/ports)
echo "$st" | grep "^port=4 "
within "$p99" 0 5 || fail "p99 $p99 ms: the slow client stalls an unrelated pair"
echo PASS
