# Shared helpers for integration tests. Source it; then use:
#   ns NAME            create netns $P-NAME (removed on exit)
#   bg CMD...          start a process in the background, remembered by pid
#   wait_for PRED...   retry a command for up to 5 s
#   mgmt SOCK CMD      run one console command, print the output
# Every name is prefixed with $P (unique per run); the EXIT trap kills the
# processes we started (by pid) and deletes our namespaces, even on failure.
set -u
B=${VDELAB_BUILD:-$(pwd)/build}
P="vdl$$"
T=$(mktemp -d /tmp/vdelab-it.XXXXXX)
PIDS=""
NSS=""
LABS=""

# lab NAME: a lab this test brings up with labctl; the trap takes it down
lab() { LABS="$LABS $1"; }

cleanup() {
	for l in $LABS; do "$B/labctl" down "$l" >/dev/null 2>&1; done
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for f in "$T"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"; }

ns() {
	ip netns add "$P-$1" || fail "ip netns add $P-$1"
	NSS="$NSS $P-$1"
	ip -n "$P-$1" link set lo up
	# no IPv6 autoconfiguration chatter (MLD, DAD, RS) in counter-based tests
	ip netns exec "$P-$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}
nsx() { n=$1; shift; ip netns exec "$P-$n" "$@"; }

# veth A B IFA IFB [ADDR_A [ADDR_B]]: a veth pair between namespaces $P-A and
# $P-B (interfaces $P$IFA and $P$IFB), addressed if given, up
veth() {
	ip link add "$P$3" type veth peer name "$P$4" || fail "veth $3-$4"
	ip link set "$P$3" netns "$P-$1"; ip link set "$P$4" netns "$P-$2"
	[ -n "${5:-}" ] && nsx "$1" ip addr add "$5" dev "$P$3"
	[ -n "${6:-}" ] && nsx "$2" ip addr add "$6" dev "$P$4"
	nsx "$1" ip link set "$P$3" up; nsx "$2" ip link set "$P$4" up
}

bg() { "$@" & PIDS="$PIDS $!"; LAST=$!; }

wait_for() {
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -ge 50 ] && return 1; sleep 0.1
	done
}

# switch NAME [ARGS...]: start vdelab-switch with DIR $T/NAME and mgmt $T/NAME.mgmt
switch() {
	name=$1; shift
	bg "$B/vdelab-switch" -s "$T/$name" -M "$T/$name.mgmt" --nostdin "$@"
	wait_for test -S "$T/$name.mgmt" || fail "switch $name did not start"
}

# mgmt SOCK CMD: one console command through a unix socket, output on stdout
mgmt() { "$B/tests/vdeprobe" console "$1" "$2"; }

# host NAME IP URL: a namespace with tap "eth0" plugged into URL by Debian's vde_plug
host_debian() {
	ns "$1"
	nsx "$1" vde_plug -d -p "$T/$1.pid" "tap://${P}t$1" "$3" || fail "vde_plug for $1"
	wait_for nsx "$1" ip link show "${P}t$1" || fail "tap for $1"
	nsx "$1" ip addr add "$2" dev "${P}t$1"
	nsx "$1" ip link set "${P}t$1" up
}

# the same with vdelab-plug
host_ours() {
	ns "$1"
	bg ip netns exec "$P-$1" "$B/vdelab-plug" "tap://${P}t$1" "$3"
	wait_for nsx "$1" ip link show "${P}t$1" || fail "tap for $1"
	nsx "$1" ip addr add "$2" dev "${P}t$1"
	nsx "$1" ip link set "${P}t$1" up
}

# port counter: pstat SOCK PORT KEY
pstat() { mgmt "$1" stats/ports | tr ' ' '\n' | awk -v p="port=$2" -v k="$3=" '
	$0 == p { on = 1; next } /^port=/ { on = 0 } on && index($0, k) == 1 { print substr($0, length(k) + 1) }'; }

# rtt NS IP COUNT: "min avg max" of COUNT pings (after one warm-up ping for ARP)
rtt() {
	nsx "$1" ping -c 1 -W 3 "$2" >/dev/null 2>&1
	nsx "$1" ping -c "$3" -i 0.1 -W 3 "$2" | sed -n 's|.*= \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*|\1 \2 \3|p'
}
# within VALUE LOW HIGH
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

# lab_left LAB BASE: prints what lab LAB (sandbox uid range from BASE) left
# on the host after down, and succeeds if anything: mounts, cgroups,
# namespaces, processes of its uids, the run directory
lab_left() {
	grep -q "/$1/" /proc/mounts && { grep "/$1/" /proc/mounts; return 0; }
	[ -e "/sys/fs/cgroup/pids/vdelab/$1" ] && { echo "cgroup left"; return 0; }
	ls /run/netns | grep -q "^vl-$1\." && { echo "netns left"; return 0; }
	for p in /proc/[0-9]*; do
		# an ended init is reaped by the host's init (its parent), in its own time
		[ "$(awk '/^State:/ { print $2 }' $p/status 2>/dev/null)" = Z ] && continue
		u=$(awk '/^Uid:/ { print $2 }' $p/status 2>/dev/null)
		[ -n "$u" ] && [ "$u" -ge "$2" ] && [ "$u" -lt $(($2 + 65536)) ] && { echo "process ${p#/proc/} left: $(cat $p/cmdline | tr "\\0" " ") state $(awk "/^State:/ { print \$2 }" $p/status)"; return 0; }
	done
	[ -e "$T/run/$1" ] && { echo "run directory left"; return 0; }
	return 1
}
