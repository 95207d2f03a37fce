# Capture on cables: vdelab-wirefilter's capture/start at the two points of
# a direction (in = before its impairments, out = as delivered), shown with
# 100% loss from A to B: "in" holds A's echo requests, "out" holds none; and
# vdelab-plug --capture with a BPF filter.
#
#   [A 10.9.7.1]--sw1--vdelab-wirefilter (LR loss=100%)--sw2--[B 10.9.7.2]
#   [C 10.9.7.3]--sw1--vdelab-plug --capture--sw3--[D 10.9.7.4]
. tests/integration/lib.sh
need_root
command -v tshark >/dev/null || skip "tshark not installed"
switch sw1; switch sw2; switch sw3
WM="$T/wf.mgmt"
bg "$B/vdelab-wirefilter" -v "$T/sw1:$T/sw2" -M "$WM"
wait_for test -S "$WM" || fail "wirefilter did not start"
host_ours A 10.9.7.1/24 "vde://$T/sw1[5]"
host_ours B 10.9.7.2/24 "vde://$T/sw2[5]"
nsx A ping -c 1 -W 2 10.9.7.2 >/dev/null || fail "ping through the wirefilter"
mgmt "$WM" "impair/set lr loss=100%" | grep -q "^1000" || fail "impair/set"
mgmt "$WM" "capture/start LR $T/in.pcap at=in icmp" | grep -q "^1000" || fail "capture at=in"
nsx A ping -c 3 -i 0.2 -W 1 10.9.7.2 >/dev/null && fail "ping crossed 100% loss"
mgmt "$WM" "capture/show" | grep "written=3 " || fail "at=in did not see the 3 requests"
mgmt "$WM" "capture/start LR $T/out.pcap at=out icmp" | grep -q "^1000" || fail "capture at=out"
nsx A ping -c 3 -i 0.2 -W 1 10.9.7.2 >/dev/null && fail "ping crossed 100% loss"
mgmt "$WM" "capture/stop" | grep -q "^1000" || fail "capture/stop"
nin=$(tshark -r "$T/in.pcap" -Y "icmp.type == 8" 2>/dev/null | wc -l)
nout=$(tshark -r "$T/out.pcap" 2>/dev/null | wc -l)
echo "before impairments: $nin requests; as delivered: $nout frames"
[ "$nin" -eq 3 ] && [ "$nout" -eq 0 ] || fail "capture points do not differ as they should"
mgmt "$WM" "capture/start XY $T/x.pcap" | grep -q "usage" || fail "bad direction not refused"
mgmt "$WM" "capture/start LR $T/x.pcap at=middle" | grep -q "at=middle" || fail "bad point not refused"

# vdelab-plug --capture, ICMP only
host_ours C 10.9.7.3/24 "vde://$T/sw1[6]"
host_ours D 10.9.7.4/24 "vde://$T/sw3[5]"
bg "$B/vdelab-plug" --capture "$T/plug.pcap" --capture-filter icmp "vde://$T/sw1" "vde://$T/sw3"
sleep 0.3
nsx C ping -c 2 -i 0.2 -W 2 10.9.7.4 >/dev/null || fail "ping through the plug"
sleep 0.2
tshark -r "$T/plug.pcap" -T fields -e ip.src -e icmp.type 2>/dev/null > "$T/plug.txt"
cat "$T/plug.txt"
[ "$(grep -c "^10.9.7.3	8$" "$T/plug.txt")" -eq 2 ] && [ "$(grep -c "^10.9.7.4	0$" "$T/plug.txt")" -eq 2 ] &&
	[ "$(wc -l < "$T/plug.txt")" -eq 4 ] || fail "plug capture: expected 2 requests and 2 replies only"
"$B/vdelab-plug" --capture /nonexistent/p.pcap "vde://$T/sw1" "vde://$T/sw3" 2>"$T/err" && fail "unwritable file accepted"
grep -q "No such file" "$T/err" || fail "unclear error: $(cat "$T/err")"
echo PASS
