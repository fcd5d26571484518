#!/usr/bin/env bash
# bench/h2/run.sh: h2load against h2demo, the Go net/http reference server
# (bench/h2/refserver) and Debian's nghttpd, all in the same run, each server pinned to
# CPU 0 and h2load pinned to CPU 1. Prints req/s, MB/s and the ratios against nghttpd and
# against Go net/http.
#
#   bench/h2/run.sh              # every workload, 3 rounds of 5 s each
#   DUR=10 bench/h2/run.sh       # longer runs
#   ONLY=h2c bench/h2/run.sh     # only the cleartext workloads (or ONLY=tls)
#   ROUNDS=5 bench/h2/run.sh     # more interleaved rounds (default 3)
#
# Each workload runs ROUNDS times against each server, interleaved (h2kit, nghttpd,
# Go, h2kit, ...), and the best round of each server is reported: on a shared
# machine, interference only ever lowers a result, so the best round is the
# closest to the server's capacity and interleaving exposes all three servers to
# the same conditions.
#
# A second table divides the work done by the CPU time the server process used
# during the run (utime+stime from /proc/PID/stat): requests (or MB) per second of
# server CPU, i.e. what the server would do on one dedicated core. It is much less
# sensitive to other load on the machine than raw throughput.
#
# Needs: go, h2load (Debian nghttp2-client), nghttpd (nghttp2-server), taskset
# (util-linux), openssl (for nghttpd's certificate). Every server is started on loopback
# ports and stopped by this script, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."

DUR=${DUR:-5}
ROUNDS=${ROUNDS:-3}
ONLY=${ONLY:-}
SRV_CPU=${SRV_CPU:-0}
CLI_CPU=${CLI_CPU:-1}
TCK=$(getconf CLK_TCK)

for tool in h2load nghttpd taskset openssl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool not found (Debian: nghttp2-client / nghttp2-server / util-linux / openssl)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "building h2demo and refserver..." >&2
go build -o "$work/h2demo" ./cmd/h2demo
go build -o "$work/refserver" ./bench/h2/refserver

# The same two resources everywhere: /hello.txt (12 bytes) and /1m (1 MiB).
mkdir -p "$work/root"
printf 'hello, world' >"$work/root/hello.txt"
head -c 1048576 /dev/zero | tr '\0' 'a' >"$work/root/1m"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1

# Ports: h2c / TLS for each server.
H2KIT_H2C=18080 H2KIT_TLS=18443 GO_H2C=19080 GO_TLS=19443 NG_H2C=20080 NG_TLS=20443

start() { # start NAME CMD...: run CMD pinned to the server CPU (taskset execs it: same PID)
  local name=$1; shift
  taskset -c "$SRV_CPU" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
# h2demo serves its embedded site from memory (/hello.txt and the generated /1m are
# the same bytes as the files nghttpd serves from $work/root); H2DEMO_ROOT=1 makes it
# serve $work/root from disk instead.
root_flag=()
[ -n "${H2DEMO_ROOT:-}" ] && root_flag=(-root "$work/root")
start h2demo "$work/h2demo" "${root_flag[@]}" -quiet \
  -h2c 127.0.0.1:$H2KIT_H2C -addr 127.0.0.1:$H2KIT_TLS -cert "$work/cert.pem" -key "$work/key.pem"
PID_H2KIT=${pids[-1]}
start refserver "$work/refserver" -h2c 127.0.0.1:$GO_H2C -addr 127.0.0.1:$GO_TLS
PID_GO=${pids[-1]}
start nghttpd-h2c nghttpd -a 127.0.0.1 -d "$work/root" --no-tls $NG_H2C
PID_NG_H2C=${pids[-1]}
start nghttpd-tls nghttpd -a 127.0.0.1 -d "$work/root" $NG_TLS "$work/key.pem" "$work/cert.pem"
PID_NG_TLS=${pids[-1]}

wait_port() {
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run.sh: nothing listening on port $1; server logs:" >&2
  tail -n 20 "$work"/*.log >&2
  exit 1
}
for p in $H2KIT_H2C $H2KIT_TLS $GO_H2C $GO_TLS $NG_H2C $NG_TLS; do wait_port "$p"; done

cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run URL PID ARGS...: one h2load run against the server with process PID; prints
# "req/s MB/s req-per-cpu-s MB-per-cpu-s", warning if any request failed.
run() {
  local url=$1 pid=$2; shift 2
  local out t0 t1
  t0=$(cputicks "$pid")
  out=$(taskset -c "$CLI_CPU" h2load -D "$DUR" "$@" "$url" 2>&1) || {
    echo "run.sh: h2load failed for $url: $out" >&2; echo "0 0 0 0"; return; }
  t1=$(cputicks "$pid")
  local line fin
  line=$(grep -E '^requests:' <<<"$out")
  fin=$(grep -E '^finished in' <<<"$out")
  local failed errored done_
  failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  errored=$(sed -E 's/.* ([0-9]+) errored.*/\1/' <<<"$line")
  done_=$(sed -E 's/.* ([0-9]+) succeeded.*/\1/' <<<"$line")
  if [ "$failed" != 0 ] || [ "$errored" != 0 ]; then
    echo "run.sh: $url: $line" >&2
  fi
  local rps mbs secs
  rps=$(sed -E 's/.*, ([0-9.]+) req\/s.*/\1/' <<<"$fin")
  secs=$(sed -E 's/^finished in ([0-9.]+)(m?s),.*/\1 \2/' <<<"$fin")
  mbs=$(sed -E 's/.* ([0-9.]+)([KMG]?)B\/s.*/\1 \2/' <<<"$fin")
  # Normalise throughput to MB/s, then derive the per-CPU-second figures.
  awk -v r="$rps" -v v="${mbs% *}" -v u="${mbs#* }" -v n="$done_" -v ticks=$((t1 - t0)) -v tck="$TCK" \
    -v s="${secs% *}" -v su="${secs#* }" 'BEGIN{
      if (u=="G") v*=1000; else if (u=="K") v/=1000; else if (u=="") v/=1000000
      if (su=="ms") s/=1000
      cpu = ticks / tck
      if (cpu <= 0) { printf "%.0f %.1f 0 0\n", r, v; exit }
      printf "%.0f %.1f %.0f %.1f\n", r, v, n/cpu, v*s/cpu }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "-" }'; }

