#!/usr/bin/env bash
# Benchmarks the PostgreSQL client against PostgreSQL's own tools on one throwaway
# cluster, in one run: pgbench -S vs point SELECTs through the pool, psql \copy vs
# copyIn/copyOut (1 GiB each way), and pipeline mode vs one-by-one inserts.
#   bench/postgres.sh [seconds=30] [copy MiB=1024]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
copy_mib=${2:-1024}
bin=$(pg_config --bindir)
work=$(mktemp -d /tmp/fazhi-bench-XXXXXX)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work"
cleanup() { as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

swift build -c release --static-swift-stdlib --product fazhi-bench >/dev/null
bench=$(swift build -c release --static-swift-stdlib --show-bin-path)/fazhi-bench

as_pg "$bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-c listen_addresses='' -c unix_socket_directories='$work' -c port=5433 -c max_connections=100 -c shared_buffers=512MB" start >/dev/null
url="postgresql://postgres@/postgres?host=$work&port=5433"
psql=(psql -X -q -h "$work" -p 5433 -U postgres -d postgres)

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; PostgreSQL $("$bin/postgres" --version | awk '{print $3}')"
pgbench -i -q -s 10 -h "$work" -p 5433 -U postgres postgres >/dev/null 2>&1

echo "== point SELECT by primary key, 16 concurrent clients, ${seconds}s each"
# The machine's speed drifts by ±10% within minutes, so the three runs take turns in
# slices of 5 seconds (pgbench, the pool on Swift's pool, the pool on the event loops),
# and each total is summed over its slices. CPU per query is the client's own (user +
# system; pgbench's from /usr/bin/time).
slice=5
rounds=$(( (seconds + slice - 1) / slice ))
results="$work/point-select.txt"
: > "$results"
for round in $(seq 1 "$rounds"); do
  { /usr/bin/time -f "cpu %U %S" pgbench -S -M prepared -c 16 -j 2 -T "$slice" -h "$work" -p 5433 -U postgres postgres; } 2>&1 |
    awk -v r="$round" '/actually processed/ { n = $NF } /^tps/ { tps = $3 } /^cpu/ { cpu = $2 + $3 }
         END { printf "pgbench %d %d %.3f %.3f\n", r, n, n / tps, cpu }' >> "$results"
  for mode in default event-loop; do
    flag=(); [ "$mode" = event-loop ] && flag=(--event-loop)
    "$bench" point-select --url "$url" --tasks 16 --seconds "$slice" "${flag[@]}" |
      awk -v r="$round" -v m="$mode" '{ printf "%s %d %d %s %.3f\n", m, r, $2, $5, $2 * $(NF - 3) / 1000000 }' >> "$results"
  done
done
awk '{ n[$1] += $3; t[$1] += $4; cpu[$1] += $5; rate[$1 " " $2] = $3 / $4 }
     END {
       base = n["pgbench"] / t["pgbench"]
       printf "pgbench -S -M prepared -c 16 -j 2: %.0f per second, client CPU %.1f µs per query\n", base, cpu["pgbench"] / n["pgbench"] * 1e6
       split("default event-loop", modes, " ")
       for (i = 1; i <= 2; i++) {
         m = modes[i]
         printf "point-select through the pool (%s): %.0f per second, client CPU %.1f µs per query, ratio %.2f\n", m, n[m] / t[m], cpu[m] / n[m] * 1e6, n[m] / t[m] / base
       }
       printf "ratio per slice (event loop):"
       for (r = 1; ("pgbench " r) in rate; r++) printf " %.2f", rate["event-loop " r] / rate["pgbench " r]
       printf "\n"
     }' "$results"

echo "== COPY of ${copy_mib} MiB each way"
"${psql[@]}" -c "CREATE UNLOGGED TABLE copy_a (line text); CREATE UNLOGGED TABLE copy_b (line text)"
"${psql[@]}" -c "INSERT INTO copy_a SELECT repeat('法治', 170) FROM generate_series(1, $copy_mib * 1024)"
# Freshly inserted rows get their hint bits on the first read, which dirties every page
# and would tax whichever COPY reads the table first.
"${psql[@]}" -c "VACUUM (FREEZE) copy_a" -c "CHECKPOINT"
# The file both COPY FROMs read, written once untimed; its checksum is what both COPY TOs
# must reproduce.
data="$work/copy.txt"
"${psql[@]}" -c "\\copy copy_a TO '$data'"
size=$(stat -c %s "$data")
reference=$(sha256sum < "$data")
rate() { awk -v s="$2" -v e="$3" -v b="$size" -v w="$1" 'BEGIN { printf "%s %.0f MiB in %.1f s: %.0f MiB/s\n", w, b/1048576, e-s, b/1048576/(e-s) }'; }
# Every timed COPY starts from a synced page cache holding no output of an earlier run: a
# 1 GiB file left behind (even clean) slows the writes of the run after it severalfold.
sync
start=$(date +%s.%N); "${psql[@]}" -c "\\copy copy_b FROM '$data'"; end=$(date +%s.%N)
rate "psql \\copy from:" "$start" "$end"
"${psql[@]}" -c "TRUNCATE copy_b"
sync
"$bench" copy-in --url "$url" --table copy_b --file "$data"
rm -f "$data"
sync
start=$(date +%s.%N); "${psql[@]}" -c "\\copy copy_a TO '$work/out.txt'"; end=$(date +%s.%N)
rate "psql \\copy to:  " "$start" "$end"
[ "$(sha256sum < "$work/out.txt")" = "$reference" ] || echo "psql's COPY TO differs from the first one"
rm -f "$work/out.txt"
sync
"$bench" copy-out --url "$url" --table copy_a --file "$work/out.txt"
if [ "$(sha256sum < "$work/out.txt")" = "$reference" ]; then echo "copy-out file identical to psql's"; else echo "copy-out file DIFFERS from psql's"; fi
rm -f "$work/out.txt"

echo "== inserts: pipeline mode vs one by one (one transaction each)"
"$bench" inserts --url "$url" --rows 20000
