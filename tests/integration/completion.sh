# bash completion (labctl/completion.bash) driven as bash drives it:
# COMP_WORDS/COMP_CWORD set, the completion function called, COMPREPLY
# read; on a running lab its names, nodes, targets and impairment keys come
# back, and the daemons' options come from their --help.
. tests/integration/lib.sh
need_root
command -v bash >/dev/null || skip "no bash"
L="$(cd "$B" && pwd)/labctl"
export VDELAB_RUN_DIR="$T/run"
N="${P}c"
lab "$N"
"$L" up --name "$N" labs/vlans.xml >/dev/null || fail "up"
cat > "$T/comp.bash" <<X
. labctl/completion.bash
# comp LINE: the completions of LINE's last word (LINE ending in a space: a new word)
comp() {
	read -ra COMP_WORDS <<<"\$1"
	[ "\${1% }" != "\$1" ] && COMP_WORDS+=("")
	COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); COMP_LINE=\$1; COMP_POINT=\${#1}
	case "\${COMP_WORDS[0]}" in
	labctl) COMP_WORDS[0]="$L"; _labctl ;;
	*) COMP_WORDS[0]="$(cd "$B" && pwd)/\${COMP_WORDS[0]}"; _vdelab_daemon ;;
	esac
	printf '%s\n' "\${COMPREPLY[@]}" | sort
}
X
c() { bash -c ". '$T/comp.bash'; comp \"\$1\"" _ "$1" | tr '\n' ' '; }
# want LINE WORD...: each WORD is among LINE's completions
want() {
	line=$1; shift; got=" $(c "$line")"
	echo "'$line' ->$got"
	for w in "$@"; do case "$got" in *" $w "*) ;; *) fail "'$line' does not offer $w" ;; esac; done
}
# only LINE WORD...: exactly these
only() {
	line=$1; shift; got=$(c "$line"); echo "'$line' -> $got"
	[ "$got" = "$* " ] || fail "'$line' offers '$got', expected '$*'"
}
want "labctl " up down status exec check grade link console top trace capture graph list validate --version
only "labctl cap" capture
only "labctl up --al" --allow-nat
want "labctl check -" --format --run-dir --name
want "labctl check " "$N"
only "labctl exec $N r" red1 red2
only "labctl trace $N red1 b" blue1 blue2
want "labctl capture $N " red1:eth0 blue2:eth0 sw1-sw2
only "labctl capture $N -c 4 red2" red2:eth0
only "labctl link " reset set show
want "labctl link set $N red1:eth0 " in out both down up
want "labctl link set $N red1:eth0 out de" delay=
want "labctl link set $N red1:eth0 out delay=5ms " loss= rate= jitter= reorder=
only "labctl graph --format p" pdf png
only "labctl capture $N red1 --at s" switch
want "labctl validate labs/vl" labs/vlans.xml
only "labctl list --what t" targets
only "vdelab-switch --hu" --hub
only "vdelab-plug --genk" --genkey --genkeypair
want "vdelab-wirefilter -" --bandwidth --delay --mgmt --vde
want "vdelab-plug --seed 1 " vde:// cable:// slirp://
echo PASS
