#!/usr/bin/env bash
# Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
#
# hypertrace.sh: cost per event of gemu's hypertrace channel against a
# native replica of the original QEMU design (mprotect + SIGSEGV swap),
# measured in one session on this machine.
#
#   bench/hypertrace.sh            from the repository root
#
# For each sink (log, simple) and K (1, 8 arguments per event) it runs, in
# alternation, RUNS times each:
#   testguests/bin/hypertrace-replica N K SINK FILE              (native)
#   gemu -hypertrace base=B,args=K -trace guest_hypertrace,file=FILE,format=SINK \
#        testguests/bin/hypertrace-bench B N                      (emulated)
# with N = 0 (the program's fixed cost: start, channel set-up, exit) and
# with N sized for runs of about TARGET_MS. ns/event = (median time at N
# - median time at 0) / N. Both programs write their trace to a file in
# the same directory (TRACE_DIR). The gemu column includes interpreting the
# guest's loop. After the runs, both trace files are checked to hold
# exactly N events.
#
# Environment: GEMU (a gemu binary; default: go build ./cmd/gemu),
# RUNS (default 5), TARGET_MS (default 1000), REPLICA_N and GEMU_N (fix N
# instead of calibrating), TRACE_DIR (where both write their traces;
# default a directory in /dev/shm, else in TMPDIR), TMPDIR.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
TARGET_MS=${TARGET_MS:-1000}
REPLICA=testguests/bin/hypertrace-replica
GUEST=testguests/bin/hypertrace-bench
for f in "$REPLICA" "$GUEST"; do
	[[ -x $f ]] || { echo "hypertrace.sh: $f missing (make -C testguests)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/gemu-bench.XXXXXX")
shm= out=
cleanup() {
	rm -rf "$work"
	if [[ -n $out ]]; then rm -f "$out.replica" "$out.gemu"; fi
	if [[ -n $shm ]]; then rm -rf "$shm"; fi
}
trap cleanup EXIT
GEMU_GIVEN=${GEMU:-}
if [[ -z ${GEMU:-} ]]; then
	GEMU=$work/gemu
	go build -o "$GEMU" ./cmd/gemu
fi
# The traces go to memory (tmpfs) when there is one, so that the host's
# disk writeback does not time the runs; both programs write to the same
# place either way.
if [[ -z ${TRACE_DIR:-} ]]; then
	TRACE_DIR=$work
	if [[ -d /dev/shm && -w /dev/shm ]]; then
		shm=$(mktemp -d /dev/shm/gemu-bench.XXXXXX)
		TRACE_DIR=$shm
	fi
fi
base=$work/ht
out=$TRACE_DIR/trace

# now_ns prints a monotonic-enough wall clock in nanoseconds.
now_ns() { date +%s%N; }

# run_replica N K SINK and run_gemu N K SINK print the run's time in ns.
run_replica() {
	local t0 t1
	t0=$(now_ns)
	"$REPLICA" "$1" "$2" "$3" "$out.replica" || { echo "hypertrace.sh: replica failed (status $?)" >&2; exit 1; }
	t1=$(now_ns)
	echo $((t1 - t0))
}
run_gemu() {
	local t0 t1
	t0=$(now_ns)
	"$GEMU" -hypertrace "base=$base,args=$2" -trace "guest_hypertrace,file=$out.gemu,format=$3" \
		"$GUEST" "$base" "$1" >/dev/null || { echo "hypertrace.sh: gemu failed (status $?)" >&2; exit 1; }
	t1=$(now_ns)
	echo $((t1 - t0))
}

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# calibrate RUNNER K SINK PILOT: N for a run of about TARGET_MS, from one
# pilot run of PILOT events. The pilot's fixed cost is counted as per-event
# cost, so N errs on the small side, never the huge one.
calibrate() {
	local pilot
	pilot=$("$1" "$4" "$2" "$3")
	awk -v p="$pilot" -v n="$4" -v ms="$TARGET_MS" 'BEGIN { printf "%d\n", ms * 1e6 / (p / n) }'
}

# check_trace FILE SINK K N: the file holds exactly N events.
check_trace() {
	local file=$1 sink=$2 k=$3 n=$4 got want
	if [[ $sink == simple ]]; then
		got=$(stat -c %s "$file")
		want=$((24 + 36 + n * (32 + 8 * (1 + k)))) # header, mapping record, events
	else
		got=$(grep -c guest_hypertrace "$file" || true)
		want=$n
	fi
	[[ $got == "$want" ]] || { echo "hypertrace.sh: $file: $got, want $want ($n events)" >&2; exit 1; }
}

echo "# gemu hypertrace benchmark"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host:    $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r)"
echo "gemu:    $("$GEMU" -version), tree $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo ' with local changes')${GEMU_GIVEN:+, binary $GEMU}"
echo "traces:  $TRACE_DIR ($(stat -f -c %T "$TRACE_DIR"))"
echo "command: RUNS=$RUNS TARGET_MS=$TARGET_MS${GEMU_GIVEN:+ GEMU=$GEMU} bench/hypertrace.sh"
echo
printf '%-6s %2s  %9s %9s  %12s %12s  %9s %9s  %7s\n' sink K replica-N gemu-N "replica-ns/ev" "gemu-ns/ev" "rep-0-ms" "gemu-0-ms" ratio
for sink in log simple; do
	for k in 1 8; do
		rn=${REPLICA_N:-$(calibrate run_replica "$k" "$sink" 5000)}
		gn=${GEMU_N:-$(calibrate run_gemu "$k" "$sink" 1000000)}
		r0=() rN=() g0=() gN=()
		for ((i = 0; i < RUNS; i++)); do
			r0+=("$(run_replica 0 "$k" "$sink")")
			g0+=("$(run_gemu 0 "$k" "$sink")")
			rN+=("$(run_replica "$rn" "$k" "$sink")")
			gN+=("$(run_gemu "$gn" "$k" "$sink")")
		done
		check_trace "$out.replica" "$sink" "$k" "$rn"
		check_trace "$out.gemu" "$sink" "$k" "$gn"
		mr0=$(echo "${r0[*]}" | median) mrN=$(echo "${rN[*]}" | median)
		mg0=$(echo "${g0[*]}" | median) mgN=$(echo "${gN[*]}" | median)
		awk -v s="$sink" -v k="$k" -v rn="$rn" -v gn="$gn" -v r0="$mr0" -v rN="$mrN" -v g0="$mg0" -v gN="$mgN" 'BEGIN {
			rep = (rN - r0) / rn; gem = (gN - g0) / gn
			printf "%-6s %2d  %9d %9d  %12.0f %12.1f  %9.2f %9.2f  %6.0fx\n", s, k, rn, gn, rep, gem, r0 / 1e6, g0 / 1e6, rep / gem
		}'
	done
done
echo
echo "ns/event: (median run time at N - median at N=0) / N, over $RUNS alternating runs;"
echo "rep-0-ms, gemu-0-ms: the median fixed cost (N=0) subtracted; ratio: replica ns/event / gemu ns/event."
