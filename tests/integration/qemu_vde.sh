# QEMU as a VDE client: Debian's qemu-system-x86_64 joins vdelab-switch with
# -nic vde,sock=DIR (QEMU's libvdeplug, unchanged) and the default tiny guest
# (make guest-image: Debian's cloud kernel + busybox initramfs) pings a
# namespace host on the switch, and the host pings it back.
#
#   [ns H 10.50.0.1]--tap--[vdelab-switch]--vde--[QEMU guest 10.50.0.10]
. tests/integration/lib.sh
need_root
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86 not installed"
ls /boot/vmlinuz-*-cloud-amd64 >/dev/null 2>&1 || skip "linux-image-cloud-amd64 not installed"
G="$T/guest"
sh labctl/guest/mkguest.sh "$G" || fail "guest image"
switch sw
host_ours H 10.50.0.1/24 "vde://$T/sw[5]"
EX=$(printf 'ping -c 3 -W 3 10.50.0.1 >/dev/null && echo VDELAB-PING-OK || echo VDELAB-PING-FAILED' | base64 -w0)
# TCG: this kind of machine's /dev/kvm does not run guests (they hang)
bg qemu-system-x86_64 -accel tcg -m 128 -display none -no-reboot -monitor none \
	-kernel "$G/vmlinuz" -initrd "$G/initrd.img" \
	-append "console=ttyS0 no_timer_check panic=-1 loglevel=3 vl.host=vm1 vl.ip=eth0,10.50.0.10/24 vl.exec=$EX" \
	-nic "vde,sock=$T/sw,model=virtio-net-pci,mac=52:54:00:50:00:10" -serial "file:$T/serial.log"
QP=$LAST
i=0; while ! grep -aq "VDELAB-READY vm1" "$T/serial.log" 2>/dev/null; do
	i=$((i + 1)); [ $i -ge 300 ] && fail "the guest did not boot in 60 s: $(tail -c 600 "$T/serial.log")"
	kill -0 $QP 2>/dev/null || fail "qemu exited"; sleep 0.2
done
echo "guest up after $((i / 5)) s"
mgmt "$T/sw.mgmt" port/print | grep -q "QEMU user=" || fail "QEMU is not a client of the switch"
i=0; while ! grep -aq "VDELAB-PING-" "$T/serial.log"; do i=$((i + 1)); [ $i -ge 100 ] && break; sleep 0.2; done
grep -aq "exec: VDELAB-PING-OK" "$T/serial.log" || fail "the guest could not ping the namespace: $(grep -a exec: "$T/serial.log")"
nsx H ping -c 3 -i 0.2 -W 3 10.50.0.10 || fail "the namespace cannot ping the guest"
echo PASS
