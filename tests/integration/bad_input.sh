# Bad input on every socket: the switch refuses or drops it, counts it, and
# keeps serving the hosts that behave.
#
#   [A]--+---------------+--[B]     + vdeprobe clients sending junk on ctl,
#        | vdelab-switch |            runt/jumbo/huge datagrams, bad commands
#        +---------------+
. tests/integration/lib.sh
need_root
switch sw -n 8
host_debian A 10.9.4.1/24 "vde://$T/sw"
host_debian B 10.9.4.2/24 "vde://$T/sw"
nsx A ping -c 1 -W 2 10.9.4.2 >/dev/null || fail "initial ping"
PR="$B/tests/vdeprobe"
"$PR" garbage "$T/sw" || fail "garbage request not refused by closing"
"$PR" half "$T/sw" || fail "half request not refused by closing"
"$PR" port "$T/sw" 99; [ $? -eq 1 ] || fail "out-of-range port must be refused (closed), not hang"
"$PR" port "$T/sw" 1; [ $? -eq 1 ] || fail "busy port must be refused"
"$PR" port "$T/sw" 5 || fail "free port 5 must be accepted"
# ctl flood: 100 silent connections (more than the 64 pending slots) for 2 s
"$PR" silent "$T/sw" 100 2 & flood=$!
sleep 0.5
nsx A ping -c 2 -i 0.2 -W 2 10.9.4.2 >/dev/null || fail "ping during a ctl flood"
"$PR" port "$T/sw" 6 || echo "(port request during the flood refused, as allowed)"
wait $flood
# datagrams of 0, 13, 9235 and 65000 bytes plus a good 60-byte one
"$PR" sizes "$T/sw" 0 13 9235 65000 60 9234 || fail "sizes client"
sleep 0.3
st=$(mgmt "$T/sw.mgmt" stats/switch)
echo "$st"
echo "$st" | grep -q "^ctl_bad_request=2" || fail "bad requests not counted"
echo "$st" | grep -q "^ctl_overflow=[1-9]" || fail "ctl flood not counted"
echo "$st" | grep -q "^rx_runt=2$" || fail "0- and 13-byte datagrams not counted as runts"
echo "$st" | grep -q "^rx_oversize=2$" || fail "9235- and 65000-byte datagrams not counted as oversize"
# console: unknown commands, bad arguments, an over-long line
mgmt "$T/sw.mgmt" "port/frobnicate" | grep -q "^1038 Function not implemented" || fail "unknown command"
mgmt "$T/sw.mgmt" "port/setvlan x y" | grep -q "^1022 Invalid argument" || fail "bad argument"
mgmt "$T/sw.mgmt" "vlan/create 5000" | grep -q "^1022 Invalid argument" || fail "bad VLAN"
mgmt "$T/sw.mgmt" "port/remove 77" | grep -q "^1022 Invalid argument" || fail "bad port"
long=$(head -c 3000 /dev/zero | tr '\0' 'a')
mgmt "$T/sw.mgmt" "$long" | grep -q "^1007 Argument list too long" || fail "over-long line"
# load: a script that loads itself stops at the depth limit, /dev/zero is refused
echo "load $T/self.rc" > "$T/self.rc"
mgmt "$T/sw.mgmt" "load $T/self.rc" | grep -q "^1000 Success" || fail "self-loading script"
mgmt "$T/sw.mgmt" "load /dev/zero" | grep -q "^1022 Invalid argument" || fail "load /dev/zero not refused"
# capture/start creates new files only: no truncation, no symlink followed
echo keep > "$T/victim"; ln -s "$T/victim" "$T/link.pcap"
mgmt "$T/sw.mgmt" "capture/start 1 $T/victim" | grep -q "File exists" || fail "capture over an existing file"
mgmt "$T/sw.mgmt" "capture/start 1 $T/link.pcap" | grep -q "^1" || fail "capture through a symlink"
[ "$(cat "$T/victim")" = keep ] || fail "an existing file was changed by capture/start"
mgmt "$T/sw.mgmt" "capture/start 1 $T/new.pcap" | grep -q "^1000 Success" || fail "capture to a new file"
[ "$(stat -c %a "$T/new.pcap")" = 600 ] || fail "capture file mode is not 0600"
mgmt "$T/sw.mgmt" "capture/stop 1" >/dev/null
nsx A ping -c 3 -i 0.2 -W 2 10.9.4.2 >/dev/null || fail "switch stopped serving after bad input"
echo PASS
