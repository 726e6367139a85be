"""Rules that judge resources of any template, not EMR clusters: things that deploy cleanly and then fail, or that
fail to deploy in some accounts.

Each is a ``ResourceRule``: a ``Rule`` (id, level, title, explanation, fix, as ``rules.py`` registers and
``docs.py`` renders them) whose ``judge`` returns one outcome per resource it concerns, over a whole template set.
Its cluster ``check`` is never applicable. ``judge_resources`` runs them all.

- EMR-MON1: an SNS topic that a CloudWatch alarm notifies must admit ``cloudwatch.amazonaws.com`` in its topic
  policy and its key policy, or every alarm action fails ("... is not authorized to perform: SNS:Publish", AWS
  re:Post Knowledge Center, https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
- EMR-MON2: an SNS topic that an EventBridge rule targets must admit ``events.amazonaws.com`` the same way, or
  every invocation fails (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification).
- EMR-DEP1: a Lambda function that reserves concurrency cannot be created in an account whose unreserved
  concurrency would drop below 100 (AWS Lambda Developer Guide, "Configuring reserved concurrency",
  https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).

Like every rule here, a value the template set cannot resolve makes a rule not applicable, never a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from emr_constructs.policy.clusters import ClusterView
from emr_constructs.policy.deliveries import (
    CLOUDWATCH,
    EVENTBRIDGE,
    Delivery,
    deliveries,
    key_admits,
    topic_admits,
)
from emr_constructs.policy.outcomes import COMPLIANT, Options, Outcome, Rule, fail, skip
from emr_constructs.policy.templates import UNRESOLVED, Resource, TemplateSet

Judgement = tuple[Resource, Outcome]


def _not_a_cluster_rule(view: ClusterView, options: Options) -> Outcome:
    return skip("judges resources of the templates, not clusters")


@dataclass(frozen=True)
class ResourceRule(Rule):
    """A rule over a whole template set: ``judge`` yields (resource, outcome) for each resource it concerns."""

    judge: Callable[[TemplateSet, Options], Iterator[Judgement]]


def _by_topic(templates: TemplateSet, publisher: str) -> dict[tuple[str, str], list[Delivery]]:
    found: dict[tuple[str, str], list[Delivery]] = {}
    for delivery in deliveries(templates):
        if delivery.publisher == publisher:
            found.setdefault((delivery.topic.template, delivery.topic.logical_id), []).append(delivery)
    return found


def _judge_topics(publisher: str, noun: str) -> Callable[[TemplateSet, Options], Iterator[Judgement]]:
    """One outcome per topic that ``publisher`` delivers to: non-compliant when the topic policy or the key policy
    surely refuses one of its sources, not applicable when it depends on values outside the templates."""

    def judge(templates: TemplateSet, options: Options) -> Iterator[Judgement]:
        for group in _by_topic(templates, publisher).values():
            topic = group[0].topic
            refused: dict[str, list[tuple[str, str]]] = {}
            unknown: dict[str, list[tuple[str, str]]] = {}
            for delivery in group:
                source = (delivery.source.logical_id, delivery.via)
                if delivery.role is not None:
                    unknown.setdefault("it publishes as its target's role (RoleArn)", []).append(source)
                    continue
                for verdict in (topic_admits(templates, delivery), key_admits(templates, delivery)):
                    if verdict.admitted is False:
                        refused.setdefault(verdict.reason, []).append(source)
                    elif verdict.admitted is None:
                        unknown.setdefault(verdict.reason, []).append(source)
            if refused:
                yield topic, fail(_message(refused, noun))
            elif unknown:
                yield topic, skip(_message(unknown, noun))
            else:
                yield topic, COMPLIANT

    return judge


def _message(reasons: dict[str, list[tuple[str, str]]], noun: str) -> str:
    """Each reason once, with the sources it concerns and through which of their properties."""
    parts = []
    for reason, sources in reasons.items():
        fields: dict[str, list[str]] = {}
        for logical_id, via in sources:
            fields.setdefault(logical_id, [])
            if via not in fields[logical_id]:
                fields[logical_id].append(via)
        named = ", ".join(f"{logical_id} ({', '.join(vias)})" for logical_id, vias in fields.items())
        parts.append(f"{reason}, for {noun}{'s' if len(fields) > 1 else ''} {named}")
    return "; ".join(parts)


def _judge_reserved_concurrency(templates: TemplateSet, options: Options) -> Iterator[Judgement]:
    for function in templates.resources("AWS::Lambda::Function"):
        raw = function.properties.get("ReservedConcurrentExecutions")
        if raw is None:
            yield function, COMPLIANT
            continue
        value = templates.resolve(function.template, raw)
        if value is UNRESOLVED or isinstance(value, bool) or not str(value).isdigit():
            yield function, skip("ReservedConcurrentExecutions is not resolvable")
        elif int(str(value)) == 0:
            # Zero throttles the function and reserves nothing from the account's pool.
            yield function, COMPLIANT
        else:
            needed = 100 + int(str(value))
            yield (
                function,
                fail(
                    f'ReservedConcurrentExecutions is {value}: creating the function fails with "Specified '
                    "ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below "
                    f'its minimum value" in any account whose unreserved Lambda concurrency is below {needed} (Lambda '
                    "keeps 100 units unreserved)"
                ),
            )


RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "EMR-MON1",
        "error",
        "Alarm topics admit CloudWatch",
        "A CloudWatch alarm publishes to its SNS topics as cloudwatch.amazonaws.com. A topic policy (any "
        "AWS::SNS::TopicPolicy, such as a TLS-only one) replaces SNS's default policy, and a customer managed key "
        "admits only whom its policy names: unless both admit CloudWatch for the alarm, every alarm action fails "
        'with "not authorized to perform: SNS:Publish" and nobody is told (AWS re:Post Knowledge Center, '
        'cloudwatch-receive-sns-for-alarm-trigger; Amazon SNS Developer Guide, "Enable compatibility between '
        'event sources from AWS services and encrypted topics"). The AWS managed key alias/aws/sns never admits '
        "CloudWatch.",
        "Add a topic policy statement allowing cloudwatch.amazonaws.com sns:Publish with aws:SourceArn set to the "
        "alarms' ARNs, and a key policy statement allowing it kms:GenerateDataKey* and kms:Decrypt (scoped with "
        "aws:SourceAccount and an aws:SourceArn alarm pattern); encrypt with a customer managed key.",
        _not_a_cluster_rule,
        _judge_topics(CLOUDWATCH, "alarm"),
    ),
    ResourceRule(
        "EMR-MON2",
        "error",
        "Event topics admit EventBridge",
        "An EventBridge rule publishes to its SNS targets as events.amazonaws.com, which SNS's default policy does "
        "not admit: the topic policy must allow it, and the key of an encrypted topic must allow it "
        "kms:GenerateDataKey* and kms:Decrypt without aws:SourceArn, aws:SourceAccount or aws:SourceOrgID "
        'conditions, which "are not supported for EventBridge-to-encrypted topics" (Amazon SNS Developer Guide, '
        "sns-key-management.html#compatibility-with-aws-services). Otherwise every invocation fails "
        "(FailedInvocations) and the notification is lost.",
        "Add a topic policy statement allowing events.amazonaws.com sns:Publish with aws:SourceArn set to the rules' "
        "ARNs, and an unconditioned key policy statement allowing it kms:GenerateDataKey* and kms:Decrypt; encrypt "
        "with a customer managed key.",
        _not_a_cluster_rule,
        _judge_topics(EVENTBRIDGE, "rule"),
    ),
    ResourceRule(
        "EMR-DEP1",
        "warning",
        "Lambda functions without reserved concurrency",
        "Lambda keeps 100 units of an account's concurrency unreserved (\"You can reserve up to the Unreserved "
        'account concurrency value minus 100", AWS Lambda Developer Guide, "Configuring reserved concurrency"). A '
        "function with ReservedConcurrentExecutions fails to create, and its stack rolls back, in any account "
        "whose quota is at or near that minimum, which new accounts often are.",
        "Remove ReservedConcurrentExecutions unless the function must be capped or guaranteed capacity, and then "
        "raise the account's concurrency quota first; waive the rule with that reason.",
        _not_a_cluster_rule,
        _judge_reserved_concurrency,
    ),
)


def judge_resources(
    templates: TemplateSet, options: Options | None = None, rules: Iterable[ResourceRule] = RESOURCE_RULES
) -> Iterator[tuple[ResourceRule, Resource, Outcome]]:
    """Every outcome of every resource rule over ``templates``."""
    for rule in rules:
        for resource, outcome in rule.judge(templates, options or Options()):
            yield rule, resource, outcome
