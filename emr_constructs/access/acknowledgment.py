"""Acknowledge, per finding, the wildcards that CDK's standard data grants write into a role's default policy.

``bucket.grant_read(role, "raw/*")`` and friends write action families (``s3:GetObject*``, ``kms:ReEncrypt*``) and
prefix resources (``<bucket>/raw/*``); cdk-nag reports each as an AwsSolutions-IAM5 finding whose id embeds the
action or the resource as cdk-nag renders it. At synthesis (after cross-stack references are resolved), every
wildcard of a statement whose resources all lie within the granted data is acknowledged with its own id; a
wildcard anywhere else stays a finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import IValidation

from emr_constructs.iam import flatten_cfn_reference

_AWS_SOLUTIONS_IAM5 = "AwsSolutions::AwsSolutions-IAM5"
ACTION_REASON = (
    "Action family written by CDK's standard grant (grant_read / grant_read_write / stream.grant_read) for the "
    "data access granted to this role; it is limited to the data bucket prefixes, the data keys and the streams "
    "named in the same statement."
)
RESOURCE_REASON = (
    "Objects under a data prefix granted to this role: the object names are written by the jobs, so the grant "
    "names the prefix."
)
INLINE_REASON = (
    "CDK's grants write the data access of this role (an EMR runtime role or an EMR Serverless execution role, "
    "whose only purpose is the jobs' access) into its default policy; its statements name the granted data "
    "prefixes, keys and streams only and are reviewed with the stack."
)


def _within(resource: str, data: Sequence[str]) -> bool:
    """``resource`` is one of ``data`` or lies under one (``<bucket ARN>/raw/*``, ``<topic ARN>/*``)."""
    return any(resource == arn or resource.startswith(f"{arn}/") for arn in data)


def data_grant_acknowledgments(document: dict[str, Any], data: Sequence[str]) -> list[tuple[str, str]]:
    """``(rule id, reason)`` for every wildcard of a resolved policy document's statements that name only ``data``.

    ``data`` are resolved ARNs flattened as cdk-nag names them (``flatten_cfn_reference``).
    """
    found: set[tuple[str, str]] = set()
    for statement in document.get("Statement", []):
        resources = statement.get("Resource", [])
        flattened = [flatten_cfn_reference(r) for r in (resources if isinstance(resources, list) else [resources])]
        if not flattened or not all(_within(resource, data) for resource in flattened):
            continue
        actions = statement.get("Action", [])
        for action in actions if isinstance(actions, list) else [actions]:
            if "*" in action:
                found.add((f"{_AWS_SOLUTIONS_IAM5}[Action::{action}]", ACTION_REASON))
        for resource in flattened:
            if "*" in resource:
                found.add((f"{_AWS_SOLUTIONS_IAM5}[Resource::{resource}]", RESOURCE_REASON))
    return sorted(found)


@jsii.implements(IValidation)
class DataGrantAcknowledgment:
    """A validation on a role: at synthesis, acknowledge the data-grant wildcards of its policies.

    The policies are the ``iam.Policy`` children of ``role`` (where CDK's grants write: the role's default policy).
    ``data_arns`` is read at synthesis, so ARNs appended after this is attached count. ``inline`` (default:
    ``False``) also acknowledges the HIPAA Security and NIST 800-53 R5 IAMNoInlinePolicy rules on those policies.
    """

    def __init__(self, role: iam.IRole, data_arns: Sequence[str], *, inline: bool = False) -> None:
        self._role = role
        self._data_arns = data_arns
        self._inline = inline

    def validate(self) -> list[str]:
        for policy in self._role.node.children:
            cfn = policy.node.default_child if isinstance(policy, iam.Policy) else None
            if isinstance(cfn, iam.CfnPolicy):
                self._acknowledge(cfn)
        return []

    def _acknowledge(self, cfn: iam.CfnPolicy) -> None:
        # One resolve and one acknowledge for the whole policy: each is a call into the kernel.
        document, *arns = cdk.Stack.of(cfn).resolve([cfn.policy_document, *self._data_arns])
        data = [flatten_cfn_reference(arn) for arn in arns]
        found = [cdk.Acknowledgment(id=r, reason=why) for r, why in data_grant_acknowledgments(document, data)]
        if self._inline:
            found += [
                cdk.Acknowledgment(id="HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy", reason=INLINE_REASON),
                cdk.Acknowledgment(id="NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy", reason=INLINE_REASON),
            ]
        if found:
            cdk.Validations.of(cfn).acknowledge(*found)


def acknowledge_data_grants(
    roles: Iterable[iam.IRole], data_arns: Sequence[str], *, inline: bool = False
) -> list[DataGrantAcknowledgment]:
    """Attach a ``DataGrantAcknowledgment`` to each of ``roles`` (roles defined in this app; an imported role's
    grants land in a policy of the importing scope and stay findings).

    ``data_arns`` are the ARNs the data grants may name: buckets, keys, streams, MSK clusters, topics and groups
    (tokens welcome: they are resolved at synthesis, in the role's stack). ``inline`` (default: ``False``) also
    acknowledges IAMNoInlinePolicy; pass it for roles whose only purpose is the granted data access (EMR runtime
    roles, ``EmrRoles.runtime_roles``).
    """
    attached = []
    for role in roles:
        validation = DataGrantAcknowledgment(role, data_arns, inline=inline)
        role.node.add_validation(validation)
        attached.append(validation)
    return attached
