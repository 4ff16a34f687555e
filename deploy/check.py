#!/usr/bin/env python3
"""Checks the deployments under deploy/ without running them (no engine, no cluster):

- kubernetes/: every Kubernetes object against the API schemas (kubernetes-validate,
  strict: unknown fields fail), the CloudNativePG Cluster against the partial schema
  checked in beside it, and the references between them (secrets, claims, services);
- compose/compose.yaml: a YAML check of its structure and references (the Docker client
  here cannot run `docker compose config` without its plugin);
- systemd/fazhi.service: `systemd-analyze verify` (ExecStart pointed at a built binary)
  and `systemd-analyze security --offline=true`, whose exposure must stay at or below 1.5 (1.2 when written).

    python3 deploy/check.py --fazhi .build/release/fazhi
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys
import tempfile

import jsonschema
import kubernetes_validate
import yaml

DEPLOY = pathlib.Path(__file__).resolve().parent
KUBERNETES_VERSION = "1.30.0"
SECURITY_LIMIT = 1.5


def kubernetes(problems: list[str]) -> None:
    objects = []
    for name in ["fazhi.yaml", "postgres.yaml"]:
        objects += [(name, doc) for doc in yaml.safe_load_all((DEPLOY / "kubernetes" / name).read_text()) if doc]
    cluster_schema = json.loads((DEPLOY / "kubernetes" / "cnpg-cluster.schema.json").read_text())
    for name, doc in objects:
        label = f"kubernetes/{name}: {doc.get('kind')} {doc.get('metadata', {}).get('name')}"
        try:
            if doc.get("apiVersion", "").startswith("postgresql.cnpg.io/"):
                jsonschema.validate(doc, cluster_schema)
            else:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except (kubernetes_validate.ValidationError, jsonschema.ValidationError) as error:
            problems.append(f"{label}: {getattr(error, 'message', error)}")
        except Exception as error:  # an unknown kind or version is a finding too
            problems.append(f"{label}: {error}")
    kinds = {(doc["kind"], doc["metadata"]["name"]) for _, doc in objects}
    deployment = next(doc for _, doc in objects if doc["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    for volume in pod["volumes"]:
        if "persistentVolumeClaim" in volume and ("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]) not in kinds:
            problems.append(f"kubernetes: the Deployment mounts a claim that is not defined: {volume['persistentVolumeClaim']['claimName']}")
    container = pod["containers"][0]
    for probe in ["readinessProbe", "livenessProbe"]:
        if probe not in container:
            problems.append(f"kubernetes: the Deployment has no {probe}")
    if deployment["spec"]["replicas"] < 2:
        problems.append("kubernetes: fewer than two replicas")
    if not any(kind == "PodDisruptionBudget" for kind, _ in kinds):
        problems.append("kubernetes: no PodDisruptionBudget")
    cluster = next(doc for _, doc in objects if doc["kind"] == "Cluster")
    url = next(env["value"] for env in container["env"] if env["name"] == "FAZHI_DATABASE_URL")
    if f"@{cluster['metadata']['name']}-rw:" not in url:
        problems.append("kubernetes: the servers do not connect through the cluster's -rw service")
    roles = {role["name"]: role for role in cluster["spec"]["managed"]["roles"]}
    app = roles.get("fazhi_app")
    if not app or app.get("superuser") or app.get("bypassrls") or app.get("createrole"):
        problems.append("kubernetes: fazhi_app must be a managed role without superuser, bypassrls or createrole")
    elif ("Secret", app["passwordSecret"]["name"]) not in kinds:
        problems.append("kubernetes: fazhi_app's password secret is not defined")


def compose(problems: list[str]) -> None:
    document = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
    services = document.get("services", {})
    declared = {"volumes": set(document.get("volumes", {})), "secrets": set(document.get("secrets", {}))}
    for name, service in services.items():
        if not service.get("image"):
            problems.append(f"compose: service {name} has no image")
        for dependency, condition in (service.get("depends_on") or {}).items():
            if dependency not in services:
                problems.append(f"compose: {name} depends on an unknown service {dependency}")
            if condition.get("condition") not in {"service_started", "service_healthy", "service_completed_successfully"}:
                problems.append(f"compose: {name} waits for {dependency} on an unknown condition")
            if condition.get("condition") == "service_healthy" and "healthcheck" not in services.get(dependency, {}):
                problems.append(f"compose: {name} waits for {dependency} to be healthy, which has no health check")
        for secret in service.get("secrets", []):
            if secret not in declared["secrets"]:
                problems.append(f"compose: {name} uses an undeclared secret {secret}")
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")) and source not in declared["volumes"]:
                problems.append(f"compose: {name} mounts an undeclared volume {source}")
        for port in service.get("ports", []):
            if not re.fullmatch(r"(127\.0\.0\.1:)?\d+:\d+", str(port)):
                problems.append(f"compose: {name} publishes an unreadable port {port}")
    servers = [name for name, service in services.items() if service.get("command", service.get("entrypoint")) is None and name.startswith("fazhi")]
    if len(servers) < 2:
        problems.append("compose: fewer than two Fazhi servers")
    for name in servers:
        ports = [str(port) for port in services[name].get("ports", [])]
        if any(port.endswith(":7443") and not port.startswith("127.0.0.1:") for port in ports):
            problems.append(f"compose: {name} publishes gRPC beyond 127.0.0.1")
        if "evidence:/var/lib/fazhi/evidence" not in services[name].get("volumes", []):
            problems.append(f"compose: {name} does not share the evidence volume")
    if services.get("postgres", {}).get("healthcheck") is None:
        problems.append("compose: PostgreSQL has no health check")


def systemd(problems: list[str], fazhi: str) -> float | None:
    unit = (DEPLOY / "systemd" / "fazhi.service").read_text()
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "fazhi.service"
        path.write_text(unit.replace("ExecStart=/opt/fazhi/bin/fazhi", f"ExecStart={pathlib.Path(fazhi).resolve()}"))
        verify = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True)
        if verify.returncode != 0 or verify.stderr.strip():
            problems.append(f"systemd: systemd-analyze verify: {verify.stderr.strip() or verify.returncode}")
        security = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", str(path)], capture_output=True, text=True)
        score = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout + security.stderr)
        if not score:
            problems.append(f"systemd: no exposure level from systemd-analyze security: {security.stderr.strip()}")
            return None
        if float(score.group(1)) > SECURITY_LIMIT:
            problems.append(f"systemd: exposure {score.group(1)} is above {SECURITY_LIMIT}")
        return float(score.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fazhi", required=True, help="a built fazhi binary (systemd-analyze verify checks ExecStart)")
    args = parser.parse_args()
    problems: list[str] = []
    kubernetes(problems)
    compose(problems)
    score = systemd(problems, args.fazhi)
    for folder in ["compose", "systemd", "kubernetes", "backup"]:
        if not (DEPLOY / folder / "README.md").exists():
            problems.append(f"{folder}/README.md is missing")
    for problem in problems:
        print("  ", problem, file=sys.stderr)
    print(f"deploy/check.py: kubernetes {KUBERNETES_VERSION} strict, compose, systemd (exposure {score}): "
          + ("ok" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
