# The man pages describe what main does: every element of labs/lab.rng has
# a section "## <ELEMENT>" in vdelab-lab(5) that names each of its
# attributes as *ATTR*=; every long option each program's --help prints is
# in its page as *--OPTION* (labctl: in the section of its subcommand);
# every page renders with scdoc and man.
. tests/integration/lib.sh
command -v scdoc >/dev/null || skip "no scdoc (apt-get install scdoc)"
T=$(mktemp -d /tmp/vdelab-man.XXXXXX)
trap 'rm -rf "$T"' EXIT

# 1. the schema against vdelab-lab(5)
python3 - labs/lab.rng labs/vdelab-lab.5.scd <<'PY' || fail "vdelab-lab(5) does not cover lab.rng"
import re, sys, xml.etree.ElementTree as ET
NS = '{http://relaxng.org/ns/structure/1.0}'
root = ET.parse(sys.argv[1]).getroot()
defines = {d.get('name'): d for d in root.iter(NS + 'define')}
elements = {}          # element name -> set of attribute names
def walk(node, owner, seen):
    for c in node:
        if c.tag == NS + 'element':
            name = c.get('name')
            elements.setdefault(name, set())
            walk(c, name, seen)
        elif c.tag == NS + 'attribute':
            elements[owner].add(c.get('name'))
        elif c.tag == NS + 'ref':
            r = c.get('name')
            if (owner, r) not in seen:
                walk(defines[r], owner, seen | {(owner, r)})
        else:
            walk(c, owner, seen)
walk(root.find(NS + 'start'), None, frozenset())
page = open(sys.argv[2]).read()
sections = dict(re.findall(r'^## <([a-z-]+)>\n(.*?)(?=^## |^# |\Z)', page, re.M | re.S))
bad = 0
for e, attrs in sorted(elements.items()):
    if e not in sections:
        print(f'vdelab-lab(5): no section "## <{e}>"'); bad = 1; continue
    for a in sorted(attrs):
        if f'*{a}*=' not in sections[e]:
            print(f'vdelab-lab(5): <{e}> does not describe {a}='); bad = 1
print(f'{len(elements)} elements, {sum(map(len, elements.values()))} attributes checked')
sys.exit(bad)
PY

# 2. each program's --help against its page
opts() { sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p'; }
missing=0
check_opts() { # PAGE SECTION_TEXT_FILE WHAT < help
	for o in $(opts); do
		case "$o" in --help-all|--help-*) continue ;; esac
		grep -qF -- "*$o*" "$2" || { echo "$1: $3 does not describe $o"; missing=1; }
	done
}
for p in vdelab-switch:vde/switch/vdelab-switch.8.scd vdelab-plug:vde/plug/vdelab-plug.1.scd \
	 vdelab-wirefilter:wirefilter/vdelab-wirefilter.1.scd; do
	prog=${p%%:*}; page=${p#*:}
	"$B/$prog" --help > "$T/help" || fail "$prog --help exited $?"
	check_opts "$page" "$page" "$prog" < "$T/help"
done
cmds=$("$B/labctl" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p')
[ "$(echo "$cmds" | wc -w)" -ge 13 ] || fail "labctl --help lists only: $cmds"
for c in $cmds; do
	# the section "## labctl CMD ..." up to the next heading
	awk -v c="## labctl $c" 'index($0, c) == 1 && (length($0) == length(c) || substr($0, length(c) + 1, 1) == " ") {on = 1; next}
		/^#/ {on = 0} on' labctl/labctl.8.scd > "$T/sec"
	[ -s "$T/sec" ] || { echo "labctl(8): no section for labctl $c"; missing=1; continue; }
	cat labctl/labctl.8.scd | sed -n '/^# COMMON OPTIONS/,/^# COMMANDS/p' >> "$T/sec"
	"$B/labctl" "$c" --help > "$T/help" 2>&1 || fail "labctl $c --help exited $?"
	check_opts labctl.8 "$T/sec" "labctl $c" < "$T/help"
done
# the extcap options labctl answers (Wireshark's extcap interface)
for o in --extcap-interfaces --extcap-interface --extcap-dlts --extcap-config --capture --fifo --extcap-capture-filter; do
	grep -qF -- "*$o*" labctl/labctl.8.scd || { echo "labctl(8) does not describe $o"; missing=1; }
done
[ $missing -eq 0 ] || fail "options missing from the man pages"

# 3. every page renders, and man reads it
for s in vde/switch/vdelab-switch.8.scd vde/plug/vdelab-plug.1.scd wirefilter/vdelab-wirefilter.1.scd \
	 labctl/labctl.8.scd labs/vdelab-lab.5.scd; do
	scdoc < "$s" > "$T/page" || fail "scdoc $s"
	n=$(MANWIDTH=80 man -l "$T/page" 2>"$T/err" | wc -l)
	[ ! -s "$T/err" ] || { cat "$T/err"; fail "man -l $s warns"; }
	echo "$s: $n lines"
	[ "$n" -gt 40 ] || fail "$s renders to $n lines"
done
echo PASS