# best OLD NEW FIELD: keeps OLD or NEW, whichever has the larger FIELD (1-based);
# per field, so the best throughput and the best efficiency may come from different rounds.
best() {
  awk -v a="$1" -v b="$2" 'BEGIN{ n=split(a, x, " "); split(b, y, " ");
    for (i=1; i<=n; i++) printf "%s%s", (y[i]+0 > x[i]+0 ? y[i] : x[i]), (i<n ? " " : "\n") }'
}

rows=()
row() { # row LABEL PROTO PATH ARGS...
  local label=$1 proto=$2 path=$3; shift 3
  local a="0 0 0 0" b="0 0 0 0" c="0 0 0 0" ua ub uc pb
  if [ "$proto" = h2c ]; then
    ua="http://127.0.0.1:$H2KIT_H2C$path" ub="http://127.0.0.1:$NG_H2C$path" uc="http://127.0.0.1:$GO_H2C$path" pb=$PID_NG_H2C
  else
    ua="https://127.0.0.1:$H2KIT_TLS$path" ub="https://127.0.0.1:$NG_TLS$path" uc="https://127.0.0.1:$GO_TLS$path" pb=$PID_NG_TLS
  fi
  for _ in $(seq "$ROUNDS"); do
    a=$(best "$a" "$(run "$ua" "$PID_H2KIT" "$@")")
    b=$(best "$b" "$(run "$ub" "$pb" "$@")")
    c=$(best "$c" "$(run "$uc" "$PID_GO" "$@")")
  done
  rows+=("$label|$proto|$path|$a|$b|$c")
}

for proto in h2c tls; do
  [ -n "$ONLY" ] && [ "$ONLY" != "$proto" ] && continue
  row "hello -c10 -m32" "$proto" /hello.txt -c10 -m32
  row "hello -c100 -m10" "$proto" /hello.txt -c100 -m10
  row "1MiB -c4 -m4" "$proto" /1m -c4 -m4
done

printf '\nThroughput (best of %s rounds of %ss)\n' "$ROUNDS" "$DUR"
printf '%-18s %-5s %12s %8s %12s %8s %12s %8s %7s %7s\n' workload proto \
  "h2kit req/s" "MB/s" "nghttpd" "MB/s" "Go" "MB/s" "vs ngh" "vs Go"
for r in "${rows[@]}"; do
  IFS='|' read -r label proto path a b c <<<"$r"
  read -r ar am _ _ <<<"$a"; read -r br bm _ _ <<<"$b"; read -r cr cm _ _ <<<"$c"
  k1=$ar k2=$br k3=$cr
  [ "$path" = /1m ] && k1=$am k2=$bm k3=$cm
  printf '%-18s %-5s %12s %8s %12s %8s %12s %8s %7s %7s\n' "$label" "$proto" \
    "$ar" "$am" "$br" "$bm" "$cr" "$cm" "$(ratio "$k1" "$k2")" "$(ratio "$k1" "$k3")"
done

printf '\nPer second of server CPU (requests or MB per CPU-second; best round)\n'
printf '%-18s %-5s %14s %14s %14s %7s %7s\n' workload proto "h2kit" "nghttpd" "Go" "vs ngh" "vs Go"
for r in "${rows[@]}"; do
  IFS='|' read -r label proto path a b c <<<"$r"
  read -r _ _ ar am <<<"$a"; read -r _ _ br bm <<<"$b"; read -r _ _ cr cm <<<"$c"
  unit=req
  if [ "$path" = /1m ]; then ar=$am br=$bm cr=$cm unit=MB; fi
  printf '%-18s %-5s %14s %14s %14s %7s %7s\n' "$label" "$proto" \
    "$ar $unit" "$br $unit" "$cr $unit" "$(ratio "$ar" "$br")" "$(ratio "$ar" "$cr")"
done
echo
echo "servers pinned to CPU $SRV_CPU, h2load to CPU $CLI_CPU; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
