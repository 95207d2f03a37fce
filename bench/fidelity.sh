#!/bin/sh
# Impairment fidelity: the same traffic (bench/vdegen) through
# vdelab-wirefilter, Debian's wirefilter and the kernel's own tools where
# this kernel has them, for each row of issue 3. Prints Markdown.
#
#   vdegen send --vde_plug-- sw1 ==[filter -v sw1:sw2]== sw2 --vde_plug-- vdegen recv
#   kernel:  ns A (vdegen send, UDP) --veth [tbf | nft]--> ns B (vdegen recv)
# Usage: bench/fidelity.sh BUILD_DIR
set -u
B=${1:-build}
T=$(mktemp -d /tmp/vdelab-fid.XXXXXX)
NS="vdlfid$$"
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -f "$T/wf.pid" ] && kill "$(cat "$T/wf.pid")" 2>/dev/null
	ip netns del "${NS}a" 2>/dev/null; ip netns del "${NS}b" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up
HZ=$(getconf CLK_TCK)
G="$B/bench/vdegen"

"$B/vdelab-switch" -s "$T/sw1" --nostdin & PIDS="$PIDS $!"
"$B/vdelab-switch" -s "$T/sw2" --nostdin & PIDS="$PIDS $!"
sleep 0.3

kv() { sed -n "s/^$1=//p" "$2"; }

# run TOOL "ARGS" COUNT SIZE PPS TIMEOUT -> results in $T/recv, filter CPU in $CPU
run_vde() {
	tool=$1; args=$2
	rm -f "$T/wf.pid"
	case $tool in
	vdelab) eval "exec \"$B/vdelab-wirefilter\" -v \"$T/sw1:$T/sw2\" --seed 1 $args" & WF=$! ;;
	wirefilter) eval "wirefilter -v \"$T/sw1:$T/sw2\" --daemon --pidfile \"$T/wf.pid\" $args"
		i=0; while [ ! -s "$T/wf.pid" ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done
		WF=$(cat "$T/wf.pid") ;;
	esac
	sleep 0.4
	"$G" recv "vde://$T/sw2" "$3" "$6" > "$T/recv" & R=$!
	sleep 0.3
	c0=$(awk '{print $14+$15}' /proc/$WF/stat)
	"$G" send "vde://$T/sw1" "$3" "$4" "$5" > /dev/null
	wait $R
	c1=$(awk '{print $14+$15}' /proc/$WF/stat 2>/dev/null || echo "$c0")
	kill "$WF" 2>/dev/null; wait "$WF" 2>/dev/null
	sleep 0.2
	CPU=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$3" 'BEGIN { printf "%.0f", d / hz * 1e9 / n }')
}

# kernel path: setup_k CMD... applies qdisc/nft in the namespaces
k_setup() {
	ip netns del "${NS}a" 2>/dev/null; ip netns del "${NS}b" 2>/dev/null
	ip netns add "${NS}a"; ip netns add "${NS}b"
	ip -n "${NS}a" link add va type veth peer name vb netns "${NS}b"
	ip -n "${NS}a" addr add 198.18.5.1/30 dev va; ip -n "${NS}a" link set va up
	ip -n "${NS}b" addr add 198.18.5.2/30 dev vb; ip -n "${NS}b" link set vb up
	ip netns exec "${NS}a" ip neigh add 198.18.5.2 lladdr "$(ip netns exec "${NS}b" cat /sys/class/net/vb/address)" dev va
}
run_k() { # COUNT SIZE PPS TIMEOUT
	ip netns exec "${NS}b" "$G" recv "udp::9000" "$1" "$4" > "$T/recv" & R=$!
	sleep 0.3
	ip netns exec "${NS}a" "$G" send "udp:198.18.5.2:9000" "$1" "$2" "$3" > /dev/null
	wait $R
	CPU="kernel"
}

ci() { # lost n -> "p% [lo..hi]" 99% normal interval
	awk -v l="$1" -v n="$2" 'BEGIN { p = l / n; h = 2.576 * sqrt(p * (1 - p) / n);
		printf "%.3f%% [%.3f..%.3f]", 100 * p, 100 * (p - h), 100 * (p + h) }'
}
inci() { awk -v l="$1" -v n="$2" -v t="$3" 'BEGIN { p = l / n; h = 2.576 * sqrt(p * (1 - p) / n);
		print (t >= p - h && t <= p + h) ? "yes" : "no" }'; }

have_netem=no
k_setup; ip netns exec "${NS}a" tc qdisc add dev va root netem delay 1ms 2>/dev/null && have_netem=yes
have_nft=no; command -v nft >/dev/null && have_nft=yes

echo "Kernel tools on this machine: tc netem: $have_netem (sch_netem $( [ $have_netem = yes ] && echo present || echo 'is not in this kernel')), tbf: yes, nftables: $have_nft"
echo
echo "| row | tool | achieved | within target? | filter CPU ns/frame |"
echo "|---|---|---|---|---|"

# 1. delay 50 ms +- 10 ms normal, reordering allowed (the distribution itself), 1000 frames/s
for tool in vdelab wirefilter; do
	[ $tool = vdelab ] && a="--impair 'delay=50ms jitter=10ms dist=normal fifo=0'" || a="-d 50+30N -N"
	run_vde $tool "$a" 3000 100 1000 2000
	m=$(kv lat_mean_us "$T/recv"); s=$(kv lat_sd_us "$T/recv"); p50=$(kv lat_p50_us "$T/recv"); p99=$(kv lat_p99_us "$T/recv")
	ok=$(awk -v m="$m" -v s="$s" 'BEGIN { print (m >= 49500 && m <= 50800 && s >= 9500 && s <= 10500) ? "yes" : "no" }')
	echo "| delay 50 ms, sigma 10 ms normal (reorder allowed) | $tool | mean $(awk -v x="$m" 'BEGIN{printf "%.2f", x/1000}') ms, sigma $(awk -v x="$s" 'BEGIN{printf "%.2f", x/1000}') ms, p50 $(awk -v x="$p50" 'BEGIN{printf "%.1f", x/1000}') ms, p99 $(awk -v x="$p99" 'BEGIN{printf "%.1f", x/1000}') ms | $ok | $CPU |"
