"""EMR Serverless job execution roles: every ``AWS::IAM::Role`` that ``emr-serverless.amazonaws.com`` may assume,
whether its trust names the ``aws:SourceAccount`` and ``aws:SourceArn`` it must (EMR-SLS6), and whether its
permissions grant data actions on every resource (EMR-SLS7).

An application does not name its roles (a job run does), so every such role of the template set is judged, wherever
it is defined. Statements are read as written (``Ref``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Sub`` rendered by
``symbolic``); a value the set cannot know makes the answer unknown, never a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from emr_constructs.policy.statements import listed, statement_list
from emr_constructs.policy.symbolic import Tri, all_of, any_of, match, negate, render
from emr_constructs.policy.templates import Attr, Ref, Resource, TemplateSet

SERVICE = "emr-serverless.amazonaws.com"
#: The condition keys that scope a service's trust to one account and one source (confused-deputy prevention).
SCOPE_KEYS = ("aws:SourceAccount", "aws:SourceArn")
SCOPE_OPERATORS = frozenset({"StringEquals", "StringLike", "ArnEquals", "ArnLike"})
#: Actions that read or write data and take a resource ARN (Service Authorization Reference): S3 objects and
#: listings, Glue Data Catalog tables and partitions, DynamoDB items, Kinesis records, MSK topics (IAM access
#: control). Lake Formation is left out: its actions take no resource, so ``*`` is their only form.
DATA_ACTIONS = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:ListBucket",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:DeleteTable",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:DeletePartition",
    "glue:BatchDeletePartition",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:SubscribeToShard",
    "kinesis:PutRecord",
    "kinesis:PutRecords",
    "kafka-cluster:ReadData",
    "kafka-cluster:WriteData",
)
#: AWS managed policies that grant data actions on ``*`` (their published documents).
BROAD_AWS_POLICIES = frozenset(
    {
        "AdministratorAccess",
        "PowerUserAccess",
        "AmazonS3FullAccess",
        "AmazonS3ReadOnlyAccess",
        "AmazonDynamoDBFullAccess",
        "AmazonDynamoDBReadOnlyAccess",
        "AmazonKinesisFullAccess",
        "AmazonKinesisReadOnlyAccess",
        "AWSGlueConsoleFullAccess",
        "AWSGlueServiceRole",
        "AmazonElasticMapReduceforEC2Role",
    }
)


@dataclass(frozen=True)
class ExecutionRole:
    """A role and its trust statements that let ``SERVICE`` assume it (``trusted``), or that may (``unknown``)."""

    role: Resource
    trusted: list[tuple[str, dict[str, Any]]]
    unknown: list[str]


def _label(statement: dict[str, Any], index: int) -> str:
    sid = statement.get("Sid")
    return f"statement {sid}" if isinstance(sid, str) and sid else f"statement {index + 1}"


def _matches(templates: TemplateSet, template: str, patterns: Any, value: str, *, glob: bool) -> Tri:
    rendered = [render(templates, template, p) for p in listed(patterns)]
    return any_of([None if p is None else match(p, value, glob=glob, fold_case=glob) for p in rendered])


def _actions(templates: TemplateSet, template: str, statement: dict[str, Any], action: str) -> Tri:
    if "NotAction" in statement:
        return negate(_matches(templates, template, statement["NotAction"], action, glob=True))
    if "Action" not in statement:
        return False
    return _matches(templates, template, statement["Action"], action, glob=True)


def _trusts(templates: TemplateSet, template: str, statement: Any) -> Tri:
    """Whether a trust statement lets ``SERVICE`` assume the role."""
    if not isinstance(statement, dict) or "NotPrincipal" in statement:
        return None
    effect = statement.get("Effect")
    if effect != "Allow":
        return False if isinstance(effect, str) else None
    principal = statement.get("Principal")
    if not isinstance(principal, dict) or "Service" not in principal:
        return False
    service = _matches(templates, template, principal["Service"], SERVICE, glob=False)
    return all_of([service, _actions(templates, template, statement, "sts:AssumeRole")])


def execution_roles(templates: TemplateSet) -> Iterator[ExecutionRole]:
    """Every role of the set whose trust lets, or may let, ``SERVICE`` assume it."""
    for role in templates.resources("AWS::IAM::Role"):
        document = role.properties.get("AssumeRolePolicyDocument")
        statements = statement_list(document)
        if statements is None:
            if document is not None:
                yield ExecutionRole(role, [], ["its AssumeRolePolicyDocument is not resolvable"])
            continue
        trusted, unknown = [], []
        for index, statement in enumerate(statements):
            verdict = _trusts(templates, role.template, statement)
            label = _label(statement, index) if isinstance(statement, dict) else f"statement {index + 1}"
            if verdict is True:
                trusted.append((label, statement))
            elif verdict is None:
                unknown.append(f"whether its trust {label} admits {SERVICE} is not resolvable")
        if trusted or unknown:
            yield ExecutionRole(role, trusted, unknown)


def _intrinsic(value: dict[str, Any]) -> bool:
    """Whether ``value`` is one CloudFormation intrinsic (``Fn::If``...) rather than a mapping of its own."""
    return len(value) == 1 and any(key == "Ref" or str(key).startswith("Fn::") for key in value)


def missing_scope(templates: TemplateSet, template: str, statement: dict[str, Any]) -> list[str] | None:
    """The ``SCOPE_KEYS`` the statement's conditions do not set (keys are case-insensitive; a value of ``*`` scopes
    nothing), or None when its conditions cannot be read."""
    block = statement.get("Condition")
    if block is None:
        return list(SCOPE_KEYS)
    if not isinstance(block, dict) or _intrinsic(block):
        return None
    found: set[str] = set()
    for operator, keys in block.items():
        if operator not in SCOPE_OPERATORS:
            continue
        if not isinstance(keys, dict) or _intrinsic(keys):
            return None
        for key, expected in keys.items():
            values = [render(templates, template, v) for v in listed(expected)]
            if values and any(v != "*" for v in values):
                found.add(str(key).lower())
    return [key for key in SCOPE_KEYS if key.lower() not in found]


@dataclass
class Permissions:
    """A role's policy documents (label, template, document), the broad AWS managed policies it carries, and what
    could not be read."""

    documents: list[tuple[str, str, Any]] = field(default_factory=list)
    managed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _attached(templates: TemplateSet, policy: Resource, role: Resource) -> bool:
    roles = templates.resolve(policy.template, policy.properties.get("Roles"))
    name = templates.resolve(role.template, role.properties.get("RoleName"))
    for entry in roles if isinstance(roles, list) else []:
        if isinstance(entry, Ref) and entry.resource.template == role.template:
            if entry.resource.logical_id == role.logical_id:
                return True
        elif isinstance(name, str) and entry == name:
            return True
    return False


def _add_policy(found: Permissions, seen: set[tuple[str, str]], policy: Resource) -> None:
    if (policy.template, policy.logical_id) in seen:
        return
    seen.add((policy.template, policy.logical_id))
    kind = "managed policy" if policy.type == "AWS::IAM::ManagedPolicy" else "policy"
    found.documents.append((f"{kind} {policy.logical_id}", policy.template, policy.properties.get("PolicyDocument")))


def _managed_arns(templates: TemplateSet, role: Resource, found: Permissions, seen: set[tuple[str, str]]) -> None:
    raw = role.properties.get("ManagedPolicyArns")
    if raw is None:
        return
    if not isinstance(raw, list):
        found.unknown.append("ManagedPolicyArns is not resolvable")
        return
    for index, entry in enumerate(raw):
        value = templates.resolve(role.template, entry)
        if isinstance(value, Ref) and value.resource.type == "AWS::IAM::ManagedPolicy":
            _add_policy(found, seen, value.resource)
            continue
        if isinstance(value, Ref | Attr):
            continue
        text = value if isinstance(value, str) else render(templates, role.template, entry)
        if text is None:
            found.unknown.append(f"ManagedPolicyArns[{index}] is not resolvable")
            continue
        name = text.rsplit("/", 1)[-1]
        if ":iam::aws:policy/" in text and name in BROAD_AWS_POLICIES:
            found.managed.append(name)


def permissions(templates: TemplateSet, role: Resource) -> Permissions:
    """The role's inline policies, the ``AWS::IAM::Policy``/``ManagedPolicy`` resources that name it in ``Roles``,
    and the managed policies of its ``ManagedPolicyArns`` (of the set, or known AWS managed ones)."""
    found = Permissions()
    inline = role.properties.get("Policies")
    if isinstance(inline, list):
        for index, policy in enumerate(inline):
            if isinstance(policy, dict) and "PolicyDocument" in policy:
                name = policy.get("PolicyName")
                label = f"inline policy {name}" if isinstance(name, str) else f"inline policy {index + 1}"
                found.documents.append((label, role.template, policy["PolicyDocument"]))
            else:
                found.unknown.append(f"inline policy {index + 1} is not resolvable")
    elif inline is not None:
        found.unknown.append("Policies is not resolvable")
    seen: set[tuple[str, str]] = set()
    for policy in templates.resources("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        if _attached(templates, policy, role):
            _add_policy(found, seen, policy)
    _managed_arns(templates, role, found, seen)
    return found


def _every_resource(templates: TemplateSet, template: str, statement: dict[str, Any]) -> Tri:
    """Whether the statement applies to every resource: ``*``, an ARN whose resource part is only ``*`` and ``/``
    (``arn:aws:s3:::*``), or ``NotResource``."""
    if "NotResource" in statement:
        excluded = [render(templates, template, r) for r in listed(statement["NotResource"])]
        return False if "*" in excluded else None if None in excluded else True
    results: list[Tri] = []
    for value in listed(statement.get("Resource")):
        text = render(templates, template, value)
        if text is None:
            results.append(None)
            continue
        parts = text.split(":", 5)
        whole = len(parts) == 6 and parts[0] == "arn" and parts[5] != "" and set(parts[5]) <= {"*", "/"}
        results.append(text == "*" or whole)
    return any_of(results)


def data_on_every_resource(templates: TemplateSet, template: str, statement: Any) -> tuple[Tri, list[str]]:
    """Whether an identity-policy statement allows a data action (``DATA_ACTIONS``) on every resource, and which."""
    if not isinstance(statement, dict):
        return None, []
    effect = statement.get("Effect")
    if effect != "Allow":
        return (False if isinstance(effect, str) else None), []
    everywhere = _every_resource(templates, template, statement)
    if everywhere is False:
        return False, []
    covered = {action: _actions(templates, template, statement, action) for action in DATA_ACTIONS}
    granted = [action for action, verdict in covered.items() if verdict is True]
    return all_of([everywhere, any_of(list(covered.values()))]), granted


def statements_of(document: Any) -> list[tuple[str, Any]] | None:
    """A policy document's statements, each with its label; None when the document cannot be read."""
    statements = statement_list(document)
    if statements is None:
        return None
    return [(_label(s, i) if isinstance(s, dict) else f"statement {i + 1}", s) for i, s in enumerate(statements)]
