# Geneve (RFC 8926) and GRE-TAP (RFC 2784/2890) interop with Open vSwitch's
# userspace datapath (this kernel has no geneve or gretap device), NVGRE
# (RFC 7637) between our own two ends, all decoded by tshark:
#
#   ns O: ovs-vswitchd (datapath_type=netdev), br-phy 198.18.1.1/24 on veth o0
#         br-g: geneve key 42 -> 198.18.1.2  + veth to ns G 10.42.0.1
#         br-t: gre key 42    -> 198.18.1.3  + veth to ns K 10.43.0.1
#         br-n: gre no key    -> 198.18.1.4  + veth to ns N 10.44.0.1
#   ns U: veth u0 198.18.1.2-4/24
#         geneve://198.18.1.2?vni=42   port of vdelab-switch -- tap in ns C 10.42.0.2
#         gretap://198.18.1.3?key=42   vdelab-plug          -- tap in ns U 10.43.0.2
#         gretap://198.18.1.4 (no key) port of vdelab-switch -- tap in ns D 10.44.0.2
#         nvgre://198.18.2.1?vsid=5000 plug -- tap 10.45.0.1 | veth u1 198.18.2.1/24
#   ns V: veth v1 198.18.2.2/24, nvgre://198.18.2.2?vsid=5000 port -- tap in ns E 10.45.0.2
#
# Ping both ways over each; tshark reads ours as Geneve VNI 42, GRE key 42,
# GRE without key, and NVGRE (key = VSID << 8 | FlowID, FlowID spread by
# flow); malformed headers (bad version, unknown critical option, wrong
# protocol type, truncated, bad GRE checksum, foreign key) are dropped and
# counted in port/info; a raw socket without CAP_NET_RAW gets a clear error.
. tests/integration/lib.sh
need_root
command -v ovs-vswitchd >/dev/null || skip "openvswitch-switch not installed"
command -v tshark >/dev/null || skip "tshark not installed"
ns O; ns U; ns V; ns G; ns K; ns N
veth O U o0 u0
veth U V u1 v1 198.18.2.1/24 198.18.2.2/24
for a in 2 3 4; do nsx U ip addr add 198.18.1.$a/24 dev "${P}u0"; done

# --- Open vSwitch, its own database and sockets under $T, in ns O ---
mkdir -p "$T/ovs"
export OVS_RUNDIR="$T/ovs" OVS_LOGDIR="$T/ovs" OVS_DBDIR="$T/ovs"
ovsdb-tool create "$T/ovs/conf.db" /usr/share/openvswitch/vswitch.ovsschema || fail "ovsdb-tool"
bg ip netns exec "$P-O" ovsdb-server "$T/ovs/conf.db" --remote="punix:$T/ovs/db.sock" --unixctl="$T/ovs/db.ctl" \
	--no-chdir --log-file="$T/ovs/ovsdb.log" --pidfile="$T/ovs/ovsdb.pid"
wait_for test -S "$T/ovs/db.sock" || fail "ovsdb-server did not start"
vsctl() { ovs-vsctl --db="unix:$T/ovs/db.sock" --no-wait "$@"; }
vsctl init
bg ip netns exec "$P-O" ovs-vswitchd "unix:$T/ovs/db.sock" --unixctl="$T/ovs/vswitchd.ctl" --no-chdir \
	--log-file="$T/ovs/vswitchd.log" --pidfile="$T/ovs/vswitchd.pid"
wait_for test -S "$T/ovs/vswitchd.ctl" || fail "ovs-vswitchd did not start"
appctl() { ovs-appctl -t "$T/ovs/vswitchd.ctl" "$@"; }
vsctl add-br br-phy -- set bridge br-phy datapath_type=netdev -- add-port br-phy "${P}o0"
wait_for nsx O ip link show br-phy || { tail "$T/ovs/vswitchd.log"; fail "br-phy"; }
nsx O ip addr add 198.18.1.1/24 dev br-phy; nsx O ip link set br-phy up
n=0
for t in "g geneve 42 2 G 42" "t gre 42 3 K 43" "n gre - 4 N 44"; do
	set -- $t
	key=""; [ "$3" != - ] && key="options:key=$3"
	vsctl add-br "br-$1" -- set bridge "br-$1" datapath_type=netdev \
		-- add-port "br-$1" "tun$1" -- set interface "tun$1" type="$2" options:remote_ip=198.18.1.$4 $key
	veth O "$5" "h$1" "e$1" "" "10.$6.0.1/24"
	vsctl add-port "br-$1" "${P}h$1"
