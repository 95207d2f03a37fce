# labctl as a Wireshark extcap program: with it in the personal extcap
# folder (~/.config/wireshark/extcap/vdelab, HOME being the test's folder),
# tshark -D lists a running lab's node interfaces and cables, each with its
# link type; tshark -i vdelab:LAB:h1:eth0 -c 4 captures 4 frames there and
# they are the ICMP echoes between h1 and h2; a capture filter is honoured
# and a bad one refused the way extcap(4) says.
. tests/integration/lib.sh
need_root
command -v tshark >/dev/null || skip "no tshark"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
export HOME="$T/home"
mkdir -p "$HOME/.config/wireshark/extcap"
ln -s "$(cd "$B" && pwd)/labctl" "$HOME/.config/wireshark/extcap/vdelab"

N="${P}x"
lab "$N"
"$L" up --name "$N" labs/vlans.xml >/dev/null || fail "up"
tshark -D 2>/dev/null > "$T/ifs"
grep "vdelab" "$T/ifs"
grep -q "vdelab:$N:red1:eth0 (vdelab $N: red1 eth0 (switch sw1 port" "$T/ifs" || fail "tshark -D does not list red1:eth0"
grep -q "vdelab:$N:sw1-sw2 (vdelab $N: cable sw1-sw2)" "$T/ifs" || fail "tshark -D does not list the cable"
[ "$(grep -c "vdelab:$N:" "$T/ifs")" -eq 5 ] || fail "expected 4 node interfaces and 1 cable"
"$L" --extcap-interface "vdelab:$N:red1:eth0" --extcap-dlts | grep -q '^dlt {number=1}{name=EN10MB}' || fail "dlts"
"$L" --extcap-interface "vdelab:$N:red1:eth0" --extcap-config | grep -q '{call=--at}' || fail "config"
"$L" --extcap-interface "vdelab:$N:red1:eth0" --extcap-capture-filter 'icmp and' > "$T/bad" && fail "a bad filter passed"
grep -q 'syntax error' "$T/bad" || fail "bad filter: $(cat "$T/bad")"
"$L" --extcap-interface "nosuch" --extcap-dlts 2>/dev/null && fail "a foreign interface accepted"

# red1 pings red2 (VLAN 10 across the trunk) while tshark captures red1:eth0
"$L" exec "$N" red1 -- ping -c 1 -W 2 192.168.50.3 >/dev/null || fail "red1 does not reach red2"
"$L" exec "$N" red1 -- ping -i 0.2 -c 40 192.168.50.3 >/dev/null &
PIDS="$PIDS $!"
timeout 20 tshark -i "vdelab:$N:red1:eth0" -f icmp -c 4 -w "$T/c.pcap" 2>"$T/tshark.err" || { cat "$T/tshark.err"; fail "tshark -i vdelab:$N:red1:eth0"; }
tshark -r "$T/c.pcap" -T fields -e ip.src -e ip.dst -e icmp.type > "$T/frames"
cat "$T/frames"
[ "$(wc -l < "$T/frames")" -eq 4 ] || fail "expected 4 frames"
[ "$(grep -c "$(printf '^192.168.50.1\t192.168.50.3\t8$')" "$T/frames")" -ge 1 ] || fail "no echo request from red1"
[ "$(grep -c "$(printf '^192.168.50.3\t192.168.50.1\t0$')" "$T/frames")" -ge 1 ] || fail "no echo reply to red1"
[ "$(grep -vc "$(printf '^192.168.50.[13]\t192.168.50.[13]\t[08]$')" "$T/frames")" -eq 0 ] || fail "frames other than the echoes"
echo PASS
