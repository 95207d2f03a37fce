# Impairments without an extra process: on switch ports (impair/set), on a
# vdelab-plug cable per direction, and vdelab-wirefilter under dpipe.
#
#   [A]--p1 +-----+ p2--[B]        [C]--+-----+ vdelab-plug --impair-lr 25ms +-----+--[D]
#           | sw1 |                     | sw3 |=============================>| sw4 |
#           +-----+                     +-----+<=============================+-----+
#                                  dpipe vde_plug sw3 = vdelab-wirefilter -d 20 = vde_plug sw5 --[E]
. tests/integration/lib.sh
need_root
switch sw1 --seed 3
host_debian A 10.9.8.1/24 "vde://$T/sw1[1]"
host_debian B 10.9.8.2/24 "vde://$T/sw1[2]"
mgmt "$T/sw1.mgmt" "impair/set 2 out delay=30ms" >/dev/null || fail "impair/set out"
set -- $(rtt A 10.9.8.2 5); echo "port 2 out 30 ms: $*"
within "$1" 29 33 || fail "RTT (min) $1, expected 30 ms (one direction only)"
mgmt "$T/sw1.mgmt" "impair/set 2 in delay=20ms" >/dev/null || fail "impair/set in"
set -- $(rtt A 10.9.8.2 5); echo "port 2 out 30 ms + in 20 ms: $*"
within "$1" 49 53 || fail "RTT (min) $1, expected 50 ms"
mgmt "$T/sw1.mgmt" "impair/show 2" | grep -q "port=2 dir=in delay=20ms" || fail "impair/show"
mgmt "$T/sw1.mgmt" "impair/set 2 out loss=200%" | grep -q "loss=200%" || fail "bad value not named"
mgmt "$T/sw1.mgmt" "impair/show 2" | grep -q "port=2 dir=out delay=30ms$" || fail "refused change altered settings"
mgmt "$T/sw1.mgmt" "impair/set 9 out delay=1ms" | grep -q "^1006" || fail "missing port"
mgmt "$T/sw1.mgmt" "impair/clear 2" >/dev/null
set -- $(rtt A 10.9.8.2 5); echo "cleared: $*"
within "$1" 0 3 || fail "RTT (min) $1 after impair/clear"

switch sw3
switch sw4
bg "$B/vdelab-plug" --impair-lr delay=25ms "vde://$T/sw3" "vde://$T/sw4"
host_debian C 10.9.9.1/24 "vde://$T/sw3"
host_debian D 10.9.9.2/24 "vde://$T/sw4"
set -- $(rtt C 10.9.9.2 5); echo "plug LR 25 ms: $*"
within "$1" 24 28 || fail "RTT (min) $1, expected 25 ms (LR only)"

switch sw5
host_debian E 10.9.9.3/24 "vde://$T/sw5"
dpipe -d -p "$T/dpipe.pid" vde_plug "vde://$T/sw3" = "$B/vdelab-wirefilter" -d 20 = vde_plug "vde://$T/sw5" || fail dpipe
set -- $(rtt C 10.9.9.3 5) none; echo "wirefilter under dpipe, 20 ms each way: $*"
within "$1" 39 43 || fail "RTT (min) $1, expected 40 ms"
echo PASS
