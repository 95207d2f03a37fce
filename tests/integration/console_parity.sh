# Console parity with Debian's vde_switch (vde2 2.3.2), both switches in the
# same run: every command of vde_switch's `help` exists in ours; a table of
# commands (good and bad arguments, on existing and missing ports, VLANs,
# users) gets the same answer code from both, except the differences the
# README's table documents; hash/showinfo, debug/list, plugin/list and the
# port listing have vde_switch's lines; debug/add delivers the same events
# (3TAG PATH ...) for a client that plugs in; port/setuser and port/setgroup
# refuse and admit the same clients.
. tests/integration/lib.sh
need_root
command -v vde_switch >/dev/null || skip "Debian's vde2 not installed"
chmod 755 "$T"
vde_switch -s "$T/deb" -M "$T/deb.mgmt" -m 0777 -d -p "$T/deb.pid" || fail "vde_switch"
wait_for test -S "$T/deb.mgmt" || fail "vde_switch mgmt"
PIDS="$PIDS $(cat "$T/deb.pid")"
switch ours -m 0777

# 1. every command of vde_switch's help is one of ours
paths() { mgmt "$1" help | awk 'NR > 3 && $2 != "============" && $1 != "." && $1 !~ /^1000/ { print $1 }' | sort; }
paths "$T/deb.mgmt" > "$T/deb.paths"; paths "$T/ours.mgmt" > "$T/ours.paths"
missing=$(comm -23 "$T/deb.paths" "$T/ours.paths")
[ -z "$missing" ] || fail "commands of vde_switch we lack: $missing"
echo "all $(wc -l < "$T/deb.paths") commands of vde_switch's help exist"

# 2. answer codes, command by command (the same sequence against each)
cat > "$T/cmds" <<'X'
showinfo
port/showinfo
hash/showinfo
port/setnumports 40
port/sethub 2
port/sethub 0
port/create 6
port/create 6
port/create 99
port/createauto
port/remove 31
port/allocatable 6 0
port/allocatable 6 1
port/allocatable 99 0
port/allocatable 7 0
port/allocatable 6
port/setuser 6 root
port/setuser 6 12345
port/setuser 6 NONE
port/setuser 6 nosuchuser
port/setuser 7 root
port/setuser 6
port/setgroup 6 root
port/setgroup 6 NONE
port/setgroup 6 nosuchgroup
port/epclose 6 3
port/resetcounter
port/resetcounter 6
port/resetcounter 99
port/print 6
port/allprint 6
port/setvlan 6 10
vlan/create 10
vlan/create 10
vlan/create 4095
vlan/create 0
port/setvlan 6 10
vlan/delport 10 6
port/setvlan 6 0
vlan/addport 10 6
vlan/addport 10 6
vlan/addport 11 6
vlan/addport 10 7
vlan/delport 10 6
vlan/delport 10 6
vlan/remove 99
vlan/remove 0
vlan/addport 10 6
vlan/remove 10
vlan/delport 10 6
vlan/remove 10
vlan/remove 4095
vlan/print
vlan/allprint
hash/setsize 100
hash/setsize 0
hash/setgcint 5
hash/setgcint 0
hash/setexpire 0
hash/setexpire 120
hash/setminper 5
hash/print
hash/find 00:11:22:33:44:55
hash/find 00:11:22:33:44:55 3
hash/find zz
debug/list
debug/list port
debug/list nosuch
debug/add port/+
debug/add nosuch
debug/del port/+
plugin/list
plugin/add /nonexistent.so
plugin/del x
fstp/setfstp 1
fstp/setfstp 0
fstp/print
load /nonexistent
nosuchcommand
port/setvlan
port/setvlan x y
port/remove 6
port/remove 6
X
code() { while IFS= read -r c; do printf '%s\t%s\n' "$c" "$(mgmt "$1" "$c" 2>&1 | grep -E '^1[0-9]{3} ' | tail -1)"; done < "$T/cmds"; }
code "$T/deb.mgmt" > "$T/deb.codes"
code "$T/ours.mgmt" > "$T/ours.codes"
# documented in README.md ("Differences from vde_switch"): none in this table
paste "$T/deb.codes" "$T/ours.codes" | awk -F'\t' '
	{ n++; if ($2 != $4) { bad++; printf "DIFFERS %-28s vde_switch: %-30s ours: %s\n", $1, $2, $4 } }
	END { printf "%d commands compared, %d differ\n", n, bad; exit bad > 0 }' || fail "answer codes differ"
# the one documented difference: VLAN 4094 (valid in IEEE 802.1Q; vde-2 stops at 4093)
[ "$(mgmt "$T/deb.mgmt" "vlan/create 4094" | tail -1)" = "1022 Invalid argument" ] || fail "vde_switch's 4094 changed"
[ "$(mgmt "$T/ours.mgmt" "vlan/create 4094" | tail -1)" = "1000 Success" ] || fail "our 4094"

