"""Acknowledge granular cdk-nag findings whose id embeds a resource ARN known only at synthesis."""

from __future__ import annotations

import json
import weakref
from typing import Any

import aws_cdk as cdk
import jsii
from constructs import IConstruct, IValidation


def flatten_cfn_reference(value: Any) -> str:
    """Render a resolved CloudFormation value the way cdk-nag names it in a granular finding id.

    Mirrors ``flattenCfnReference`` in cdk-nag 3: ``Fn::GetAtt`` becomes ``<Logical.Attr>``, ``Ref``
    becomes ``<Name>``, ``Fn::ImportValue`` its export name, ``Fn::Join`` the joined parts.
    """
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        if "Fn::Join" in value:
            delimiter, items = value["Fn::Join"]
            return str(delimiter).join(flatten_cfn_reference(item) for item in items)
        if "Fn::Sub" in value:
            return flatten_cfn_reference(value["Fn::Sub"])
        if "Fn::GetAtt" in value:
            resource, attribute = value["Fn::GetAtt"]
            return f"<{flatten_cfn_reference(resource)}.{flatten_cfn_reference(attribute)}>"
        if "Fn::ImportValue" in value:
            return flatten_cfn_reference(value["Fn::ImportValue"])
        if "Ref" in value:
            return f"<{flatten_cfn_reference(value['Ref'])}>"
    return json.dumps(value, separators=(",", ":"))


@jsii.implements(IValidation)
class _LateResourceAcknowledgments:
    """The resource findings acknowledged on one construct, computed together at synthesis: one validation, one
    ``resolve`` and one ``acknowledge`` per construct, however many findings (each is a call into the kernel)."""

    def __init__(self, target: IConstruct) -> None:
        self._target = target
        self._findings: list[tuple[str, str, str]] = []

    def add(self, rule: str, resource_arn: str, reason: str) -> None:
        self._findings.append((rule, resource_arn, reason))

    def validate(self) -> list[str]:
        # Runs after CDK has turned cross-stack references into Fn::ImportValue, so the id matches
        # what cdk-nag sees whether the resource lives in this stack, another stack or outside.
        resolved = cdk.Stack.of(self._target).resolve([arn for _, arn, _ in self._findings])
        cdk.Validations.of(self._target).acknowledge(
            *(
                cdk.Acknowledgment(id=f"{rule}[Resource::{flatten_cfn_reference(arn)}]", reason=reason)
                for (rule, _, reason), arn in zip(self._findings, resolved, strict=True)
            )
        )
        return []


#: The pending acknowledgments of each construct that has any (jsii gives one Python object per construct).
_PENDING: weakref.WeakKeyDictionary[IConstruct, _LateResourceAcknowledgments] = weakref.WeakKeyDictionary()


def acknowledge_resource_finding(target: IConstruct, rule: str, resource_arn: str, reason: str) -> None:
    """Acknowledge ``<rule>[Resource::<resource_arn as cdk-nag renders it>]`` on ``target``.

    ``rule`` is the namespaced rule id, e.g. ``"AwsSolutions::AwsSolutions-IAM5"``. The id is computed
    during synthesis (in a construct validation) because a token's rendering depends on the stack that
    finally consumes it.
    """
    pending = _PENDING.get(target)
    if pending is None:
        pending = _PENDING[target] = _LateResourceAcknowledgments(target)
        target.node.add_validation(pending)
    pending.add(rule, resource_arn, reason)
