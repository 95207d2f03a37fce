# Debian's unixterm and vdeterm against the switch console.
. tests/integration/lib.sh
command -v unixterm >/dev/null || skip "unixterm (vde2) not installed"
switch sw
out=$( (printf 'port/print\n'; sleep 0.5; printf 'no/such\n'; sleep 0.5; printf 'logout\n'; sleep 0.3) | unixterm "$T/sw.mgmt")
echo "$out"
echo "$out" | grep -q "^VDE switch V" || fail "banner"
echo "$out" | grep -q "1000 Success" || fail "port/print via unixterm"
echo "$out" | grep -q "1038 Function not implemented" || fail "unknown command code"
echo "$out" | grep -q "9999 END OF SESSION" || fail "logout"
if command -v tmux >/dev/null && command -v vdeterm >/dev/null; then
	s="${P}term"
	tmux new-session -d -s "$s" -x 120 -y 40 "vdeterm $T/sw.mgmt" || fail "tmux"
	trap 'tmux kill-session -t '"$s"' 2>/dev/null; cleanup' EXIT
	sleep 0.5
	tmux send-keys -t "$s" "port/showinfo" Enter
	sleep 0.5
	scr=$(tmux capture-pane -p -t "$s")
	echo "$scr"
	echo "$scr" | grep -q "Numports=32" || fail "vdeterm did not show port/showinfo output"
	echo "$scr" | grep -q "Success" || fail "vdeterm status"
	tmux send-keys -t "$s" "logout" Enter
fi
echo PASS
