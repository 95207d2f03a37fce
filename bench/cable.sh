#!/bin/sh
# Tunnel benchmark: frames/s and CPU per frame of one link made of two
# plugs, fed and drained by bench/vdegen over raw UDP on loopback:
#
#   vdegen send -> udp:7001 [plug A] == link == [plug B] udp -> vdegen recv :7003
#
# link variants (same run): vdelab-plug udp:// (plain), vdelab-plug cable://
# (XChaCha20-Poly1305, replay window), vdelab-plug vxlan://, geneve://,
# gretap:// and nvgre:// (raw IP protocol 47 between 127.0.0.2 and
# 127.0.0.3: needs root), Debian's vde_plug
# (vdeplug4) udp:// and vde_plug over agno:// (libvdeplug-agno, AES-CBC) if
# installed. 64- and 1514-byte frames, REPS runs each, median by frames/s.
# CPU: both plugs' user+system time / frames received.
# Usage: bench/cable.sh BUILD_DIR [REPS]
set -u
B=${1:-build}
REPS=${2:-3}
T=$(mktemp -d /tmp/vdelab-cbench.XXXXXX)
PA="" PB=""
trap 'for p in $PA $PB; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

"$B/vdelab-plug" --genkey "$T/k" >/dev/null
printf '000102030405060708090a0b0c0d0e0f\n' > "$T/agno.key"
AGNO=0; [ -e /usr/lib/x86_64-linux-gnu/vdeplug/libvdeplug_agno.so ] && AGNO=1

start_link() { # kind -> PA PB
	case $1 in
	udp)   "$B/vdelab-plug" "udp://7001@127.0.0.1:7000" "udp://7100@127.0.0.1:7101" & PA=$!
	       "$B/vdelab-plug" "udp://7101@127.0.0.1:7100" "udp://7002@127.0.0.1:7003" & PB=$! ;;
	cable) "$B/vdelab-plug" "udp://7001@127.0.0.1:7000" "cable://7100@127.0.0.1:7101?psk=$T/k" & PA=$!
	       "$B/vdelab-plug" "cable://7101@127.0.0.1:7100?psk=$T/k" "udp://7002@127.0.0.1:7003" & PB=$! ;;
	vxlan) "$B/vdelab-plug" "udp://7001@127.0.0.1:7000" "vxlan://127.0.0.1:7100?vni=42&remote=127.0.0.1:7101" & PA=$!
	       "$B/vdelab-plug" "vxlan://127.0.0.1:7101?vni=42&remote=127.0.0.1:7100" "udp://7002@127.0.0.1:7003" & PB=$! ;;
	geneve) "$B/vdelab-plug" "udp://7001@127.0.0.1:7000" "geneve://127.0.0.1:7100?vni=42&remote=127.0.0.1:7101" & PA=$!
	       "$B/vdelab-plug" "geneve://127.0.0.1:7101?vni=42&remote=127.0.0.1:7100" "udp://7002@127.0.0.1:7003" & PB=$! ;;
	gretap) "$B/vdelab-plug" "udp://7001@127.0.0.1:7000" "gretap://127.0.0.2?key=42&remote=127.0.0.3" & PA=$!
	       "$B/vdelab-plug" "gretap://127.0.0.3?key=42&remote=127.0.0.2" "udp://7002@127.0.0.1:7003" & PB=$! ;;
	nvgre) "$B/vdelab-plug" "udp://7001@127.0.0.1:7000" "nvgre://127.0.0.2?vsid=5000&remote=127.0.0.3" & PA=$!
	       "$B/vdelab-plug" "nvgre://127.0.0.3?vsid=5000&remote=127.0.0.2" "udp://7002@127.0.0.1:7003" & PB=$! ;;
	vde_plug-udp)
	       vde_plug "udp://7001->127.0.0.1:7000" "udp://7100->127.0.0.1:7101" & PA=$!
	       vde_plug "udp://7101->127.0.0.1:7100" "udp://7002->127.0.0.1:7003" & PB=$! ;;
	vde_plug-agno)
	       vde_plug "udp://7001->127.0.0.1:7000" "agno://$T/agno.key{udp://7100->127.0.0.1:7101}" & PA=$!
	       vde_plug "agno://$T/agno.key{udp://7101->127.0.0.1:7100}" "udp://7002->127.0.0.1:7003" & PB=$! ;;
	esac
	sleep 0.3
}

one_run() { # kind size count [pps] -> "fps loss cpu_ns"
	start_link "$1"
	"$B/bench/vdegen" recv "udp::7003" "$3" 1000 > "$T/recv" &
	rp=$!
	i=0; while ! grep -q ready "$T/recv" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done
	c0=$(( $(cpu_ticks "$PA") + $(cpu_ticks "$PB") ))
	"$B/bench/vdegen" send "udp:127.0.0.1:7001@7000" "$3" "$2" "${4:-0}" > "$T/send"
	wait $rp
	c1=$(( $(cpu_ticks "$PA") + $(cpu_ticks "$PB") ))
	kill "$PA" "$PB" 2>/dev/null; wait "$PA" "$PB" 2>/dev/null; PA="" PB=""
	got=$(sed -n 's/^received=//p' "$T/recv")
	fps=$(sed -n 's/^fps=//p' "$T/recv")
	awk -v got="${got:-0}" -v n="$3" -v fps="${fps:-0}" -v dc=$((c1 - c0)) -v hz="$HZ" 'BEGIN {
		cpu = got == 0 ? "-" : sprintf("%.0f", dc / hz * 1e9 / got);
		printf "%d %.2f %s\n", fps, 100 * (n - got) / n, cpu }'
}

echo "| link | frame | frames/s | loss % | CPU ns/frame (both plugs) | frames/s vs plain udp | vs vxlan |"
echo "|---|---|---|---|---|---|---|"
for size in 64 1514; do
	count=400000; [ "$size" -gt 1000 ] && count=200000
	base="" vx=""
	for kind in udp cable vxlan geneve gretap nvgre vde_plug-udp vde_plug-agno; do
		[ "$kind" = vde_plug-agno ] && [ $AGNO = 0 ] && { echo "| $kind | $size B | (libvdeplug-agno not installed) | | | | |"; continue; }
		: > "$T/runs"
		r=0; while [ $r -lt "$REPS" ]; do one_run "$kind" "$size" "$count" >> "$T/runs"; r=$((r+1)); done
		med=$(sort -n "$T/runs" | awk -v n="$REPS" 'NR == int((n + 1) / 2)')
		set -- $med
		[ -z "$base" ] && base=$1
		[ "$kind" = vxlan ] && vx=$1
		ratio=$(awk -v a="$1" -v b="$base" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
		vr=$(awk -v a="$1" -v b="$vx" 'BEGIN { if (b) printf "%.2f", a / b }')
		echo "| $kind | $size B | $1 | $2 | $3 | $ratio | $vr |"
	done
done

echo
echo "Offered load below saturation: 50 000 frames/s of 1514 B (606 Mbit/s), 200 000 frames:"
echo
echo "| link | frames/s delivered | loss % | CPU ns/frame (both plugs) |"
echo "|---|---|---|---|"
for kind in udp cable vde_plug-agno; do
	[ "$kind" = vde_plug-agno ] && [ $AGNO = 0 ] && continue
	set -- $(one_run "$kind" 1514 200000 50000)
	echo "| $kind | $1 | $2 | $3 |"
done
