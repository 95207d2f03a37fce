# TCP through a thin, long pipe must not collapse: iperf3 through
# rate=20Mbit delay=20ms (each way) with queue=auto reaches >= 90 % of the rate.
#
#   [A iperf3 -c]--+-----+== vdelab-plug --impair 'rate=20Mbit delay=20ms' ==+-----+--[B iperf3 -s]
#                  | sw1 |                                                   | sw2 |
#                  +-----+                                                   +-----+
. tests/integration/lib.sh
need_root
command -v iperf3 >/dev/null || skip "iperf3 not installed"
switch sw1
switch sw2
bg "$B/vdelab-plug" --impair "rate=20Mbit delay=20ms" --seed 1 "vde://$T/sw1" "vde://$T/sw2"
host_ours A 10.9.7.1/24 "vde://$T/sw1"
host_ours B 10.9.7.2/24 "vde://$T/sw2"
set -- $(rtt A 10.9.7.2 3); echo "rtt $*"
within "$1" 39 45 || fail "RTT $1, expected ~40 ms"
bg ip netns exec "$P-B" iperf3 -s -1 -p 5201
sleep 0.5
nsx A iperf3 -c 10.9.7.2 -p 5201 -t 8 -O 2 -J > "$T/iperf.json" || fail "iperf3 client"
bps=$(sed -n '/"sum_received"/,/}/s/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' "$T/iperf.json" | head -1)
echo "iperf3 received $bps bit/s through a 20 Mbit/s link"
within "$bps" 18000000 20500000 || fail "TCP reached $bps bit/s, below 90 % of 20 Mbit/s (or above the rate)"
echo PASS
