#!/bin/sh
# labctl grade on a class of N submissions of the routed-WAN lab (copies of
# labs/routed-wan.xml, the reference), -j JOBS at a time: total and per
# submission wall time. Usage: bench/grade.sh BUILD_DIR [N] [JOBS]
set -u
B=${1:-build}
N=${2:-30}
J=${3:-$(nproc)}
T=$(mktemp -d /tmp/vdelab-gbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP PIPE
mkdir -p "$T/class" "$T/run"
i=1; while [ $i -le "$N" ]; do cp labs/routed-wan.xml "$T/class/s$i.xml"; i=$((i + 1)); done
t0=$(date +%s.%N)
VDELAB_RUN_DIR="$T/run" "$B/labctl" grade -j "$J" labs/routed-wan.xml "$T/class" > "$T/report" 2>&1
t1=$(date +%s.%N)
full=$(awk '$2 ~ /\// { split($2, a, "/"); if (a[1] == a[2]) n++ } END { print n + 0 }' "$T/report")
awk -v a="$t0" -v b="$t1" -v n="$N" -v j="$J" -v f="$full" 'BEGIN {
	printf "| submissions | jobs | total s | s per submission | full marks |\n|---|---|---|---|---|\n"
	printf "| %d | %d | %.1f | %.2f | %d of %d |\n", n, j, b - a, (b - a) / n, f, n }'
