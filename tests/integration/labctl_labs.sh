# Every teaching lab in labs/ (but the troubleshooting ones, broken on
# purpose: labctl_trouble.sh): labctl up, check, status, down - and nothing
# of the lab is left afterwards (namespaces, daemons, run directory).
. tests/integration/lib.sh
need_root
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
LIBVIRT=0
command -v virsh >/dev/null && virsh -c qemu:///system list >/dev/null 2>&1 && LIBVIRT=1
for f in labs/*.xml; do
	name="$P$(basename "$f" .xml | tr -cd 'a-z' | cut -c1-6)"
	case $f in */trouble-*) echo "== $f: broken on purpose (labctl_trouble.sh)"; continue ;; esac
	if grep -q 'kind="vm"' "$f" && [ $LIBVIRT = 0 ]; then
		echo "== $f: skipped, it has VM nodes and no libvirt daemon answers"
		continue
	fi
	echo "== $f as $name"
	lab "$name"
	# our own labs: the way-out lab (internet.xml) may use its NAT
	"$L" up --allow-nat --name "$name" "$f" || fail "up $f"
	"$L" status "$name" >/dev/null || fail "status $f: something is not running"
	"$L" check --name "$name" "$f" || fail "checks of $f"
	"$L" down "$name" || fail "down $f"
	ip netns list | grep -q "vl-$name\." && fail "namespaces of $name left behind"
	[ -e "$VDELAB_RUN_DIR/$name" ] && fail "run directory of $name left behind"
	"$L" down "$name" | grep -q "is not up" || fail "second down is not a no-op"
done
echo PASS
