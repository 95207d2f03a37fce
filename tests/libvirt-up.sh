#!/bin/sh
# Make sure a libvirt daemon answers on qemu:///system, for the VM nodes of
# make check and make demo: through the service manager when one runs
# (systemd), else by starting virtlogd and libvirtd as daemons ourselves, as
# a service manager would (they keep running afterwards, like services).
# Nothing to do when one already answers, when libvirt is not installed or
# when we are not root (then the VM tests say why they skip).
command -v virsh >/dev/null && command -v libvirtd >/dev/null || exit 0
virsh -c qemu:///system version >/dev/null 2>&1 && exit 0
[ "$(id -u)" -eq 0 ] || exit 0
if [ -d /run/systemd/system ]; then
	systemctl start virtlogd.socket libvirtd.socket libvirtd >/dev/null 2>&1
else
	pgrep -x virtlogd >/dev/null || virtlogd -d
	pgrep -x libvirtd >/dev/null || libvirtd -d
fi
for i in 1 2 3 4 5 6 7 8 9 10; do
	virsh -c qemu:///system version >/dev/null 2>&1 && {
		echo "libvirt: started libvirtd for the VM nodes (it keeps running, like a service)"; exit 0; }
	sleep 0.5
done
echo "libvirt: libvirtd does not answer; the VM tests will skip" >&2
exit 0
