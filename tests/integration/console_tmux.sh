# labctl console in tmux against the VLAN teaching lab (issue 6): the screen
# lists every switch, link and node; a ping stream lights exactly the LEDs of
# the ports on its path, a broadcast lights its VLAN's ports (flooded '+');
# `i` with loss=100% on the cable makes ping fail and the drops show; a bad
# value shows an error and changes nothing; 80x24 and 200x60 stay readable;
# `q` restores the terminal. labctl top --once --json reads the same data.
. tests/integration/lib.sh
need_root
command -v tmux >/dev/null || skip "tmux not installed"
L="$B/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}c"
lab "$N"
"$L" up --name "$N" labs/vlans.xml >/dev/null || fail "lab up"
"$L" check --name "$N" labs/vlans.xml >/dev/null || fail "lab checks"
S="${P}tm"
cleanup_tmux() { tmux kill-session -t "$S" 2>/dev/null; cleanup; }
trap cleanup_tmux EXIT
trap 'exit 1' INT TERM HUP PIPE  # a signal ends the script; the EXIT trap cleans up
# the console, then what the terminal looks like after it exits
tmux new-session -d -s "$S" -x 120 -y 40 \
	"env VDELAB_RUN_DIR=$VDELAB_RUN_DIR TERM=xterm $L console $N; echo CONSOLE-EXITED; stty -a; sleep 30"
screen() { tmux capture-pane -p -t "$S"; }
# until PATTERN... all match the screen (or 4 s pass)
expect_screen() {
	i=0
	while [ $i -lt 30 ]; do
		screen > "$T/screen"
		ok=1
		for pat in "$@"; do grep -Eq -- "$pat" "$T/screen" || ok=0; done
		[ $ok = 1 ] && return 0
		sleep 0.15; i=$((i + 1))
	done
	echo "--- screen:"; cat "$T/screen"; echo "--- wanted: $*"
	return 1
}
keys() { tmux send-keys -t "$S" "$@"; }

expect_screen "vdelab console  lab $N" "^SWITCHES" "^  sw1 " "^  sw2 " "red1:eth0" "blue2:eth0" "sw1-sw2" \
	"^NODES" "red1 +netns" "blue2 +netns" || fail "the screen does not list the lab"

# unicast red1 -> red2: sw1 ports 1 and 3, sw2 ports 3 and 1; blue's ports idle
"$L" exec "$N" red1 -- ping -i 0.02 -c 250 192.168.50.3 >/dev/null &
PING=$!
expect_screen 'sw1 +1:red1:eth0 \*  2:blue1:eth0 \.  3:sw2 \*' 'sw2 +1:red2:eth0 \*  2:blue2:eth0 \.  3:sw1 \*' ||
	fail "unicast LEDs"
kill $PING 2>/dev/null; wait $PING 2>/dev/null
sleep 0.5
# broadcast in VLAN 10: flooded out of the trunk and to red2, blue untouched
"$L" exec "$N" red1 -- ping -b -i 0.02 -c 250 -W 1 192.168.50.255 >/dev/null 2>&1 &
PING=$!
expect_screen 'sw1 +1:red1:eth0 \*  2:blue1:eth0 \.  3:sw2 \+' 'sw2 +1:red2:eth0 \+  2:blue2:eth0 \.  3:sw1 \*' ||
	fail "broadcast LEDs"
kill $PING 2>/dev/null; wait $PING 2>/dev/null

# select the cable (5th item) and impair it
keys Down Down Down Down
expect_screen '^> sw1-sw2' || fail "selection"
keys i
expect_screen "impair sw1-sw2" || fail "no impairment prompt"
keys "both loss=100%" Enter
expect_screen "sw1-sw2 both: loss=100%" "ab .*loss=100%" || fail "impairment not applied"
"$L" exec "$N" red1 -- ping -c 3 -i 0.2 -W 1 192.168.50.3 >/dev/null && fail "ping crossed loss=100%"
expect_screen "^> sw1-sw2 +ab +[0-9]+ +[0-9.k]+ +[1-9][0-9]* " || fail "drops not shown on the cable"
"$L" top --once --json "$N" > "$T/top.json"
grep -q '"name": "sw1-sw2", "kind": "cable", "dirs": \[{"dir": "ab", "fps": [0-9.]*, "bps": [0-9]*, "drops": [1-9]' "$T/top.json" ||
	fail "top --json does not show the drops: $(cat "$T/top.json")"
# a bad value: an error, and loss=100% stays
keys i "both loss=150%" Enter
expect_screen "error: .*loss=150%.*nothing changed" "ab .*loss=100%" || fail "bad value not reported"
"$L" link show "$N" | grep -q "loss=100%" || fail "the bad value changed the link"
keys i "both reset" Enter
expect_screen "impairments cleared" || fail "reset"
"$L" exec "$N" red1 -- ping -c 2 -i 0.2 -W 2 192.168.50.3 >/dev/null || fail "ping after reset"

# resizing: the layout follows, nothing runs past the width
for size in 80x24 200x60; do
	tmux resize-window -t "$S" -x "${size%x*}" -y "${size#*x}"
	# the header's right-hand keys move with the width
	head=$([ "$size" = 80x24 ] && echo '^ vdelab console.{40,64}quit' || echo '^ vdelab console.{150,}quit')
	expect_screen "$head" "^SWITCHES" "^  sw1 " "^LINKS" || fail "layout at $size"
	w=$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')
	echo "$size: widest line $w"
	[ "$w" -le "${size%x*}" ] || fail "a line is wider than $size"
done
# at 80x24 the list scrolls: the last node (Up from the first item wraps) comes into view
tmux resize-window -t "$S" -x 80 -y 24
keys Up Up Up Up Up
expect_screen "^> blue2 +netns" "^  sw1 " || fail "the selection scrolled out of view at 80x24"
tmux resize-window -t "$S" -x 120 -y 40
# Enter: a shell in the selected node (blue2), then back to the console
keys Enter
expect_screen "shell in blue2" || fail "no shell"
keys "ip -4 -o addr show dev eth0" Enter
expect_screen "inet 192.168.50.4/24" || fail "the shell is not in blue2"
keys "exit" Enter
expect_screen "vdelab console  lab $N" "back from blue2" || fail "console did not come back"

# c: capture the selected cable's port into the run directory, then stop
keys Up Up Up Up
expect_screen '^> sw1-sw2' || fail "selecting the cable again"
keys c
expect_screen "capturing sw1-sw2 into $VDELAB_RUN_DIR/$N/captures/" "3:sw2 .@" || fail "capture did not start"
keys c
expect_screen "capture of sw1-sw2 \\(sw1:3\\) stopped" || fail "capture did not stop"
ls "$VDELAB_RUN_DIR/$N/captures/"sw1-sw2-*.pcap >/dev/null || fail "no capture file"

# help, then quit: the terminal is back in canonical mode with echo
keys '?'
expect_screen "labctl console - keys" || fail "help"
keys x q
expect_screen "CONSOLE-EXITED" || fail "q did not quit"
screen | grep -q -- " icanon" && screen | grep -q -- " echo " || fail "terminal not restored: $(screen)"
echo PASS
