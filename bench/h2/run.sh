#!/usr/bin/env bash
# bench/h2/run.sh: h2load against h2demo, the Go net/http reference server
# (bench/h2/refserver) and Debian's nghttpd, all in the same run, each server pinned to
# CPU 0 and h2load pinned to CPU 1. Prints req/s, MB/s and the ratios against nghttpd and
# against Go net/http.
#
#   bench/h2/run.sh              # every workload, 5 s each
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

start() { # start NAME CMD...: run CMD pinned to the server CPU, remember its pid
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
start refserver "$work/refserver" -h2c 127.0.0.1:$GO_H2C -addr 127.0.0.1:$GO_TLS
start nghttpd-h2c nghttpd -a 127.0.0.1 -d "$work/root" --no-tls $NG_H2C
start nghttpd-tls nghttpd -a 127.0.0.1 -d "$work/root" $NG_TLS "$work/key.pem" "$work/cert.pem"

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

# run URL ARGS...: one h2load run; prints "req/s MB/s" or fails if any request failed.
run() {
  local url=$1; shift
  local out
  out=$(taskset -c "$CLI_CPU" h2load -D "$DUR" --warm-up-time=1 "$@" "$url" 2>&1) || {
    echo "run.sh: h2load failed for $url: $out" >&2; echo "0 0"; return; }
  local line fin
  line=$(grep -E '^requests:' <<<"$out")
  fin=$(grep -E '^finished in' <<<"$out")
  local failed errored
  failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  errored=$(sed -E 's/.* ([0-9]+) errored.*/\1/' <<<"$line")
  if [ "$failed" != 0 ] || [ "$errored" != 0 ]; then
    echo "run.sh: $url: $line" >&2
  fi
  local rps mbs
  rps=$(sed -E 's/.*, ([0-9.]+) req\/s.*/\1/' <<<"$fin")
  mbs=$(sed -E 's/.* ([0-9.]+)([KMG]?)B\/s.*/\1 \2/' <<<"$fin")
  # Normalise throughput to MB/s.
  mbs=$(awk -v v="${mbs% *}" -v u="${mbs#* }" 'BEGIN{ if(u=="G")v*=1000; else if(u=="K")v/=1000; else if(u=="")v/=1000000; printf "%.1f", v }')
  echo "$rps $mbs"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "-" }'; }

printf '\n%-24s %-8s %14s %10s %14s %10s %14s %10s %8s %8s\n' workload proto \
  "h2kit req/s" "MB/s" "nghttpd req/s" "MB/s" "Go req/s" "MB/s" "vs ngh" "vs Go"
# best OLD NEW KEYFIELD: keeps the "req/s MB/s" pair with the larger KEYFIELD (1 or 2).
best() {
  awk -v a="$1" -v b="$2" -v k="$3" 'BEGIN{ split(a, x, " "); split(b, y, " "); if (y[k]+0 > x[k]+0) print b; else print a }'
}

row() { # row LABEL PROTO PATH ARGS...
  local label=$1 proto=$2 path=$3; shift 3
  local a="0 0" b="0 0" c="0 0" k=1 ua ub uc
  [ "$path" = /1m ] && k=2
  if [ "$proto" = h2c ]; then
    ua="http://127.0.0.1:$H2KIT_H2C$path" ub="http://127.0.0.1:$NG_H2C$path" uc="http://127.0.0.1:$GO_H2C$path"
  else
    ua="https://127.0.0.1:$H2KIT_TLS$path" ub="https://127.0.0.1:$NG_TLS$path" uc="https://127.0.0.1:$GO_TLS$path"
  fi
  for _ in $(seq "$ROUNDS"); do
    a=$(best "$a" "$(run "$ua" "$@")" $k)
    b=$(best "$b" "$(run "$ub" "$@")" $k)
    c=$(best "$c" "$(run "$uc" "$@")" $k)
  done
  read -r ar am <<<"$a"; read -r br bm <<<"$b"; read -r cr cm <<<"$c"
  local key=$ar other=$br otherc=$cr
  if [ "$path" = /1m ]; then key=$am other=$bm otherc=$cm; fi
  printf '%-24s %-8s %14s %10s %14s %10s %14s %10s %8s %8s\n' "$label" "$proto" \
    "$ar" "$am" "$br" "$bm" "$cr" "$cm" "$(ratio "$key" "$other")" "$(ratio "$key" "$otherc")"
}

for proto in h2c tls; do
  [ -n "$ONLY" ] && [ "$ONLY" != "$proto" ] && continue
  row "hello -c10 -m32" "$proto" /hello.txt -c10 -m32
  row "hello -c100 -m10" "$proto" /hello.txt -c100 -m10
  row "1MiB -c4 -m4" "$proto" /1m -c4 -m4
done
echo
echo "ratios: small GETs compare req/s, 1 MiB compares MB/s; servers pinned to CPU $SRV_CPU, h2load to CPU $CLI_CPU;"
echo "best of $ROUNDS interleaved rounds of ${DUR}s (after 1 s warm-up) per server; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
