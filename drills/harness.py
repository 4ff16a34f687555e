"""What every drill shares: a throwaway `fazhi dev`, a second server on its database,
sign-in, and writers that create parties under retry and account for every one."""
import collections
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "clients" / "python"))
import grpc  # noqa: E402
from whoami import generate_stubs  # noqa: E402

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
# Writers retry every failure with the same key until answered; INTERNAL and UNKNOWN too,
# for good measure: a retry must never act twice whatever the first answer was.
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED,
             grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.CANCELLED}


def credit_code(serial: int) -> str:
    """A valid unified social credit code, distinct for each serial."""
    body = "52411202" + "".join(CREDIT_ALPHABET[(serial // 31 ** i) % 31] for i in range(9))
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS))
    return body + CREDIT_ALPHABET[(31 - total % 31) % 31]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fazhi_binary(given: str | None) -> str:
    if given:
        return str(pathlib.Path(given).resolve())
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    return str(pathlib.Path(bin_path) / "fazhi")


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 1)


class Server:
    """One fazhi process whose output goes to a log file; started again on the same port."""

    def __init__(self, command: list[str], cwd: pathlib.Path, env: dict, log: pathlib.Path, ready: str):
        self.command, self.cwd, self.env, self.log, self.ready = command, cwd, env, log, ready
        self.process = None
        self.starts = 0

    def start(self) -> None:
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"{self.command[1]} exited early:\n{self.log.read_text()[-4000:]}")
            if self.log.read_text().count(self.ready) > self.starts:
                self.starts += 1
                return
            time.sleep(0.2)
        sys.exit(f"{self.command[1]} did not become ready")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self) -> float:
        """SIGTERM; the seconds until the process exited."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait()
        return round(time.monotonic() - started, 2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def error_lines(self) -> list[str]:
        """Error- and critical-level lines of the server's log."""
        return [line for line in self.log.read_text().splitlines() if " error " in line or " critical " in line]


