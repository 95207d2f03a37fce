# VM nodes through libvirt (issue 7): a lab with two VMs (the default tiny
# guest under QEMU/TCG, wired to the switch by <interface type='udp'>) and
# a namespace node: checks pass both ways, exec runs in the guests with
# their exit status, an impairment on a VM's port changes its ping time,
# down leaves no domain, socket or process; killing labctl in the middle
# of up and then running down cleans everything.
. tests/integration/lib.sh
need_root
command -v virsh >/dev/null && virsh -c qemu:///system list >/dev/null 2>&1 ||
	skip "no libvirt daemon answers (virtlogd -d; libvirtd -d)"
ls /boot/vmlinuz-*-cloud-amd64 >/dev/null 2>&1 || skip "linux-image-cloud-amd64 not installed"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
export VDELAB_GUEST_DIR="$T/guest"
sh labctl/guest/mkguest.sh "$T/guest" >/dev/null || fail "guest image"
chmod 755 "$T"
# a raw base disk for vm2: the VM must see it and never change it
dd if=/dev/zero of="$T/base.img" bs=1M count=8 2>/dev/null
printf 'BASEDATA' | dd of="$T/base.img" conv=notrunc 2>/dev/null
sum0=$(md5sum < "$T/base.img")
N="${P}v"
lab "$N"; lab "${N}k"
cat > "$T/vms.xml" <<XML
<lab name="$N">
  <switch name="s"/>
  <node name="vm1" kind="vm"><if switch="s" ip="10.60.0.11/24"/></node>
  <node name="vm2" kind="vm" kernel="$T/guest/vmlinuz" initrd="$T/guest/initrd.img" image="$T/base.img"><if switch="s" ip="10.60.0.12/24"/></node>
  <node name="h"><if switch="s" ip="10.60.0.1/24"/></node>
  <exec node="vm2">echo started-by-exec > /tmp/mark</exec>
  <check node="vm1" ping="vm2"/>
  <check node="vm2" ping="h"/>
  <check node="h" ping="vm1"/>
  <check node="vm2" run="cat /tmp/mark" expect="^started-by-exec"/>
  <check node="vm2" run="dd if=/dev/vda bs=8 count=1 2>/dev/null" expect="^BASEDATA"/>
</lab>
XML
domains() { virsh -c qemu:///system list --all --name | grep -c "^vl-$1\." ; }

t0=$(date +%s)
"$L" up "$T/vms.xml" > "$T/up.out" || { cat "$T/up.out"; fail "up"; }
cat "$T/up.out"
echo "lab with 2 VMs up in $(( $(date +%s) - t0 )) s"
grep -q "vm vm1: up" "$T/up.out" && grep -q "vm vm2: up" "$T/up.out" || fail "no progress line per VM"
"$L" check "$T/vms.xml" || fail "checks"
[ "$("$L" exec "$N" vm1 -- hostname)" = vm1 ] || fail "exec in vm1"
"$L" exec "$N" vm2 -- false && fail "exit status of a command in the guest lost"
"$L" exec "$N" vm2 -- "printf VMDATA__ | dd of=/dev/vda conv=notrunc 2>/dev/null; sync" || fail "writing vm2's disk"
"$L" exec "$N" vm2 -- "dd if=/dev/vda bs=8 count=1 2>/dev/null" | grep -q VMDATA__ || fail "vm2's disk write not seen"
"$L" status "$N" | grep -q "vl-$N.vm1 *VM running" || fail "status does not show the VM"

# labctl exec with no command: an interactive console in the guest (tmux)
if command -v tmux >/dev/null; then
	S="${P}vc"
	tmux new-session -d -s "$S" -x 100 -y 20 "env VDELAB_RUN_DIR=$VDELAB_RUN_DIR $L exec $N vm1; echo CONSOLE-LEFT; sleep 10"
	sleep 1
	tmux send-keys -t "$S" "echo the-host-is-\$(hostname)" Enter
	i=0; until tmux capture-pane -p -t "$S" | grep -q "the-host-is-vm1"; do
		i=$((i + 1)); [ $i -lt 50 ] || { tmux kill-session -t "$S"; fail "interactive console: $(tmux capture-pane -p -t "$S")"; }; sleep 0.1
	done
	tmux send-keys -t "$S" C-]
	i=0; until tmux capture-pane -p -t "$S" | grep -q "CONSOLE-LEFT"; do
		i=$((i + 1)); [ $i -lt 50 ] || { tmux kill-session -t "$S"; fail "Ctrl-] did not leave the console"; }; sleep 0.1
	done
	tmux kill-session -t "$S"
fi

rtt() { "$L" exec "$N" h -- ping -c 5 -i 0.2 -W 2 10.60.0.11 | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p'; }
a=$(rtt); echo "h -> vm1: $a ms"
"$L" link set "$N" vm1:eth0 in delay=50ms || fail "link set on a VM port"
b=$(rtt); echo "h -> vm1 with 50 ms towards vm1: $b ms"
within "$b" 50 $(awk -v a="$a" 'BEGIN { print a + 60 }') || fail "the impairment did not change vm1's ping time ($a -> $b)"

"$L" down "$N" >/dev/null || fail "down"
[ "$(domains "$N")" -eq 0 ] || fail "domains left behind"
[ "$(md5sum < "$T/base.img")" = "$sum0" ] || fail "the base image was modified"
[ -e "$VDELAB_RUN_DIR/$N" ] && fail "run directory (sockets) left behind"
ps -eo args | grep -q "[g]uest=vl-$N\." && fail "qemu processes left behind"

# kill -9 labctl while the VMs boot, then down
sed "s/name=\"$N\"/name=\"${N}k\"/" "$T/vms.xml" > "$T/vmk.xml"
"$L" up "$T/vmk.xml" > "$T/upk.out" 2>&1 &
UP=$!
i=0; while ! grep -q "booting" "$T/upk.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 $UP; wait $UP 2>/dev/null
echo "labctl killed during up with $(domains "${N}k") domain(s) defined"
"$L" down "${N}k" >/dev/null || fail "down after kill"
[ "$(domains "${N}k")" -eq 0 ] || fail "domains left behind after a killed up"
ps -eo args | grep -q "[g]uest=vl-${N}k\." && fail "qemu processes left behind after a killed up"
echo PASS
