#!/usr/bin/env python3
"""Fault drills: write under load while things fail, then count what was acknowledged,
lost and duplicated (docs/RELIABILITY.md).

    python3 drills/drill.py kill         # kill -9 the server mid-load, restart it
    python3 drills/drill.py db-restart   # stop and start PostgreSQL mid-load
    python3 drills/drill.py sigterm      # SIGTERM the server mid-load, restart it
    python3 drills/drill.py two-servers  # two servers on one database, the demo loading beside them, one killed
    python3 drills/drill.py stalled      # exports whose clients stop reading; everyone else timed
    python3 drills/drill.py failover     # kill -9 of the primary, its synchronous standby promoted
    python3 drills/drill.py restore      # pgBackRest under load, point-in-time restore into a fresh cluster
    python3 drills/drill.py upgrade --old REV [--old-fazhi BINARY]
                                         # two servers of REV, the new migrations, each server restarted on the new binary

Each drill starts its own `fazhi dev --no-demo` in a temporary folder (the binary from
`swift build`, or --fazhi). The write drills run --writers threads that each create
parties, one call per party with its own idempotency key, retrying every failure with the
same key until it is acknowledged, and read the parties straight from PostgreSQL at the
end. Every drill prints one JSON line and exits 1 on any lost, duplicated or unanswered
write, or on the drill's own failure condition.
"""
import argparse
import json
import sys

from harness import Dev, fazhi_binary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drill", choices=["kill", "db-restart", "sigterm", "two-servers", "stalled", "failover", "restore", "upgrade"])
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--faults", type=int, default=2, help="kills, database restarts or SIGTERMs")
    parser.add_argument("--between", type=float, default=5, help="seconds of load before each fault and after the last")
    parser.add_argument("--down", type=float, default=2, help="seconds the server or database stays down")
    parser.add_argument("--streams", type=int, default=16, help="stalled: exports opened and never read")
    parser.add_argument("--fazhi", default=None, help="the fazhi binary (default: swift build's)")
    parser.add_argument("--old", default="HEAD~1", help="upgrade: the git revision upgraded from")
    parser.add_argument("--old-fazhi", default=None, help="upgrade: that revision's fazhi binary, already built (default: build it)")
    args = parser.parse_args()
    if args.drill in ("failover", "restore", "upgrade"):
        drill = __import__(args.drill)
        result, problems = drill.run(fazhi_binary(args.fazhi), args)
        print(json.dumps({"drill": args.drill, **result}, ensure_ascii=False))
        for problem in problems:
            print("  ", problem, file=sys.stderr)
        return 1 if problems else 0
    dev = Dev(fazhi_binary(args.fazhi), portal=args.drill == "stalled")
    try:
        dev.server.start()
        if args.drill == "stalled":
            import stalled
            result, problems = stalled.run(dev, args)
        else:
            import writes
            result, problems = writes.run(dev, args)
        print(json.dumps({"drill": args.drill, **result}, ensure_ascii=False))
        for problem in problems:
            print("  ", problem, file=sys.stderr)
        return 1 if problems else 0
    finally:
        dev.stop()


if __name__ == "__main__":
    sys.exit(main())
