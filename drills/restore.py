"""The restore drill: pgBackRest under write load, then a point-in-time restore into a
fresh cluster, served with the restored server secret (deploy/backup/README.md)."""
import hashlib
import json
import os
import shutil
import subprocess
import time

from failover import AGENCY, Replicated, run_as_postgres
from harness import Writers, free_port


class Archived(Replicated):
    """One primary archiving its WAL to a pgBackRest repository in the drill's folder."""

    def __init__(self, fazhi: str):
        super().__init__(fazhi)
        self.ports = {"primary": free_port()}
        self.config = self.work / "pgbackrest.conf"

    def pgbackrest(self, *args: str) -> str:
        return run_as_postgres("pgbackrest", f"--config={self.config}", "--stanza=fazhi", *args).stdout

    def start_clusters(self) -> None:
        primary = self.data("primary")
        for folder in [primary, self.work / "repo", self.work / "pgbackrest"]:
            folder.mkdir()
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres")
        self.config.write_text(f"""[global]
repo1-path={self.work / 'repo'}
repo1-retention-full=2
log-path={self.work / 'pgbackrest'}
lock-path={self.work / 'pgbackrest'}
start-fast=y
archive-async=n

[fazhi]
pg1-path={primary}
pg1-port={self.ports['primary']}
pg1-socket-path={self.work}
""")
        run_as_postgres(str(self.bin / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust")
        settings = {
            "listen_addresses": "'127.0.0.1'", "unix_socket_directories": f"'{self.work}'", "wal_level": "replica",
            "archive_mode": "on", "archive_command": f"'pgbackrest --config={self.config} --stanza=fazhi archive-push %p'",
            "archive_timeout": "60",
        }
        with open(primary / "postgresql.conf", "a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self.pg_ctl("primary", "-l", str(self.work / "primary.log"), "-o", f"-p {self.ports['primary']}", "-w", "start")
        self.pgbackrest("stanza-create")
        self.psql("primary", "CREATE ROLE fazhi_owner LOGIN CREATEROLE", "CREATE DATABASE fazhi OWNER fazhi_owner")


def upload_evidence(pair: Archived) -> tuple[str, str]:
    """A new case opened by the officers of the demo's latest case, with a file added to
    its record: (case, sha256)."""
    rows = pair.sql("""SELECT c.item_code, c.party_id, o.id, u.username FROM cases c
        JOIN case_officers co ON co.agency_id = c.agency_id AND co.case_id = c.id
        JOIN officers o ON o.agency_id = co.agency_id AND o.id = co.officer_id
        JOIN users u ON u.agency_id = o.agency_id AND u.id = o.user_id
        WHERE c.id = (SELECT id FROM cases ORDER BY opened_on DESC, id LIMIT 1)""").strip().splitlines()
    item, party = rows[0].split("|")[:2]
    officers = [row.split("|")[2] for row in rows]
    pair.cli("login", "--agency", AGENCY, "--username", rows[0].split("|")[3], password=pair.demo_password)
    opened = json.loads(pair.cli("case", "open", "--json", "--item", item, "--party", party, "--officers", *officers,
                                 "--text", "恢复演练 / restore drill"))
    opened = opened[0] if isinstance(opened, list) else opened
    case_id = opened.get("case_id") or opened.get("caseId") or opened["id"]
    evidence = pair.work / "evidence-before.bin"
    evidence.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    pair.cli("case", "evidence", case_id, str(evidence), "--step", "investigate", "--text", "恢复演练 / restore drill")
    return case_id, hashlib.sha256(evidence.read_bytes()).hexdigest()


def run(fazhi: str, args) -> tuple[dict, list[str]]:
    pair = Archived(fazhi)
    problems: list[str] = []
    try:
        pair.start_clusters()
        pair.tls()
        pair.migrate()
        pair.start_servers(1)
        token = pair.agency()
        pair.pgbackrest("--type=full", "backup")
        case_id, sha256 = upload_evidence(pair)
        # The file backup: evidence and secret as fazhi-files-backup copies them.
        files_backup = pair.work / "files-backup"
        files_backup.mkdir()
        subprocess.run(["rsync", "-a", f"{pair.work / 'evidence'}/", f"{files_backup / 'evidence'}/"], check=True)
        (files_backup / "server-secret").write_text(pair.secret)

        writers = Writers(pair, token, args.writers, addresses=pair.addresses)
        writers.start()
        time.sleep(args.between)
        differential = subprocess.Popen(["runuser", "-u", "postgres", "--", "pgbackrest", f"--config={pair.config}", "--stanza=fazhi",
                                         "--type=diff", "backup"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(args.between)
        # The restore target: everything acknowledged before it must come back.
        checkpoint = pair.work / "checkpoint.txt"
        pair.cli("disclosure", "verify", "--agency", AGENCY, "--save", str(checkpoint))
        with writers.lock:
            acknowledged_before = set(writers.acknowledged)
        time.sleep(1.5)
        target = pair.sql("SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.US+00')").strip()
        time.sleep(1.5)
        with writers.lock:
            acknowledged_soon_after = set(writers.acknowledged)
        time.sleep(args.between)
        writers.stop()
        if differential.wait() != 0:
            problems.append(f"differential backup under load failed: {differential.stderr.read()[-500:]}")
        pair.sql("SELECT pg_switch_wal()")  # the last segment reaches the archive now, not in a minute
        time.sleep(1)
        for server in pair.servers:
            server.stop()
        pair.pg_ctl("primary", "-m", "immediate", "stop")

        # A fresh cluster from the repository, up to the target.
        started = time.monotonic()
        restored = pair.data("restored")
        restored.mkdir()
        if os.geteuid() == 0:
            shutil.chown(restored, "postgres")
        pair.pgbackrest(f"--pg1-path={restored}", "--type=time", f"--target={target}", "--target-action=promote", "restore")
        pair.ports = {"restored": free_port()}
        pair.pg_ctl("restored", "-l", str(pair.work / "restored.log"), "-o", f"-p {pair.ports['restored']}", "-w", "-t", "300", "start")
        for _ in range(600):
            if pair.psql("restored", "SELECT pg_is_in_recovery()").strip() == "f":
                break
            time.sleep(0.1)
        restore_seconds = round(time.monotonic() - started, 1)
        # The files and the secret from their backup, then a server on the restored cluster.
        shutil.rmtree(pair.work / "evidence")
        subprocess.run(["rsync", "-a", f"{files_backup / 'evidence'}/", f"{pair.work / 'evidence'}/"], check=True)
        pair.secret = (files_backup / "server-secret").read_text()
        pair.servers, pair.addresses = [], []
        (pair.work / "serve-1.log").rename(pair.work / "serve-1-before-restore.log")
        pair.start_servers(1)

        stored = {line for line in pair.sql(f"SELECT name FROM parties WHERE name LIKE 'drill-{writers.run}-%'").splitlines()}
        lost = sorted(acknowledged_before - stored)
        problems += [f"acknowledged before the target, missing after the restore: {name}" for name in lost[:10]]
        try:
            pair.cli("disclosure", "verify", "--agency", AGENCY, "--checkpoint", str(checkpoint))
        except RuntimeError as error:
            problems.append(f"the restored log does not extend the checkpoint saved before the target: {error}")
        downloaded = pair.work / "evidence-after.bin"
        try:
            pair.cli("case", "download", case_id, sha256, "--out", str(downloaded))
            if hashlib.sha256(downloaded.read_bytes()).hexdigest() != sha256:
                problems.append("the restored evidence file does not match its hash")
        except RuntimeError as error:
            problems.append(f"the evidence file could not be downloaded after the restore: {error}")
        figures = {
            "writers": args.writers, "acknowledged": len(writers.acknowledged), "acknowledged_before_target": len(acknowledged_before),
            "restored_of_those": len(acknowledged_before & stored), "lost": len(lost),
            "acknowledged_within_1.5_s_after_target_and_restored": len((acknowledged_soon_after - acknowledged_before) & stored),
            "restored_after_target_beyond_that": len(stored - acknowledged_soon_after),
            "restore_seconds": restore_seconds, "evidence_sha256": sha256[:16],
        }
        for server in pair.servers:
            problems += [f"server: {line}" for line in server.error_lines()[:5]]
        return figures, problems
    finally:
        pair.stop()