done
echo "| delay 50 ms, sigma 10 ms normal | kernel netem | not available: this kernel has no sch_netem | - | - |"
# 1b. the same with order kept (both tools' default), 1000 frames/s: FIFO narrows the spread
for tool in vdelab wirefilter; do
	[ $tool = vdelab ] && a="--impair 'delay=50ms jitter=10ms dist=normal'" || a="-d 50+30N"
	run_vde $tool "$a" 3000 100 1000 2000
	m=$(kv lat_mean_us "$T/recv"); s=$(kv lat_sd_us "$T/recv")
	echo "| same, order kept (default) | $tool | mean $(awk -v x="$m" 'BEGIN{printf "%.2f", x/1000}') ms, sigma $(awk -v x="$s" 'BEGIN{printf "%.2f", x/1000}') ms | (FIFO changes the law by design) | $CPU |"
done

# 2. loss 5 %, 20000 frames
for tool in vdelab wirefilter kernel; do
	case $tool in
	vdelab) run_vde vdelab "--impair loss=5%" 20000 100 5000 1500 ;;
	wirefilter) run_vde wirefilter "-l 5" 20000 100 5000 1500 ;;
	kernel) [ $have_nft = yes ] || continue; k_setup
		ip netns exec "${NS}b" nft add table netdev vdl
		ip netns exec "${NS}b" nft add chain netdev vdl c "{ type filter hook ingress device vb priority 0; }"
		ip netns exec "${NS}b" nft add rule netdev vdl c udp dport 9000 numgen random mod 1000 \< 50 drop
		run_k 20000 100 5000 1500; tool="kernel nft numgen" ;;
	esac
	l=$(kv lost "$T/recv")
	echo "| loss 5 % (20000 frames) | $tool | $(ci "$l" 20000) | $(inci "$l" 20000 0.05) | $CPU |"
done

# 3. burst loss 5 %, mean burst 4
for tool in vdelab wirefilter; do
	[ $tool = vdelab ] && a="--impair 'loss=5% burst=4'" || a="-l 5 -L 4"
	run_vde $tool "$a" 40000 100 8000 1500
	l=$(kv lost "$T/recv"); mb=$(kv mean_burst "$T/recv")
	okb=$(awk -v b="$mb" 'BEGIN { print (b >= 3.6 && b <= 4.4) ? "yes" : "no" }')
	echo "| burst loss 5 %, mean burst 4 (40000 frames) | $tool | loss $(ci "$l" 40000), mean burst $mb | loss $(inci "$l" 40000 0.05), burst $okb | $CPU |"
done
echo "| burst loss | kernel | not available (no Gilbert model in nftables; netem absent) | - | - |"

# 4. rate 10 Mbit/s: 20 Mbit/s offered for 2 s (1000-byte frames)
for tool in vdelab wirefilter kernel; do
	case $tool in
	vdelab) run_vde vdelab "--impair rate=10Mbit" 5000 1000 2500 3000 ;;
	wirefilter) run_vde wirefilter "-b 1250000" 5000 1000 2500 3000 ;;
	kernel) k_setup; ip netns exec "${NS}a" tc qdisc add dev va root tbf rate 10mbit burst 32kbit latency 400ms
		run_k 5000 1000 2500 3000; tool="kernel tbf" ;;
	esac
	mb=$(kv mbps "$T/recv"); u=$(kv unique "$T/recv"); p99=$(kv lat_p99_us "$T/recv")
	ok=$(awk -v r="$mb" 'BEGIN { print (r >= 9.5 && r <= 10.3) ? "yes" : "no" }')
	echo "| rate 10 Mbit/s, 20 Mbit/s offered | $tool | $mb Mbit/s, $u of 5000 delivered, delay p99 $(awk -v x="$p99" 'BEGIN{printf "%.0f", x/1000}') ms | $ok | $CPU |"
done

# 5. dup 1 %
for tool in vdelab wirefilter; do
	[ $tool = vdelab ] && a="--impair dup=1%" || a="-D 1"
	run_vde $tool "$a" 20000 100 5000 1500
	d=$(kv duplicates "$T/recv")
	echo "| dup 1 % (20000 frames) | $tool | $(ci "$d" 20000) | $(inci "$d" 20000 0.01) | $CPU |"
done
echo "| dup | kernel | not measured (netem absent; nft dup re-enters the hook) | - | - |"

# 6. corrupt 0.1 %, 1000-byte frames (wirefilter: noise in bits/MiB giving 0.1 % of frames)
noise=$(awk 'BEGIN { printf "%.4f", -log(1 - 0.001) * 1048576 / 1000 }')
for tool in vdelab wirefilter; do
	[ $tool = vdelab ] && a="--impair corrupt=0.1%" || a="-n $noise"
	run_vde $tool "$a" 100000 1000 10000 1500
	c=$(kv corrupted "$T/recv")
	echo "| corrupt 0.1 % of frames (100000 x 1000 B) | $tool | $(ci "$c" 100000) | $(inci "$c" 100000 0.001) | $CPU |"
done
echo "| corrupt | kernel | not available (netem absent) | - | - |"
