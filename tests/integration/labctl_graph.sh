# labctl graph through Graphviz's library: an SVG of labs/overlay.xml that
# xmllint parses and that names every node, switch and site; PNG and PDF
# files of their kind; DOT that names the clusters; --live on a running lab
# colours the link that carries a ping flood and labels it with its rate,
# the quiet one shows a tenth of it at most; bad arguments are refused.
. tests/integration/lib.sh
need_root
command -v xmllint >/dev/null || skip "no xmllint (apt-get install libxml2-utils)"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"

"$L" graph labs/overlay.xml --format svg -o "$T/o.svg" || fail "graph --format svg"
xmllint --noout "$T/o.svg" || fail "the SVG does not parse"
for n in $(sed -n 's/.*<\(node\|switch\) name="\([a-zA-Z0-9_-]*\)".*/\2/p' labs/overlay.xml) "site dc1" "site dc2"; do
	xmllint --xpath "//*[local-name()='text'][normalize-space()='$n']" "$T/o.svg" >/dev/null 2>&1 ||
		fail "the SVG does not name $n"
done
echo "overlay.svg: $(grep -c '<g id="node' "$T/o.svg") nodes, $(grep -c '<g id="edge' "$T/o.svg") edges"
grep -q 'stroke-dasharray' "$T/o.svg" || fail "no dashed tunnel edge"
grep -q 'VXLAN 10:5010,20:5020' "$T/o.svg" || fail "the tunnel is not labelled"
"$L" graph labs/overlay.xml -F png -o "$T/o.png" && file "$T/o.png" | grep -q 'PNG image' || fail "png"
"$L" graph labs/overlay.xml -F pdf -o "$T/o.pdf" && head -c 5 "$T/o.pdf" | grep -q '%PDF-' || fail "pdf"
"$L" graph labs/overlay.xml | grep -q 'subgraph cluster_dc1' || fail "dot: no cluster for site dc1"
"$L" graph labs/overlay.xml -F gif 2>"$T/err" && fail "--format gif accepted"
grep -q "expected dot, svg, png or pdf" "$T/err" || fail "bad format not explained: $(cat "$T/err")"
"$L" graph nosuchlab 2>/dev/null && fail "graph of a lab that is not up"

# --live: a flood from h1 to h2 over the routed WAN, none on h3's link
N="${P}g"
lab "$N"
cat > "$T/live.xml" <<'X'
<lab name="live">
  <switch name="lan"/>
  <node name="h1"><if switch="lan" ip="10.9.0.1/24"/></node>
  <node name="h2"><if switch="lan" ip="10.9.0.2/24"/></node>
  <node name="h3"><if switch="lan" ip="10.9.0.3/24"/></node>
</lab>
X
"$L" up --name "$N" "$T/live.xml" >/dev/null || fail "up"
"$L" exec "$N" h1 -- ping -c 1 -W 2 10.9.0.2 >/dev/null || fail "h1 does not reach h2"
"$L" exec "$N" h1 -- ping -q -i 0.002 -w 3 10.9.0.2 >/dev/null &
PIDS="$PIDS $!"
sleep 0.5
"$L" graph "$N" --live --format svg -o "$T/live.svg" || fail "graph --live"
xmllint --noout "$T/live.svg" || fail "the live SVG does not parse"
# each edge's group: its label lines and its stroke colour
edge() { awk -v n="$1" '/<g id="edge/ {e = ""} {e = e $0 "\n"} /<\/g>/ && e ~ ("node:" n "&#45;&#45;") {print e; e = ""}' "$T/live.svg"; }
edge h1 > "$T/h1"; edge h3 > "$T/h3"
grep -q 'frames/s' "$T/h1" || fail "h1's link has no rate: $(cat "$T/h1")"
fps=$(sed -n 's/.*>\([0-9]*\) frames\/s.*/\1/p' "$T/h1" | head -1)
echo "h1's link during the flood: $fps frames/s"
[ "${fps:-0}" -gt 100 ] || fail "h1's link: $fps frames/s during a flood"
grep -q 'stroke="green3"\|stroke="#00cd00"' "$T/h1" || fail "h1's link is not green: $(grep -o 'stroke="[^"]*"' "$T/h1")"
# h3 sees only the odd neighbour discovery frame
h3=$(sed -n 's/.*>\([0-9]*\) frames\/s.*/\1/p' "$T/h3" | head -1)
echo "h3's link meanwhile: $h3 frames/s"
[ -n "$h3" ] && [ "$h3" -lt $((fps / 10)) ] || fail "h3's link: ${h3:-no rate} frames/s"
echo PASS
