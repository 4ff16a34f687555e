#!/usr/bin/env bash
# Benchmarks the annual statistics and the CSV export over ACTS cases of one year, on a
# throwaway `fazhi dev` (release build):
#   1. the statistics as the server computes them, next to hand-written SQL for the same
#      figures run by psql;
#   2. `fazhi statistics export --format csv --table cases` (the real client, over TLS),
#      next to `psql \copy (the same query) TO` a file: time and peak memory of each.
#   bench/statistics.sh [acts=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
acts=${1:-1000000}
year=$(( $(date +%Y) - 1 ))
source bench/dev.sh
build_release fazhi fazhi-bench
start_dev statistics
as() { XDG_CONFIG_HOME="$work/config-$1" "${@:2}"; }
as admin "$fazhi" login >/dev/null
echo "Bench-Passw0rd-1" | as admin "$fazhi" user create qian --name qian --roles compliance_officer >/dev/null
FAZHI_PASSWORD="Bench-Passw0rd-1" as qian "$fazhi" login --agency 411202-MZ --username qian >/dev/null

super_url=$(superuser_url)
app_url=$(dev_value db.json applicationURL)
q() { psql -X -qAt "$super_url" -c "$1"; }
agency=$(q "SELECT id FROM agencies WHERE code = '411202-MZ'")
party=$(q "INSERT INTO parties (agency_id, kind, name, credit_code, area, created_by, created_at) VALUES ('$agency', 'organization', '湖滨区某某协会', '91350100M000100Y43', '411202', gen_random_uuid(), now()) RETURNING id" | head -1)
# The acts of the year: 60 % penalties (every other one decided, with a fine), 30 %
# inspections with two findings (one verified in time), 10 % licensing.
echo "== making $acts acts of $year"
q "INSERT INTO cases (agency_id, id, kind, item_version, item_code, party_id, area, status, opened_on, decision_number, fine, state, created_at, updated_at)
   SELECT '$agency', gen_random_uuid(), k.kind, 1, k.item, '$party', '411202', 'open', make_date($year, 1, 1) + (n % 360),
          CASE WHEN k.decided THEN 'B-' || n END, CASE WHEN k.decided THEN (n % 50) * 100 END,
          CASE WHEN k.decided THEN jsonb_build_object('decision', jsonb_build_object('decidedAt',
                 (extract(epoch FROM make_timestamptz($year, 1, 1, 8, 0, 0, 'Asia/Shanghai') + (n % 360 + 5) * interval '1 day') * 1000000)::bigint))
               WHEN k.kind = 'inspection' THEN jsonb_build_object('findings', jsonb_build_array(
                 jsonb_build_object('deadline', (make_date($year, 1, 1) + (n % 360 + 20))::text, 'verifiedOn', (make_date($year, 1, 1) + (n % 360 + 10))::text),
                 jsonb_build_object('deadline', (make_date($year, 1, 1) + (n % 360 + 20))::text)))
               ELSE '{}'::jsonb END,
          now(), now()
   FROM generate_series(1, $acts) n,
        LATERAL (SELECT CASE WHEN n % 10 < 6 THEN 'penalty' WHEN n % 10 < 9 THEN 'inspection' ELSE 'other' END AS kind,
                        CASE WHEN n % 10 < 6 THEN 'MZ-CF-001' WHEN n % 10 < 9 THEN 'MZ-JC-002' ELSE 'MZ-XK-001' END AS item,
                        n % 10 < 6 AND n % 2 = 0 AS decided) k"
q "ANALYZE cases"

echo "== machine: $(nproc) cores; PostgreSQL $("$(pg_config --bindir)/postgres" --version | awk '{print $3}')"
echo "== annual statistics over $acts acts"
"$bin/fazhi-bench" statistics --url "$app_url" --year "$year"
# The same case figures, written by hand for one scan of the table.
cat > stats.sql <<SQL
\timing on
WITH c AS (
  SELECT c.kind, c.item_code, i.category, c.fine, c.state,
         coalesce(c.opened_on, (c.created_at AT TIME ZONE 'Asia/Shanghai')::date) AS opened_on,
         to_timestamp((c.state->'decision'->>'decidedAt')::bigint / 1000000.0) AS decided_at
  FROM cases c JOIN power_list_items i ON i.agency_id = c.agency_id AND i.version = c.item_version AND i.code = c.item_code
  WHERE c.agency_id = '$agency')
SELECT item_code, category,
       count(*) FILTER (WHERE opened_on >= make_date($year, 1, 1) AND opened_on < make_date($year + 1, 1, 1)) AS cases,
       count(*) FILTER (WHERE decided_at >= make_timestamptz($year, 1, 1, 0, 0, 0, 'Asia/Shanghai') AND decided_at < make_timestamptz($year + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')) AS decisions,
       sum(fine) FILTER (WHERE kind = 'penalty' AND decided_at >= make_timestamptz($year, 1, 1, 0, 0, 0, 'Asia/Shanghai') AND decided_at < make_timestamptz($year + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')) AS fines,
       sum(jsonb_array_length(coalesce(state->'findings', '[]'))) FILTER (WHERE kind = 'inspection' AND opened_on >= make_date($year, 1, 1) AND opened_on < make_date($year + 1, 1, 1)) AS findings
FROM c GROUP BY item_code, category;
SELECT extract(month FROM opened_on) AS month, count(*) FROM cases WHERE agency_id = '$agency' AND opened_on >= make_date($year, 1, 1) AND opened_on < make_date($year + 1, 1, 1) GROUP BY 1;
SQL
for run in 1 2 3 4 5 6; do psql -X -q "$super_url" -f stats.sql | grep -E "^Time:" | awk '{s += $2} END {print s}'; done | tail -5 | sort -n | awk '{a[NR]=$1} END {printf "hand-written SQL in psql (case figures and months): median %.0f ms, best %.0f ms (5 runs)\n", a[3], a[1]}'

echo "== CSV export of the $acts case rows"
before=$(grep VmHWM /proc/$dev/status | awk '{print $2}')
/usr/bin/time -f "fazhi statistics export (client): %e s, peak RSS %M KiB" \
  env XDG_CONFIG_HOME="$work/config-qian" "$fazhi" statistics export --year "$year" --format csv --table cases -o fazhi.csv 2>&1 >/dev/null | tail -1
after=$(grep VmHWM /proc/$dev/status | awk '{print $2}')
echo "server peak RSS: ${before} KiB before the export, ${after} KiB after"
echo "fazhi.csv: $(wc -l < fazhi.csv) lines, $(du -m fazhi.csv | cut -f1) MiB"
/usr/bin/time -f "psql \\\\copy (same query) TO file: %e s, peak RSS %M KiB" psql -X -q "$super_url" -c "\\copy (SELECT c.id, c.item_code, i.name, i.category, p.name, p.kind, c.area, coalesce(c.opened_on, (c.created_at AT TIME ZONE 'Asia/Shanghai')::date), c.status, c.decision_number, (to_timestamp((c.state->'decision'->>'decidedAt')::bigint / 1000000.0) AT TIME ZONE 'Asia/Shanghai')::date, c.fine FROM cases c JOIN power_list_items i ON i.agency_id = c.agency_id AND i.version = c.item_version AND i.code = c.item_code JOIN parties p ON p.agency_id = c.agency_id AND p.id = c.party_id WHERE c.agency_id = '$agency' ORDER BY c.id) TO 'psql.csv' WITH (FORMAT csv, HEADER)"
echo "psql.csv: $(wc -l < psql.csv) lines, $(du -m psql.csv | cut -f1) MiB"
