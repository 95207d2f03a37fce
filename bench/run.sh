#!/bin/sh
# Switch forwarding benchmark: the same libvdeplug generator (bench/vdegen)
# through a direct ptp:// link, Debian's vde_switch, and vdelab-switch with
# the flow cache on and off, without capture code, with a capture running;
# and watched by the console's polling (labctl top at 10 Hz); 64- and
# 1514-byte frames; REPS runs each (KINDS="vdelab ..." picks paths), the
# median run (by frames/s) is reported. Prints a Markdown table.
# Usage: bench/run.sh BUILD_DIR [REPS]
set -u
B=${1:-build}
REPS=${2:-3}
T=$(mktemp -d /tmp/vdelab-bench.XXXXXX)
SWPID=""
TOPPID=""
trap '[ -n "$SWPID" ] && kill $SWPID 2>/dev/null; [ -n "$TOPPID" ] && kill $TOPPID 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up
HZ=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_switch() { # kind -> sets VNL and SWPID
	rm -rf "$T/sw"
	case $1 in
	vde_switch) # Debian's 2.3.2 has no --nostdin: run it as a daemon
		rm -f "$T/vs.pid"; vde_switch -s "$T/sw" -d -p "$T/vs.pid"
		i=0; while [ ! -s "$T/vs.pid" ] && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done
		SWPID=$(cat "$T/vs.pid") ;;
	vdelab) "$B/vdelab-switch" -s "$T/sw" --nostdin & SWPID=$! ;;
	vdelab-nocache) "$B/vdelab-switch" -s "$T/sw" --nostdin --no-flowcache & SWPID=$! ;;
	vdelab-stp) # RSTP running; the generator's ports are edge ports (forwarding at once)
		printf 'stp/setedge 1 1\nstp/setedge 2 1\n' > "$T/stp.rc"
		"$B/vdelab-switch" -s "$T/sw" --nostdin -F -f "$T/stp.rc" & SWPID=$! ;;
	vdelab-capture) "$B/vdelab-switch" -s "$T/sw" -M "$T/mgmt" --nostdin & SWPID=$! ;;
	vdelab-nocapcode) "$B/bench/vdelab-switch-nocap" -s "$T/sw" --nostdin & SWPID=$! ;;
	vdelab-console) # a one-switch "lab" watched by labctl top: the console's polling (10 Hz)
		mkdir -p "$T/run/bench"
		echo '<lab name="bench"><switch name="bench"/></lab>' > "$T/bench.xml"
		echo "$T/bench.xml" > "$T/run/bench/labfile"
		echo "pidfile $T/run/bench/sw-bench.pid" > "$T/run/bench/state"
		"$B/vdelab-switch" -s "$T/sw" -M "$T/run/bench/sw-bench.mgmt" --nostdin & SWPID=$!
		echo $SWPID > "$T/run/bench/sw-bench.pid"
		i=0; while [ ! -S "$T/run/bench/sw-bench.mgmt" ] && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done
		VDELAB_RUN_DIR="$T/run" "$B/labctl" top bench --interval 1 >/dev/null 2>&1 & TOPPID=$! ;;
	direct) SWPID="" ;;
	esac
	VNL="vde://$T/sw"
	[ "$1" = direct ] && VNL="ptp://$T/ptp"
	i=0; while [ -n "$SWPID" ] && [ ! -S "$T/sw/ctl" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
}

