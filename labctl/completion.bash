# bash completion for labctl, vdelab-switch, vdelab-plug and vdelab-wirefilter
# (installed once per program into bash-completion's completions folder).
#
# Options come from each program's own --help, so they never go stale;
# running labs, their nodes and link targets from `labctl list`; impairment
# keys from vdelab-plug --help.

# The long options a --help text names.
_vdelab_opts()
{
	"$@" --help 2>/dev/null | sed -n 's/^ *\(-[a-zA-Z0-9], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' | sort -u
}

# Does option $2 of "$1 ... --help" take a value ("--opt=VALUE" in --help)?
_vdelab_takes_value()
{
	local help=$1 o=$2
	case "$o" in
	--*) grep -qE -- "(^|[ ,])$o=" <<<"$help" ;;
	-?) grep -qE -- "^ *$o, --[a-z0-9-]+=" <<<"$help" ;;
	*) return 1 ;;
	esac
}

# labctl's sibling program $1 (the build folder's when labctl runs from it)
_vdelab_sibling()
{
	local d
	d=$(dirname -- "$(command -v -- "$2" 2>/dev/null || echo "$2")")
	if [ -x "$d/$1" ]; then echo "$d/$1"; else echo "$1"; fi
}

# Running labs: labctl list -q (with the line's --run-dir).
_vdelab_labs()
{
	"$@" list -q 2>/dev/null
}

# Lab files and folders matching $1.
_vdelab_xml_files()
{
	compgen -f -X '!*.xml' -- "$1"
	compgen -d -- "$1"
}

_labctl()
{
	local cur prev labctl=${COMP_WORDS[0]} cmd="" i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	COMPREPLY=()
	local run=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case "${COMP_WORDS[i]}" in
		--run-dir=*) run=("${COMP_WORDS[i]}") ;;
		--run-dir) run=(--run-dir="${COMP_WORDS[i+1]}") ;;
		esac
	done
	for ((i = 1; i < COMP_CWORD; i++)); do
		case "${COMP_WORDS[i]}" in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$("$labctl" --help 2>/dev/null | sed -n 's/^  \([a-z]\{1,\}\)  .*/\1/p') --help --version" -- "$cur"))
		return
	fi
	local help
	help=$("$labctl" "$cmd" --help 2>/dev/null)
	# option values
	case "$prev" in
	--run-dir|-o|--output|-w|--write)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format|-F|-f)
		case "$cmd" in
		graph) COMPREPLY=($(compgen -W "dot svg png pdf" -- "$cur")); return ;;
		check) COMPREPLY=($(compgen -W "text tap json junit tsv" -- "$cur")); return ;;
		grade) COMPREPLY=($(compgen -W "text json junit csv" -- "$cur")); return ;;
		esac ;;
	--at) COMPREPLY=($(compgen -W "wire switch" -- "$cur")); return ;;
	--what) COMPREPLY=($(compgen -W "nodes switches targets" -- "$cur")); return ;;
	--site|-s)
		[ "$cmd" = up ] && { COMPREPLY=(); return; } ;;
	esac
	if [[ "$cur" == -* ]]; then
		COMPREPLY=($(compgen -W "$(_vdelab_opts "$labctl" "$cmd")" -- "$cur"))
		return
	fi
	# the positional arguments before this one
	local pos=() w
	for ((i = i + 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case "$w" in
		-*=*) ;;
		-*) _vdelab_takes_value "$help" "$w" && ((i++)) ;;
		*) pos+=("$w") ;;
		esac
	done
	local n=${#pos[@]} labs
	labs=$(_vdelab_labs "$labctl" "${run[@]}")
	case "$cmd" in validate|up|grade|graph|down|status|check|console|top) compopt -o filenames 2>/dev/null ;; esac
	case "$cmd" in
	validate|up|grade) COMPREPLY=($(_vdelab_xml_files "$cur")) ;;
	graph) COMPREPLY=($(_vdelab_xml_files "$cur") $(compgen -W "$labs" -- "$cur")) ;;
	list) [ "$n" -eq 0 ] && COMPREPLY=($(compgen -W "$labs" -- "$cur")) ;;
	down|status|check|console|top)
		[ "$n" -eq 0 ] && COMPREPLY=($(compgen -W "$labs" -- "$cur") $(_vdelab_xml_files "$cur")) ;;
	exec|trace)
		local most=1
		[ "$cmd" = trace ] && most=2
		if [ "$n" -eq 0 ]; then COMPREPLY=($(compgen -W "$labs" -- "$cur"))
		elif [ "$n" -le "$most" ]; then
			COMPREPLY=($(compgen -W "$("$labctl" list "${run[@]}" "${pos[0]}" --what nodes 2>/dev/null)" -- "$cur"))
		fi ;;
	capture)
		if [ "$n" -eq 0 ]; then COMPREPLY=($(compgen -W "$labs" -- "$cur"))
		elif [ "$n" -eq 1 ]; then
			COMPREPLY=($(compgen -W "$("$labctl" list "${run[@]}" "${pos[0]}" --what targets 2>/dev/null)" -- "$cur"))
		fi ;;
	link)
		if [ "$n" -eq 0 ]; then COMPREPLY=($(compgen -W "show set reset" -- "$cur"))
		elif [ "$n" -eq 1 ]; then COMPREPLY=($(compgen -W "$labs" -- "$cur"))
		elif [ "$n" -eq 2 ]; then
			COMPREPLY=($(compgen -W "$("$labctl" list "${run[@]}" "${pos[1]}" --what targets 2>/dev/null) $("$labctl" list "${run[@]}" "${pos[1]}" --what nodes 2>/dev/null)" -- "$cur"))
		elif [ "${pos[0]}" = set ]; then
			local keys dirs=""
			keys=$("$(_vdelab_sibling vdelab-plug "$labctl")" --help 2>/dev/null | sed -n 's/^  \([a-z]\{1,\}=\).*/\1/p' | sort -u)
			[ "$n" -eq 3 ] && dirs="in out both ab ba down up"
			compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -W "$dirs none $keys" -- "$cur"))
		fi ;;
	esac
}

# the daemons: their options, files for the options that take a path
_vdelab_daemon()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	COMPREPLY=()
	case "$prev" in
	-s|--sock|-M|--mgmt|-p|--pidfile|-f|--rcfile|-w|--capture|--genkey|--genkeypair|--pidfile)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	if [[ "$cur" == -* ]] || [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(_vdelab_opts "${COMP_WORDS[0]}")" -- "$cur"))
		return
	fi
	# endpoint URL schemes
	COMPREPLY=($(compgen -W "vde:// tap:// udp:// stdio:// vxlan:// geneve:// gretap:// nvgre:// cable:// pcap:// slirp://" -- "$cur"))
	compopt -o nospace 2>/dev/null
}

complete -F _labctl labctl
complete -F _vdelab_daemon vdelab-switch vdelab-plug vdelab-wirefilter
