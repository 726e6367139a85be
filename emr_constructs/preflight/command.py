"""``emr-constructs preflight CONFIG``: the checks as a table or JSON; exit 0 clean (warnings allowed), 1 blocking
problems or an AWS error, 2 usage or credentials."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from emr_constructs.preflight.checks import Finding, Preflight
from emr_constructs.spec import ConfigError, load_config


def render(findings: list[Finding]) -> str:
    """One line per finding: severity, cluster, check, what is wrong and what to do."""
    if not findings:
        return "preflight: no problems found"
    lines = []
    for finding in sorted(findings, key=lambda f: (f.severity != "blocking", f.cluster, f.check)):
        lines.append(f"{finding.severity.upper():<9} {finding.cluster} [{finding.check}] {finding.message}")
        lines.append(f"{'':<10}Fix: {finding.fix}")
    blocking = sum(1 for f in findings if f.severity == "blocking")
    lines.append(f"preflight: {blocking} blocking, {len(findings) - blocking} warnings")
    return "\n".join(lines)


def run_preflight(arguments: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from emr_constructs.operations.clients import describe_failure, new_client

    try:
        config = load_config(arguments.config)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = new_client(service, config.region)
        return clients[service]

    try:
        findings = Preflight(config, client).run()
    except NoCredentialsError:
        print("error: no AWS credentials. Fix: configure the usual chain (AWS_PROFILE, SSO, env)", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(f"error: {describe_failure(error)}", file=sys.stderr)
        return 1
    if arguments.format == "json":
        print(json.dumps([asdict(finding) for finding in findings], indent=2))
    else:
        print(render(findings))
    return 1 if any(finding.severity == "blocking" for finding in findings) else 0
