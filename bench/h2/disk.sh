#!/usr/bin/env bash
# bench/h2/disk.sh: like for like from disk. h2demo -root (the static package with its
# open-file cache), nghttpd -d and h2o file.dir serve the same 12-byte file from the same
# directory, h2c with prior knowledge; each server pinned to CPU 0 (h2o with one thread),
# h2load pinned to CPU 1, rounds interleaved, best round kept. Prints req/s and requests
# per second of server CPU (utime+stime from /proc/PID/stat), and the ratios to h2o.
#
#   bench/h2/disk.sh                      # ROUNDS=3 DUR=5, h2load -c10 -m32
#   H2LOAD_ARGS="-c100 -m10" bench/h2/disk.sh
#   SCHEME=tls bench/h2/disk.sh           # TLS (ALPN h2) instead of h2c
#   FILE=1m H2LOAD_ARGS="-c4 -m4" bench/h2/disk.sh   # a 1 MiB file
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR=${DUR:-5}
ROUNDS=${ROUNDS:-3}
SCHEME=${SCHEME:-h2c}
FILE=${FILE:-hello.txt}
read -r -a LOAD <<<"${H2LOAD_ARGS:--c10 -m32}"
TCK=$(getconf CLK_TCK)
for tool in h2load nghttpd h2o taskset go openssl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "disk.sh: $tool not found (Debian: nghttp2-client nghttp2-server h2o util-linux)" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  # h2o shuts down gracefully on SIGTERM and may hold its port a while: KILL,
  # with its helper process, so the next run does not meet a stale server.
  for p in "${pids[@]}"; do pkill -KILL -P "$p" 2>/dev/null || true; kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkdir -p "$work/root"
printf 'hello, world' >"$work/root/hello.txt"
head -c 1048576 /dev/urandom >"$work/root/1m"
[ -f "$work/root/$FILE" ] || { echo "disk.sh: FILE is hello.txt or 1m" >&2; exit 1; }
# TLS: one throw-away certificate for nghttpd and h2o (h2demo makes its own).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
# h2o started as root serves as user nobody: the files must be readable by all.
chmod -R a+rX "$work"
go build -o "$work/h2demo" ./cmd/h2demo
cat >"$work/h2o.conf" <<CONF
num-threads: 1
listen:
  host: 127.0.0.1
  port: 23080
listen:
  host: 127.0.0.1
  port: 23443
  ssl:
    certificate-file: $work/cert.pem
    key-file: $work/key.pem
hosts:
  default:
    paths:
      /:
        file.dir: $work/root
CONF
if [ "$SCHEME" = tls ]; then
  taskset -c 0 "$work/h2demo" -quiet -root "$work/root" -addr 127.0.0.1:21443 -h2c "" >"$work/h2demo.log" 2>&1 &
  pids+=($!); PID_K=$!
  taskset -c 0 nghttpd -a 127.0.0.1 -d "$work/root" 22443 "$work/key.pem" "$work/cert.pem" >"$work/nghttpd.log" 2>&1 &
  pids+=($!); PID_N=$!
  PORTS=(21443 22443 23443); URL=https
else
  taskset -c 0 "$work/h2demo" -quiet -root "$work/root" -addr "" -h2c 127.0.0.1:21080 >"$work/h2demo.log" 2>&1 &
  pids+=($!); PID_K=$!
  taskset -c 0 nghttpd -a 127.0.0.1 -d "$work/root" --no-tls 22080 >"$work/nghttpd.log" 2>&1 &
  pids+=($!); PID_N=$!
  PORTS=(21080 22080 23080); URL=http
fi
taskset -c 0 h2o -c "$work/h2o.conf" >"$work/h2o.log" 2>&1 &
pids+=($!); PID_O=$!
for p in "${PORTS[@]}"; do
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done
for p in $PID_K $PID_N $PID_O; do
  kill -0 "$p" 2>/dev/null || { echo "disk.sh: a server did not start (port taken?):" >&2; tail -n 5 "$work"/*.log >&2; exit 1; }
done
# The server process and its children (h2o starts a helper process).
cputicks() { local t=0 p; for p in "$1" $(pgrep -P "$1"); do
  t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
run() { # run PORT PID -> "req/s req-per-cpu-s"
  local t0 t1 out rps n
  t0=$(cputicks "$2")
  out=$(taskset -c 1 h2load -D "$DUR" "${LOAD[@]}" "$URL://127.0.0.1:$1/$FILE" 2>&1)
  t1=$(cputicks "$2"); [ -n "${DEBUG:-}" ] && echo "port $1 pid $2 ticks $t0..$t1 $(grep -E "^requests:" <<<"$out")" >&2
  rps=$(sed -nE 's/^finished in .*, ([0-9.]+) req\/s.*/\1/p' <<<"$out")
  n=$(sed -nE 's/^requests: .* ([0-9]+) succeeded.*/\1/p' <<<"$out")
  if ! grep -qE '^requests: .* 0 failed, 0 errored' <<<"$out"; then
    echo "disk.sh: port $1: $(grep -E '^requests:' <<<"$out")" >&2; exit 1
  fi
  awk -v r="${rps:-0}" -v n="${n:-0}" -v t=$((t1 - t0)) -v tck="$TCK" 'BEGIN{ c=t/tck; printf "%.0f %.0f\n", r, (c>0?n/c:0) }'
}
best() { awk -v a="$1" -v b="$2" 'BEGIN{ split(a,x," "); split(b,y," ");
  printf "%s %s\n", (y[1]+0>x[1]+0?y[1]:x[1]), (y[2]+0>x[2]+0?y[2]:x[2]) }'; }
k="0 0" n="0 0" o="0 0"
for _ in $(seq "$ROUNDS"); do
  k=$(best "$k" "$(run "${PORTS[0]}" $PID_K)"); n=$(best "$n" "$(run "${PORTS[1]}" $PID_N)"); o=$(best "$o" "$(run "${PORTS[2]}" $PID_O)")
done
echo "h2load ${LOAD[*]}, /$FILE ($(stat -c %s "$work/root/$FILE") bytes) from disk, $SCHEME, best of $ROUNDS x ${DUR}s"
printf '%-10s %10s %14s %10s %12s\n' server "req/s" "req/cpu-s" "vs h2o" "cpu vs h2o"
read -r or oc <<<"$o"
for s in "h2kit:$k" "nghttpd:$n" "h2o:$o"; do
  name=${s%%:*}; read -r r c <<<"${s#*:}"
  awk -v nm="$name" -v r="$r" -v c="$c" -v or="$or" -v oc="$oc" 'BEGIN{
    printf "%-10s %10d %14d %10.2f %12.2f\n", nm, r, c, (or>0?r/or:0), (oc>0?c/oc:0) }'
done
