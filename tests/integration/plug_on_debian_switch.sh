# vdelab-plug as a client of Debian's vde_switch passes traffic, both as a
# cable and as a dpipe stream plug (2-byte big-endian framing).
#
#   [A 10.9.1.1]--vdelab-plug--+------------+--vde_plug--[B 10.9.1.2]
#                              | vde_switch |
#                              +------------+
#                                    | dpipe: vdelab-plug = vdelab-plug
#                              +---------------+
#                              | vdelab-switch |--vde_plug--[C 10.9.1.3]
#                              +---------------+
. tests/integration/lib.sh
need_root
command -v vde_switch >/dev/null || skip "vde_switch (package vde2) not installed"
vde_switch -s "$T/dsw" -M "$T/dsw.mgmt" -d -p "$T/dsw.pid" || fail "vde_switch"
wait_for test -S "$T/dsw/ctl" || fail "vde_switch did not start"
host_ours A 10.9.1.1/24 "vde://$T/dsw"
host_debian B 10.9.1.2/24 "vde://$T/dsw"
nsx A ping -c 5 -i 0.2 -W 2 10.9.1.2 || fail "ping through Debian's vde_switch"
switch sw
host_debian C 10.9.1.3/24 "vde://$T/sw"
dpipe -d -p "$T/dpipe.pid" "$B/vdelab-plug" "vde://$T/dsw" = "$B/vdelab-plug" "vde://$T/sw" || fail dpipe
nsx A ping -c 3 -i 0.2 -W 2 10.9.1.3 || fail "ping across the dpipe stream cable"
nsx A ping -c 3 -i 0.2 -s 8000 -W 2 10.9.1.3 >/dev/null 2>&1 && echo "(jumbo ICMP passed)"
echo PASS
