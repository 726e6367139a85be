"""Run the cdk-nag packs that the app registers and return the unacknowledged findings."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks


@dataclass(frozen=True)
class Finding:
    rule: str
    path: str

    def __str__(self) -> str:
        return f"{self.rule} at {self.path}"


def add_nag_packs(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app))


def synth_findings(app: cdk.App) -> list[Finding]:
    """Synthesise ``app`` (created with ``outdir`` left unset or temporary) and list every finding."""
    try:
        app.synth()
    except RuntimeError as error:
        if "ValidationFailed" not in str(error) and "Validation failed" not in str(error):
            raise
    report = Path(app.outdir) / "validation-report.json"
    if not report.exists():
        return []
    data = json.loads(report.read_text())
    findings: list[Finding] = []
    for plugin in data.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                findings.append(Finding(violation["ruleName"], construct["constructPath"]))
    return findings


def emr_checks_violations(app: cdk.App) -> list[tuple[str, str]]:
    """Synthesise ``app`` and list the ``EmrChecks`` findings as sorted (rule, construct path) pairs."""
    return sorted((f.rule, f.path) for f in synth_findings(app) if f.rule.startswith("EmrChecks-"))


def nag_app() -> cdk.App:
    """A fresh app in a temporary directory with the three packs registered."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="nag-"))
    add_nag_packs(app)
    return app


#: The library's own advice (synth warnings with stable ids): reported beside the findings, never a policy failure.
ADVISORIES = frozenset(
    f"Annotation::emr-constructs:{warning_id}"
    for warning_id in (
        "kerberos-waived",
        "stack-managed-auto-termination",
        "runtime-roles-direct-sessions",
        "kerberos-unsupported-application",
    )
)


def policy_failures(findings: list[Finding]) -> list[str]:
    """The findings that are policy failures: everything but the library's advisory warnings."""
    return [str(finding) for finding in findings if finding.rule not in ADVISORIES]
