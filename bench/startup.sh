#!/usr/bin/env bash
# Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
#
# startup.sh: start-up cost of gemu, as wall time and peak RSS of a static
# hello world, against the same program run natively.
#
#   bench/startup.sh                  from anywhere; a few seconds
#   N=500 bench/startup.sh
#   GEMU=/tmp/gemu-a GEMU2=/tmp/gemu-b bench/startup.sh    compare two builds
#
# It runs the guest natively and under gemu (and GEMU2 if set) N times
# each, in alternation, and prints per command the median, 10th and 90th
# percentile and minimum wall time, the median CPU time and minor page
# faults, and the largest peak RSS. The runs are started and timed by
# bench/spawntime.c (posix_spawn to wait4, rusage of each child), built
# with the host's C compiler (CC, default cc) into a temporary directory.
# Without a compiler the script times the runs from bash (EPOCHREALTIME),
# which adds the cost of forking bash to every row, and takes peak RSS
# from /usr/bin/time.
#
# Environment: N (default 200), GEMU (a prebuilt gemu; default
# `go build ./cmd/gemu`), GEMU2 (a second gemu to compare), GUEST
# (default testguests/bin/hello), CC, TMPDIR.
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-200}
GUEST=${GUEST:-testguests/bin/hello}
die() { echo "startup.sh: $*" >&2; exit 1; }
[[ $N =~ ^[1-9][0-9]*$ ]] || die "N=$N: expected a positive integer"
[[ -x $GUEST ]] || die "$GUEST missing (make -C testguests)"

work=$(mktemp -d "${TMPDIR:-/tmp}/gemu-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT
GEMU_GIVEN=${GEMU:-}
if [[ -z $GEMU_GIVEN ]]; then
	GEMU=$work/gemu
	go build -o "$GEMU" ./cmd/gemu || die "go build ./cmd/gemu failed (set GEMU to a prebuilt gemu)"
fi
GEMU2=${GEMU2:-}

# One untimed run of each: page cache, and the outputs must agree.
"$GUEST" >"$work/native.out" </dev/null || die "$GUEST failed natively"
for g in "$GEMU" ${GEMU2:+"$GEMU2"}; do
	"$g" "$GUEST" >"$work/gemu.out" </dev/null || die "$g $GUEST failed"
	cmp -s "$work/native.out" "$work/gemu.out" || die "$g: output differs from native"
done

echo "# gemu start-up"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- gemu: $("$GEMU" -version 2>/dev/null), tree $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo ' with local changes')${GEMU_GIVEN:+, binary $GEMU}"
echo "- command: N=$N GUEST=$GUEST${GEMU_GIVEN:+ GEMU=$GEMU}${GEMU2:+ GEMU2=$GEMU2} bench/startup.sh"
echo

if ${CC:-cc} -O2 -o "$work/spawntime" bench/spawntime.c 2>"$work/cc.err"; then
	echo "| run | median ms | p10 ms | p90 ms | min ms | median CPU ms | median minor faults | max RSS KiB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	args=(native "$GUEST" -- gemu "$GEMU" "$GUEST")
	[[ -n $GEMU2 ]] && args+=(-- gemu2 "$GEMU2" "$GUEST")
	"$work/spawntime" "$N" "${args[@]}"
	echo
	echo "$N alternating runs of each, started with posix_spawn and timed to"
	echo "wait4; CPU time (user + system), minor faults and peak RSS from the"
	echo "child's rusage (peak RSS includes the ~1.4 MiB spawntime had mapped)."
	exit 0
fi
echo "(no C compiler: $(head -1 "$work/cc.err"); timing from bash)"
echo
[[ -n ${EPOCHREALTIME:-} ]] || die "needs bash 5 (EPOCHREALTIME) without a C compiler"
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }
names=(native gemu)
cmds=("$GUEST" "$GEMU $GUEST")
[[ -n $GEMU2 ]] && names+=(gemu2) cmds+=("$GEMU2 $GUEST")
for k in "${!names[@]}"; do : >"$work/${names[$k]}.t"; done
for ((i = 0; i < N; i++)); do
	for k in "${!names[@]}"; do
		t0=$(now_us)
		# shellcheck disable=SC2086 # the command is split on purpose
		${cmds[$k]} >/dev/null </dev/null
		t1=$(now_us)
		echo $((t1 - t0)) >>"$work/${names[$k]}.t"
	done
done
echo "| run | median ms | p10 ms | p90 ms | min ms | max RSS KiB |"
echo "|---|---:|---:|---:|---:|---:|"
for k in "${!names[@]}"; do
	rss=-
	if [[ -x /usr/bin/time ]]; then
		rss=0
		for ((i = 0; i < 20; i++)); do
			# shellcheck disable=SC2086
			/usr/bin/time -f %M -o "$work/rss" ${cmds[$k]} >/dev/null </dev/null
			kb=$(cat "$work/rss")
			((kb > rss)) && rss=$kb
		done
	fi
	sort -n "$work/${names[$k]}.t" | awk -v name="${names[$k]}" -v rss="$rss" '{v[NR] = $1}
		function q(p) { return v[int(p * (NR - 1) + 0.5) + 1] / 1000 }
		END { printf "| %s | %.2f | %.2f | %.2f | %.2f | %s |\n", name, q(0.5), q(0.1), q(0.9), v[1] / 1000, rss }'
done
echo
echo "$N alternating runs of each, timed from bash (which adds its own fork"
echo "to every row); max RSS over 20 runs under /usr/bin/time."
