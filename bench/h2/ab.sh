#!/usr/bin/env bash
# bench/h2/ab.sh REV: h2demo built at REV ("before") against h2demo built from the
# working tree ("after"), in one run: the same h2load workloads, rounds interleaved
# (before, after, before, ...), the server pinned to CPU 0 and h2load to CPU 1. Prints,
# per workload, the best round's req/s (or MB/s) and requests per second of server CPU
# for each build, and the after/before ratios. Both builds answer from their embedded
# site in memory (the README's engine workload).
#
#   bench/h2/ab.sh 0939aa6               # ROUNDS=3 DUR=5
#   ROUNDS=5 DUR=3 bench/h2/ab.sh HEAD~10
set -euo pipefail
cd "$(dirname "$0")/../.."
REV=${1:?usage: bench/h2/ab.sh REV}
DUR=${DUR:-5}
ROUNDS=${ROUNDS:-3}
TCK=$(getconf CLK_TCK)
for tool in h2load taskset git go; do
  command -v "$tool" >/dev/null 2>&1 || { echo "ab.sh: $tool not found" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  git worktree remove --force "$work/src" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

git worktree add -q --detach "$work/src" "$REV"
(cd "$work/src" && go build -o "$work/before" ./cmd/h2demo)
go build -o "$work/after" ./cmd/h2demo

taskset -c 0 "$work/before" -quiet -h2c 127.0.0.1:21080 -addr 127.0.0.1:21443 >"$work/before.log" 2>&1 &
pids+=($!); PID_B=$!
taskset -c 0 "$work/after" -quiet -h2c 127.0.0.1:22080 -addr 127.0.0.1:22443 >"$work/after.log" 2>&1 &
pids+=($!); PID_A=$!
for p in 21080 21443 22080 22443; do
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done

cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# run URL PID ARGS...: "req/s req-per-server-cpu-second"
run() {
  local url=$1 pid=$2; shift 2
  local t0 t1 out
  t0=$(cputicks "$pid")
  out=$(taskset -c 1 h2load -D "$DUR" "$@" "$url" 2>&1)
  t1=$(cputicks "$pid")
  local rps done_
  rps=$(sed -nE 's/^finished in .*, ([0-9.]+) req\/s.*/\1/p' <<<"$out")
  done_=$(sed -nE 's/^requests: .* ([0-9]+) succeeded.*/\1/p' <<<"$out")
  awk -v r="${rps:-0}" -v n="${done_:-0}" -v t=$((t1 - t0)) -v tck="$TCK" \
    'BEGIN{ c=t/tck; printf "%.0f %.0f\n", r, (c>0 ? n/c : 0) }'
}
best() { awk -v a="$1" -v b="$2" 'BEGIN{ split(a,x," "); split(b,y," ");
  printf "%s %s\n", (y[1]+0>x[1]+0?y[1]:x[1]), (y[2]+0>x[2]+0?y[2]:x[2]) }'; }

printf '%-28s %12s %12s %14s %14s %7s %7s\n' workload "before r/s" "after r/s" "before r/cpu-s" "after r/cpu-s" "r/s" "r/cpu"
row() { # row LABEL SCHEME PATH ARGS...
  local label=$1 scheme=$2 path=$3; shift 3
  local b="0 0" a="0 0" pb pa
  if [ "$scheme" = h2c ]; then pb="http://127.0.0.1:21080$path" pa="http://127.0.0.1:22080$path"
  else pb="https://127.0.0.1:21443$path" pa="https://127.0.0.1:22443$path"; fi
  for _ in $(seq "$ROUNDS"); do
    b=$(best "$b" "$(run "$pb" "$PID_B" "$@")")
    a=$(best "$a" "$(run "$pa" "$PID_A" "$@")")
  done
  read -r br bc <<<"$b"; read -r ar ac <<<"$a"
  awk -v l="$label" -v br="$br" -v bc="$bc" -v ar="$ar" -v ac="$ac" 'BEGIN{
    printf "%-28s %12d %12d %14d %14d %7.2f %7.2f\n", l, br, ar, bc, ac, (br>0?ar/br:0), (bc>0?ac/bc:0) }'
}
row "h2c 12 B -c10 -m32" h2c /hello.txt -c10 -m32
row "h2c 12 B -c100 -m10" h2c /hello.txt -c100 -m10
row "TLS 12 B -c10 -m32" tls /hello.txt -c10 -m32
row "h2c 1 MiB -c4 -m4" h2c /1m -c4 -m4
