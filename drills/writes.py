"""The write drills: parties created under retry while the server is killed or
terminated, PostgreSQL restarts, or one of two servers dies."""
import subprocess
import time

from harness import Dev, Writers

# A shutdown that takes longer than the grace (10 s) plus the cancellation time (5 s) and
# a margin for a busy machine has hung.
SHUTDOWN_LIMIT_SECONDS = 20


def run(dev: Dev, args) -> tuple[dict, list[str]]:
    _, token = dev.user("drill", "officer")
    if args.drill == "two-servers":
        return two_servers(dev, token, args)
    writers = Writers(dev, token, args.writers)
    writers.start()
    exits = []
    for _ in range(args.faults):
        time.sleep(args.between)
        # Recovery is counted from the moment the server or database is down.
        if args.drill == "kill":
            dev.server.kill()
            writers.fault()
            time.sleep(args.down)
            dev.server.start()
        elif args.drill == "sigterm":
            exits.append(dev.server.terminate())
            writers.fault()
            time.sleep(args.down)
            dev.server.start()
        else:
            dev.db("stop")
            writers.fault()
            time.sleep(args.down)
            dev.db("start")
    time.sleep(args.between)
    writers.stop()
    figures, problems = writers.account(args.faults)
    if args.drill == "sigterm":
        figures["exit_seconds"] = exits
        figures["refusals"] = {f"{code} {details}": count for (code, details), count in writers.failures.most_common(8)}
        problems += [f"shutdown took {seconds} s" for seconds in exits if seconds > SHUTDOWN_LIMIT_SECONDS]
        # Calls in flight finish and new ones are refused as UNAVAILABLE: any other answer
        # (a call cut off, a GOAWAY with PROTOCOL_ERROR) is a failure of the shutdown.
        problems += [f"{count} × {code} {details}" for (code, details), count in writers.failures.items()
                     if code != "UNAVAILABLE" or "PROTOCOL_ERROR" in details]
    problems += [f"server log: {line}" for line in dev.server.error_lines()[:10]]
    return figures, problems


def two_servers(dev: Dev, token: str, args) -> tuple[dict, list[str]]:
    """`fazhi dev` and a second `fazhi serve` share the database while `fazhi demo` loads
    the sample agency beside them (its disclosures reach both servers' outbox workers);
    writers use both servers and move to the other when theirs does not answer; the
    first server is killed once. Zero error-level lines are allowed in either log."""
    second, address = dev.second_server()
    second.start()
    writers = Writers(dev, token, args.writers, addresses=[dev.address, address])
    writers.start()
    demo = subprocess.Popen([dev.fazhi, "demo", "--volume", "sample"], cwd=dev.work, env=dev.env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    time.sleep(args.between)
    dev.server.kill()
    writers.fault()
    time.sleep(args.down)
    dev.server.start()
    demo_output, _ = demo.communicate(timeout=900)
    time.sleep(args.between)
    writers.stop()
    # Give the workers a moment to publish what the demo left in the outbox.
    time.sleep(3)
    figures, problems = writers.account(1)
    figures["demo_exit"] = demo.returncode
    # Every sequenced entry has its own index, and the indexes run 0…n-1 without a gap.
    leaves = dev.sql("SELECT count(*), count(DISTINCT leaf_index), coalesce(max(leaf_index) + 1, 0) FROM disclosure_entries"
                     " WHERE leaf_index IS NOT NULL").strip()
    figures["log_leaves"] = leaves
    figures["outbox_unpublished"] = int(dev.sql("SELECT count(*) FROM public_record_outbox WHERE published_at IS NULL").strip())
    if demo.returncode != 0:
        problems.append(f"fazhi demo failed: {demo_output[-2000:]}")
    count, distinct, span = leaves.split("|")
    if not count == distinct == span:
        problems.append(f"disclosure log indexes repeat: {leaves}")
    # The race the workers once lost: a unique violation on the outbox's index, whole ticks failed.
    database_log = (dev.work / ".fazhi" / "postgres" / "server.log").read_text()
    figures["postgres_errors"] = database_log.count("ERROR:")
    violations = [line for line in database_log.splitlines() if "duplicate key value" in line]
    problems += [f"postgres: {line}" for line in violations[:10]]
    for name, server in [("dev", dev.server), ("serve", second)]:
        problems += [f"{name} log: {line}" for line in server.error_lines()[:10]]
    return figures, problems
