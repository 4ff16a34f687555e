# Sourced by the bench scripts that measure a throwaway `fazhi dev`: from the repository
# root, with `set -euo pipefail` on and $repo set to that root.

# Builds PRODUCTS in release mode with the Swift runtime linked statically, the way
# docs/OPERATOR.md installs Fazhi; sets $bin (where they are) and $fazhi.
build_release() {
  local product
  for product in "$@"; do swift build -c release --static-swift-stdlib --product "$product" >/dev/null; done
  bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
  fazhi=$bin/fazhi
}

# Starts `fazhi dev` (no demo data, every port chosen by the system) in a new folder $work
# named after NAME, changes into it and waits until the server is ready. At exit the
# server stops and its database and folder are removed.
start_dev() {
  work=$(mktemp -d "/tmp/fazhi-$1-bench-XXXXXX")
  chmod 755 "$work"   # as root, the postgres user runs the cluster inside it
  cd "$work"          # no Package.swift above: `fazhi dev` keeps its state in $work/.fazhi
  trap stop_dev EXIT
  FAZHI_SQL_DIR="$repo/sql" "$fazhi" dev --no-demo --port 0 --mtls-port 0 --metrics-port 0 --portal-port 0 > dev.log 2>&1 &
  dev=$!
  for _ in $(seq 1 120); do grep -q ready dev.log && break; sleep 1; done
  grep -q ready dev.log || { cat dev.log; exit 1; }
}

stop_dev() {
  [ -n "${dev:-}" ] && kill -TERM "$dev" 2>/dev/null && wait "$dev" 2>/dev/null || true
  "$fazhi" db stop >/dev/null 2>&1 || true
  rm -rf "$work"
}

# One value of the running instance's .fazhi/dev.json or .fazhi/db.json: dev_value FILE KEY.
dev_value() {
  python3 -c "import json, sys; print(json.load(open('.fazhi/' + sys.argv[1]))[sys.argv[2]])" "$1" "$2"
}

# The cluster's superuser URL (for pgbench and psql): the owner's URL as user postgres.
superuser_url() {
  dev_value db.json ownerURL | sed 's/fazhi_owner@/postgres@/'
}
