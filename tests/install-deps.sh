#!/bin/sh
# Install the Debian packages vdelab needs to build, test and benchmark, if any
# is missing. Idempotent; needs root (or sudo) only when something is missing.
set -eu
PKGS="gcc make pkg-config libc6-dev libglib2.0-dev libxml2-dev libsodium-dev libpcap-dev libncurses-dev libvirt-dev libvdeplug-dev vde2 \
iproute2 iputils-ping procps tshark tmux psmisc clang iperf3 nftables netcat-openbsd frr bird2 dnsmasq-base isc-dhcp-client openvswitch-switch libslirp-dev python3 curl radvd \
libgraphviz-dev scdoc libxml2-utils bash-completion file debhelper dpkg-dev fakeroot lintian \
qemu-system-x86 linux-image-cloud-amd64 busybox-static cpio libvirt-daemon-system qemu-utils"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
