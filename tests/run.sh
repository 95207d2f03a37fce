#!/bin/sh
# Run every unit test (GTest binaries, TAP output) and every integration test
# (tests/integration/*.sh: exit 0 pass, 77 skip, other fail). Ends with the
# line "N passed, N failed, N skipped". Usage: tests/run.sh BUILD_DIR [PATTERNS]
# (PATTERNS: space-separated substrings; a test runs if its name has one)
B=${1:-build}
PAT=${2:-}
picked() {
	[ -z "$PAT" ] && return 0
	for p in $PAT; do case "$1" in *"$p"*) return 0 ;; esac; done
	return 1
}
pass=0; fail=0; skip=0
failed=""
log=$(mktemp -d /tmp/vdelab-tests.XXXXXX)
# Sanitizer reports of every process (daemons included) land in $log/san.*;
# any report is a failure even if the test that started the process passed.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:log_path=$log/san"
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$log/san"
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	picked "$name" || continue
	"$t" --tap > "$log/$name.out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log/$name.out")
	f=$(grep -c '^not ok ' "$log/$name.out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -ne 0 ]; then
		failed="$failed $name"
		echo "FAIL unit $name"; sed 's/^/    /' "$log/$name.out" | tail -30
	else
		echo "ok   unit $name ($p cases)"
	fi
done
export VDELAB_BUILD="$(cd "$B" && pwd)"
for t in tests/integration/*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in lib) continue ;; esac
	picked "$name" || continue
	start=$(date +%s)
	timeout 300 sh "$t" > "$log/$name.out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "ok   integration $name (${secs}s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "skip integration $name: $(tail -1 "$log/$name.out")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "FAIL integration $name (exit $rc, ${secs}s)"; sed 's/^/    /' "$log/$name.out" | tail -40
	fi
done
for f in "$log"/san.*; do
	[ -f "$f" ] || continue
	fail=$((fail + 1)); failed="$failed sanitizer:$(basename "$f")"
	echo "FAIL sanitizer report $(basename "$f")"; head -40 "$f" | sed 's/^/    /'
done
rm -rf "$log"
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