# 3. output formats: the same lines once numbers are masked
norm() { sed 's/[0-9][0-9]*/N/g'; }
for c in "hash/showinfo" "plugin/list" "debug/list port" "debug/list hash" "port/allprint 6"; do
	mgmt "$T/deb.mgmt" "port/create 6" >/dev/null; mgmt "$T/ours.mgmt" "port/create 6" >/dev/null
	a=$(mgmt "$T/deb.mgmt" "$c" | norm); b=$(mgmt "$T/ours.mgmt" "$c" | norm)
	[ "$a" = "$b" ] || { echo "vde_switch:"; echo "$a"; echo "ours:"; echo "$b"; fail "$c output differs"; }
done
echo "hash/showinfo, plugin/list, debug/list, port/allprint: same lines"

# 4. debug events on a console that stays connected, while a client plugs in and leaves
events() { # SWITCHDIR MGMT -> the 3xxx lines, numbers masked
	( printf 'debug/add port\n'; sleep 1; sleep 1 | vde_plug "$1" >/dev/null 2>&1; sleep 1
	  printf 'logout\n' ) | nc -U -q 2 "$2" | tr -d '\r' | sed 's/^vde\$ //' | grep '^3' | norm
}
events "$T/deb" "$T/deb.mgmt" > "$T/deb.ev"
events "$T/ours" "$T/ours.mgmt" > "$T/ours.ev"
echo "vde_switch events:"; cat "$T/deb.ev"
echo "ours:"; cat "$T/ours.ev"
[ -s "$T/deb.ev" ] || fail "no events from vde_switch: the test cannot compare"
cut -d' ' -f1,2 "$T/deb.ev" > "$T/deb.ev2"; cut -d' ' -f1,2 "$T/ours.ev" > "$T/ours.ev2"
cmp -s "$T/deb.ev2" "$T/ours.ev2" || fail "the events differ"
# FDB events: hash/+ when a MAC is learned
( printf 'debug/add hash/+\n'; sleep 1
  printf '\000\074\377\377\377\377\377\377\002\000\000\000\000\007\010\006%046d' 0 | timeout 2 "$B/vdelab-plug" "vde://$T/ours" >/dev/null 2>&1
  sleep 1; printf 'logout\n' ) | nc -U -q 2 "$T/ours.mgmt" > "$T/hash.ev"
sed 's/^vde\$ //' "$T/hash.ev" | grep "^3011 hash/+ 02:00:00:00:00:07 VLAN 00:00 Port" || { cat "$T/hash.ev"; fail "no hash/+ event for a learned MAC"; }
# -D 1: a second console may not listen at once
switch one -D 1
( printf 'debug/add port\n'; sleep 2; printf 'logout\n' ) | nc -U -q 3 "$T/one.mgmt" >/dev/null &
LISTENER=$!
sleep 0.5
mgmt "$T/one.mgmt" "debug/add port" | grep -q "^1087 Too many users" || fail "-D 1 let a second console listen"
wait "$LISTENER"

# 5. access control: the same clients refused and admitted by both
tryplug() { # SWITCH USER GROUP -> 1 if the client got port 9
	sleep 3 | setpriv --reuid="$2" --regid="$3" --clear-groups vde_plug "vde://$T/$1[9]" >/dev/null 2>&1 &
	pp=$!
	sleep 1
	mgmt "$T/$1.mgmt" "port/print 9" | grep -q "^1000" && echo 1 || echo 0
	kill "$pp" 2>/dev/null; wait "$pp" 2>/dev/null
	i=0; while mgmt "$T/$1.mgmt" "port/print 9" | grep -q "^1000" && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
}
for sw in deb ours; do
	M="$T/$sw.mgmt"
	mgmt "$M" "port/create 9" >/dev/null
	mgmt "$M" "port/setuser 9 nobody" | grep -q "^1000" || fail "$sw: setuser"
	r1=$(tryplug $sw daemon daemon); r2=$(tryplug $sw nobody nogroup)
	mgmt "$M" "port/setuser 9 NONE" >/dev/null
	mgmt "$M" "port/setgroup 9 daemon" >/dev/null
	r3=$(tryplug $sw daemon daemon); r4=$(tryplug $sw nobody nogroup)
	echo "$sw: user=nobody: daemon $r1 nobody $r2; group=daemon: daemon $r3 nobody $r4 (1 = plugged in)"
	eval "ac_$sw=$r1$r2$r3$r4"
done
[ "$ac_ours" = 0110 ] || fail "access control: $ac_ours, expected 0110"
[ "$ac_ours" = "$ac_deb" ] || fail "access control differs from vde_switch: $ac_deb"

# 6. a relative vde:// URL (vde_plug's man page form) is taken from the
#    current directory, as vdeplug4 does, by our plug and by Debian's
for plug in "$B/vdelab-plug" vde_plug; do
	( cd "$T" && sleep 2 | "$plug" vde://ours >/dev/null 2>&1 ) &
	rp=$!
	sleep 1
	mgmt "$T/ours.mgmt" port/print | grep -q "^Port [0-9]* untagged_vlan=[0-9]* ACTIVE " ||
		{ mgmt "$T/ours.mgmt" port/print; fail "$plug vde://ours (relative) did not plug in"; }
	wait "$rp"
done

# 7. -v prints the version
"$B/vdelab-switch" -v | grep -q "^vdelab-switch .*VDE 2.3.2" || fail "-v"
echo PASS