done
sleep 1
appctl ovs/route/show | grep -q 198.18.1 || appctl ovs/route/add 198.18.1.1/24 br-phy

ip netns exec "$P-U" tshark -q -i "${P}u0" -f "ip proto 47 or udp port 6081" -w "$T/u0.pcap" >/dev/null 2>&1 &
TS1=$!; PIDS="$PIDS $TS1"
ip netns exec "$P-V" tshark -q -i "${P}v1" -f "ip proto 47" -w "$T/v1.pcap" >/dev/null 2>&1 &
TS2=$!; PIDS="$PIDS $TS2"
wait_for test -s "$T/u0.pcap" || fail "tshark on u0"
wait_for test -s "$T/v1.pcap" || fail "tshark on v1"

# --- our ends ---
switch sw
mgmt "$T/sw.mgmt" "port/add geneve://198.18.1.2?vni=42&remote=198.18.1.1&netns=$P-U 5" |
	grep -q "^1000 Success" || fail "port/add geneve"
mgmt "$T/sw.mgmt" "port/add gretap://198.18.1.4?remote=198.18.1.1&netns=$P-U 6" |
	grep -q "^1000 Success" || fail "port/add gretap (no key)"
mgmt "$T/sw.mgmt" "vlan/create 44" >/dev/null
mgmt "$T/sw.mgmt" "port/setvlan 6 44" | grep -q "^1000" || fail "setvlan 6"
host_ours C 10.42.0.2/24 "vde://$T/sw[1]"
host_ours D 10.44.0.2/24 "vde://$T/sw[2]"
mgmt "$T/sw.mgmt" "port/setvlan 2 44" | grep -q "^1000" || fail "setvlan 2"
bg ip netns exec "$P-U" "$B/vdelab-plug" "gretap://198.18.1.3?key=42&remote=198.18.1.1" "tap://${P}t43"
wait_for nsx U ip link show "${P}t43" || fail "gretap plug tap"
nsx U ip addr add 10.43.0.2/24 dev "${P}t43"; nsx U ip link set "${P}t43" up

# NVGRE: a plug in U, a switch port in V
bg ip netns exec "$P-U" "$B/vdelab-plug" "nvgre://198.18.2.1?vsid=5000&remote=198.18.2.2" "tap://${P}t45"
wait_for nsx U ip link show "${P}t45" || fail "nvgre plug tap"
nsx U ip addr add 10.45.0.1/24 dev "${P}t45"; nsx U ip link set "${P}t45" up
switch sv
mgmt "$T/sv.mgmt" "port/add nvgre://198.18.2.2?vsid=5000&remote=198.18.2.1&netns=$P-V 5" |
	grep -q "^1000 Success" || fail "port/add nvgre"
host_ours E 10.45.0.2/24 "vde://$T/sv[1]"

