#!/bin/sh
# A switch, two network namespaces plugged into it with Debian's vde_plug,
# a ping across, and what the switch saw. Cleans up after itself.
#
#   [h1 10.77.0.1] --vde_plug-- +---------------+ --vdelab-plug-- [h2 10.77.0.2]
#                               | vdelab-switch |
#                               +---------------+
set -u
B=${1:-build}
[ "$(id -u)" -eq 0 ] || { echo "the demo creates network namespaces: run it as root"; exit 1; }
T=$(mktemp -d /tmp/vdelab-demo.XXXXXX)
N="vdldemo$$"
cleanup() {
	[ -n "${SW:-}" ] && kill "$SW" 2>/dev/null
	[ -n "${PL:-}" ] && kill "$PL" 2>/dev/null
	[ -f "$T/p1.pid" ] && kill "$(cat "$T/p1.pid")" 2>/dev/null
	ip netns del "${N}1" 2>/dev/null; ip netns del "${N}2" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
step() { printf '\n== %s\n' "$*"; }

step "start vdelab-switch on $T/sw (console $T/sw.mgmt)"
"$B/vdelab-switch" -s "$T/sw" -M "$T/sw.mgmt" --nostdin & SW=$!
sleep 0.3
step "h1: namespace + Debian's vde_plug tap://h1eth0 vde://$T/sw"
ip netns add "${N}1"
ip netns exec "${N}1" vde_plug -d -p "$T/p1.pid" tap://h1eth0 "vde://$T/sw"
sleep 0.2
ip -n "${N}1" addr add 10.77.0.1/24 dev h1eth0; ip -n "${N}1" link set h1eth0 up
step "h2: namespace + vdelab-plug tap://h2eth0 vde://$T/sw"
ip netns add "${N}2"
ip netns exec "${N}2" "$B/vdelab-plug" tap://h2eth0 "vde://$T/sw" & PL=$!
sleep 0.3
ip -n "${N}2" addr add 10.77.0.2/24 dev h2eth0; ip -n "${N}2" link set h2eth0 up
step "ping h1 -> h2"
ip netns exec "${N}1" ping -c 4 -i 0.2 10.77.0.2
rc=$?
step "the switch's console (vde_switch protocol): port/print, hash/print, flow/showinfo"
for c in port/print hash/print flow/showinfo; do
	echo "vde$ $c"
	"$B/tests/vdeprobe" console "$T/sw.mgmt" "$c"
done
step "done: everything removed"
exit $rc
