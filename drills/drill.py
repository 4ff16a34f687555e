#!/usr/bin/env python3
"""Fault drills: write under load while the server is killed or PostgreSQL restarts, then
count what was acknowledged, lost and duplicated.

    python3 drills/drill.py kill        # kill -9 the server mid-load, restart it
    python3 drills/drill.py db-restart  # stop and start PostgreSQL mid-load

Each drill starts its own `fazhi dev --no-demo` in a temporary folder (the binary from
`swift build`, or --fazhi), signs in as an officer it creates, and runs --writers threads
that each create parties, one call per party with its own idempotency key, retrying every
failure with the same key until it is acknowledged. After the faults it reads the
parties straight from PostgreSQL. It prints one JSON line and exits 1 if any acknowledged
write is missing, any party exists twice, or any write never got an answer.
"""
import argparse
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
from whoami import RETRY_SERVICE_CONFIG, generate_stubs  # noqa: E402,F401

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
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


class Dev:
    """A throwaway `fazhi dev` whose server can be killed and restarted on the same port."""

    def __init__(self, fazhi: str):
        self.fazhi = fazhi
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="fazhi-drill-"))
        self.work.chmod(0o755)  # as root, the postgres user runs the cluster inside it
        self.port = free_port()
        self.process = None
        self.env = dict(os.environ, FAZHI_SQL_DIR=str(ROOT / "sql"))

    def start(self) -> None:
        log = open(self.work / "dev.log", "a")
        self.process = subprocess.Popen(
            [self.fazhi, "dev", "--no-demo", "--port", str(self.port), "--mtls-port", "0", "--metrics-port", "-1", "--portal-port", "-1"],
            cwd=self.work, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"fazhi dev exited early:\n{(self.work / 'dev.log').read_text()}")
            if (self.work / "dev.log").read_text().count("ready") > self.starts:
                self.starts += 1
                return
            time.sleep(0.2)
        sys.exit("fazhi dev did not become ready")

    starts = 0

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def db(self, verb: str) -> None:
        subprocess.run([self.fazhi, "db", verb], cwd=self.work, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def value(self, name: str, key: str) -> str:
        return json.loads((self.work / ".fazhi" / name).read_text())[key]

    def sql(self, query: str) -> str:
        url = self.value("db.json", "ownerURL").replace("fazhi_owner@", "postgres@")
        return subprocess.run(["psql", url, "-At", "-c", query], check=True, capture_output=True, text=True).stdout

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait()
        subprocess.run([self.fazhi, "db", "stop"], cwd=self.work, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.work, ignore_errors=True)


class Writers:
    """Threads that create parties until told to stop, each retried with its key until answered."""

    def __init__(self, stubs, channel_factory, token: str, run: str, count: int):
        self.stubs, self.channel_factory, self.token, self.run, self.count = stubs, channel_factory, token, run, count
        self.lock = threading.Lock()
        self.acknowledged = set()  # names the server answered OK for
        self.acted = set()  # names whose outcome was lost: acted once, by the server's word
        self.unanswered = set()
        self.first_ok_after = {}  # fault index -> seconds until the first OK after it
        self.fault_at = None
        self.fault_index = 0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.write, args=(n,)) for n in range(count)]

    def write(self, writer: int) -> None:
        from fazhi.v1 import parties_pb2, parties_pb2_grpc
        channel = self.channel_factory()
        parties = parties_pb2_grpc.PartyServiceStub(channel)
        serial = 0
        while not self.stopping.is_set():
            serial += 1
            name = f"drill-{self.run}-{writer}-{serial}"
            request = parties_pb2.CreatePartyRequest(kind="organization", name=name, credit_code=credit_code(writer * 100_000 + serial))
            metadata = [("authorization", f"Bearer {self.token}"), ("idempotency-key", name)]
            deadline = time.monotonic() + 180
            while True:
                try:
                    parties.CreateParty(request, metadata=metadata, timeout=10)
                    with self.lock:
                        self.acknowledged.add(name)
                        if self.fault_at is not None and self.fault_index not in self.first_ok_after:
                            self.first_ok_after[self.fault_index] = round(time.monotonic() - self.fault_at, 2)
                    break
                except grpc.RpcError as error:
                    if error.code() == grpc.StatusCode.FAILED_PRECONDITION and "outcome was lost" in (error.details() or ""):
                        with self.lock:
                            self.acted.add(name)
                        break
                    if error.code() not in RETRYABLE or time.monotonic() > deadline:
                        with self.lock:
                            self.unanswered.add(f"{name}: {error.code().name} {error.details()}")
                        break
                    time.sleep(0.2)
        channel.close()

    def fault(self) -> None:
        with self.lock:
            self.fault_index += 1
            self.fault_at = time.monotonic()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drill", choices=["kill", "db-restart"])
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--faults", type=int, default=2, help="kills or database restarts")
    parser.add_argument("--between", type=float, default=5, help="seconds of load before each fault and after the last")
    parser.add_argument("--down", type=float, default=2, help="seconds the server or database stays down")
    parser.add_argument("--fazhi", default=None, help="the fazhi binary (default: swift build's)")
    args = parser.parse_args()
    fazhi = args.fazhi or str(pathlib.Path(subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                                                             text=True).stdout.strip()) / "fazhi")
    dev = Dev(fazhi)
    stub_dir = tempfile.TemporaryDirectory()
    try:
        generate_stubs(pathlib.Path(stub_dir.name))
        from fazhi.v1 import admin_pb2, admin_pb2_grpc, auth_pb2, auth_pb2_grpc
        dev.start()
        ca = pathlib.Path(dev.value("dev.json", "ca_file")).read_bytes()
        address = f"127.0.0.1:{dev.port}"

        def channel():
            return grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=ca))

        with channel() as setup:
            auth = auth_pb2_grpc.AuthServiceStub(setup)
            admin_token = auth.Login(auth_pb2.LoginRequest(agency_code=dev.value("dev.json", "agency_code"), username=dev.value("dev.json", "username"),
                                                           password=dev.value("dev.json", "password")), timeout=30).token
            password = "Fz-" + uuid.uuid4().hex
            admin_pb2_grpc.AdminServiceStub(setup).CreateUser(
                admin_pb2.CreateUserRequest(username="drill", display_name="演练", initial_password=password, roles=["officer"]),
                metadata=[("authorization", f"Bearer {admin_token}")], timeout=30)
            token = auth.Login(auth_pb2.LoginRequest(agency_code=dev.value("dev.json", "agency_code"), username="drill", password=password), timeout=30).token

        run = uuid.uuid4().hex[:8]
        writers = Writers(None, channel, token, run, args.writers)
        started = time.monotonic()
        for thread in writers.threads:
            thread.start()
        for _ in range(args.faults):
            time.sleep(args.between)
            # Recovery is counted from the moment the server or database is down.
            if args.drill == "kill":
                dev.kill()
                writers.fault()
                time.sleep(args.down)
                dev.start()
            else:
                dev.db("stop")
                writers.fault()
                time.sleep(args.down)
                dev.db("start")
        time.sleep(args.between)
        writers.stopping.set()
        for thread in writers.threads:
            thread.join()

        stored = {}
        for line in dev.sql(f"SELECT name, count(*) FROM parties WHERE name LIKE 'drill-{run}-%' GROUP BY name").splitlines():
            name, count = line.split("|")
            stored[name] = int(count)
        lost = sorted(writers.acknowledged - stored.keys())
        lost += sorted(name for name in writers.acted if name not in stored)
        duplicated = sorted(name for name, count in stored.items() if count > 1)
        result = {
            "drill": args.drill, "writers": args.writers, "faults": args.faults, "seconds": round(time.monotonic() - started, 1),
            "acknowledged": len(writers.acknowledged), "acted_outcome_lost": len(writers.acted), "stored": len(stored),
            "lost": len(lost), "duplicated": len(duplicated), "unanswered": len(writers.unanswered),
            "first_ok_seconds_after_each_fault": [writers.first_ok_after.get(i) for i in range(1, args.faults + 1)],
        }
        print(json.dumps(result))
        for problem in lost[:10] + duplicated[:10] + sorted(writers.unanswered)[:10]:
            print("  ", problem, file=sys.stderr)
        return 1 if lost or duplicated or writers.unanswered or not writers.acknowledged else 0
    finally:
        dev.stop()
        stub_dir.cleanup()


if __name__ == "__main__":
    sys.exit(main())
