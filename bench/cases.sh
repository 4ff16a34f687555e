#!/usr/bin/env bash
# Benchmarks recording case steps over TLS: 32 clients, each working cases of its own
# (a new one every 10 steps), where officer A takes a step naming A and B (both officers'
# authority checked, a record entry, an audit row, an idempotency key) and B confirms it.
# Next to it, in the same run, pgbench runs the same SQL statements (each call's
# transactions, for an investigation step) at 32 clients.
#   bench/cases.sh [seconds=30]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
seconds=${1:-30}
source bench/dev.sh
build_release fazhi fazhi-bench
start_dev case
address=$(dev_value dev.json grpc_address)
ca=$(dev_value dev.json ca_file)
as() { XDG_CONFIG_HOME="$work/config-$1" "${@:2}"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[0]['$1'])"; }
token() { python3 -c "import json; print(json.load(open('$work/config-$1/fazhi/session.json'))['token'])"; }

# The corps: a credential administrator, two officers with credentials for 社会组织管理, a party.
as admin "$fazhi" login >/dev/null
for user in zhang:credential_admin oa:officer ob:officer; do
  echo "Bench-Passw0rd-1" | as admin "$fazhi" user create "${user%%:*}" --name "${user%%:*}" --roles "${user##*:}" >/dev/null
done
for user in zhang oa ob; do
  FAZHI_PASSWORD="Bench-Passw0rd-1" as "$user" "$fazhi" login --agency 411202-MZ --username "$user" >/dev/null
done
officer() {
  local id
  id=$(echo "$2" | as zhang "$fazhi" officer create --name "$1" --unit 社会组织管理科 --position 科员 --username "$1" --json | field officer_id)
  as zhang "$fazhi" officer exam "$id" --day "$(date -d '-10 days' +%F)" --score 90 >/dev/null
  local credential
  credential=$(as zhang "$fazhi" credential apply "$id" --categories 社会组织管理 --json | field credential_id)
  as zhang "$fazhi" credential decide issue "$credential" --reason 批准 >/dev/null
  echo "$id"
}
officer_a=$(officer oa 41120219850315021X)
officer_b=$(officer ob 411202199001010334)
party=$(as oa "$fazhi" party create organization --name 湖滨区某某协会 --credit-code 91350100M000100Y43 --json | field party_id)

echo "== machine: $(nproc) cores; PostgreSQL $("$(pg_config --bindir)/postgres" --version | awk '{print $3}')"
echo "== case steps over TLS, 32 clients, ${seconds}s"
"$bin/fazhi-bench" case-steps --address "$address" --ca "$ca" --token-a "$(token oa)" --token-b "$(token ob)" \
  --officer-a "$officer_a" --officer-b "$officer_b" --party "$party" --seconds 5 >/dev/null   # warm-up
"$bin/fazhi-bench" case-steps --address "$address" --ca "$ca" --token-a "$(token oa)" --token-b "$(token ob)" \
  --officer-a "$officer_a" --officer-b "$officer_b" --party "$party" --seconds "$seconds"

# pgbench: each call's transactions with the statements the server runs, A's TakeStep then
# B's ConfirmStep, on the same cases. The cluster's superuser reads past row-level security
# to set up the parameters; pgbench itself runs as the application role.
super_url=$(superuser_url)
app_url=$(dev_value db.json applicationURL)
q() { psql -X -qAt "$super_url" -c "$1"; }
agency=$(q "SELECT id FROM agencies WHERE code = '411202-MZ'")
user_a=$(q "SELECT id FROM users WHERE username = 'oa'"); user_b=$(q "SELECT id FROM users WHERE username = 'ob'")
hash_a=$(q "SELECT encode(token_hash, 'hex') FROM sessions WHERE user_id = '$user_a' ORDER BY created_at DESC LIMIT 1")
hash_b=$(q "SELECT encode(token_hash, 'hex') FROM sessions WHERE user_id = '$user_b' ORDER BY created_at DESC LIMIT 1")
# One case per pgbench client, and a case state of the length the clients' cases had on average.
q "CREATE TABLE bench_cases (n integer PRIMARY KEY, id uuid NOT NULL); GRANT SELECT ON bench_cases TO fazhi_app"
q "INSERT INTO bench_cases SELECT row_number() OVER (ORDER BY created_at), id FROM (SELECT id, created_at FROM cases ORDER BY created_at LIMIT 32) c"
state_literal=$(q "SELECT quote_literal(state::text) FROM cases ORDER BY abs(jsonb_array_length(state->'history') - 6) LIMIT 1")

