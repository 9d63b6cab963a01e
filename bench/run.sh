#!/usr/bin/env bash
# Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
#
# run.sh: the bench/ workloads natively, under qemu-x86_64, under this
# tree's gemu and under a previous commit's gemu, in alternation; prints a
# markdown table of medians.
#
#   bench/run.sh                      from anywhere; about 10 minutes
#   RUNS=3 WORKLOADS="coremark inthash:200" bench/run.sh
#
# For each workload it first runs every runner once untimed (a warm-up
# that also records the native output and, from `gemu -stats`, the number
# of guest instructions), then RUNS rounds of native, qemu, gemu,
# gemu-prev, each run timed alone. Every run's standard output must equal
# the native one. MIPS = guest instructions / median gemu time (start-up
# included).
#
# Environment:
#   RUNS       timed rounds per workload (default 5)
#   WORKLOADS  space-separated NAME or NAME:ARG (default: all six, with the
#              arguments below, sized for about 0.1 s natively)
#   BASE       the revision whose gemu is "gemu-prev" (default HEAD~1);
#              "none" to leave that column out
#   GEMU       a prebuilt gemu to use instead of `go build ./cmd/gemu`
#   GEMU_PREV  a prebuilt previous gemu instead of building BASE
#   QEMU       the qemu user-mode binary (default qemu-x86_64; "none" skips)
#   TMPDIR     where the builds and outputs go
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
BASE=${BASE:-HEAD~1}
QEMU=${QEMU:-qemu-x86_64}
# Arguments: native runs of about 0.1 s on a 2-vCPU AMD EPYC VM (see
# RESULTS.md), so that process start-up does not dominate.
WORKLOADS=${WORKLOADS:-"inthash:800 sort:8 strings:1400 nbody:900000 coremark:15000 shasort:40"}

die() { echo "run.sh: $*" >&2; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS=$RUNS: expected a positive integer"

work=$(mktemp -d "${TMPDIR:-/tmp}/gemu-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runners.
GEMU_GIVEN=${GEMU:-}
if [[ -z $GEMU_GIVEN ]]; then
	GEMU=$work/gemu
	go build -o "$GEMU" ./cmd/gemu || die "go build ./cmd/gemu failed (set GEMU to a prebuilt gemu)"
fi
prev_desc=
if [[ -n ${GEMU_PREV:-} ]]; then
	prev_desc="binary $GEMU_PREV"
elif [[ $BASE != none ]]; then
	rev=$(git rev-parse --short "$BASE^{commit}") || die "BASE=$BASE: not a revision"
	prev_desc="commit $rev (BASE=$BASE)"
	# A plain export of the revision: no worktree, nothing in .git changes.
	mkdir "$work/prev"
	git archive --format=tar "$rev" | tar -x -C "$work/prev"
	GEMU_PREV=$work/gemu-prev
	(cd "$work/prev" && go build -buildvcs=false -o "$GEMU_PREV" ./cmd/gemu) ||
		die "building gemu at $rev failed (set GEMU_PREV, or BASE=none)"
fi
if [[ $QEMU != none ]] && ! command -v "$QEMU" >/dev/null; then
	echo "run.sh: $QEMU not found; its column is left out (Debian: apt-get install qemu-user)" >&2
	QEMU=none
fi

runners=(native)
[[ $QEMU != none ]] && runners+=(qemu)
runners+=(gemu)
[[ -n ${GEMU_PREV:-} ]] && runners+=(prev)

# cmd_of RUNNER: the command prefix that runs a guest.
cmd_of() {
	case $1 in
	native) ;;
	qemu) echo "$QEMU" ;;
	gemu) echo "$GEMU" ;;
	prev) echo "$GEMU_PREV" ;;
	esac
}

# now_us: wall clock in microseconds, without starting a process.
if [[ -n ${EPOCHREALTIME:-} ]]; then
	now_us() { echo "${EPOCHREALTIME/[.,]/}"; }
else
	now_us() { echo $(($(date +%s%N) / 1000)); }
fi

# timed RUNNER BIN ARG OUT: runs once, output to OUT; prints microseconds.
timed() {
	local t0 t1 pre
	pre=$(cmd_of "$1")
	t0=$(now_us)
	# shellcheck disable=SC2086 # pre is empty or one word
	$pre "$2" ${3:+"$3"} </dev/null >"$4" 2>"$4.err" || die "$1 $2 $3 failed (status $?): $(head -c 500 "$4.err")"
	t1=$(now_us)
	echo $((t1 - t0))
}

