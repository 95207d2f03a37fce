#!/bin/sh
# labctl benchmarks: up/down time for 10, 50 and 100 namespace nodes on one
# switch, sandboxed and isolation="none"; TCP (iperf3, 5 s) between two nodes through vdelab-switch, through
# Debian's vde_switch with vde_plug taps, and through the kernel's bridge.
# Usage: bench/labs.sh BUILD_DIR
set -u
B=${1:-build}
T=$(mktemp -d /tmp/vdelab-blab.XXXXXX)
export VDELAB_RUN_DIR="$T/run"
P="vdlb$$"
cleanup() {
	for n in 10 50 100; do "$B/labctl" down "${P}n$n" >/dev/null 2>&1; done
	"$B/labctl" down "${P}t" >/dev/null 2>&1
	[ -f "$T/vs.pid" ] && kill "$(cat "$T/vs.pid")" 2>/dev/null
	for f in "$T"/p*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	for n in a b br; do ip netns del "$P$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up
ms() { date +%s%3N; }

echo "| nodes | isolation | labctl up | labctl down | memory per node |"
echo "|---|---|---|---|---|"
for n in 10 50 100; do
	for iso in sandbox none; do
		{
			echo "<lab name=\"${P}n$n\"><switch name=\"s\" ports=\"$((n + 8))\"/>"
			i=1; while [ $i -le $n ]; do
				echo "<node name=\"n$i\" isolation=\"$iso\"><if switch=\"s\" ip=\"10.30.$((i / 250)).$((i % 250 + 1))/16\"/></node>"
				i=$((i + 1)); done
			echo "</lab>"
		} > "$T/n$n.xml"
		t0=$(ms); "$B/labctl" up "$T/n$n.xml" >/dev/null || echo "up failed"; t1=$(ms)
		mem="-"
		if [ "$iso" = sandbox ]; then
			# the node's init (PSS: its pages shared with labctl's image
			# counted by share) plus its share of the lab's layer tmpfs
			rss=0
			for f in "$T/run/${P}n$n"/fs/nodes/*/init.pid; do
				r=$(awk '/^Pss:/ { print $2 }' "/proc/$(cat "$f")/smaps_rollup" 2>/dev/null)
				rss=$((rss + ${r:-0}))
			done
			fs=$(df -k --output=used "$T/run/${P}n$n/fs" | tail -1)
			mem="$(( (rss + fs) / n )) KiB (init PSS $((rss / n)) KiB + layers $((fs / n)) KiB)"
		fi
		"$B/labctl" down "${P}n$n" >/dev/null; t2=$(ms)
		echo "| $n | $iso | $((t1 - t0)) ms | $((t2 - t1)) ms | $mem |"
	done
done

iperf() { # NS_SERVER NS_CLIENT ADDR -> Mbit/s
	ip netns exec "$1" iperf3 -s -1 -D -p 5299 >/dev/null 2>&1; sleep 0.3
	ip netns exec "$2" iperf3 -c "$3" -p 5299 -t 5 -J 2>/dev/null |
		sed -n '/"sum_received"/,/}/s/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' | head -1 |
		awk '{printf "%.0f", $1 / 1e6}'
}
echo
echo "| path between two namespaces (TCP, iperf3 5 s, MTU 1500) | Mbit/s |"
echo "|---|---|"
cat > "$T/t.xml" <<XML
<lab name="${P}t"><switch name="s"/>
<node name="a"><if switch="s" ip="10.31.0.1/24"/></node>
<node name="b"><if switch="s" ip="10.31.0.2/24"/></node></lab>
XML
"$B/labctl" up "$T/t.xml" >/dev/null
echo "| vdelab-switch (labctl lab: taps opened by the switch) | $(iperf "vl-${P}t.b" "vl-${P}t.a" 10.31.0.2) |"
"$B/labctl" down "${P}t" >/dev/null

vde_switch -s "$T/vs" -d -p "$T/vs.pid"; sleep 0.3
for n in a b; do
	ip netns add "$P$n"
	ip netns exec "$P$n" vde_plug -d -p "$T/p$n.pid" "tap://t$n" "vde://$T/vs"
done
sleep 0.3
ip -n "${P}a" addr add 10.32.0.1/24 dev ta; ip -n "${P}a" link set ta up
ip -n "${P}b" addr add 10.32.0.2/24 dev tb; ip -n "${P}b" link set tb up
echo "| Debian vde_switch + vde_plug tap:// | $(iperf "${P}b" "${P}a" 10.32.0.2) |"
kill "$(cat "$T/vs.pid")"; rm -f "$T/vs.pid"
for n in a b; do ip netns del "$P$n"; done

ip netns add "${P}br"; ip netns add "${P}a"; ip netns add "${P}b"
ip -n "${P}br" link add br0 type bridge; ip -n "${P}br" link set br0 up
for n in a b; do
	ip -n "${P}br" link add "v$n" type veth peer name eth0 netns "$P$n"
	ip -n "${P}br" link set "v$n" master br0 up
done
ip -n "${P}a" addr add 10.33.0.1/24 dev eth0; ip -n "${P}a" link set eth0 up
ip -n "${P}b" addr add 10.33.0.2/24 dev eth0; ip -n "${P}b" link set eth0 up
echo "| Linux bridge + veth (kernel, with offloads) | $(iperf "${P}b" "${P}a" 10.33.0.2) |"
echo "| Open vSwitch userspace datapath | not measured (TCP over veth stalled in OVS 3.1 netdev with offloads on); the issue measured 773 |"