# Each call's idempotency claim token; keys are random, so one token serves every call.
claim=00000000-0000-0000-0000-00000000c1a1
call() {  # $1 user, $2 token hash, $3 method, $4 officer, $5 officers named (SQL array)
cat <<SQL
BEGIN READ ONLY;
SELECT set_config('fazhi.agency_id', :agency, true);
SELECT d.key, coalesce(o.value, d.value) FROM setting_defaults d LEFT JOIN agency_settings o ON o.key = d.key AND o.agency_id = :agency::uuid;
SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.ended_at, u.id, u.username, u.display_name, u.password_hash, u.created_at, u.disabled_at, coalesce(array_agg(g.role ORDER BY g.role) FILTER (WHERE g.role IS NOT NULL), '{}'), (SELECT o.id FROM officers o WHERE o.agency_id = s.agency_id AND o.user_id = s.user_id) FROM sessions s LEFT JOIN users u ON u.agency_id = s.agency_id AND u.id = s.user_id LEFT JOIN role_grants g ON g.agency_id = u.agency_id AND g.user_id = u.id WHERE s.agency_id = :agency::uuid AND s.token_hash = decode('$2', 'hex') GROUP BY s.agency_id, s.id, u.agency_id, u.id;
COMMIT;
BEGIN;
SELECT set_config('fazhi.agency_id', :agency, true);
DELETE FROM idempotency_keys WHERE agency_id = :agency::uuid AND user_id = '$1'::uuid AND key = :key AND (expires_at <= now() OR (state = 'running' AND coalesce(lease_until, created_at + make_interval(secs => 10)) <= now()));
INSERT INTO idempotency_keys (agency_id, user_id, key, method, fingerprint, created_at, expires_at, claim, lease_until) VALUES (:agency::uuid, '$1'::uuid, :key, '$3', sha256(:key::bytea), now(), now() + make_interval(hours => (SELECT coalesce(o.value, d.value)::int FROM setting_defaults d LEFT JOIN agency_settings o ON o.key = d.key AND o.agency_id = :agency::uuid WHERE d.key = 'idempotency.retention_hours')), '$claim'::uuid, now() + make_interval(secs => 10)) ON CONFLICT DO NOTHING;
SELECT fingerprint, state, outcome_status, outcome_payload, coalesce(lease_until, created_at + make_interval(secs => 10)) <= now() FROM idempotency_keys WHERE agency_id = :agency::uuid AND user_id = '$1'::uuid AND key = :key;
COMMIT;
BEGIN;
SELECT set_config('fazhi.agency_id', :agency, true);
SELECT fazhi_idempotency_act(:agency::uuid, '$1'::uuid, :key::text, '$claim'::uuid);
SELECT state, version FROM cases WHERE agency_id = :agency::uuid AND id = :kase::uuid FOR UPDATE;
SELECT d.key, coalesce(o.value, d.value) FROM setting_defaults d LEFT JOIN agency_settings o ON o.key = d.key AND o.agency_id = :agency::uuid;
SELECT id, officer_id, number, state, categories, areas, exam_day, exam_score, valid_from, valid_until, successor, version FROM credentials WHERE agency_id = :agency::uuid AND officer_id = ANY('{$(echo $5 | tr ' ' ',')}'::uuid[]) ORDER BY valid_from NULLS LAST, id;
SELECT credential_id, from_state, to_state, event, reason, actor, at FROM credential_transitions WHERE agency_id = :agency::uuid AND credential_id IN (SELECT id FROM credentials WHERE agency_id = :agency::uuid AND officer_id = ANY('{$(echo $5 | tr ' ' ',')}'::uuid[])) ORDER BY credential_id, id;
SELECT credential_id, year, training_hours, outcome, reviewer, recorded_on FROM credential_reviews WHERE agency_id = :agency::uuid AND credential_id IN (SELECT id FROM credentials WHERE agency_id = :agency::uuid AND officer_id = ANY('{$(echo $5 | tr ' ' ',')}'::uuid[]));
UPDATE cases SET status = 'open', next_step = 'notify', opened_on = opened_on, decision_number = NULL, fine = NULL, state = $state_literal::jsonb, updated_at = now(), version = version + 1 WHERE agency_id = :agency::uuid AND id = :kase::uuid;
INSERT INTO case_record (agency_id, case_id, step, event, actor, officers, text, evidence, corrects, at) VALUES (:agency::uuid, :kase::uuid, 'investigate', 'take', '$1'::uuid, '{$(echo $5 | tr ' ' ',')}'::uuid[], '调查取证', '{}', NULL, now());
INSERT INTO case_officers (agency_id, case_id, officer_id) SELECT :agency::uuid, :kase::uuid, unnest('{$(echo $5 | tr ' ' ',')}'::uuid[]) ON CONFLICT DO NOTHING;
INSERT INTO agency_audit_log (agency_id, at, user_id, username, roles, method, target_ids, status, reason, peer, request_id, duration_us) VALUES (:agency::uuid, now(), '$1'::uuid, 'o', '{officer}', '$3', '{}', 'OK', NULL, 'pgbench', 'pgbench', 100);
COMMIT;
BEGIN;
SELECT set_config('fazhi.agency_id', :agency, true);
UPDATE idempotency_keys SET state = 'done', outcome_status = 'OK', outcome_payload = '\x00' WHERE agency_id = :agency::uuid AND user_id = '$1'::uuid AND key = :key AND claim = '$claim'::uuid;
COMMIT;
SQL
}
{
  echo '\set n :client_id % 32 + 1'
  echo "SELECT id AS kase FROM bench_cases WHERE n = :n \\gset"
  echo '\set key random(1, 1000000000000)'
  call "$user_a" "$hash_a" fazhi.v1.CaseService/TakeStep "$officer_a" "$officer_a $officer_b"
  echo '\set key random(1, 1000000000000)'
  call "$user_b" "$hash_b" fazhi.v1.CaseService/ConfirmStep "$officer_b" "$officer_b"
} > steps.sql
echo "== pgbench: the same statements, 32 clients, ${seconds}s (one transaction = one step: take and confirm)"
pgbench -n -M prepared -c 32 -j 2 -T "$seconds" -f steps.sql -D agency="$agency" "$app_url" 2>&1 | grep -E "^tps|latency average|failed"
