"""The rolling-upgrade drill: two servers of the old version on one database (a primary
and its synchronous standby, as in the failover drill), writers with idempotency keys on
both; then the new version's migrations applied while the old servers serve, the first
server restarted on the new binary while the second still runs the old one, and the
second restarted on the new binary. Counts acknowledged writes lost, duplicated and
unanswered (each must be 0: no call fails beyond its retries), every failed attempt by its
code, and checks both servers' logs and the disclosure log against a checkpoint saved
before the upgrade.

The old version is a git revision: its `sql/` is read from git, and its binary is built in
a temporary worktree unless --old-fazhi names one already built from that revision."""
import collections
import os
import pathlib
import subprocess
import tempfile
import time

from failover import AGENCY, Replicated
from harness import ROOT, Server, Writers, free_port


def old_version(args) -> tuple[str, pathlib.Path, pathlib.Path]:
    """The old binary and the old `sql/` directory, and a folder to remove afterwards."""
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="fazhi-upgrade-old-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.old, "sql"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive, check=True)
    if args.old_fazhi:
        return args.old_fazhi, scratch / "sql", scratch
    tree = scratch / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.old], check=True, capture_output=True)
    subprocess.run(["swift", "build", "--product", "fazhi"], cwd=tree, check=True)
    binary = subprocess.run(["swift", "build", "--show-bin-path"], cwd=tree, check=True, capture_output=True, text=True).stdout.strip()
    return f"{binary}/fazhi", scratch / "sql", scratch


class Rolling(Replicated):
    """The failover drill's database pair, with servers that each run a binary of their own."""

    def start_server(self, binary: str, index: int, sql: pathlib.Path) -> Server:
        if index >= len(self.servers):
            self.addresses.append(f"127.0.0.1:{free_port()}")
        port = self.addresses[index].split(":")[1]
        env = self.environment(
            FAZHI_SQL_DIR=str(sql), FAZHI_DATABASE_URL=self.multi_host_url, FAZHI_TLS_CERTIFICATE=str(self.work / "tls" / "server.pem"),
            FAZHI_TLS_KEY=str(self.work / "tls" / "server-key.pem"), FAZHI_GRPC_PORT=port, FAZHI_GRPC_MTLS_PORT="-1",
            FAZHI_METRICS_PORT="-1", FAZHI_PORTAL_PORT="-1", FAZHI_EVIDENCE_DIRECTORY=str(self.work / "evidence"))
        server = Server([binary, "serve"], self.work, env, self.work / f"serve-{index + 1}.log", "serving")
        if index < len(self.servers):
            server.starts = self.servers[index].starts
            self.servers[index] = server
        else:
            self.servers.append(server)
        server.start()
        self.address = self.addresses[0]
        return server

    def migrate_with(self, binary: str, sql: pathlib.Path) -> str:
        done = subprocess.run([binary, "migrate"], check=True, capture_output=True, text=True, env=self.environment(
            FAZHI_SQL_DIR=str(sql), FAZHI_OWNER_DATABASE_URL=f"postgresql://fazhi_owner@127.0.0.1:{self.ports['primary']}/fazhi",
            FAZHI_APP_PASSWORD=self.app_password))
        return done.stdout + done.stderr


def run(fazhi: str, args) -> tuple[dict, list[str]]:
    old_fazhi, old_sql, scratch = old_version(args)
    new_sql = ROOT / "sql"
    pair = Rolling(old_fazhi)
    try:
        pair.start_clusters()
        pair.tls()
        pair.migrate_with(old_fazhi, old_sql)
        for index in range(2):
            pair.start_server(old_fazhi, index, old_sql)
        token = pair.agency()
        time.sleep(3)  # the workers publish what the demo queued
        checkpoint = pair.work / "checkpoint.txt"
        pair.cli("disclosure", "verify", "--agency", AGENCY, "--save", str(checkpoint))
        old_versions = int(pair.sql("SELECT count(*) FROM fazhi_schema_migrations").strip())

        writers = Writers(pair, token, args.writers, addresses=pair.addresses)
        writers.start()
        steps = {}
        time.sleep(args.between)
        started = time.monotonic()
        pair.migrate_with(fazhi, new_sql)
        steps["migrate_seconds"] = round(time.monotonic() - started, 2)
        time.sleep(args.between)  # old binaries on the new schema
        for index in range(2):
            writers.fault()
            started = time.monotonic()
            pair.servers[index].stop()
            pair.fazhi = fazhi
            pair.start_server(fazhi, index, new_sql)
            steps[f"server_{index + 1}_restart_seconds"] = round(time.monotonic() - started, 2)
            time.sleep(args.between)  # one old and one new binary, then two new
        writers.stop()

        figures, problems = writers.account(2)
        figures.update(steps)
        figures["migrations_before_and_after"] = [old_versions, int(pair.sql("SELECT count(*) FROM fazhi_schema_migrations").strip())]
        by_code = collections.Counter()
        for (code, _), count in writers.failures.items():
            by_code[code] += count
        figures["failed_attempts_by_code"] = dict(sorted(by_code.items()))
        try:
            verified = pair.cli("disclosure", "verify", "--agency", AGENCY, "--checkpoint", str(checkpoint))
            figures["log_verified"] = verified.strip().splitlines()[-1] if verified.strip() else "ok"
        except RuntimeError as error:
            problems.append(f"disclosure verify against the checkpoint saved before the upgrade: {error}")
        for index, server in enumerate(pair.servers):
            problems += [f"server {index + 1}: {line}" for line in server.error_lines()[:5]]
        return figures, problems
    finally:
        pair.stop()
        if not args.old_fazhi:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(scratch / "tree")], capture_output=True)
        subprocess.run(["rm", "-rf", str(scratch)])
