# vdelab-wirefilter between two switches: delay, asymmetric settings,
# runtime changes on the next frame, loss statistics, bad values, and a clean
# exit when a switch goes away.
#
#   [A 10.9.6.1]--vde_plug--+-----+    vdelab-wirefilter     +-----+--vde_plug--[B 10.9.6.2]
#                           | sw1 |==== -v sw1:sw2 (LR) ====>| sw2 |
#                           +-----+<=== (RL) ================+-----+
. tests/integration/lib.sh
need_root
switch sw1
switch sw2
host_debian A 10.9.6.1/24 "vde://$T/sw1"
host_debian B 10.9.6.2/24 "vde://$T/sw2"
WM="$T/wf.mgmt"
bg sh -c "exec $B/vdelab-wirefilter -v $T/sw1:$T/sw2 -d 50 -M $WM --seed 42 2>$T/wf.err"
wf=$LAST
wait_for test -S "$WM" || fail "wirefilter did not start"

set -- $(rtt A 10.9.6.2 10); echo "delay 50 ms each way: rtt min/avg/max $*"
within "$1" 99 102 && within "$2" 99 106 || fail "RTT min/avg $1/$2 ms: not 100 +- 2 ms (avg +6)"

mgmt "$WM" "delay 20" >/dev/null || fail "console delay"
set -- $(rtt A 10.9.6.2 5); echo "after 'delay 20': $*"
within "$1" 39 42 || fail "console change: RTT (min) $1, expected 40 +- 2 ms"

# asymmetric: only A->B (LR) is delayed
mgmt "$WM" "delay RL0" >/dev/null && mgmt "$WM" "delay LR30" >/dev/null || fail "LR/RL delay"
set -- $(rtt A 10.9.6.2 5); echo "LR 30 ms, RL 0: $*"
within "$1" 29 32 || fail "asymmetric delay: RTT (min) $1, expected 30 +- 2 ms"
# showinfo speaks wirefilter 2.3.2's lines
mgmt "$WM" showinfo | grep -q "^Delay  L->R 30+0U   R->L 0+0U$" || { mgmt "$WM" showinfo; fail "showinfo LR/RL"; }
mgmt "$WM" delay | grep -q "^Delay  L->R 30+0U   R->L 0+0U$" || fail "delay without a value shows it"
# load: a script of wirefilter commands; a script that loads itself is bounded
printf 'delay RL7\nload %s\n' "$T/wf.rc" > "$T/wf.rc"
mgmt "$WM" "load $T/wf.rc" | grep -q "^1000" || fail "load of a script"
mgmt "$WM" showinfo | grep -q "^Delay  L->R 30+0U   R->L 7+0U$" || fail "load did not run the script"
mgmt "$WM" "load /dev/zero" | grep -q "^1022" || fail "load /dev/zero not refused"
mgmt "$WM" "delay RL0" >/dev/null

# loss 20% one way over 2000 pings: binomial 99% interval 354..446 lost
mgmt "$WM" "delay 0" >/dev/null; mgmt "$WM" "loss LR20" >/dev/null
recv=$(nsx A ping -c 2000 -i 0.002 -q -W 2 10.9.6.2 | sed -n 's/.* \([0-9]*\) received.*/\1/p')
lost=$((2000 - recv)); echo "loss 20%: $lost of 2000 lost"
within "$lost" 354 446 || fail "$lost lost, outside the binomial 99% interval 354..446"
mgmt "$WM" stats | grep -q "dir=LR .*drop_loss=[1-9]" || fail "stats drop_loss"

# bad values: refused, named, and the old settings stay
out=$(mgmt "$WM" "loss -5"); echo "$out" | grep -q "^1022" || fail "loss -5 accepted"  # (loss 150 is 100, as wirefilter)
out=$(mgmt "$WM" "impair/set both rate=fast delay=5ms"); echo "$out"
echo "$out" | grep -q "rate=fast" || fail "bad rate not named"
mgmt "$WM" "impair/set sideways loss=1%" | grep -q "^1022" || fail "bad direction"
mgmt "$WM" showinfo | grep -q "^Loss   L->R 20+0U   R->L 0+0U$" || fail "settings changed by a refused command"
"$B/vdelab-wirefilter" --impair "loss=150%" -v "$T/sw1:$T/sw2" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "loss=150%" "$T/err" || fail "CLI bad value: rc=$rc $(cat "$T/err")"
"$B/vdelab-wirefilter" -d -3 -v "$T/sw1:$T/sw2" 2>"$T/err" && fail "-d -3 accepted"
"$B/vdelab-wirefilter" --impair "delay=-3ms" -v "$T/sw1:$T/sw2" 2>"$T/err"; grep -q "delay=-3ms" "$T/err" || fail "negative delay"

# a switch goes away with frames in the delay line: the filter exits, counts them
mgmt "$WM" "loss 0" >/dev/null; mgmt "$WM" "delay 3000" >/dev/null
nsx A ping -c 3 -i 0.1 -W 1 10.9.6.2 >/dev/null 2>&1
sw2pid=$(echo $PIDS | awk '{print $2}')
kill "$sw2pid"
wait_for sh -c "! kill -0 $wf 2>/dev/null" || fail "wirefilter still running after its switch left"
cat "$T/wf.err"
grep -q "frames still in the delay line were lost" "$T/wf.err" || fail "held frames not reported as lost"
echo PASS
