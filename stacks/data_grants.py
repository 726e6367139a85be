"""Acknowledge, per finding, the wildcards that CDK's standard data grants produce, and nothing else.

``bucket.grant_read(cluster, "raw/*")`` and friends write action families (``s3:GetObject*``, ``kms:ReEncrypt*``)
and prefix resources (``<bucket>/raw/*``) into the grantee's default policy; cdk-nag reports each as an
AwsSolutions-IAM5 finding whose id embeds the resource as cdk-nag renders it. At synth (after cross-stack
references are resolved), every wildcard in a statement whose resources all belong to the stack's data grants is
acknowledged with its own id; a wildcard anywhere else stays a finding.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import IValidation

from emr_constructs.iam import flatten_cfn_reference

_ACTION_REASON = (
    "Action family written by CDK's standard grant (grant_read / grant_read_write / stream.grant_read) for the "
    "data access this config declares; it is limited to the data bucket prefixes, the S3 data key and the "
    "streams named in the same statement."
)
_RESOURCE_REASON = (
    "Objects under a data prefix that this config grants to the cluster (or its runtime roles): the object names "
    "are written by the jobs, so the grant names the prefix."
)
_INLINE_REASON = (
    "CDK's grants write the data access of this config into the role's default policy; its statements name "
    "this cluster's data prefixes, key and streams only and are reviewed with the stack."
)


@jsii.implements(IValidation)
class _DataGrantAcknowledgment:
    def __init__(self, policy: iam.CfnPolicy, data_arns: list[str]) -> None:
        self._policy = policy
        self._data_arns = data_arns

    def validate(self) -> list[str]:
        stack = cdk.Stack.of(self._policy)
        document: dict[str, Any] = stack.resolve(self._policy.policy_document)
        prefixes = [flatten_cfn_reference(stack.resolve(arn)) for arn in self._data_arns]
        acknowledgments: set[tuple[str, str]] = set()
        for statement in document.get("Statement", []):
            resources = statement.get("Resource", [])
            resources = resources if isinstance(resources, list) else [resources]
            flattened = [flatten_cfn_reference(resource) for resource in resources]
            if not flattened or not all(any(r.startswith(p) for p in prefixes) for r in flattened):
                continue
            actions = statement.get("Action", [])
            for action in actions if isinstance(actions, list) else [actions]:
                if "*" in action:
                    acknowledgments.add((f"AwsSolutions::AwsSolutions-IAM5[Action::{action}]", _ACTION_REASON))
            for resource in flattened:
                if "*" in resource:
                    acknowledgments.add((f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]", _RESOURCE_REASON))
        for rule, reason in sorted(acknowledgments):
            cdk.Validations.of(self._policy).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))
        return []


def acknowledge_data_grants(stack: cdk.Stack, data_arns: list[str]) -> None:
    """Attach the synth-time acknowledgment to every role default policy in ``stack``.

    ``data_arns`` are the ARNs of what the data grants may name: the data buckets, the S3 data key, streams.
    """
    for construct in stack.node.find_all():
        if isinstance(construct, iam.Policy) and construct.node.id == "DefaultPolicy":
            cfn = construct.node.default_child
            assert isinstance(cfn, iam.CfnPolicy)
            cfn.node.add_validation(_DataGrantAcknowledgment(cfn, data_arns))
            role = construct.node.scope
            if role is not None and "RuntimeRole" in role.node.id:
                cdk.Validations.of(cfn).acknowledge(
                    cdk.Acknowledgment(id="HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy", reason=_INLINE_REASON),
                    cdk.Acknowledgment(id="NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy", reason=_INLINE_REASON),
                )
