#!/usr/bin/env bash
# Compares two builds of Fazhi on one machine, against the same cluster, taking turns so
# the machine's drift falls on both alike:
#   - WhoAmI over TLS (h2load, 32 streams) against each build's server, in alternating
#     rounds on one `fazhi dev` database, and the server's instructions per call
#     (valgrind callgrind, counters zeroed after warm-up: repeatable on a noisy machine);
#   - point SELECTs through each build's PostgreSQL client (fazhi-bench, 16 tasks),
#     alternating, and the client's instructions per query under callgrind.
#   bench/compare.sh OLD_DIR NEW_DIR [rounds=4] [requests=40000]
# PARTS (default "whoami calls select queries") picks what runs: the WhoAmI turns, the
# server's instructions per call, the point SELECT turns, the client's per query.
# Each directory holds a release `fazhi` and `fazhi-bench`; build an older revision with
#   git checkout --detach REV && swift build -c release --static-swift-stdlib --product fazhi
#   (and --product fazhi-bench), copy both from `--show-bin-path`, then git checkout main.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
old=$(realpath "$1")
new=$(realpath "$2")
rounds=${3:-4}
requests=${4:-40000}
parts=" ${PARTS:-whoami calls select queries} "
runs() { [[ "$parts" == *" $1 "* ]]; }
for tool in h2load valgrind callgrind_control; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install nghttp2-client valgrind)" >&2; exit 1; }
done
source bench/dev.sh
fazhi=$new/fazhi
start_dev compare
kill -TERM "$dev"; wait "$dev" 2>/dev/null || true   # keep the cluster; each round starts a server on it
dev=
export XDG_CONFIG_HOME="$work/config"
printf '\x00\x00\x00\x00\x00' > whoami.bin   # one gRPC frame: uncompressed, empty WhoAmIRequest

# Starts BUILD's server on the shared database (optionally under valgrind: $2) and waits.
serve() {
  : > dev.log
  FAZHI_SQL_DIR="$repo/sql" ${2:-} "$1/fazhi" dev --no-demo --port 0 --mtls-port 0 --metrics-port 0 --portal-port 0 > dev.log 2>&1 &
  dev=$!
  for _ in $(seq 1 600); do grep -q ready dev.log && break; sleep 1; done
  grep -q ready dev.log || { cat dev.log; exit 1; }
  address=$(dev_value dev.json grpc_address)
}
halt() { kill -TERM "$dev" 2>/dev/null; wait "$dev" 2>/dev/null || true; dev=; }
whoami() {  # $1 requests; prints requests per second
  local token
  token=$(python3 -c "import json; print(json.load(open('$work/config/fazhi/session.json'))['token'])")
  h2load -n "$1" -c 4 -m 8 -t 2 -H 'content-type: application/grpc' -H 'te: trailers' -H "authorization: Bearer $token" \
    -d whoami.bin "https://$address/fazhi.v1.AuthService/WhoAmI" | awk '/^finished/ {print $4}'
}

# The median rate of each build from lines "round N old|new RATE" in FILE: medians LABEL FILE.
medians() {
  python3 - "$1" "$2" <<'PY'
import sys, statistics
rates = {"old": [], "new": []}
for line in open(sys.argv[2]):
    _, _, name, rate = line.split()
    rates[name].append(float(rate))
old, new = statistics.median(rates["old"]), statistics.median(rates["new"])
print(f"{sys.argv[1]} median: old {old:.0f}/s, new {new:.0f}/s, new/old {new / old:.3f}")
PY
}

echo "== machine: $(nproc) cores; PostgreSQL $("$(pg_config --bindir)/postgres" --version | awk '{print $3}')"
echo "== old: $old; new: $new"
serve "$new"
"$new/fazhi" login >/dev/null
halt
if runs whoami; then
echo "== WhoAmI over TLS, 32 streams, $requests requests per turn, $rounds rounds (old, new; then new, old)"
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then order=("$old" "$new"); else order=("$new" "$old"); fi
  for build in "${order[@]}"; do
    serve "$build"
    whoami 2000 >/dev/null   # warm-up
    rate=$(whoami "$requests")
    halt
    name=$([ "$build" = "$old" ] && echo old || echo new)
    echo "round $round $name $rate"
  done
done | tee whoami.txt
medians WhoAmI whoami.txt
fi

# valgrind cannot read the DWARF 5 the Swift toolchain writes; copies without debug
# information keep their symbols and run the same code.
url=$(superuser_url)
pgbench -i -q -s 10 "$url" >/dev/null 2>&1   # the table the point SELECTs read
plain() { if [ "$1" = "$old" ]; then echo "$work/plain-old"; else echo "$work/plain-new"; fi; }
for build in "$old" "$new"; do
  mkdir -p "$(plain "$build")"
  objcopy --strip-debug "$build/fazhi" "$(plain "$build")/fazhi"
  objcopy --strip-debug "$build/fazhi-bench" "$(plain "$build")/fazhi-bench"
done

if runs calls; then
echo "== server instructions per WhoAmI (callgrind; counters zeroed after 500 warm-up calls; 2000 calls)"
for build in "$old" "$new"; do
  name=$([ "$build" = "$old" ] && echo old || echo new)
  serve "$(plain "$build")" "valgrind --tool=callgrind --callgrind-out-file=$work/callgrind.$name.%p --dump-instr=no -q"
  whoami 500 >/dev/null
  callgrind_control -z "$dev" >/dev/null 2>&1 || callgrind_control -z >/dev/null
  whoami 2000 >/dev/null
  callgrind_control -d "$dev" >/dev/null 2>&1 || callgrind_control -d >/dev/null
  sleep 1
  halt
  latest=$(ls "$work"/callgrind."$name".*.1)   # the explicit dump; the file without .1 is the shutdown
  total=$(callgrind_annotate "$latest" 2>/dev/null | awk '/PROGRAM TOTALS/ && !seen {gsub(",", "", $1); print $1; seen = 1}')
  echo "$name $(( total / 2000 )) instructions per call"
done | tee instructions.txt
fi

if runs select; then
echo "== point SELECT through the client, 16 tasks, 5 s per turn, $rounds rounds"
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then order=("$old" "$new"); else order=("$new" "$old"); fi
  for build in "${order[@]}"; do
    name=$([ "$build" = "$old" ] && echo old || echo new)
    echo "round $round $name $("$build/fazhi-bench" point-select --url "$url" --tasks 16 --seconds 5 | sed -E 's/.*: ([0-9]+) per second.*/\1/')"
  done
done | tee select.txt
medians "point SELECT" select.txt
fi
if runs queries; then
echo "== client instructions per point SELECT (callgrind, 1 task, 10 s; whole process over queries)"
for build in "$old" "$new"; do
  name=$([ "$build" = "$old" ] && echo old || echo new)
  queries=$(valgrind --tool=callgrind --callgrind-out-file="$work/select.$name" -q "$(plain "$build")/fazhi-bench" point-select \
    --url "$url" --tasks 1 --seconds 10 | sed -E 's/.*: ([0-9]+) queries.*/\1/')
  total=$(callgrind_annotate "$work/select.$name" 2>/dev/null | awk '/PROGRAM TOTALS/ && !seen {gsub(",", "", $1); print $1; seen = 1}')
  echo "$name $(( total / queries )) instructions per query ($queries queries)"
done
fi
