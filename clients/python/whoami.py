#!/usr/bin/env python3
"""Sign in to Fazhi over TLS and ask who we are: a second-language client of the contract.

Generates Python stubs from ../../proto with grpcio-tools into a temporary directory
(nothing generated is committed), then:
    python3 clients/python/whoami.py                # reads .fazhi/dev.json (fazhi dev)
    python3 clients/python/whoami.py --address 127.0.0.1:7443 --ca ca.pem \
        --agency 411202-MZ --username admin --password ...
Exit status 0 when WhoAmI answers for the user that signed in.
"""
import argparse
import json
import os
import pathlib
import sys
import tempfile

import grpc
from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Fazhi answers UNAVAILABLE while its database cannot be reached (docs/INTEGRATOR.md,
# "Retries"): gRPC retries such calls by itself with this service config.
RETRY_SERVICE_CONFIG = json.dumps({
    "methodConfig": [{
        "name": [{"service": "fazhi.v1.AuthService"}, {"service": "fazhi.v1.AdminService"}, {"service": "fazhi.v1.AuditService"},
                 {"service": "fazhi.v1.VerificationService"}, {"service": "fazhi.v1.CredentialService"},
                 {"service": "fazhi.v1.PowerListService"}, {"service": "fazhi.v1.PartyService"}, {"service": "fazhi.v1.CaseService"},
                 {"service": "fazhi.v1.DisclosureService"}, {"service": "fazhi.v1.StatisticsService"},
                 {"service": "fazhi.v1.CaseRecordService"}],
        "retryPolicy": {
            "maxAttempts": 5,
            "initialBackoff": "0.5s",
            "maxBackoff": "8s",
            "backoffMultiplier": 2,
            "retryableStatusCodes": ["UNAVAILABLE"],
        },
    }]
})


def generate_stubs(out: pathlib.Path) -> None:
    proto_dir = ROOT / "proto"
    include = pathlib.Path(protoc.__file__).parent / "_proto"  # google/protobuf/*.proto
    files = [str(p.relative_to(proto_dir)) for p in sorted(proto_dir.rglob("*.proto"))]
    status = protoc.main(["protoc", f"-I{proto_dir}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *files])
    if status != 0:
        sys.exit(f"protoc failed ({status})")
    sys.path.insert(0, str(out))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-json", default=str(ROOT / ".fazhi" / "dev.json"))
    parser.add_argument("--address")
    parser.add_argument("--ca")
    parser.add_argument("--agency")
    parser.add_argument("--username")
    parser.add_argument("--password", default=os.environ.get("FAZHI_PASSWORD"))
    args = parser.parse_args()
    if os.path.exists(args.dev_json):
        dev = json.loads(pathlib.Path(args.dev_json).read_text())
        args.address = args.address or dev["grpc_address"]
        args.ca = args.ca or dev["ca_file"]
        args.agency = args.agency or dev["agency_code"]
        args.username = args.username or dev["username"]
        args.password = args.password or dev["password"]
    if not all([args.address, args.ca, args.agency, args.username, args.password]):
        parser.error("need --address, --ca, --agency, --username and --password (or a .fazhi/dev.json)")

    with tempfile.TemporaryDirectory() as stubs:
        generate_stubs(pathlib.Path(stubs))
        from fazhi.v1 import auth_pb2, auth_pb2_grpc  # noqa: E402 (generated above)

        credentials = grpc.ssl_channel_credentials(root_certificates=pathlib.Path(args.ca).read_bytes())
        options = [("grpc.enable_retries", 1), ("grpc.service_config", RETRY_SERVICE_CONFIG)]
        with grpc.secure_channel(args.address, credentials, options=options) as channel:
            auth = auth_pb2_grpc.AuthServiceStub(channel)
            login = auth.Login(auth_pb2.LoginRequest(agency_code=args.agency, username=args.username, password=args.password), timeout=30)
            me = auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=[("authorization", f"Bearer {login.token}")], timeout=30).caller
            print(f"{me.display_name} ({me.username}) @ {me.agency_name} [{me.agency_code}], roles: {', '.join(me.roles)}")
            return 0 if me.username == args.username and me.agency_code == args.agency else 1


if __name__ == "__main__":
    sys.exit(main())
