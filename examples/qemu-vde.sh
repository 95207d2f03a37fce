#!/bin/sh
# QEMU on vdelab-switch through the VDE protocol: the example of
# tests/integration/qemu_vde.sh, step by step. Needs root (a namespace and a
# tap) and Debian's qemu-system-x86, linux-image-cloud-amd64 and
# busybox-static (make deps installs them).
#   sh examples/qemu-vde.sh [BUILD_DIR]
set -eu
B=${1:-build}
T=$(mktemp -d /tmp/vdelab-qemu.XXXXXX)
NS="vlqemu$$"
SW="" QP=""
trap '[ -n "$QP" ] && kill $QP 2>/dev/null; [ -n "$SW" ] && kill $SW 2>/dev/null; ip netns del $NS 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up

sh labctl/guest/mkguest.sh "$T/guest"                       # Debian's cloud kernel + a busybox initramfs
"$B/vdelab-switch" -s "$T/sw" -M "$T/sw.mgmt" --nostdin &    # the switch: DIR $T/sw
SW=$!
sleep 0.3
ip netns add "$NS"                                          # a host: a namespace on port 5
"$B/tests/vdeprobe" console "$T/sw.mgmt" "port/add tap://${NS}t?netns=$NS 5" >/dev/null
ip -n "$NS" addr add 10.50.0.1/24 dev "${NS}t"
ip -n "$NS" link set "${NS}t" up
echo "starting QEMU with -nic vde,sock=$T/sw (TCG) ..."
qemu-system-x86_64 -accel tcg -m 128 -display none -no-reboot -monitor none \
	-kernel "$T/guest/vmlinuz" -initrd "$T/guest/initrd.img" \
	-append "console=ttyS0 no_timer_check panic=-1 loglevel=3 vl.host=vm1 vl.ip=eth0,10.50.0.10/24" \
	-nic "vde,sock=$T/sw,model=virtio-net-pci" -serial "file:$T/serial.log" &
QP=$!
i=0; until grep -aq VDELAB-READY "$T/serial.log" 2>/dev/null; do i=$((i + 1)); [ $i -lt 300 ] || exit 1; sleep 0.2; done
echo "guest up; the switch's ports:"
"$B/tests/vdeprobe" console "$T/sw.mgmt" port/print | grep -E "^Port|endpoint"
ip netns exec "$NS" ping -c 3 10.50.0.10