# same REF OUT WHAT: the output matches the native one.
same() {
	cmp -s "$1" "$2" || die "$3: output differs from native:
$(diff "$1" "$2" | head -20)"
}

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "# gemu benchmark suite"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- go: $(go version 2>/dev/null | cut -d' ' -f3-)"
echo "- gemu: $("$GEMU" -version 2>/dev/null), tree $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo ' with local changes')${GEMU_GIVEN:+, binary $GEMU}"
[[ -n $prev_desc ]] && echo "- gemu-prev: $prev_desc"
[[ $QEMU != none ]] && echo "- qemu: $("$QEMU" --version | head -1)"
echo "- command: RUNS=$RUNS WORKLOADS=\"$WORKLOADS\"${GEMU_GIVEN:+ GEMU=$GEMU} BASE=$BASE bench/run.sh"
echo

header="| workload | arg | native s |"
rule="|---|---|---:|"
[[ $QEMU != none ]] && header+=" qemu s |" rule+="---:|"
header+=" gemu s |" rule+="---:|"
[[ -n ${GEMU_PREV:-} ]] && header+=" gemu-prev s |" rule+="---:|"
header+=" gemu/native |" rule+="---:|"
[[ $QEMU != none ]] && header+=" gemu/qemu |" rule+="---:|"
[[ -n ${GEMU_PREV:-} ]] && header+=" gemu/prev |" rule+="---:|"
header+=" gemu MIPS |" rule+="---:|"
rows=()
ratios=$work/ratios # lines: gemu/native gemu/qemu gemu/prev ("-" when absent)
: >"$ratios"

for w in $WORKLOADS; do
	name=${w%%:*} arg=
	[[ $w == *:* ]] && arg=${w#*:}
	bin=bench/bin/$name
	[[ -x $bin ]] || die "$bin missing (make -C bench)"
	out=$work/$name
	# Warm-up: the native output is the reference; gemu -stats counts.
	timed native "$bin" "$arg" "$out.ref" >/dev/null
	for r in "${runners[@]}"; do
		[[ $r == native ]] && continue
		timed "$r" "$bin" "$arg" "$out.$r" >/dev/null
		same "$out.ref" "$out.$r" "$r $name $arg"
	done
	"$GEMU" -stats "$bin" ${arg:+"$arg"} </dev/null >"$out.stats.out" 2>"$out.stats" || die "gemu -stats $name $arg failed"
	same "$out.ref" "$out.stats.out" "gemu -stats $name $arg"
	insns=$(awk '$1 == "instructions" {print $2}' "$out.stats")
	[[ -n $insns ]] || die "gemu -stats printed no instruction count for $name"

	declare -A times=()
	for ((i = 0; i < RUNS; i++)); do
		for r in "${runners[@]}"; do
			times[$r]+=" $(timed "$r" "$bin" "$arg" "$out.$r")"
			same "$out.ref" "$out.$r" "$r $name $arg (run $((i + 1)))"
		done
	done
	declare -A med=()
	for r in "${runners[@]}"; do
		med[$r]=$(echo "${times[$r]}" | median)
	done
	row=$(awk -v name="$name" -v arg="${arg:-(default)}" -v insns="$insns" \
		-v n="${med[native]}" -v q="${med[qemu]:-}" -v g="${med[gemu]}" -v p="${med[prev]:-}" -v ratios="$ratios" 'BEGIN {
		s = sprintf("| %s | %s | %.3f |", name, arg, n / 1e6)
		if (q != "") s = s sprintf(" %.3f |", q / 1e6)
		s = s sprintf(" %.3f |", g / 1e6)
		if (p != "") s = s sprintf(" %.3f |", p / 1e6)
		s = s sprintf(" %.1fx |", g / n)
		if (q != "") s = s sprintf(" %.1fx |", g / q)
		if (p != "") s = s sprintf(" %.2f |", g / p)
		s = s sprintf(" %.0f |", insns / (g / 1e6) / 1e6)
		print s
		printf "%s %s %s\n", g / n, (q != "" ? g / q : "-"), (p != "" ? g / p : "-") >> ratios
	}')
	rows+=("$row")
	unset times med
	echo "run.sh: $row" >&2
done

echo "$header"
echo "$rule"
printf '%s\n' "${rows[@]}"
# Geometric means of the ratios.
awk -v hasq="$([[ $QEMU != none ]] && echo 1)" -v hasp="$([[ -n ${GEMU_PREV:-} ]] && echo 1)" '
	{ ln += log($1); if ($2 != "-") lq += log($2); if ($3 != "-") lp += log($3); n++ }
	END {
		s = "| geomean | | |"
		if (hasq) s = s " |"
		s = s " |"
		if (hasp) s = s " |"
		s = s sprintf(" %.1fx |", exp(ln / n))
		if (hasq) s = s sprintf(" %.1fx |", exp(lq / n))
		if (hasp) s = s sprintf(" %.2f |", exp(lp / n))
		print s " |"
	}' "$ratios"
echo
echo "Medians of $RUNS alternating runs, wall time in seconds, start-up included."
echo "gemu/prev < 1 means this tree is faster than gemu-prev. MIPS: guest"
echo "instructions (from gemu -stats) / median gemu time. Load average at the end:"
echo "$(cut -d' ' -f1-3 /proc/loadavg)."
