#!/bin/sh
# make demo: a teaching lab brought up, checked, shown and taken down with
# labctl. Needs root (namespaces). Everything is removed at the end.
set -u
B=${1:-build}
LAB=${2:-labs/vlans.xml}
[ "$(id -u)" -eq 0 ] || { echo "the demo creates network namespaces: run it as root"; exit 1; }
export VDELAB_RUN_DIR=$(mktemp -d /tmp/vdelab-demo.XXXXXX)
NAME=$("$B/labctl" validate "$LAB" | sed -n 's/.*lab "\(.*\)" is valid.*/\1/p')
trap '"$B/labctl" down "$NAME" >/dev/null 2>&1; rm -rf "$VDELAB_RUN_DIR"' EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up
step() { printf '\n== %s\n' "$*"; }
step "labctl validate $LAB"
"$B/labctl" validate "$LAB" || exit 1
step "labctl graph $LAB (Graphviz DOT)"
"$B/labctl" graph "$LAB"
step "labctl up $LAB"
"$B/labctl" up "$LAB" || exit 1
step "labctl check $LAB"
"$B/labctl" check "$LAB"; rc=$?
step "labctl status $NAME"
"$B/labctl" status "$NAME"
step "labctl down $NAME"
"$B/labctl" down "$NAME"
exit $rc
