#!/bin/sh
# mkguest.sh OUTDIR [KERNEL_VERSION] - the default tiny VM guest, from Debian
# packages only (linux-image-cloud-amd64, busybox-static); no download, no
# cloud-init. Writes OUTDIR/vmlinuz and OUTDIR/initrd.img:
#   - the cloud kernel (virtio drivers as modules, serial console built in);
#   - an initramfs with static busybox, the virtio PCI and net modules (and
#     their dependencies, found with modinfo), and /init below.
# The guest is configured from the kernel command line (vl.* keys):
#   vl.host=NAME          hostname
#   vl.name=ETH,NAME      rename an interface (ethN in PCI order)
#   vl.ip=IF,ADDR/PREFIX  an address (repeatable)
#   vl.mtu=IF,MTU         an MTU (repeatable)
#   vl.gw=ADDR            default gateway
#   vl.route=NET,VIA      a route (repeatable)
#   vl.forward=1          IP forwarding
#   vl.exec=BASE64        shell commands run once the network is up
# It prints "VDELAB-READY NAME" on the serial console, then serves a shell
# there. Add no_timer_check (TCG boot storms) and console=ttyS0.
set -eu
OUT=${1:?usage: mkguest.sh OUTDIR [KERNEL_VERSION]}
KV=${2:-$(ls /lib/modules | grep -- '-cloud-amd64$' | sort -V | tail -1)}
[ -n "$KV" ] && [ -e "/boot/vmlinuz-$KV" ] || {
	echo "mkguest: no cloud kernel: apt-get install --no-install-recommends linux-image-cloud-amd64" >&2; exit 1; }
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || {
	echo "mkguest: no static busybox: apt-get install busybox-static" >&2; exit 1; }
W=$(mktemp -d /tmp/vdelab-guest.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM
mkdir -p "$W/bin" "$W/proc" "$W/sys" "$W/dev" "$W/tmp" "$W/etc" "$W/lib/mod" "$W/root"
cp /bin/busybox "$W/bin/busybox"

# modules in load order: dependencies first
: > "$W/lib/mod/order"
add() {
	grep -qx "$1" "$W/lib/mod/order" && return 0
	for d in $(modinfo -k "$KV" -F depends "$1" | tr ',' ' '); do add "$d"; done
	f=$(modinfo -k "$KV" -n "$1")
	case "$f" in
	*.ko) cp "$f" "$W/lib/mod/$1.ko" ;;
	*.ko.xz) xz -dc "$f" > "$W/lib/mod/$1.ko" ;;
	*.ko.zst) zstd -qdc "$f" > "$W/lib/mod/$1.ko" ;;
	*) return 0 ;; # built in
	esac
	echo "$1" >> "$W/lib/mod/order"
}
for m in virtio_pci virtio_net virtio_console virtio_blk; do add "$m"; done

cat > "$W/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
for m in $(cat /lib/mod/order); do insmod "/lib/mod/$m.ko" 2>/dev/null; done
ip link set lo up
for kv in $(cat /proc/cmdline); do
	case "$kv" in vl.name=*) v=${kv#*=}; ip link set "${v%%,*}" name "${v#*,}" ;; esac
done
host=guest
for kv in $(cat /proc/cmdline); do
	v=${kv#*=}
	case "$kv" in
	vl.host=*) host=$v ;;
	vl.mtu=*) ip link set "${v%%,*}" mtu "${v#*,}" ;;
	vl.ip=*) ip link set "${v%%,*}" up; ip addr add "${v#*,}" dev "${v%%,*}" ;;
	vl.forward=1) echo 1 > /proc/sys/net/ipv4/ip_forward ;;
	esac
done
for kv in $(cat /proc/cmdline); do
	v=${kv#*=}
	case "$kv" in
	vl.gw=*) ip route add default via "$v" ;;
	vl.route=*) ip route add "${v%%,*}" via "${v#*,}" ;;
	esac
done
hostname "$host"
echo "VDELAB-READY $host"
for kv in $(cat /proc/cmdline); do
	case "$kv" in vl.exec=*) echo "${kv#vl.exec=}" | base64 -d > /tmp/exec.sh; (sh /tmp/exec.sh 2>&1 | sed 's/^/exec: /') ;; esac
done
while :; do setsid cttyhack sh -l; done
INIT
chmod 755 "$W/init"
mkdir -p "$OUT"
(cd "$W" && find . | cpio -o -H newc --quiet | gzip -9) > "$OUT/initrd.img"
cp "/boot/vmlinuz-$KV" "$OUT/vmlinuz"
echo "guest: $OUT/vmlinuz ($KV) and $OUT/initrd.img ($(du -k "$OUT/initrd.img" | cut -f1) KiB, modules: $(tr '\n' ' ' < "$W/lib/mod/order"))"
