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
source bench/dev.sh
build_release fazhi fazhi-bench
start_dev disclosure
app_url=$(dev_value db.json applicationURL)
portal=$(dev_value dev.json portal_url)

echo "== machine: $(nproc) cores; PostgreSQL $("$(pg_config --bindir)/postgres" --version | awk '{print $3}')"
echo "== publishing for ${seconds}s (the server's own worker sequences the log)"
"$bin/fazhi-bench" disclosure-publish --url "$app_url" --secret-file .fazhi/secrets.key --seconds "$seconds"
echo "== inclusion proofs at $leaves leaves"
"$bin/fazhi-bench" disclosure-proofs --url "$app_url" --secret-file .fazhi/secrets.key --leaves "$leaves"
echo "== portal list page, $requests requests, 4 connections × 8 streams"
h2load -n "$requests" -c 4 -m 8 "$portal" | grep -E "^finished|^requests:|status codes|time for request|req/s"