nsx C ping -c 1 -W 5 10.42.0.1 >/dev/null; nsx G ping -c 1 -W 5 10.42.0.2 >/dev/null
nsx C ping -c 3 -i 0.3 -W 3 10.42.0.1 || { mgmt "$T/sw.mgmt" "port/info 5"; tail -20 "$T/ovs/vswitchd.log"; fail "ping ours -> OVS over Geneve (switch port)"; }
nsx G ping -c 3 -i 0.2 -W 2 10.42.0.2 || fail "ping OVS -> ours over Geneve"
nsx U ping -c 3 -i 0.3 -W 3 10.43.0.1 || fail "ping ours -> OVS over GRE key 42 (plug)"
nsx K ping -c 3 -i 0.2 -W 2 10.43.0.2 || fail "ping OVS -> ours over GRE key 42"
nsx D ping -c 3 -i 0.3 -W 3 10.44.0.1 || fail "ping ours -> OVS over GRE without key (switch port)"
nsx N ping -c 3 -i 0.2 -W 2 10.44.0.2 || fail "ping OVS -> ours over GRE without key"
nsx E ping -c 3 -i 0.2 -W 2 10.45.0.1 || fail "ping over NVGRE (switch port -> plug)"
nsx U ping -c 3 -i 0.2 -W 2 10.45.0.2 || fail "ping over NVGRE (plug -> switch port)"
# flows for FlowID and outer-port entropy
for p in 1 2 3 4 5 6 7 8; do
	nsx E sh -c "echo x | nc -u -w0 10.45.0.1 $((9000 + p))" 2>/dev/null
	nsx C sh -c "echo x | nc -u -w0 10.42.0.1 $((9000 + p))" 2>/dev/null
done

