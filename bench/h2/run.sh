#!/usr/bin/env bash
# bench/h2/run.sh: the HTTP server benchmark. h2kit (cmd/h2demo), nghttpd, h2o and
# Go net/http (bench/h2/refserver) in one run: from disk (the same files from the
# same directory), from memory (the engine workload), and memory per idle
# connection. Builds the servers and the harness (bench/h2/harness), runs the
# harness pinned to the client CPU, prints markdown on stdout and progress on
# stderr. See bench/h2/README.md.
#
#   bench/h2/run.sh                                 # DUR=5 ROUNDS=3 IDLE_N=1000
#   DUR=2 ROUNDS=1 ONLY=disk,h2c bench/h2/run.sh    # a smoke run
#   bench/h2/run.sh | tee /tmp/bench.md
#
# Needs: go, h2load (nghttp2-client), nghttpd (nghttp2-server), h2o, wrk, taskset
# (util-linux). Servers listen on free loopback ports and are killed (SIGKILL to
# their process group) at the end and on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI_CPU=${CLI_CPU:-1}
# The idle-connection measurement holds IDLE_N connections in the client and in
# each server; raise the soft limit to the hard one (the harness does it again,
# explicitly, so that the servers it starts inherit it).
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "building h2demo, refserver and the harness..." >&2
go build -o "$work/h2demo" ./cmd/h2demo
go build -o "$work/refserver" ./bench/h2/refserver
go build -o "$work/harness" ./bench/h2/harness
taskset -c "$CLI_CPU" "$work/harness" -h2demo "$work/h2demo" -refserver "$work/refserver" -work "$work"
