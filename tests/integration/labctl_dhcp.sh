# The DHCP lab (labs/dhcp.xml): dnsmasq in one sandboxed node, Debian's
# dhclient with its real script in two others; leases, DNS, and the host's
# /etc/resolv.conf and /var/lib/dhcp untouched.
. tests/integration/lib.sh
need_root
command -v dnsmasq >/dev/null && command -v dhclient >/dev/null || skip "needs dnsmasq and dhclient (dnsmasq-base, isc-dhcp-client)"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}d"
lab "$N"
before=$(cat /etc/resolv.conf 2>/dev/null | md5sum)
leases_before=$(ls -l /var/lib/dhcp 2>/dev/null | md5sum)
"$L" up --name "$N" labs/dhcp.xml > "$T/up" 2>&1 || { cat "$T/up"; fail "up"; }
"$L" check --name "$N" labs/dhcp.xml > "$T/report"; rc=$?
cat "$T/report"
[ $rc -eq 0 ] || fail "checks of the DHCP lab failed"
"$L" exec "$N" c1 -- cat /etc/resolv.conf
[ "$(cat /etc/resolv.conf 2>/dev/null | md5sum)" = "$before" ] || fail "the host's /etc/resolv.conf changed"
[ "$(ls -l /var/lib/dhcp 2>/dev/null | md5sum)" = "$leases_before" ] || fail "the host's /var/lib/dhcp changed"
"$L" down "$N" >/dev/null || fail "down"
[ "$(cat /etc/resolv.conf 2>/dev/null | md5sum)" = "$before" ] || fail "the host's /etc/resolv.conf changed at down"
echo PASS
