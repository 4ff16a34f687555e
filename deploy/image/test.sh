#!/usr/bin/env bash
# The container image without a container engine: builds the runtime stage's file system
# with debootstrap from the packages the Dockerfile lists (read from it, so the two cannot
# drift), copies the release binary, sql/ and data/ in as the Dockerfile does, makes the
# Dockerfile's user, and runs `fazhi migrate`, `fazhi serve` and the Dockerfile's own
# HEALTHCHECK command inside it as that user, against a PostgreSQL outside it, until the
# health check answers SERVING.
#
#   deploy/image/test.sh [--fazhi PATH] [--keep]
#
# Needs root, debootstrap, openssl and PostgreSQL's server binaries. --fazhi takes a
# release binary built with --static-swift-stdlib (default: builds one).
set -euo pipefail
root_dir="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root_dir"
fazhi="" keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --fazhi) fazhi="$(realpath "$2")"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--fazhi PATH] [--keep]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "deploy/image/test.sh needs root (debootstrap, chroot)" >&2; exit 1; }
if [ -z "$fazhi" ]; then
  swift build -c release --static-swift-stdlib --product fazhi
  fazhi="$(swift build -c release --static-swift-stdlib --show-bin-path)/fazhi"
fi

# What the Dockerfile says about its runtime stage (the last FROM).
runtime=$(awk '/^FROM /{stage=""} {stage=stage $0 "\n"} END{printf "%s", stage}' Dockerfile)
base=$(grep -m1 '^FROM ' <<< "$runtime" | awk '{print $2}')
suite=${base#debian:}; suite=${suite%-slim}
packages=$(awk '/apt-get install/{on=1; next} on && /&&/{on=0} on{gsub(/[\\ ]/, ""); if ($0 != "") print}' <<< "$runtime" | paste -sd, -)
useradd_line=$(grep -m1 '^RUN useradd' <<< "$runtime" | sed 's/^RUN //')
user=$(grep -m1 '^USER ' <<< "$runtime" | awk '{print $2}')
healthcheck=$(awk '/^HEALTHCHECK/{on=1} on{print} on && !/\\$/{exit}' <<< "$runtime" | sed -n 's/.*CMD \["sh", "-c", "\(.*\)"\]$/\1/p' | sed 's/\\"/"/g')
[ -n "$suite" ] && [ -n "$packages" ] && [ -n "$useradd_line" ] && [ -n "$user" ] && [ -n "$healthcheck" ] \
  || { echo "could not read the runtime stage of the Dockerfile" >&2; exit 1; }
echo "runtime: debian $suite, packages $packages, user $user"

work=$(mktemp -d /tmp/fazhi-image-XXXXXX)
chmod 755 "$work"
rootfs="$work/rootfs"
cleanup() {
  set +e
  [ -n "${serve_pid:-}" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  [ -d "$work/pg" ] && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1
  mountpoint -q "$rootfs/proc" && umount "$rootfs/proc"
  if [ -n "$keep" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The file system of the runtime stage: Debian's minimal base and the listed packages.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log"; echo "debootstrap failed" >&2; exit 1; }
chroot "$rootfs" sh -c "$useradd_line"
install -D -m 755 "$fazhi" "$rootfs/opt/fazhi/bin/fazhi"
install -d "$rootfs/opt/fazhi/share/fazhi"
cp -r sql data "$rootfs/opt/fazhi/share/fazhi/"
mount -t proc proc "$rootfs/proc"

# The binary needs nothing the image lacks.
missing=$(chroot "$rootfs" ldd /opt/fazhi/bin/fazhi | grep "not found" || true)
[ -z "$missing" ] || { echo "libraries missing in the image: $missing" >&2; exit 1; }

# PostgreSQL outside the image, on loopback TCP (the chroot shares the network).
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=$(free_port) grpc_port=$(free_port) portal_port=$(free_port)
install -d -o postgres "$work/pg"
runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust > /dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$work/pg" -w start > /dev/null
psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE ROLE fazhi_owner LOGIN CREATEROLE" -c "CREATE DATABASE fazhi OWNER fazhi_owner"

# The server's TLS certificate, issued by a throwaway CA for the name localhost.
tls="$rootfs/etc/fazhi"
install -d "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Fazhi test CA" \
  -keyout "$work/ca-key.pem" -out "$tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" -keyout "$tls/server-key.pem" -out "$work/server.csr" 2>/dev/null
openssl x509 -req -in "$work/server.csr" -CA "$tls/ca.pem" -CAkey "$work/ca-key.pem" -CAcreateserial -days 2 \
  -extfile <(printf "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth") -out "$tls/server.pem" 2>/dev/null
chown "$(chroot "$rootfs" id -u "${user%%:*}")" "$tls/server-key.pem"
chmod 600 "$tls/server-key.pem"

app_password=$(openssl rand -hex 16)
image=(chroot --userspec="$user" "$rootfs" env -i HOME=/var/lib/fazhi PATH=/opt/fazhi/bin:/usr/bin:/bin)
in_image() { "${image[@]}" "$@"; }
in_image FAZHI_OWNER_DATABASE_URL="postgresql://fazhi_owner@127.0.0.1:$pg_port/fazhi" FAZHI_APP_PASSWORD="$app_password" fazhi migrate
# As the Dockerfile's ENV sets them, and what an operator adds.
serve_env=(FAZHI_GRPC_HOST=0.0.0.0 FAZHI_PORTAL_HOST=0.0.0.0 FAZHI_METRICS_HOST=0.0.0.0 FAZHI_EVIDENCE_DIRECTORY=/var/lib/fazhi/evidence
  FAZHI_DATABASE_URL="postgresql://fazhi_app:$app_password@127.0.0.1:$pg_port/fazhi"
  FAZHI_TLS_CERTIFICATE=/etc/fazhi/server.pem FAZHI_TLS_KEY=/etc/fazhi/server-key.pem FAZHI_SECRETS_KEY="$("$fazhi" secrets generate)"
  FAZHI_GRPC_PORT="$grpc_port" FAZHI_GRPC_MTLS_PORT=0 FAZHI_PORTAL_PORT="$portal_port" FAZHI_METRICS_PORT=-1)
in_image mkdir -p /var/lib/fazhi/evidence
# exec: the background job is fazhi itself, so the cleanup's SIGTERM reaches it.
(cd / && exec "${image[@]}" "${serve_env[@]}" fazhi serve > "$work/serve.log" 2>&1) &
serve_pid=$!

# The Dockerfile's HEALTHCHECK, run as written, with the variables it reads.
for attempt in $(seq 1 60); do
  if in_image FAZHI_GRPC_PORT="$grpc_port" FAZHI_HEALTH_CA=/etc/fazhi/ca.pem FAZHI_HEALTH_SERVER_NAME=localhost sh -c "$healthcheck"; then
    # The check is real: without the certificate's name it must fail.
    if in_image fazhi health --address "127.0.0.1:$grpc_port" --ca /etc/fazhi/ca.pem > /dev/null 2>&1; then
      echo "the health check passed without the certificate's name" >&2; exit 1
    fi
    uid=$(chroot "$rootfs" id -u "${user%%:*}")
    pgrep -u "$uid" -x fazhi > /dev/null || { echo "fazhi serve is not running as $user ($uid)" >&2; exit 1; }
    echo "image test: fazhi serve in the runtime file system, as $user (uid $uid), answers SERVING"
    exit 0
  fi
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.log"; echo "fazhi serve exited" >&2; exit 1; }
  sleep 1
done
cat "$work/serve.log"
echo "no SERVING answer within a minute" >&2
exit 1
