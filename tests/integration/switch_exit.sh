# Killing the switch makes every attached plug exit (Debian's vde_plug and
# vdelab-plug), and the switch removes its sockets and directory.
#
#   [vde_plug null]--+---------------+--[vdelab-plug cable to vde_switch]
#   [vdelab-plug   ]-| vdelab-switch |
#                    +---------------+
. tests/integration/lib.sh
need_root
switch sw
vde_switch -s "$T/dsw" -d -p "$T/dsw.pid" || fail "vde_switch"
wait_for test -S "$T/dsw/ctl"
vde_plug -d -p "$T/dplug.pid" null:// "vde://$T/sw" || fail "vde_plug"
bg "$B/vdelab-plug" "vde://$T/sw" "vde://$T/dsw"; cable=$LAST
sh -c "sleep 30 | $B/vdelab-plug vde://$T/sw > /dev/null" & stdio=$!; PIDS="$PIDS $stdio"
wait_for sh -c "[ \$($B/tests/vdeprobe console $T/sw.mgmt port/print | grep -c ACTIVE) -eq 3 ]" || fail "3 clients"
swpid=$(echo $PIDS | awk '{print $1}')
kill "$swpid"
wait_for sh -c "! kill -0 $cable 2>/dev/null" || fail "vdelab-plug cable still running"
wait_for sh -c "! kill -0 \$(cat $T/dplug.pid) 2>/dev/null" || fail "Debian vde_plug still running"
wait_for test ! -e "$T/sw" || fail "switch directory left behind: $(ls -la $T/sw)"
test ! -e "$T/sw.mgmt" || fail "management socket left behind"
echo PASS