# --- malformed headers, sent by hand from O's side of the underlay ---
get() { mgmt "$T/$1.mgmt" "port/info $2" | tr ' ' '\n' | sed -n "s/^$3=//p"; }
eth='\377\377\377\377\377\377\002\000\000\000\000\001\010\006'
gsend() { printf "$1$eth" | nsx O nc -u -w1 -s 198.18.1.1 198.18.1.2 6081; }
b_ver=$(get sw 5 bad_version); b_crit=$(get sw 5 critical); b_proto=$(get sw 5 bad_proto)
b_opt=$(get sw 5 bad_options); b_vni=$(get sw 5 bad_vni)
gsend '\100\000\145\130\000\000\052\000'                       # version 1
gsend '\001\000\145\130\000\000\052\000\001\002\205\000'       # critical option type 0x85
gsend '\000\000\010\000\000\000\052\000'                       # protocol 0x0800
gsend '\002\000\145\130\000\000\052\000\001\002\005\002'       # option overruns Opt Len
gsend '\000\000\145\130\000\000\143\000'                       # VNI 99
# a non-critical option is skipped and the frame delivered: counted as rx
rx0=$(get sw 5 rx_packets)
gsend '\001\000\145\130\000\000\052\000\001\002\005\000'
sleep 0.3
[ "$(get sw 5 bad_version)" -eq $((b_ver + 1)) ] || fail "Geneve version 1 not counted"
[ "$(get sw 5 critical)" -eq $((b_crit + 1)) ] || fail "Geneve critical option not counted"
[ "$(get sw 5 bad_proto)" -eq $((b_proto + 1)) ] || fail "Geneve protocol type not counted"
[ "$(get sw 5 bad_options)" -eq $((b_opt + 1)) ] || fail "Geneve option overrun not counted"
[ "$(get sw 5 bad_vni)" -eq $((b_vni + 1)) ] || fail "Geneve foreign VNI not counted"
[ "$(get sw 5 rx_packets)" -gt "$rx0" ] || fail "frame with a non-critical option not delivered"
# GRE by hand: a raw socket (python3) from O to U's keyless endpoint .4
gre() { nsx O python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
s.bind(('198.18.1.1', 0))
frame = bytes.fromhex('ffffffffffff020000000001' + '0806') + bytes(46) if len(sys.argv) < 3 else b''
s.sendto(bytes.fromhex(sys.argv[1]) + frame, ('198.18.1.4', 0))" "$@"; }
g_ver=$(get sw 6 bad_version); g_fl=$(get sw 6 bad_flags); g_pr=$(get sw 6 bad_proto)
g_tr=$(get sw 6 truncated); g_cs=$(get sw 6 bad_csum); g_key=$(get sw 6 bad_key)
gre 00016558          # version 1
gre 40006558          # routing bit
gre 00000800          # IPv4, not Ethernet
gre 80006558          # checksum bit: the checksum is read from the frame, and is wrong
gre 200065580000 bare # K bit, the packet ends inside the key
gre 200065580000002a  # key 42 on the keyless endpoint
sleep 0.3
[ "$(get sw 6 bad_version)" -eq $((g_ver + 1)) ] || fail "GRE version 1 not counted"
[ "$(get sw 6 bad_flags)" -eq $((g_fl + 1)) ] || fail "GRE routing bit not counted"
[ "$(get sw 6 bad_proto)" -eq $((g_pr + 1)) ] || fail "GRE protocol type not counted"
[ "$(get sw 6 bad_csum)" -eq $((g_cs + 1)) ] || fail "GRE bad checksum not counted"
[ "$(get sw 6 truncated)" -eq $((g_tr + 1)) ] || fail "GRE truncated header not counted"
[ "$(get sw 6 bad_key)" -eq $((g_key + 1)) ] || fail "GRE foreign key not counted"
mgmt "$T/sw.mgmt" "port/info 6"

# --- a raw socket needs CAP_NET_RAW: the error says so ---
out=$(nsx U setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$B/vdelab-plug" "gretap://198.18.1.4?remote=198.18.1.1" "tap://${P}x" 2>&1)
echo "$out" | grep -q "CAP_NET_RAW" || fail "no CAP_NET_RAW hint: $out"

sleep 0.5
kill "$TS1" "$TS2"; wait "$TS1" "$TS2" 2>/dev/null
tshark -r "$T/u0.pcap" -Y "geneve && ip.src == 198.18.1.2" -T fields -E occurrence=f -e geneve.vni -e geneve.proto_type -e udp.srcport -e udp.dstport > "$T/gnv.txt" 2>/dev/null
tshark -r "$T/u0.pcap" -Y "gre && ip.src == 198.18.1.3" -T fields -e gre.flags.key -e gre.key -e gre.proto > "$T/gk.txt" 2>/dev/null
tshark -r "$T/u0.pcap" -Y "gre && ip.src == 198.18.1.4" -T fields -e gre.flags.key -e gre.proto > "$T/g0.txt" 2>/dev/null
tshark -r "$T/v1.pcap" -Y "gre && ip.src == 198.18.2.2" -T fields -e gre.key -e gre.proto > "$T/nv.txt" 2>/dev/null
echo "Geneve: $(wc -l < "$T/gnv.txt") packets, first: $(head -1 "$T/gnv.txt")"
echo "GRE key: $(wc -l < "$T/gk.txt"), first: $(head -1 "$T/gk.txt")"
echo "GRE no key: $(wc -l < "$T/g0.txt"), first: $(head -1 "$T/g0.txt")"
echo "NVGRE: $(wc -l < "$T/nv.txt"), first: $(head -1 "$T/nv.txt")"
awk '$1 != "0x00002a" || $2 != "0x6558" || $4 != 6081 { bad = 1 } END { exit bad || NR < 6 }' "$T/gnv.txt" ||
	{ cat "$T/gnv.txt"; fail "our Geneve packets are not VNI 42 / 0x6558 / port 6081"; }
[ "$(awk '{ print $3 }' "$T/gnv.txt" | sort -u | wc -l)" -ge 2 ] || fail "Geneve outer source port does not vary by flow"
awk '$1 != 1 || $2 != "0x0000002a" || $3 != "0x6558" { bad = 1 } END { exit bad || NR < 6 }' "$T/gk.txt" ||
	fail "our GRE packets are not key 42 / 0x6558"
awk '$1 != 0 || $2 != "0x6558" { bad = 1 } END { exit bad || NR < 6 }' "$T/g0.txt" ||
	fail "our keyless GRE packets carry a key"
# NVGRE (tshark 4.0 has no NVGRE dissector: the key is VSID << 8 | FlowID):
# VSID 5000 = 0x001388 in the top 24 bits; FlowIDs differ by flow
awk 'substr($1, 1, 8) != "0x001388" || $2 != "0x6558" { bad = 1 } END { exit bad || NR < 6 }' "$T/nv.txt" ||
	fail "our NVGRE packets are not VSID 5000"
[ "$(awk '{ print substr($1, 9, 2) }' "$T/nv.txt" | sort -u | wc -l)" -ge 2 ] || fail "NVGRE FlowID does not vary by flow"
echo PASS
