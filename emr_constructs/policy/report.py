"""Findings as a table, as JSON, and as SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from emr_constructs.policy.engine import Finding, nag_id
from emr_constructs.policy.rules import BY_ID

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULES_DOC = "docs/policy-rules.md"


def as_text(findings: Sequence[Finding], lint: Sequence[str] = ()) -> str:
    active = [f for f in findings if f.waived_reason is None]
    waived = [f for f in findings if f.waived_reason is not None]
    lines = []
    for finding in active:
        lines.append(f"{finding.level.upper():7} {nag_id(finding.rule):20} {finding.template}:{finding.where}")
        lines.append(f"        {finding.rule.title}: {finding.message}.")
        lines.append(f"        Fix: {finding.rule.fix}")
    for finding in waived:
        lines.append(f"waived  {nag_id(finding.rule):20} {finding.template}:{finding.where}: {finding.waived_reason}")
    for line in lint:
        lines.append(f"cfn-lint {line}")
    errors = sum(1 for f in active if f.level == "error")
    warnings = len(active) - errors
    lines.append(f"{errors} error(s), {warnings} warning(s), {len(waived)} waived, {len(lint)} cfn-lint finding(s)")
    return "\n".join(lines)


def as_json(findings: Sequence[Finding], lint: Sequence[str] = ()) -> str:
    return json.dumps(
        {
            "findings": [
                {
                    "rule": nag_id(f.rule),
                    "level": f.level,
                    "title": f.rule.title,
                    "message": f.message,
                    "fix": f.rule.fix,
                    "template": f.path,
                    "logicalId": f.logical_id,
                    "where": f.where,
                    "waived": f.waived_reason is not None,
                    "waiverReason": f.waived_reason,
                }
                for f in findings
            ],
            "cfnLint": list(lint),
        },
        indent=2,
    )


def as_sarif(findings: Sequence[Finding], tool_version: str) -> str:
    rules: list[dict[str, Any]] = [
        {
            "id": nag_id(rule),
            "name": rule.id.replace("-", ""),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.explanation},
            "help": {"text": f"Fix: {rule.fix}", "markdown": f"**Fix:** {rule.fix}"},
            "helpUri": f"{RULES_DOC}#{rule.id.lower()}",
            "defaultConfiguration": {"level": rule.level},
        }
        for rule in BY_ID.values()
    ]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": nag_id(finding.rule),
            "ruleIndex": index[nag_id(finding.rule)],
            "level": finding.level,
            "message": {"text": f"{finding.rule.title}: {finding.message}. Fix: {finding.rule.fix}"},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": finding.path}},
                    "logicalLocations": [{"name": finding.logical_id, "fullyQualifiedName": finding.where}],
                }
            ],
        }
        if finding.waived_reason is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": finding.waived_reason}]
        results.append(result)
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "emr-constructs check",
                        "version": tool_version,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2)
