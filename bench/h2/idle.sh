#!/usr/bin/env bash
# bench/h2/idle.sh: memory per idle HTTP/2 connection. For h2demo (-root, files on
# disk), nghttpd (same directory) and Go net/http (bench/h2/refserver), over h2c and
# TLS, one server at a time: start it, open and close a warm-up batch of connections,
# read its RSS, open N connections with bench/h2/idleclient (one GET of /hello.txt
# each, then idle), wait SETTLE seconds, read its RSS again. Prints the RSS delta
# divided by N (VmRSS from /proc/PID/status), in KiB per connection, and the totals.
#
#   bench/h2/idle.sh                 # N=2000 SETTLE=3
#   N=4000 ONLY=h2c bench/h2/idle.sh # or ONLY=tls; SERVERS="h2demo nghttpd"
#
# Needs: go, nghttpd (Debian nghttp2-server), openssl. The client runs in its own
# process, so its memory is not counted.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-2000}
SETTLE=${SETTLE:-3}
WARM=${WARM:-100}
ONLY=${ONLY:-}
SERVERS=${SERVERS:-h2demo nghttpd go}
for tool in nghttpd openssl go; do
  command -v "$tool" >/dev/null 2>&1 || { echo "idle.sh: $tool not found (Debian: nghttp2-server / openssl)" >&2; exit 1; }
done
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((2 * N + 100)) ]; then
  ulimit -n $((2 * N + 100)) 2>/dev/null || { echo "idle.sh: ulimit -n $(ulimit -n) is too low for N=$N" >&2; exit 1; }
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "building h2demo, refserver and idleclient..." >&2
go build -o "$work/h2demo" ./cmd/h2demo
go build -o "$work/refserver" ./bench/h2/refserver
go build -o "$work/idleclient" ./bench/h2/idleclient
mkdir -p "$work/root"
printf 'hello, world' >"$work/root/hello.txt"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1

H2C=23080 TLSP=23443
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; } # KiB

wait_port() {
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "idle.sh: nothing listening on port $1" >&2
  exit 1
}

# clients ADDR TLSFLAG COUNT: open COUNT connections, wait until all are idle after
# their request, and leave them open; sets CLIENT_PID and CLIENT_IN (its stdin).
clients() {
  local addr=$1 tlsflag=$2 count=$3
  mkfifo "$work/in.$count.$$" 2>/dev/null || true
  "$work/idleclient" -addr "$addr" $tlsflag -n "$count" <"$work/in.$count.$$" >"$work/client.out" &
  CLIENT_PID=$!
  exec {CLIENT_IN}>"$work/in.$count.$$"
  for _ in $(seq 600); do
    grep -q '^ready' "$work/client.out" 2>/dev/null && return 0
    kill -0 "$CLIENT_PID" 2>/dev/null || { echo "idle.sh: idleclient failed against $addr" >&2; exit 1; }
    sleep 0.1
  done
  echo "idle.sh: idleclient did not finish against $addr" >&2
  exit 1
}
close_clients() {
  exec {CLIENT_IN}>&-
  wait "$CLIENT_PID" || true
  rm -f "$work"/in.*
}

# measure NAME PROTO: one server, one protocol; prints a result line.
measure() {
  local name=$1 proto=$2 port tlsflag=""
  case $proto in h2c) port=$H2C ;; tls) port=$TLSP tlsflag=-tls ;; esac
  case $name in
  h2demo) "$work/h2demo" -quiet -root "$work/root" -h2c 127.0.0.1:$H2C -addr 127.0.0.1:$TLSP \
            -cert "$work/cert.pem" -key "$work/key.pem" >"$work/srv.log" 2>&1 & ;;
  go) "$work/refserver" -h2c 127.0.0.1:$H2C -addr 127.0.0.1:$TLSP >"$work/srv.log" 2>&1 & ;;
  nghttpd)
    if [ "$proto" = h2c ]; then nghttpd -a 127.0.0.1 -d "$work/root" --no-tls $port >"$work/srv.log" 2>&1 &
    else nghttpd -a 127.0.0.1 -d "$work/root" $port "$work/key.pem" "$work/cert.pem" >"$work/srv.log" 2>&1 &
    fi ;;
  esac
  local pid=$!
  pids+=("$pid")
  wait_port "$port"
  clients "127.0.0.1:$port" "$tlsflag" "$WARM"
  close_clients
  sleep 1
  local r0 r1
  r0=$(rss "$pid")
  clients "127.0.0.1:$port" "$tlsflag" "$N"
  sleep "$SETTLE"
  r1=$(rss "$pid")
  close_clients
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v s="$name" -v p="$proto" -v a="$r0" -v b="$r1" -v n="$N" 'BEGIN{
    printf "%-8s %-4s %10d %10d %12.1f %10.1f\n", s, p, a, b, (b-a)/n, (b-a)/1024 }'
}

echo "N=$N idle connections, one GET each; RSS in KiB (VmRSS), settle ${SETTLE}s"
printf '%-8s %-4s %10s %10s %12s %10s\n' server proto "RSS before" "RSS after" "KiB/conn" "MiB total"
for proto in h2c tls; do
  [ -n "$ONLY" ] && [ "$ONLY" != "$proto" ] && continue
  for s in $SERVERS; do measure "$s" "$proto"; done
done