class Dev:
    """A throwaway `fazhi dev --no-demo` in a temporary folder, and any second server on its database."""

    def __init__(self, fazhi: str, portal: bool = False):
        self.fazhi = fazhi
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="fazhi-drill-"))
        self.work.chmod(0o755)  # as root, the postgres user runs the cluster inside it
        self.port = free_port()
        self.portal_port = free_port() if portal else -1
        self.env = dict(os.environ, FAZHI_SQL_DIR=str(ROOT / "sql"))
        self.server = Server([fazhi, "dev", "--no-demo", "--port", str(self.port), "--mtls-port", "0", "--metrics-port", "-1",
                              "--portal-port", str(self.portal_port)], self.work, self.env, self.work / "dev.log", "ready")
        self.others: list[Server] = []
        self.stubs = tempfile.TemporaryDirectory()
        generate_stubs(pathlib.Path(self.stubs.name))

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def second_server(self) -> tuple[Server, str]:
        """`fazhi serve` on the same database, certificate and secret, on its own port."""
        port = free_port()
        tls = self.work / ".fazhi" / "tls"
        env = dict(self.env, FAZHI_DATABASE_URL=self.value("db.json", "applicationURL"), FAZHI_TLS_CERTIFICATE=str(tls / "server.pem"),
                   FAZHI_TLS_KEY=str(tls / "server-key.pem"), FAZHI_SECRETS_KEY_FILE=str(self.work / ".fazhi" / "secrets.key"),
                   FAZHI_GRPC_PORT=str(port), FAZHI_GRPC_MTLS_PORT="0", FAZHI_METRICS_PORT="-1", FAZHI_PORTAL_PORT="-1",
                   FAZHI_EVIDENCE_DIRECTORY=str(self.work / ".fazhi" / "evidence"))
        server = Server([self.fazhi, "serve"], self.work, env, self.work / f"serve-{len(self.others) + 1}.log", "serving")
        self.others.append(server)
        return server, f"127.0.0.1:{port}"

    def db(self, verb: str) -> None:
        subprocess.run([self.fazhi, "db", verb], cwd=self.work, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def value(self, name: str, key: str) -> str:
        return json.loads((self.work / ".fazhi" / name).read_text())[key]

    def sql(self, query: str) -> str:
        url = self.value("db.json", "ownerURL").replace("fazhi_owner@", "postgres@")
        return subprocess.run(["psql", url, "-At", "-c", query], check=True, capture_output=True, text=True).stdout

    def channel(self, address: str | None = None, options: list | None = None) -> grpc.Channel:
        ca = pathlib.Path(self.value("dev.json", "ca_file")).read_bytes()
        return grpc.secure_channel(address or self.address, grpc.ssl_channel_credentials(root_certificates=ca), options=options or [])

    def user(self, username: str, role: str) -> tuple[str, str]:
        """Creates a user with one role; its password and a session token."""
        from fazhi.v1 import admin_pb2, admin_pb2_grpc, auth_pb2, auth_pb2_grpc
        with self.channel() as setup:
            auth = auth_pb2_grpc.AuthServiceStub(setup)
            agency = self.value("dev.json", "agency_code")
            admin_token = auth.Login(auth_pb2.LoginRequest(agency_code=agency, username=self.value("dev.json", "username"),
                                                           password=self.value("dev.json", "password")), timeout=30).token
            password = "Fz-" + uuid.uuid4().hex
            admin_pb2_grpc.AdminServiceStub(setup).CreateUser(
                admin_pb2.CreateUserRequest(username=username, display_name="演练", initial_password=password, roles=[role]),
                metadata=[("authorization", f"Bearer {admin_token}")], timeout=30)
            return password, auth.Login(auth_pb2.LoginRequest(agency_code=agency, username=username, password=password), timeout=30).token

    def stop(self) -> None:
        for server in [self.server, *self.others]:
            server.stop()
        subprocess.run([self.fazhi, "db", "stop"], cwd=self.work, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.environ.get("FAZHI_DRILL_KEEP"):
            print(f"kept {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        self.stubs.cleanup()


class Writers:
    """Threads that create parties until told to stop, one idempotency key per party, each
    retried with its key until answered. A writer given several addresses moves to the next
    whenever its server does not answer (failover)."""

    def __init__(self, dev: Dev, token: str, count: int, addresses: list[str] | None = None):
        self.dev, self.token, self.count = dev, token, count
        self.addresses = addresses or [dev.address]
        self.run = uuid.uuid4().hex[:8]
        self.lock = threading.Lock()
        self.acknowledged = set()  # names the server answered OK for
        self.acted = set()  # names whose outcome was lost: acted once, by the server's word
        self.unanswered = set()
        self.failures = collections.Counter()  # (code, details) of every failed attempt
        self.first_ok_after = {}  # fault index -> seconds until the first OK after it
        self.fault_at = None
        self.fault_index = 0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.write, args=(n,)) for n in range(count)]

    def start(self) -> None:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def write(self, writer: int) -> None:
        from fazhi.v1 import parties_pb2, parties_pb2_grpc
        target = writer % len(self.addresses)
        channels = [self.dev.channel(address) for address in self.addresses]
        serial = 0
        while not self.stopping.is_set():
            serial += 1
            name = f"drill-{self.run}-{writer}-{serial}"
            request = parties_pb2.CreatePartyRequest(kind="organization", name=name, credit_code=credit_code(writer * 100_000 + serial))
            metadata = [("authorization", f"Bearer {self.token}"), ("idempotency-key", name)]
            deadline = time.monotonic() + 180
            while True:
                attempt_started = time.monotonic()
                try:
                    parties_pb2_grpc.PartyServiceStub(channels[target]).CreateParty(request, metadata=metadata, timeout=10)
                    with self.lock:
                        self.acknowledged.add(name)
                        # Recovery counts calls sent after the fault, not ones it caught in flight.
                        if self.fault_at is not None and attempt_started > self.fault_at and self.fault_index not in self.first_ok_after:
                            self.first_ok_after[self.fault_index] = round(time.monotonic() - self.fault_at, 2)
                    break
                except grpc.RpcError as error:
                    with self.lock:
                        self.failures[(error.code().name, (error.details() or "")[:120])] += 1
                    if error.code() == grpc.StatusCode.FAILED_PRECONDITION and "outcome was lost" in (error.details() or ""):
                        with self.lock:
                            self.acted.add(name)
                        break
                    if error.code() not in RETRYABLE or time.monotonic() > deadline:
                        with self.lock:
                            self.unanswered.add(f"{name}: {error.code().name} {error.details()}")
                        break
                    if error.code() == grpc.StatusCode.UNAVAILABLE:
                        target = (target + 1) % len(self.addresses)
                    time.sleep(0.2)
        for channel in channels:
            channel.close()

    def fault(self) -> None:
        with self.lock:
            self.fault_index += 1
            self.fault_at = time.monotonic()

    def account(self, faults: int) -> tuple[dict, list[str]]:
        """Reads the parties back from PostgreSQL: the drill's figures and its problems."""
        stored = {}
        for line in self.dev.sql(f"SELECT name, count(*) FROM parties WHERE name LIKE 'drill-{self.run}-%' GROUP BY name").splitlines():
            name, count = line.split("|")
            stored[name] = int(count)
        lost = sorted(self.acknowledged - stored.keys()) + sorted(name for name in self.acted if name not in stored)
        duplicated = sorted(name for name, count in stored.items() if count > 1)
        figures = {
            "writers": self.count, "seconds": round(time.monotonic() - self.started, 1),
            "acknowledged": len(self.acknowledged), "acted_outcome_lost": len(self.acted), "stored": len(stored),
            "lost": len(lost), "duplicated": len(duplicated), "unanswered": len(self.unanswered),
            "first_ok_seconds_after_each_fault": [self.first_ok_after.get(i) for i in range(1, faults + 1)],
        }
        problems = [f"lost {name}" for name in lost[:10]] + [f"duplicated {name}" for name in duplicated[:10]] + sorted(self.unanswered)[:10]
        if not self.acknowledged:
            problems.append("nothing was acknowledged")
        return figures, problems