one_run() { # kind size count -> prints "fps loss p50 p99 cpu_ns"
	start_switch "$1"
	rm -f "$T/ptp" "$T/ptp+"
	"$B/bench/vdegen" recv "$VNL" "$3" 1000 > "$T/recv" &
	rp=$!
	i=0; while ! grep -q ready "$T/recv" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done
	# capture on: every frame the receiver's port sends, to a pcap file
	[ "$1" = vdelab-capture ] && "$B/tests/vdeprobe" console "$T/mgmt" "capture/start 1 $T/cap.pcap" >/dev/null
	c0=0; [ -n "$SWPID" ] && c0=$(cpu_ticks "$SWPID")
	"$B/bench/vdegen" send "$VNL" "$3" "$2" > "$T/send"
	wait $rp
	c1=0; [ -n "$SWPID" ] && c1=$(cpu_ticks "$SWPID")
	[ -n "$TOPPID" ] && { kill "$TOPPID"; wait "$TOPPID" 2>/dev/null; TOPPID=""; }
	if [ -n "$SWPID" ]; then
		kill "$SWPID"; wait "$SWPID" 2>/dev/null
		i=0; while kill -0 "$SWPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done
	fi
	SWPID=""
	got=$(sed -n 's/^received=//p' "$T/recv")
	fps=$(sed -n 's/^fps=//p' "$T/recv")
	p50=$(sed -n 's/^lat_p50_us=//p' "$T/recv")
	p99=$(sed -n 's/^lat_p99_us=//p' "$T/recv")
	awk -v got="${got:-0}" -v n="$3" -v fps="${fps:-0}" -v p50="${p50:-0}" -v p99="${p99:-0}" \
	    -v dc=$((c1 - c0)) -v hz="$HZ" -v sw="$1" 'BEGIN {
		cpu = (sw == "direct" || got == 0) ? "-" : sprintf("%.0f", dc / hz * 1e9 / got);
		printf "%d %.3f %.0f %.0f %s\n", fps, 100 * (n - got) / n, p50, p99, cpu }'
}

echo "| path | frame | frames/s | loss % | latency p50 µs | p99 µs | switch CPU ns/frame |"
echo "|---|---|---|---|---|---|---|"
for size in 64 1514; do
	count=300000; [ "$size" -gt 1000 ] && count=150000
	for kind in ${KINDS:-direct vde_switch vdelab vdelab-stp vdelab-nocache vdelab-nocapcode vdelab-capture vdelab-console}; do
		: > "$T/runs"
		r=0; while [ $r -lt "$REPS" ]; do one_run "$kind" "$size" "$count" >> "$T/runs"; r=$((r+1)); done
		med=$(sort -n "$T/runs" | awk -v n="$REPS" 'NR == int((n + 1) / 2)')
		set -- $med
		echo "| $kind | $size B | $1 | $2 | $3 | $4 | $5 |"
	done
done

echo
echo "Forwarding core alone (bench/swcore: sw_input+sw_flush, 64 B, batches of 32, no sockets):"
echo
echo "| batch pattern | learned flows | cache on ns/frame | cache off ns/frame | hit ratio | speedup |"
echo "|---|---|---|---|---|---|"
for pat in bulk mix; do
	for flows in 16 256 4096; do
		"$B/bench/swcore" "$flows" 4000000 "$pat" | awk -F= '{v[$1]=$2} END {
			printf "| %s | %s | %s | %s | %s | %s |\n", v["pattern"], v["flows"], v["cache_on_ns"], v["cache_off_ns"], v["hit_ratio"], v["speedup"] }'
	done
done

echo
echo "Cost of capture in the forwarding core (bench/swcore, 64 B, 256 learned flows, flow cache on):"
echo
echo "| batch pattern | no capture code ns/frame | capture off ns/frame | every port captured (to /dev/null) ns/frame |"
echo "|---|---|---|---|"
for pat in bulk mix; do
	a=$("$B/bench/swcore-nocap" 256 4000000 "$pat" | sed -n 's/^cache_on_ns=//p')
	b=$("$B/bench/swcore" 256 4000000 "$pat" | sed -n 's/^cache_on_ns=//p')
	c=$(SWCORE_CAPTURE=/dev/null "$B/bench/swcore" 256 1000000 "$pat" | sed -n 's/^cache_on_ns=//p')
	echo "| $pat | $a | $b | $c |"
done
