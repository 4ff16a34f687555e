"""The stalled-streams drill: a compliance officer opens --streams exports of the demo
year and reads one chunk of each, then nothing. While they hang, the drill times WhoAmI,
sign-in, health and the public portal, and compares them with the same calls before."""
import ssl
import subprocess
import threading
import time
import urllib.request

import grpc
from harness import Dev, percentile

# gRPC health's SERVING, as the bytes of a HealthCheckResponse (field 1, varint 1).
SERVING = b"\x08\x01"
# Any failure while the streams hang, or a p99 above this floor and twice the same probe's
# p99 before, means someone was starved (sign-in's scrypt alone takes most of a second in a
# debug build).
P99_FLOOR_MS = 1000
# A small receive window and no growth, so a client that stops reading stops the server.
STALLING_CLIENT = [("grpc.http2.lookahead_bytes", 16 * 1024), ("grpc.http2.bdp_probe", 0)]


class Probes:
    """Threads that time WhoAmI (four at once), sign-in, health and the portal until stopped."""

    def __init__(self, dev: Dev, token: str, password: str):
        from fazhi.v1 import auth_pb2, auth_pb2_grpc
        self.dev, self.stopping, self.lock = dev, threading.Event(), threading.Lock()
        self.samples: dict[str, list[float]] = {"whoami": [], "login": [], "health": [], "portal": []}
        self.failures: list[str] = []
        agency = dev.value("dev.json", "agency_code")
        portal_context = ssl.create_default_context(cafile=dev.value("dev.json", "ca_file"))
        portal_url = dev.value("dev.json", "portal_url")

        def whoami(channel):
            auth_pb2_grpc.AuthServiceStub(channel).WhoAmI(auth_pb2.WhoAmIRequest(), metadata=[("authorization", f"Bearer {token}")], timeout=15)

        def login(channel):
            auth_pb2_grpc.AuthServiceStub(channel).Login(auth_pb2.LoginRequest(agency_code=agency, username="stalled", password=password), timeout=15)

        def health(channel):
            check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=lambda _: b"", response_deserializer=bytes)
            answer = check(None, timeout=15)
            if answer != SERVING:
                raise RuntimeError(f"health answered {answer!r}")

        def portal(_):
            with urllib.request.urlopen(portal_url, context=portal_context, timeout=15) as response:
                response.read()

        self.threads = [threading.Thread(target=self.probe, args=("whoami", whoami, 0)) for _ in range(4)]
        self.threads += [threading.Thread(target=self.probe, args=(name, call, 0.5)) for name, call in [("login", login), ("health", health), ("portal", portal)]]

    def probe(self, name: str, call, pause: float) -> None:
        with self.dev.channel() as channel:
            while not self.stopping.is_set():
                started = time.monotonic()
                try:
                    call(channel)
                    with self.lock:
                        self.samples[name].append(time.monotonic() - started)
                except Exception as error:  # any failure is the drill's finding
                    with self.lock:
                        self.failures.append(f"{name}: {error}")
                time.sleep(pause)

    def measure(self, seconds: float) -> tuple[dict, list[str]]:
        """Latencies per probe, and every failure."""
        for thread in self.threads:
            thread.start()
        time.sleep(seconds)
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        stats = {name: {"calls": len(values), "p50_ms": percentile(values, 0.5), "p99_ms": percentile(values, 0.99)} for name, values in self.samples.items()}
        return stats, self.failures


def run(dev: Dev, args) -> tuple[dict, list[str]]:
    from fazhi.v1 import statistics_pb2, statistics_pb2_grpc
    demo = subprocess.run([dev.fazhi, "demo", "--volume", "report"], cwd=dev.work, env=dev.env, capture_output=True, text=True)
    if demo.returncode != 0:
        return {}, [f"fazhi demo failed: {demo.stdout[-2000:]}"]
    password, token = dev.user("stalled", "compliance_officer")
    problems = []
    before, failures = Probes(dev, token, password).measure(args.between)

    channels = [dev.channel(options=STALLING_CLIENT) for _ in range(args.streams)]
    request = statistics_pb2.ExportStatisticsRequest(year=2023, format="csv", table="cases")
    streams, refused, other = [], 0, []
    for channel in channels:
        stream = statistics_pb2_grpc.StatisticsServiceStub(channel).ExportStatistics(request, metadata=[("authorization", f"Bearer {token}")])
        try:
            next(stream)  # one chunk, then the client reads nothing more
            streams.append(stream)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                refused += 1
            else:
                other.append(f"export: {error.code().name} {error.details()}")
    stalled_at = time.monotonic()
    # The probes run while the streams hang, up to the server's idle limit (30 s in fazhi dev).
    during, failures_during = Probes(dev, token, password).measure(max(args.between, 20))

    # Then each stalled stream must have been ended by the server, its slot free again.
    time.sleep(max(0.0, 35 - (time.monotonic() - stalled_at)))
    ended = {}
    for stream in streams:
        try:
            for _ in stream:
                pass
            ended["completed"] = ended.get("completed", 0) + 1
        except grpc.RpcError as error:
            ended[error.code().name] = ended.get(error.code().name, 0) + 1
    after_export = "OK"
    try:
        fresh = dev.channel()
        for _ in statistics_pb2_grpc.StatisticsServiceStub(fresh).ExportStatistics(request, metadata=[("authorization", f"Bearer {token}")], timeout=60):
            pass
        fresh.close()
    except grpc.RpcError as error:
        after_export = f"{error.code().name} {error.details()}"
    for channel in channels:
        channel.close()

    figures = {"streams": args.streams, "held": len(streams), "refused_resource_exhausted": refused, "held_streams_ended": ended,
               "export_afterwards": after_export, "before": before, "during": during}
    problems += other + [f"before the stall, {failure}" for failure in failures[:5]] + [f"during the stall, {failure}" for failure in failures_during[:10]]
    if refused == 0:
        problems.append("no export was refused: the streams did not hold their slots (too little data to stall?)")
    if ended.get("completed"):
        problems.append(f"{ended['completed']} stalled exports completed: the client's window took the whole file")
    if after_export != "OK":
        problems.append(f"an export after the stall failed: {after_export}")
    for name, stats in during.items():
        if stats["calls"] == 0:
            problems.append(f"{name}: no call answered while the streams hung")
        elif stats["p99_ms"] > max(P99_FLOOR_MS, 2 * (before[name]["p99_ms"] or 0)):
            problems.append(f"{name}: p99 {stats['p99_ms']} ms while the streams hung")
    return figures, problems
