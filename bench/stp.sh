#!/bin/sh
# Spanning-tree reconvergence after a link failure on a triangle, measured
# by the gap in a 100 Hz ping between two hosts whose direct path breaks:
#   vdelab: labs/stp.xml (RSTP), labctl link set stp s1-s3 down
#   Linux bridge: three kernel bridges (stp_state 1, 802.1D defaults: hello
#   2 s, max age 20 s, forward delay 15 s) in a veth triangle, the same
#   priorities, the s1-s3 veth set down.
# Prints a Markdown table. Usage: bench/stp.sh BUILD_DIR
set -u
B=${1:-build}
T=$(mktemp -d /tmp/vdelab-bstp.XXXXXX)
export VDELAB_RUN_DIR="$T/run"
P="vdls$$"
cleanup() {
	"$B/labctl" down "${P}l" >/dev/null 2>&1
	for n in b1 b2 b3 h1 h3; do ip netns del "$P$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# gap CMD_PREFIX ADDR ACTION...: 100 Hz ping for SECS, ACTION after 2 s; prints lost pings x 10 ms
gap() {
	pre=$1 addr=$2 secs=$3; shift 3
	$pre ping -i 0.01 -c $((secs * 100)) -W 1 "$addr" > "$T/ping" 2>&1 &
	pp=$!
	sleep 2
	"$@" >/dev/null
	wait $pp
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$T/ping")
	set -- $sent
	echo $(( ($1 - $2) * 10 ))
}

# vdelab, RSTP
"$B/labctl" up --name "${P}l" labs/stp.xml >/dev/null || { echo "labctl up failed"; exit 1; }
"$B/labctl" exec "${P}l" h1 -- ping -c 2 -W 2 10.70.0.3 >/dev/null
v=$(gap "$B/labctl exec ${P}l h1 --" 10.70.0.3 8 "$B/labctl" link set "${P}l" s1-s3 down)
"$B/labctl" down "${P}l" >/dev/null

# Linux bridges, 802.1D
for n in b1 b2 b3 h1 h3; do ip netns add "$P$n"; ip -n "$P$n" link set lo up; done
prio() { case $1 in b1) echo 4096 ;; b2) echo 32768 ;; b3) echo 61440 ;; esac; }
for n in b1 b2 b3; do
	ip -n "$P$n" link add br0 type bridge stp_state 1 priority "$(prio $n)"
	ip -n "$P$n" link set br0 up
done
link() { # A B: a veth between bridges (or host and bridge)
	ip link add "$P$1$2" type veth peer name "$P$2$1"
	ip link set "$P$1$2" netns "$P$1"; ip link set "$P$2$1" netns "$P$2"
	for e in "$1 $P$1$2" "$2 $P$2$1"; do set -- $e
		case $1 in b*) ip -n "$P$1" link set "$2" master br0 ;; esac
		ip -n "$P$1" link set "$2" up
	done
}
link b1 b2; link b1 b3; link b2 b3; link h1 b1; link h3 b3
ip -n "${P}h1" addr add 10.71.0.1/24 dev "${P}h1b1"
ip -n "${P}h3" addr add 10.71.0.3/24 dev "${P}h3b3"
i=0; while ! ip netns exec "${P}h1" ping -c 1 -W 1 10.71.0.3 >/dev/null 2>&1 && [ $i -lt 90 ]; do sleep 1; i=$((i + 1)); done
sleep 2
k=$(gap "ip netns exec ${P}h1" 10.71.0.3 50 ip -n "${P}b1" link set "${P}b1b3" down)

echo "| spanning tree | failure | ping gap (100 Hz) |"
echo "|---|---|---|"
echo "| vdelab-switch RSTP (labs/stp.xml) | labctl link set s1-s3 down | ${v} ms |"
echo "| Linux bridge 802.1D (kernel STP, default timers) | ip link set down (b1-b3 veth) | ${k} ms |"
awk -v v="$v" -v k="$k" 'BEGIN { if (v > 0) printf "\nLinux bridge / vdelab: %.0fx\n", k / v; else print "\nvdelab lost no ping: reconverged in under 10 ms" }'
