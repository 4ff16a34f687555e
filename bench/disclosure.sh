#!/usr/bin/env bash
# Benchmarks the disclosure log and the portal on a throwaway `fazhi dev` (release build):
#   1. sustained publishing with the sequencer running, and each entry's wait for a signed
#      checkpoint that includes it;
#   2. inclusion-proof latency once the log holds LEAVES leaves (grown in SQL, sequenced by
#      the real sequencer, every timed proof verified);
#   3. the portal's list page at 32 concurrent streams with h2load (4 TLS connections × 8).
#   bench/disclosure.sh [publish seconds=20] [leaves=1000000] [portal requests=20000]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
seconds=${1:-20}
leaves=${2:-1000000}
requests=${3:-20000}
command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 1; }
swift build -c release --static-swift-stdlib --product fazhi >/dev/null
swift build -c release --static-swift-stdlib --product fazhi-bench >/dev/null
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)

work=$(mktemp -d /tmp/fazhi-disclosure-bench-XXXXXX)
chmod 755 "$work"
cd "$work"
cleanup() {
  [ -n "${dev:-}" ] && kill -TERM "$dev" 2>/dev/null && wait "$dev" 2>/dev/null || true
  "$bin/fazhi" db stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

FAZHI_SQL_DIR="$repo/sql" "$bin/fazhi" dev --no-demo --port 0 --mtls-port 0 --metrics-port 0 --portal-port 0 > dev.log 2>&1 &
dev=$!
for _ in $(seq 1 120); do grep -q ready dev.log && break; sleep 1; done
grep -q ready dev.log || { cat dev.log; exit 1; }
app_url=$(python3 -c "import json; print(json.load(open('.fazhi/db.json'))['applicationURL'])")
portal=$(python3 -c "import json; print(json.load(open('.fazhi/dev.json'))['portal_url'])")

echo "== machine: $(nproc) cores; PostgreSQL $("$(pg_config --bindir)/postgres" --version | awk '{print $3}')"
echo "== publishing for ${seconds}s (the server's own worker sequences the log)"
"$bin/fazhi-bench" disclosure-publish --url "$app_url" --secret-file .fazhi/secrets.key --seconds "$seconds"
echo "== inclusion proofs at $leaves leaves"
"$bin/fazhi-bench" disclosure-proofs --url "$app_url" --secret-file .fazhi/secrets.key --leaves "$leaves"
echo "== portal list page, $requests requests, 4 connections × 8 streams"
h2load -n "$requests" -c 4 -m 8 "$portal" | grep -E "^finished|^requests:|status codes|time for request|req/s"
