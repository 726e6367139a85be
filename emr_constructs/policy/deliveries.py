"""Who publishes to which SNS topic in a template set, and whether the topic's policies let them.

``deliveries`` walks every CloudWatch alarm action (``AlarmActions``, ``OKActions``, ``InsufficientDataActions``)
and every EventBridge rule target to the ``AWS::SNS::Topic`` it names, through ``Ref`` and ``Fn::GetAtt`` within a
template and ``Fn::ImportValue`` (and the CDK's ``Fn::GetStackOutput``) across the set. ``topic_admits`` and
``key_admits`` then evaluate the topic's ``AWS::SNS::TopicPolicy`` (or ``TopicInlinePolicy``) and the key policy of
its ``AWS::KMS::Key`` for that publisher, as IAM would: an explicit deny wins, then an allow whose principal,
action, resource and conditions all match the request.

The request is described with what the template set knows: the publisher's service principal and the condition
keys it sends (``aws:SourceArn``: the alarm's or rule's ARN; ``aws:SourceAccount``: the account;
``aws:SecureTransport``: true). Values the set cannot know (the account, the Region, a resource's physical name)
are symbols: the same symbol equals itself, and a symbol against a literal is unknown. Every answer is therefore
``True`` (admitted whatever those values are), ``False`` (refused whatever they are) or ``None`` (it depends: rules
report it as not applicable, never as a failure).

Sources: Amazon SNS Developer Guide, "Enable compatibility between event sources from AWS services and encrypted
topics" (sns-key-management.html#compatibility-with-aws-services: the ``kms:GenerateDataKey*`` and ``kms:Decrypt``
a publishing service needs, and that ``aws:SourceAccount``/``aws:SourceArn`` are not supported in a KMS policy for
EventBridge-to-encrypted topics); IAM User Guide, "IAM JSON policy elements: Condition operators" (a condition on a
key absent from the request does not match, except the ``...IfExists``, negated and ``Null`` forms).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from emr_constructs.policy.statements import (
    Request,
    allowed,
    key_arn,
    listed,
    source_arn,
    statement_list,
    topic_arn,
)
from emr_constructs.policy.symbolic import Tri, all_of, symbol
from emr_constructs.policy.templates import Attr, Ref, Resource, TemplateSet

CLOUDWATCH = "cloudwatch.amazonaws.com"
EVENTBRIDGE = "events.amazonaws.com"
ALARM_FIELDS = ("AlarmActions", "OKActions", "InsufficientDataActions")
#: What SNS asks KMS for when a principal publishes to an encrypted topic.
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
#: The KMS key SNS manages; its policy cannot be changed, so no AWS service can publish with it.
AWS_MANAGED_KEY = "alias/aws/sns"


@dataclass(frozen=True)
class Delivery:
    """``source`` (an alarm or a rule) publishes to ``topic`` as the service principal ``publisher``, through its
    ``via`` (``AlarmActions``, ``Targets[0]``...). ``role`` is a rule target's ``RoleArn`` (EventBridge then
    publishes as that role, not as its service principal)."""

    publisher: str
    source: Resource
    topic: Resource
    via: str
    role: Any = None


def _topic(value: Any) -> Resource | None:
    if isinstance(value, Ref) and value.resource.type == "AWS::SNS::Topic":
        return value.resource
    if isinstance(value, Attr) and value.resource.type == "AWS::SNS::Topic" and value.attribute == "TopicArn":
        return value.resource
    return None


def deliveries(templates: TemplateSet) -> Iterator[Delivery]:
    """Every alarm action and rule target that names an SNS topic of the set."""
    for alarm in templates.resources("AWS::CloudWatch::Alarm"):
        for field in ALARM_FIELDS:
            actions = templates.resolve(alarm.template, alarm.properties.get(field))
            for action in actions if isinstance(actions, list) else []:
                topic = _topic(action)
                if topic is not None:
                    yield Delivery(CLOUDWATCH, alarm, topic, field)
    for rule in templates.resources("AWS::Events::Rule"):
        targets = rule.properties.get("Targets")
        for index, target in enumerate(targets if isinstance(targets, list) else []):
            if not isinstance(target, dict):
                continue
            topic = _topic(templates.resolve(rule.template, target.get("Arn")))
            if topic is not None:
                yield Delivery(EVENTBRIDGE, rule, topic, f"Targets[{index}]", target.get("RoleArn"))


# -- topic and key policies -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """A resource policy of the set: the resource that holds it, and its statements (None: not readable)."""

    holder: Resource
    statements: list[Any] | None


def topic_policies(templates: TemplateSet, topic: Resource) -> list[Policy]:
    """The ``AWS::SNS::TopicPolicy`` and ``AWS::SNS::TopicInlinePolicy`` resources that apply to ``topic``."""
    found: list[Policy] = []
    for policy in templates.resources("AWS::SNS::TopicPolicy"):
        topics = templates.resolve(policy.template, policy.properties.get("Topics"))
        if any(_topic(t) == topic for t in listed(topics)):
            found.append(Policy(policy, statement_list(policy.properties.get("PolicyDocument"))))
    for policy in templates.resources("AWS::SNS::TopicInlinePolicy"):
        if _topic(templates.resolve(policy.template, policy.properties.get("TopicArn"))) == topic:
            found.append(Policy(policy, statement_list(policy.properties.get("PolicyDocument"))))
    return found


@dataclass(frozen=True)
class TopicKey:
    """How ``topic`` is encrypted: ``kind`` is "none", "key" (``resource``, an ``AWS::KMS::Key`` of the set),
    "aws-managed" (``alias/aws/sns``) or "unknown" (a key outside the set)."""

    kind: str
    resource: Resource | None = None


def topic_key(templates: TemplateSet, topic: Resource) -> TopicKey:
    value = topic.properties.get("KmsMasterKeyId")
    if value is None:
        return TopicKey("none")
    resolved = templates.resolve(topic.template, value)
    if isinstance(resolved, Ref | Attr) and resolved.resource.type == "AWS::KMS::Alias":
        alias = resolved.resource
        name = templates.resolve(alias.template, alias.properties.get("AliasName"))
        if name == AWS_MANAGED_KEY:
            return TopicKey("aws-managed")
        resolved = templates.resolve(alias.template, alias.properties.get("TargetKeyId"))
    if isinstance(resolved, Ref | Attr) and resolved.resource.type == "AWS::KMS::Key":
        return TopicKey("key", resolved.resource)
    if isinstance(resolved, str) and (resolved == AWS_MANAGED_KEY or resolved.endswith(":" + AWS_MANAGED_KEY)):
        return TopicKey("aws-managed")
    return TopicKey("unknown")


@dataclass(frozen=True)
class Verdict:
    """Whether a policy admits a delivery (``admitted``), and why not, or why it cannot tell (``reason``)."""

    admitted: Tri
    reason: str = ""


def topic_admits(templates: TemplateSet, delivery: Delivery) -> Verdict:
    """Whether ``delivery.topic``'s policy lets its service publish. A topic without a policy in the set keeps SNS's
    default policy, which admits AWS services acting for resources of the topic's owner ("Example cases for Amazon
    SNS access control") but not EventBridge rules, which need a statement for ``events.amazonaws.com`` (re:Post
    Knowledge Center, "sns-not-getting-eventbridge-notification")."""
    policies = topic_policies(templates, delivery.topic)
    if not policies:
        if delivery.publisher == EVENTBRIDGE:
            return Verdict(
                False,
                "the topic has no topic policy in the templates, and SNS's default policy has no "
                f"statement for {EVENTBRIDGE}",
            )
        return Verdict(True)
    request = publish_request(delivery, templates)
    verdicts: list[Tri] = []
    for policy in policies:
        if policy.statements is None:
            return Verdict(None, f"{policy.holder.logical_id}'s PolicyDocument cannot be read")
        verdicts.append(allowed(policy.statements, request, templates, policy.holder.template))
    # CloudFormation applies each policy resource in turn: the topic ends with one of them, so all must admit.
    decision = all_of(verdicts)
    names = ", ".join(p.holder.logical_id for p in policies)
    if decision is False:
        return Verdict(False, f"topic policy {names} does not allow {delivery.publisher} sns:Publish")
    if decision is None:
        return Verdict(None, f"topic policy {names} depends on values the templates do not resolve")
    return Verdict(True)


def key_admits(templates: TemplateSet, delivery: Delivery) -> Verdict:
    """Whether the key of ``delivery.topic`` lets its service publish (``kms:GenerateDataKey*`` and ``kms:Decrypt``)."""
    key = topic_key(templates, delivery.topic)
    if key.kind == "none":
        return Verdict(True)
    if key.kind == "aws-managed":
        return Verdict(
            False,
            f"the topic is encrypted with the AWS managed key {AWS_MANAGED_KEY}, whose policy cannot admit "
            f"{delivery.publisher}: use a customer managed key",
        )
    if key.resource is None:
        return Verdict(None, "the topic's key is outside the templates")
    document = key.resource.properties.get("KeyPolicy")
    if document is None:
        return Verdict(False, f"key {key.resource.logical_id} has the default key policy, which admits no AWS service")
    statements = statement_list(document)
    if statements is None:
        return Verdict(None, f"key {key.resource.logical_id}'s KeyPolicy cannot be read")
    results = [
        allowed(statements, request, templates, key.resource.template)
        for request in key_requests(delivery, key.resource, templates)
    ]
    decision = all_of(results)
    if decision is False:
        missing = [a for a, r in zip(KEY_ACTIONS, results, strict=True) if r is False]
        hint = (
            " (a condition on aws:SourceArn or aws:SourceAccount never matches for EventBridge-to-encrypted topics)"
            if delivery.publisher == EVENTBRIDGE
            else ""
        )
        return Verdict(
            False,
            f"key policy of {key.resource.logical_id} does not allow {delivery.publisher} "
            f"{' and '.join(missing)}{hint}",
        )
    if decision is None:
        return Verdict(None, f"key policy of {key.resource.logical_id} depends on values the templates do not resolve")
    return Verdict(True)


# -- the requests a delivery makes ----------------------------------------------------------------------------------


def publish_request(delivery: Delivery, templates: TemplateSet) -> Request:
    """The ``sns:Publish`` request of ``delivery``'s service to its topic."""
    return Request(
        delivery.publisher,
        "sns:Publish",
        topic_arn(delivery.topic),
        {
            "aws:sourcearn": source_arn(delivery.source, templates),
            "aws:sourceaccount": (symbol("AWS::AccountId"),),
            "aws:securetransport": ("true",),
        },
    )


def key_requests(delivery: Delivery, key: Resource, templates: TemplateSet) -> list[Request]:
    """The KMS requests SNS makes for ``delivery``'s service. For EventBridge they carry no ``aws:Source*`` keys:
    such conditions are "not supported for EventBridge-to-encrypted topics" (SNS Developer Guide)."""
    context: dict[str, tuple[str, ...]] = {"aws:securetransport": ("true",)}
    if delivery.publisher != EVENTBRIDGE:
        context["aws:sourcearn"] = source_arn(delivery.source, templates)
        context["aws:sourceaccount"] = (symbol("AWS::AccountId"),)
    return [Request(delivery.publisher, action, key_arn(key), context) for action in KEY_ACTIONS]
