"""The failover drill: a primary and a synchronous standby (PostgreSQL streaming
replication on loopback), two `fazhi serve` on a libpq multi-host URL
(target_session_attrs=read-write), the sample demo loaded through them, writers with
idempotency keys on both servers; then `kill -9` of the primary and `pg_ctl promote` of
the standby. Counts acknowledged writes lost (must be 0) and duplicated (must be 0), the
seconds until writes succeed again, and verifies the disclosure log against the
checkpoint saved before the failover. The servers' portals read their list pages from the
standby (a second URL with target_session_attrs=prefer-standby): the drill shows the
portal's connections on the standby, samples the replay lag a reader of the standby sees
while the writers run, and checks the portal still answers after the failover."""
import os
import pathlib
import shutil
import signal
import ssl
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

import grpc
from harness import ROOT, Server, Writers, free_port, generate_stubs

AGENCY = "411202-MZ"


def run_as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    """As root, PostgreSQL's own programs run as the postgres user."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, **kwargs)


class Replicated:
    """A primary, its synchronous standby, and the servers and clients around them."""

    def __init__(self, fazhi: str):
        self.fazhi = fazhi
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="fazhi-failover-"))
        self.work.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.work, "postgres")  # the clusters' sockets and logs live here too
        self.bin = pathlib.Path(sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin"))[-1])
        self.ports = {"primary": free_port(), "standby": free_port()}
        self.app_password = uuid.uuid4().hex
        self.servers: list[Server] = []
        self.addresses: list[str] = []
        self.portals: list[str] = []
        self.stubs = tempfile.TemporaryDirectory()
        generate_stubs(pathlib.Path(self.stubs.name))
        self.address = None

    # PostgreSQL

    def data(self, name: str) -> pathlib.Path:
        return self.work / name

    def pg_ctl(self, name: str, *args: str) -> None:
        run_as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data(name)), *args)

    def start_clusters(self) -> None:
        primary = self.data("primary")
        primary.mkdir()
        if os.geteuid() == 0:
            shutil.chown(primary, "postgres")
        run_as_postgres(str(self.bin / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust")
        settings = {
            "listen_addresses": "'127.0.0.1'", "unix_socket_directories": f"'{self.work}'", "wal_level": "replica",
            "max_wal_senders": "5", "hot_standby": "on", "fsync": "on", "synchronous_commit": "on",
        }
        with open(primary / "postgresql.conf", "a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        with open(primary / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        self.pg_ctl("primary", "-l", str(self.work / "primary.log"), "-o", f"-p {self.ports['primary']}", "-w", "start")
        run_as_postgres(str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres",
                        "-D", str(self.data("standby")), "-R", "-X", "stream", "-d",
                        f"host=127.0.0.1 port={self.ports['primary']} user=postgres application_name=standby")
        self.pg_ctl("standby", "-l", str(self.work / "standby.log"), "-o", f"-p {self.ports['standby']}", "-w", "start")
        # Set on the primary only, after the base backup: a commit is acknowledged once the
        # standby has flushed it, so the promoted standby has every acknowledged write. The
        # promoted standby must not inherit the setting, or its every commit would wait for
        # a standby that no longer exists (Patroni's synchronous mode clears it the same way).
        self.psql("primary", "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby)'", "SELECT pg_reload_conf()")
        for _ in range(100):
            if self.psql("primary", "SELECT sync_state FROM pg_stat_replication").strip() == "sync":
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("the standby did not become synchronous")
        self.psql("primary", "CREATE ROLE fazhi_owner LOGIN CREATEROLE", "CREATE DATABASE fazhi OWNER fazhi_owner")

    def psql(self, name: str, *statements: str, database: str = "postgres") -> str:
        args = ["psql", "-h", "127.0.0.1", "-p", str(self.ports[name]), "-U", "postgres", "-d", database, "-At"]
        for statement in statements:
            args += ["-c", statement]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout

    def url(self, target: str) -> str:
        hosts = ",".join(f"127.0.0.1:{self.ports[name]}" for name in self.ports)
        return f"postgresql://fazhi_app:{self.app_password}@{hosts}/fazhi?target_session_attrs={target}&connect_timeout=2"

    @property
    def multi_host_url(self) -> str:
        return self.url("read-write")

    # Fazhi

    def tls(self) -> None:
        ssl = self.work / "tls"
        ssl.mkdir()
        openssl = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                   "-subj", "/CN=drill CA", "-keyout", str(ssl / "ca-key.pem"), "-out", str(ssl / "ca.pem")]
        subprocess.run(openssl, check=True, capture_output=True)
        subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
                        "-keyout", str(ssl / "server-key.pem"), "-out", str(ssl / "server.csr")], check=True, capture_output=True)
        (ssl / "ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        subprocess.run(["openssl", "x509", "-req", "-in", str(ssl / "server.csr"), "-CA", str(ssl / "ca.pem"), "-CAkey", str(ssl / "ca-key.pem"),
                        "-CAcreateserial", "-days", "2", "-extfile", str(ssl / "ext"), "-out", str(ssl / "server.pem")], check=True, capture_output=True)
        self.ca = str(ssl / "ca.pem")
        self.secret = subprocess.run([self.fazhi, "secrets", "generate"], check=True, capture_output=True, text=True).stdout.strip()

    def environment(self, **extra: str) -> dict:
        return {**os.environ, "FAZHI_SQL_DIR": str(ROOT / "sql"), "FAZHI_SECRETS_KEY": self.secret, **extra}

    def migrate(self) -> None:
        subprocess.run([self.fazhi, "migrate"], check=True, capture_output=True, env=self.environment(
            FAZHI_OWNER_DATABASE_URL=f"postgresql://fazhi_owner@127.0.0.1:{self.ports['primary']}/fazhi", FAZHI_APP_PASSWORD=self.app_password))

    def start_servers(self, count: int = 2) -> None:
        for index in range(count):
            port, portal = free_port(), free_port()
            env = self.environment(
                FAZHI_DATABASE_URL=self.multi_host_url, FAZHI_TLS_CERTIFICATE=str(self.work / "tls" / "server.pem"),
                FAZHI_TLS_KEY=str(self.work / "tls" / "server-key.pem"), FAZHI_GRPC_PORT=str(port), FAZHI_GRPC_MTLS_PORT="-1",
                FAZHI_METRICS_PORT="-1", FAZHI_PORTAL_PORT=str(portal), FAZHI_PORTAL_DATABASE_URL=self.url("prefer-standby"),
                FAZHI_EVIDENCE_DIRECTORY=str(self.work / "evidence"))
            server = Server([self.fazhi, "serve"], self.work, env, self.work / f"serve-{index + 1}.log", "serving")
            server.start()
            self.servers.append(server)
            self.addresses.append(f"127.0.0.1:{port}")
            self.portals.append(f"https://127.0.0.1:{portal}")
        self.address = self.addresses[0]

    def portal_status(self, base: str, path: str) -> int:
        context = ssl.create_default_context(cafile=self.ca)
        try:
            with urllib.request.urlopen(base + path, context=context, timeout=10) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return -1

    def portal_connections(self, name: str) -> int:
        """The portals' connections to one cluster (application_name fazhi-portal)."""
        return int(self.psql(name, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fazhi-portal'").strip())

    def channel(self, address: str | None = None, options: list | None = None) -> grpc.Channel:
        credentials = grpc.ssl_channel_credentials(root_certificates=pathlib.Path(self.ca).read_bytes())
        return grpc.secure_channel(address or self.address, credentials, options=options or [])

    def cli(self, *args: str, password: str | None = None, stdin: str | None = None) -> str:
        env = self.environment(XDG_CONFIG_HOME=str(self.work / "config"), FAZHI_ADDRESS=self.address, FAZHI_CA_FILE=self.ca,
                               **({"FAZHI_PASSWORD": password} if password else {}))
        done = subprocess.run([self.fazhi, *args], env=env, input=stdin, capture_output=True, text=True, cwd=self.work)
        if done.returncode != 0:
            raise RuntimeError(f"fazhi {' '.join(args)}: {done.stdout}{done.stderr}")
        return done.stdout

    def sql(self, query: str) -> str:
        """On whichever cluster is the primary now."""
        for name in self.ports:
            try:
                if self.psql(name, "SELECT pg_is_in_recovery()", database="fazhi").strip() == "f":
                    return self.psql(name, query, database="fazhi")
            except subprocess.CalledProcessError:
                continue
        raise RuntimeError("no primary answers")

    def agency(self) -> str:
        """The demo agency with its power list and the sample year, and an officer's token."""
        from fazhi.v1 import admin_pb2, admin_pb2_grpc, auth_pb2, auth_pb2_grpc
        platform_password = "Fz-" + uuid.uuid4().hex
        subprocess.run([self.fazhi, "platform-admin", "create", "ops", "--name", "运维"], input=platform_password, text=True, check=True,
                       capture_output=True, env=self.environment(FAZHI_DATABASE_URL=self.multi_host_url))
        admin_password, officer_password = "Fz-" + uuid.uuid4().hex, "Fz-" + uuid.uuid4().hex
        with self.channel() as channel:
            auth = auth_pb2_grpc.AuthServiceStub(channel)
            token = auth.Login(auth_pb2.LoginRequest(agency_code="platform", username="ops", password=platform_password), timeout=30).token
            admin_pb2_grpc.AdminServiceStub(channel).CreateAgency(admin_pb2.CreateAgencyRequest(
                code=AGENCY, name="湖滨区民政局", division_code="411202", admin_username="admin", admin_display_name="系统管理员",
                admin_initial_password=admin_password), metadata=[("authorization", f"Bearer {token}")], timeout=30)
            token = auth.Login(auth_pb2.LoginRequest(agency_code=AGENCY, username="admin", password=admin_password), timeout=30).token
            admin_pb2_grpc.AdminServiceStub(channel).CreateUser(admin_pb2.CreateUserRequest(
                username="drill", display_name="演练", initial_password=officer_password, roles=["officer"]),
                metadata=[("authorization", f"Bearer {token}")], timeout=30)
            officer = auth.Login(auth_pb2.LoginRequest(agency_code=AGENCY, username="drill", password=officer_password), timeout=30).token
        self.cli("login", "--agency", AGENCY, "--username", "admin", password=admin_password)
        self.cli("power-list", "load", str(ROOT / "data" / "power-list-hubin.csv"))
        self.cli("power-list", "publish", "--reason", "湖滨区民政局权责清单")
        demo = subprocess.run([self.fazhi, "demo", "--volume", "sample", "--agency", AGENCY], check=True, capture_output=True, text=True,
                              env=self.environment(FAZHI_DATABASE_URL=self.multi_host_url), cwd=self.work)
        self.demo_password = demo.stdout.strip().split(": ")[-1]
        return officer

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        for name in self.ports:
            try:
                self.pg_ctl(name, "-m", "immediate", "stop")
            except subprocess.CalledProcessError:
                pass
        if os.environ.get("FAZHI_DRILL_KEEP"):
            print(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        self.stubs.cleanup()


class ReplayLag:
    """Samples, on the primary, how far the standby's replay is behind (pg_stat_replication
    .replay_lag): how stale a page read from the standby can be while writes go on."""

    def __init__(self, pair: Replicated):
        self.pair, self.samples, self.running = pair, [], threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def start(self) -> None:
        self.running.set()
        self.thread.start()

    def stop(self) -> None:
        self.running.clear()
        self.thread.join()

    def sample(self) -> None:
        while self.running.is_set():
            value = self.pair.psql("primary", "SELECT COALESCE(EXTRACT(epoch FROM replay_lag) * 1000, 0) FROM pg_stat_replication").strip()
            if value:
                self.samples.append(float(value))
            time.sleep(0.1)

    def figures(self) -> dict:
        if not self.samples:
            return {"standby_replay_lag_ms": None}
        ordered = sorted(self.samples)
        return {"standby_replay_lag_ms": {"samples": len(ordered), "median": round(statistics.median(ordered), 2),
                                          "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2), "max": round(ordered[-1], 2)}}


def run(fazhi: str, args) -> tuple[dict, list[str]]:
    pair = Replicated(fazhi)
    try:
        pair.start_clusters()
        pair.tls()
        pair.migrate()
        pair.start_servers()
        token = pair.agency()
        time.sleep(3)  # the workers publish what the demo queued
        checkpoint = pair.work / "checkpoint.txt"
        pair.cli("disclosure", "verify", "--agency", AGENCY, "--save", str(checkpoint))
        entries_before = int(pair.sql("SELECT count(*) FROM disclosure_entries WHERE leaf_index IS NOT NULL").strip())

        # The portals' list pages read from the standby.
        pages = [pair.portal_status(base, f"/{AGENCY}/disclosures") for base in pair.portals]
        portal_on = {name: pair.portal_connections(name) for name in pair.ports}

        writers = Writers(pair, token, args.writers, addresses=pair.addresses)
        writers.start()
        lags = ReplayLag(pair)
        lags.start()
        time.sleep(args.between)
        lags.stop()
        primary_pid = int((pair.data("primary") / "postmaster.pid").read_text().split()[0])
        os.kill(primary_pid, signal.SIGKILL)
        writers.fault()
        killed_at = time.monotonic()
        time.sleep(args.down)
        pair.pg_ctl("standby", "-w", "promote")
        promoted_after = round(time.monotonic() - killed_at, 2)
        time.sleep(args.between)
        writers.stop()

        figures, problems = writers.account(1)
        figures["portal_list_pages"] = pages
        figures["portal_connections_on_primary"] = portal_on["primary"]
        figures["portal_connections_on_standby"] = portal_on["standby"]
        figures.update(lags.figures())
        if pages != [200] * len(pages) or portal_on["standby"] == 0 or portal_on["primary"] != 0:
            problems.append(f"the portals' list pages did not read from the standby: pages {pages}, connections {portal_on}")
        after = [pair.portal_status(base, f"/{AGENCY}/disclosures") for base in pair.portals]
        figures["portal_list_pages_after_failover"] = after
        if after != [200] * len(after):
            problems.append(f"the portals' list pages after the failover answered {after}")
        figures["promoted_seconds_after_kill"] = promoted_after
        figures["log_entries_before"] = entries_before
        try:
            verified = pair.cli("disclosure", "verify", "--agency", AGENCY, "--checkpoint", str(checkpoint))
            figures["log_verified"] = verified.strip().splitlines()[-1] if verified.strip() else "ok"
        except RuntimeError as error:
            problems.append(f"disclosure verify against the checkpoint saved before the failover: {error}")
        for index, server in enumerate(pair.servers):
            problems += [f"server {index + 1}: {line}" for line in server.error_lines()[:5]]
        return figures, problems
    finally:
        pair.stop()
