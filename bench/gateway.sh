#!/usr/bin/env bash
# Benchmarks WhoAmI over TLS at 32 concurrent streams with h2load (nghttp2-client), next to
# pgbench running the same SQL (the session lookup and the audit row) at the same
# concurrency, on the same throwaway `fazhi dev` instance.
#   bench/gateway.sh [requests=200000]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
requests=${1:-200000}
command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 1; }
source bench/dev.sh
build_release fazhi
start_dev gw
address=$(dev_value dev.json grpc_address)
export XDG_CONFIG_HOME="$work/config"
"$fazhi" login >/dev/null
token=$(python3 -c "import json; print(json.load(open('$work/config/fazhi/session.json'))['token'])")

echo "== machine: $(nproc) cores; PostgreSQL $("$(pg_config --bindir)/postgres" --version | awk '{print $3}')"
echo "== WhoAmI over TLS, 32 concurrent streams (h2load -c 4 -m 8), $requests requests"
printf '\x00\x00\x00\x00\x00' > whoami.bin   # one gRPC frame: uncompressed, empty WhoAmIRequest
h2load_args=(-c 4 -m 8 -t 2 -H 'content-type: application/grpc' -H 'te: trailers' -H "authorization: Bearer $token" -d whoami.bin)
h2load -n 2000 "${h2load_args[@]}" "https://$address/fazhi.v1.AuthService/WhoAmI" >/dev/null   # warm-up
h2load -n "$requests" "${h2load_args[@]}" --log-file=h2load.log "https://$address/fazhi.v1.AuthService/WhoAmI" \
  | grep -E "^finished|^requests:|^status codes"
python3 - h2load.log <<'PY'
import sys
durations = sorted(int(line.split()[2]) for line in open(sys.argv[1]) if line.strip())
def pct(p): return durations[min(len(durations) - 1, int(len(durations) * p))] / 1000
print(f"latency: p50 {pct(0.50):.2f} ms, p99 {pct(0.99):.2f} ms ({len(durations)} requests)")
PY
# h2load counts HTTP 200, which gRPC also sends with an error status: count the real outcomes.
# The cluster's superuser (the postgres OS user, over the socket) reads past row-level security.
super_url=$(superuser_url)
echo "grpc-status OK per the audit log: $(psql -X -qAt "$super_url" \
  -c "SELECT count(*) FILTER (WHERE status = 'OK') || ' of ' || count(*) FROM agency_audit_log WHERE method = 'fazhi.v1.AuthService/WhoAmI'")"

echo "== pgbench: the same SQL (session lookup transaction, then the audit row), 32 clients"
app_url=$(dev_value db.json applicationURL)
agency=$(psql -X -qAt "$super_url" -c "SELECT id FROM agencies WHERE code = '411202-MZ'")
read -r user_id token_hash < <(psql -X -qAt -F ' ' "$super_url" -c \
  "SELECT user_id, encode(token_hash, 'hex') FROM sessions ORDER BY created_at DESC LIMIT 1")
cat > whoami.sql <<SQL
BEGIN READ ONLY;
SELECT set_config('fazhi.agency_id', :agency, true);
SELECT d.key, coalesce(o.value, d.value) FROM setting_defaults d LEFT JOIN agency_settings o ON o.key = d.key AND o.agency_id = :agency::uuid;
SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.ended_at, u.id, u.username, u.display_name, u.password_hash, u.created_at, u.disabled_at, coalesce(array_agg(g.role ORDER BY g.role) FILTER (WHERE g.role IS NOT NULL), '{}'), (SELECT o.id FROM officers o WHERE o.agency_id = s.agency_id AND o.user_id = s.user_id) FROM sessions s LEFT JOIN users u ON u.agency_id = s.agency_id AND u.id = s.user_id LEFT JOIN role_grants g ON g.agency_id = u.agency_id AND g.user_id = u.id WHERE s.agency_id = :agency::uuid AND s.token_hash = decode(:tokenhash, 'hex') GROUP BY s.agency_id, s.id, u.agency_id, u.id;
COMMIT;
BEGIN;
SELECT set_config('fazhi.agency_id', :agency, true);
INSERT INTO agency_audit_log (agency_id, at, user_id, username, roles, method, target_ids, status, reason, peer, request_id, duration_us) VALUES (:agency::uuid, now(), :userid::uuid, 'admin', '{admin}', 'fazhi.v1.AuthService/WhoAmI', '{}', 'OK', NULL, 'pgbench', 'pgbench', 100);
COMMIT;
SQL
pgbench -n -M prepared -c 32 -j 2 -t $((requests / 32)) -f whoami.sql \
  -D agency="$agency" -D userid="$user_id" -D tokenhash="$token_hash" "$app_url" 2>&1 | grep -E "^tps|latency average"
