"""Resource-level cfn-lint suppressions, for the rare warning that is a deliberate choice.

cfn-lint reads ``Metadata.cfn-lint.config.ignore_checks`` on a resource and skips those rules there only. The
CDK's own "CloudFormation Validate" plugin runs the same rules at synth; the same rule is acknowledged there
on the same resource, with the reason.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnResource, Validations


def ignore_cfn_lint(resource: CfnResource, rule: str, reason: str) -> None:
    """Let cfn-lint skip ``rule`` on ``resource`` alone. ``reason`` is required and must say why."""
    if not reason.strip():
        raise ValueError(f"ignore_cfn_lint({rule!r}): a reason is required. Fix: say why the rule does not apply")
    existing = resource.get_metadata("cfn-lint") or {}
    checks = list(existing.get("config", {}).get("ignore_checks", []))
    if rule not in checks:
        checks.append(rule)
    resource.add_metadata("cfn-lint", {"config": {"ignore_checks": checks}})
    Validations.of(resource).acknowledge(Acknowledgment(id=f"CloudFormation-Validate::{rule}", reason=reason))
