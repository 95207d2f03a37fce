#!/bin/sh
# VM benchmark (issue 7): boot-to-ping of N VMs with labctl (1, 4, 8, 16),
# RSS per VM, and TCP between two VMs through vdelab-switch vs Debian's
# vde_switch (QEMU -nic vde on both, the same guests, busybox nc).
# Needs a libvirt daemon, qemu-system-x86, the cloud kernel.
# Usage: bench/vms.sh BUILD_DIR [COUNTS]
set -u
B=${1:-build}
COUNTS=${2:-1 4 8 16}
T=$(mktemp -d /tmp/vdelab-vmbench.XXXXXX)
chmod 755 "$T"
export VDELAB_RUN_DIR="$T/run"
PIDS=""
trap 'for n in $COUNTS; do "$B/labctl" down "vmb$n" >/dev/null 2>&1; done; for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up
virsh -c qemu:///system list >/dev/null 2>&1 || { echo "no libvirt daemon (virtlogd -d; libvirtd -d)"; exit 1; }
sh labctl/guest/mkguest.sh "$T/guest" >/dev/null
export VDELAB_GUEST_DIR="$T/guest"

echo "| VMs | labctl up (boot until every guest answers) | + until the last one answers ping | RSS per VM |"
echo "|---|---|---|---|"
for n in $COUNTS; do
	{
		echo "<lab name=\"vmb$n\"><switch name=\"s\" ports=\"64\"/>"
		echo "<node name=\"h\"><if switch=\"s\" ip=\"10.70.0.1/24\"/></node>"
		i=1; while [ $i -le "$n" ]; do
			echo "<node name=\"v$i\" kind=\"vm\"><if switch=\"s\" ip=\"10.70.0.$((10 + i))/24\"/></node>"
			i=$((i + 1))
		done
		echo "</lab>"
	} > "$T/l$n.xml"
	t0=$(date +%s.%N)
	"$B/labctl" up "$T/l$n.xml" > "$T/up$n.out" 2>&1 || { echo "| $n | up failed: $(tail -1 "$T/up$n.out") | | |"; continue; }
	t1=$(date +%s.%N)
	i=1; while [ $i -le "$n" ]; do
		"$B/labctl" exec "vmb$n" h -- ping -c 1 -W 5 "10.70.0.$((10 + i))" >/dev/null || echo "v$i did not answer" >&2
		i=$((i + 1))
	done
	t2=$(date +%s.%N)
	rss=$(ps -eo rss,args | awk -v l="guest=vl-vmb$n-" 'index($0, l) { s += $1; c++ } END { if (c) printf "%.0f", s / c / 1024 }')
	echo "| $n | $(echo "$t1 - $t0" | bc | xargs printf '%.1f') s | $(echo "$t2 - $t0" | bc | xargs printf '%.1f') s | ${rss:-?} MiB |"
	"$B/labctl" down "vmb$n" >/dev/null
done

echo
echo "TCP between two VMs (busybox wget of a 20 MiB file from busybox httpd; TCG guests), same run:"
echo
echo "| switch | Mbit/s |"
echo "|---|---|"
for sw in vdelab vde_switch; do
	rm -rf "$T/sw" "$T"/s?.log
	if [ $sw = vdelab ]; then "$B/vdelab-switch" -s "$T/sw" --nostdin & SP=$!
	else vde_switch -s "$T/sw" -d -p "$T/vs.pid"; sleep 0.3; SP=$(cat "$T/vs.pid"); fi
	PIDS="$PIDS $SP"
	sleep 0.3
	srv=$(printf 'mkdir -p /www; dd if=/dev/zero of=/www/big bs=1024 count=20480 2>/dev/null; httpd -p 80 -h /www; echo SERVING' | base64 -w0)
	cli=$(printf 'sleep 4; wget -q -O /dev/null http://10.80.0.2/big; a=$(cut -d" " -f1 /proc/uptime); wget -q -O /dev/null http://10.80.0.2/big; b=$(cut -d" " -f1 /proc/uptime); echo "XFER $a $b"' | base64 -w0)
	for v in 1 2; do
		ex=$cli; [ $v = 2 ] && ex=$srv
		qemu-system-x86_64 -accel tcg -m 160 -display none -no-reboot -monitor none \
			-kernel "$T/guest/vmlinuz" -initrd "$T/guest/initrd.img" \
			-append "console=ttyS0 no_timer_check panic=-1 loglevel=3 vl.host=b$v vl.ip=eth0,10.80.0.$v/24 vl.exec=$ex" \
			-nic "vde,sock=$T/sw,model=virtio-net-pci,mac=52:54:00:80:00:0$v" -serial "file:$T/s$v.log" 2>/dev/null &
		eval "Q$v=\$!"
		PIDS="$PIDS $!"
	done
	i=0; while ! grep -aq "XFER" "$T/s1.log" 2>/dev/null && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
	x=$(grep -a "XFER" "$T/s1.log" | awk '{ printf "%.0f", 20480 * 1024 * 8 / ($4 - $3) / 1e6 }')
	kill $Q1 $Q2 $SP 2>/dev/null; wait $Q1 $Q2 2>/dev/null
	echo "| $sw | ${x:-failed} |"
done
