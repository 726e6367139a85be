"""Requests to AWS services and the IAM-style evaluation of policy statements against them (principal, action,
resource, conditions; an explicit deny wins). Used by ``deliveries``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from emr_constructs.policy.symbolic import (
    Tri,
    all_of,
    any_of,
    arn_match,
    match,
    negate,
    render,
    same_value,
    symbol,
)
from emr_constructs.policy.templates import Resource, TemplateSet

# -- requests and policies ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What a publisher asks for: ``principal`` (a service) performs ``action`` on ``resource`` (equivalent
    renderings of one ARN), with ``context`` (condition key, lower case -> equivalent renderings of its value; a
    key that is absent is not in the request)."""

    principal: str
    action: str
    resource: tuple[str, ...]
    context: dict[str, tuple[str, ...]]


def arn_forms(resource: Resource, service: str, path: str, *attributes: str) -> tuple[str, ...]:
    """The renderings of ``resource``'s ARN: its ``Fn::GetAtt`` attributes, and ``arn:<partition>:<service>:<region>:
    <account>:<path>`` where ``{ref}`` in ``path`` stands for its ``Ref``."""
    ref = symbol(f"ref:{resource.template}/{resource.logical_id}")
    built = "arn:{}:{}:{}:{}:{}".format(
        symbol("AWS::Partition"),
        service,
        symbol("AWS::Region"),
        symbol("AWS::AccountId"),
        path.replace("{ref}", ref),
    )
    return (*(symbol(f"att:{resource.template}/{resource.logical_id}.{a}") for a in attributes), built)


def source_arn(source: Resource, templates: TemplateSet) -> tuple[str, ...]:
    """The renderings of an alarm's or a rule's ARN (what the service sends as ``aws:SourceArn``)."""
    if source.type == "AWS::CloudWatch::Alarm":
        name = templates.resolve(source.template, source.properties.get("AlarmName"))
        path = f"alarm:{name}" if isinstance(name, str) else "alarm:{ref}"
        return arn_forms(source, "cloudwatch", path, "Arn")
    if source.type == "AWS::Events::Rule":
        bus = templates.resolve(source.template, source.properties.get("EventBusName"))
        name = templates.resolve(source.template, source.properties.get("Name"))
        if bus not in (None, "default"):
            return arn_forms(source, "events", "rule/*", "Arn")[:1]
        # A rule's Ref is its name on the default bus.
        return arn_forms(source, "events", f"rule/{name}" if isinstance(name, str) else "rule/{ref}", "Arn")
    return ()


def topic_arn(topic: Resource) -> tuple[str, ...]:
    # A topic's Ref is its ARN.
    return (symbol(f"ref:{topic.template}/{topic.logical_id}"), *arn_forms(topic, "sns", "*", "TopicArn"))


def key_arn(key: Resource) -> tuple[str, ...]:
    return arn_forms(key, "kms", "key/{ref}", "Arn")


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal(statement: dict[str, Any], request: Request, templates: TemplateSet, template: str) -> Tri:
    if "NotPrincipal" in statement:
        return None
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if "*" in listed(principal.get("AWS")):
        return True
    named = principal.get("Service")
    services = [render(templates, template, s) for s in ([] if named is None else listed(named))]
    return any_of([None if s is None else match(s, request.principal, glob=False) for s in services])


def _action(statement: dict[str, Any], request: Request) -> Tri:
    if "NotAction" in statement:
        return None
    actions = [a for a in listed(statement.get("Action")) if isinstance(a, str)]
    return any_of([match(a, request.action, glob=True, fold_case=True) for a in actions])


def _resource(statement: dict[str, Any], request: Request, templates: TemplateSet, template: str) -> Tri:
    if "NotResource" in statement:
        return None
    results: list[Tri] = []
    for value in listed(statement.get("Resource")):
        pattern = render(templates, template, value)
        results.append(
            None if pattern is None else same_value([arn_match(pattern, r, glob=True) for r in request.resource])
        )
    return any_of(results)


_STRING = {"StringEquals": False, "StringLike": True, "ArnEquals": True, "ArnLike": True}
_NEGATED = {"StringNotEquals": "StringEquals", "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals"}
_NEGATED["ArnNotLike"] = "ArnLike"
_OTHER_OPERATORS = ("StringEqualsIgnoreCase", "Bool", "Null")


def _operator(name: str) -> tuple[str, bool, bool, str | None]:
    """(base operator, if-exists, negated, set qualifier) of a condition operator."""
    qualifier = None
    if ":" in name:
        qualifier, name = name.split(":", 1)
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    negated = name in _NEGATED
    return _NEGATED.get(name, name), if_exists, negated, qualifier


def _condition_value(base: str, pattern: str, value: str) -> Tri:
    if base in ("ArnEquals", "ArnLike"):
        return arn_match(pattern, value, glob=True)
    if base == "StringEqualsIgnoreCase":
        return match(pattern, value, glob=False, fold_case=True)
    if base == "Bool":
        return match(pattern, value, glob=False, fold_case=True)
    return match(pattern, value, glob=_STRING[base])


def _conditions(statement: dict[str, Any], request: Request, templates: TemplateSet, template: str) -> Tri:
    block = statement.get("Condition")
    if block is None:
        return True
    if not isinstance(block, dict):
        return None
    results: list[Tri] = []
    for operator, keys in block.items():
        base, if_exists, negated, _ = _operator(str(operator))
        if not isinstance(keys, dict) or (base not in _STRING and base not in _OTHER_OPERATORS):
            results.append(None)
            continue
        for key, expected in keys.items():
            present = request.context.get(str(key).lower())
            patterns = [render(templates, template, e) for e in listed(expected)]
            if base == "Null":
                wanted = [None if p is None else p.lower() == "true" for p in patterns]
                results.append(any_of([None if w is None else w == (present is None) for w in wanted]))
                continue
            if present is None:
                results.append(bool(if_exists or negated))
                continue
            matched = any_of(
                [None if p is None else same_value([_condition_value(base, p, v) for v in present]) for p in patterns]
            )
            results.append(negate(matched) if negated else matched)
    return all_of(results)


def statement_applies(statement: Any, request: Request, templates: TemplateSet, template: str) -> Tri:
    """Whether ``statement`` (of a policy in ``template``) covers ``request``."""
    if not isinstance(statement, dict):
        return None
    return all_of(
        [
            _principal(statement, request, templates, template),
            _action(statement, request),
            _resource(statement, request, templates, template),
            _conditions(statement, request, templates, template),
        ]
    )


def allowed(statements: Sequence[Any], request: Request, templates: TemplateSet, template: str) -> Tri:
    """IAM's decision for ``request`` on a resource policy of ``statements``: a deny wins over any allow."""
    denies = [statement_applies(s, request, templates, template) for s in statements if _effect(s) == "Deny"]
    allows = [statement_applies(s, request, templates, template) for s in statements if _effect(s) == "Allow"]
    denied, permitted = any_of(denies) if denies else False, any_of(allows) if allows else False
    if denied is True or permitted is False:
        return False
    if denied is False and permitted is True:
        return True
    return None


def _effect(statement: Any) -> str | None:
    return statement.get("Effect") if isinstance(statement, dict) else None


def statement_list(document: Any) -> list[Any] | None:
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement")
    return statements if isinstance(statements, list) else [statements] if isinstance(statements, dict) else None
