# vdelab-wirefilter's Markov mode against the definition and against
# Debian's wirefilter (vde2 2.3.2):
#  - the same commands give the same lines from both (showinfo of a node,
#    showedges, showcurrent, the value forms "20+5", "LR30+6N", "50[1]")
#  - two nodes that switch every 100 ms (edges of 100 %), node 1 losing
#    everything one way: half of a 100 Hz ping is lost, in runs of about
#    10 (a phase) between runs of about 10 received
#  - markov-debug 1 shows each transition as wirefilter's 38NN lines
#
#   [A 10.9.7.1]--+-----+   vdelab-wirefilter -v sw1:sw2   +-----+--[B 10.9.7.2]
#                 | sw1 |==================================| sw2 |
. tests/integration/lib.sh
need_root
switch sw1
switch sw2
host_debian A 10.9.7.1/24 "vde://$T/sw1"
host_debian B 10.9.7.2/24 "vde://$T/sw2"
WM="$T/wf.mgmt"
bg sh -c "exec $B/vdelab-wirefilter -v $T/sw1:$T/sw2 -M $WM --seed 7 2>$T/wf.err"
wait_for test -S "$WM" || fail "wirefilter did not start"

# 1. the same lines as Debian's wirefilter (on its own pair of switches)
if command -v wirefilter >/dev/null; then
	switch d1; switch d2
	# (its stdin is a console: EOF there ends it, so as a daemon)
	wirefilter -v "$T/d1:$T/d2" -M "$T/deb.mgmt" --daemon --pidfile "$T/deb.pid" 2>"$T/deb.err" ||
		fail "Debian's wirefilter"
	wait_for test -S "$T/deb.mgmt" || fail "Debian's wirefilter did not start"
	PIDS="$PIDS $(cat "$T/deb.pid")"
	cat > "$T/cmds" <<'X'
showinfo
delay 20+5
lostburst 3
dup 5
bandwidth 10K
noise 4
mtu 1000
chanbufsize 100000
delay LR30+6N
showinfo
markov-numnodes 2
markov-time 100000
markov-name 1,bad
setedge 0,1,30
setedge 1,0,40
showedges 0
showedges 1
showcurrent
delay 100[1]
loss 50[1]
showinfo 1
showinfo 0
showinfo 2
markov-setnode 1
showcurrent
showinfo
markov-numnodes 1
showinfo
X
	run() { while IFS= read -r c; do echo "== $c"; mgmt "$1" "$c"; done < "$T/cmds"; }
	run "$T/deb.mgmt" > "$T/deb.out" 2>&1
	run "$WM" > "$T/ours.out" 2>&1
	diff "$T/deb.out" "$T/ours.out" || fail "our lines differ from wirefilter's"
	echo "$(wc -l < "$T/cmds") commands: the same lines as Debian's wirefilter"
else
	echo "Debian's wirefilter not installed: parity part skipped"
fi

# 2. a two-state channel: node 0 clean, node 1 loses everything A -> B
for c in "markov-numnodes 2" "markov-name 0,good" "markov-name 1,bad" "loss LR100[1]" \
	 "setedge 0,1,100" "setedge 1,0,100" "markov-time 100"; do
	mgmt "$WM" "$c" | grep -q "^1000" || fail "$c"
done
# markov-debug: a console that stays sees the transitions
( printf 'markov-debug 1\n'; sleep 1.2; printf 'logout\n' ) | nc -U -q 2 "$WM" | tr -d '\r' | sed 's/^VDEwf\$ //' > "$T/debug"
grep -E '^380[01] Node' "$T/debug" | head -4
n=$(grep -cE '^3801 Node 0 "good" -> 1 "bad"$|^3800 Node 1 "bad" -> 0 "good"$' "$T/debug")
[ "$n" -ge 8 ] && [ "$n" -le 14 ] || { cat "$T/debug"; fail "$n transition lines in 1.2 s, expected about 12"; }
nsx A ping -c 1 -W 2 10.9.7.2 >/dev/null 2>&1; sleep 0.3
nsx A ping -c 1 -W 2 10.9.7.2 >/dev/null 2>&1
nsx A ping -i 0.01 -c 400 -W 1 10.9.7.2 > "$T/ping" 2>&1
sed -n 's/.*icmp_seq=\([0-9]*\) .*/\1/p' "$T/ping" > "$T/got"
# pings actually sent per 100 ms phase (ping's own pace on a busy machine)
ms=$(sed -n 's/.* received.* time \([0-9]*\)ms.*/\1/p' "$T/ping")
per=$(awk -v t="$ms" 'BEGIN { printf "%.1f", (t > 0 ? 100 * 400 / t : 10) }')
echo "400 pings in $ms ms: $per per 100 ms phase"
awk -v per="$per" 'NR == FNR { got[$1] = 1; next } END {
	for (s = 1; s <= 400; s++) {
		ok = (s in got)
		if (s > 1 && ok != prev) { if (prev) recv[++nr] = run; else lost[++nl] = run; run = 0 }
		run++; prev = ok; total += ok
	}
	for (i = 2; i <= nr; i++) sr += recv[i]   # inner runs only: the first and last are cut
	for (i = 2; i <= nl; i++) sl += lost[i]
	mr = nr > 1 ? sr / (nr - 1) : 0; ml = nl > 1 ? sl / (nl - 1) : 0
	printf "received %d of 400; %d runs received (mean %.1f), %d runs lost (mean %.1f)\n", total, nr, mr, nl, ml
	exit !(total >= 160 && total <= 240 && mr >= 0.6 * per && mr <= 1.4 * per && ml >= 0.6 * per && ml <= 1.4 * per)
}' "$T/got" /dev/null || fail "loss per phase is not 0 % / 100 % in 100 ms phases"
echo PASS
