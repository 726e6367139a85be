"""Run the rules over a template set: findings, waivers (cdk-nag's own metadata), and what was not applicable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from emr_constructs.policy.clusters import ClusterView, cluster_views
from emr_constructs.policy.rules import BY_ID, JUDGED_RULES, RULES, WAIVER_RULE, Level, Options, Rule
from emr_constructs.policy.rules_deploy import judge_resources
from emr_constructs.policy.templates import Resource, TemplateSet

#: Rule ids as cdk-nag reports them (``<pack>-<rule>``); waivers name them so.
PACK = "EmrChecks"


def nag_id(rule: Rule) -> str:
    return f"{PACK}-{rule.id}"


@dataclass(frozen=True)
class Finding:
    rule: Rule
    template: str
    path: str  # the template file
    logical_id: str
    where: str  # logical id, and the state name for job flows
    message: str
    waived_reason: str | None = None

    @property
    def level(self) -> Level:
        return self.rule.level


def _waivers(resource: Resource) -> tuple[dict[str, str], list[str]]:
    """(rule id -> reason) for the resource's ``Metadata.cdk_nag.rules_to_suppress``, and the ids waived without a
    reason."""
    entries = (resource.metadata.get("cdk_nag") or {}).get("rules_to_suppress") or []
    reasons: dict[str, str] = {}
    missing: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        rule_id = str(entry.get("id", ""))
        reason = str(entry.get("reason") or "").strip()
        if reason:
            reasons[rule_id] = reason
        else:
            missing.append(rule_id)
    return reasons, missing


def check_view(view: ClusterView, options: Options, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """The non-compliant outcomes for one cluster, each marked waived when its resource waives it with a reason."""
    reasons, missing = _waivers(view.resource)
    template = view.templates.templates[view.resource.template]
    findings = []
    for rule in rules:
        outcome = rule.check(view, options)
        if outcome.status != "NON_COMPLIANT":
            continue
        findings.append(
            Finding(
                rule,
                template.name,
                template.path,
                view.resource.logical_id,
                view.where,
                outcome.message,
                reasons.get(nag_id(rule)) or reasons.get(rule.id),
            )
        )
    for rule_id in missing:
        if rule_id.removeprefix(f"{PACK}-") in BY_ID:
            findings.append(
                Finding(
                    WAIVER_RULE,
                    template.name,
                    template.path,
                    view.resource.logical_id,
                    view.where,
                    f"the waiver of {rule_id} has no reason, so it waives nothing",
                )
            )
    return findings


def check_resources(templates: TemplateSet, options: Options) -> list[Finding]:
    """The non-compliant outcomes of the resource rules (``rules_deploy``, ``serverless_rules``, ``studio_rules``,
    ``eks_rules``), each on the resource it judges and waived like a cluster's."""
    findings = []
    for rule, resource, outcome in judge_resources(templates, options, JUDGED_RULES):
        if outcome.status != "NON_COMPLIANT":
            continue
        reasons, _ = _waivers(resource)
        template = templates.templates[resource.template]
        findings.append(
            Finding(
                rule,
                template.name,
                template.path,
                resource.logical_id,
                resource.logical_id,
                outcome.message,
                reasons.get(nag_id(rule)) or reasons.get(rule.id),
            )
        )
    return findings


def check_templates(templates: TemplateSet, options: Options | None = None) -> list[Finding]:
    """Every finding of every cluster the templates create (raw ``AWS::EMR::Cluster`` and job-flow requests), and
    of the resource rules over every template."""
    options = options or Options()
    findings: list[Finding] = []
    for view in cluster_views(templates):
        findings.extend(check_view(view, options))
    findings.extend(check_resources(templates, options))
    return findings
