"""SNS topics that AWS services publish to, encrypted with a customer-managed key they may use.

A topic that has an ``AWS::SNS::TopicPolicy`` (every ``enforce_ssl`` topic has one) no longer has SNS's default
policy, so each service that publishes to it needs its own statement there, and, for an encrypted topic, in the
key policy too. Without them the deliveries fail: a CloudWatch alarm's history shows "... is not authorized to
perform: SNS:Publish" (AWS re:Post Knowledge Center, "Why didn't I receive an SNS notification for my CloudWatch
alarm trigger?", https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger), and an
EventBridge rule counts FailedInvocations (https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification).

Who may publish, and how each grant is scoped:

- CloudWatch alarms (``cloudwatch.amazonaws.com``): the topic policy admits exactly the alarms' ARNs through
  ``aws:SourceArn``, the condition key the Knowledge Center article and the SNS Developer Guide ("Example cases for
  Amazon SNS access control", "Allow any CloudWatch alarm to publish to a topic in a different account") use for
  alarms. The key policy admits the account's alarms (``aws:SourceAccount`` and an ``aws:SourceArn`` pattern; the
  exact ARNs would make a cycle: alarm -> topic -> key), as the SNS Developer Guide's "Enable compatibility between
  event sources from AWS services and encrypted topics" (sns-key-management.html#compatibility-with-aws-services)
  recommends.
- EventBridge rules (``events.amazonaws.com``): the topic policy admits exactly the rules' ARNs through
  ``aws:SourceArn`` ("For EventBridge event bus rule targets, the value of aws:SourceArn must be the rule ARN",
  Amazon EventBridge User Guide, "Cross-service confused deputy prevention"). The key policy admits EventBridge
  without conditions, because "Adding the aws:SourceAccount, aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy
  is not supported for EventBridge-to-encrypted topics" (the same SNS page): such a condition drops every event.
- Principals of the account (a Step Functions execution role, for example) publish through IAM: the key policy
  delegates to the account's IAM policies, and the topic policy has no statement that would deny them.

Every topic keeps its TLS-only statement (deny ``sns:Publish`` when ``aws:SecureTransport`` is false); the services
above publish over TLS.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
import jsii
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.interfaces import aws_events as events_refs
from constructs import Construct

from emr_constructs.iam.principals import service_principal

CLOUDWATCH = "cloudwatch.amazonaws.com"
EVENTBRIDGE = "events.amazonaws.com"
#: Services that deliver to a monitoring topic: CloudWatch alarms and EventBridge rules. With the AWS-managed
#: ``aws/sns`` key their deliveries are dropped; a customer-managed key must admit them (Amazon SNS Developer
#: Guide, "Enable compatibility between event sources from AWS services and encrypted topics").
ALARM_AND_EVENT_PUBLISHERS = (CLOUDWATCH, EVENTBRIDGE)
#: What SNS asks KMS for on behalf of a publisher to an encrypted topic (the same SNS page).
PUBLISH_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")


#: Every CloudWatch alarm of this account and Region, in pseudo parameters (they resolve per deployment); the tokens
#: are the same in every stack, so the pattern is made once.
_ALARM_ARN_PATTERN = f"arn:{cdk.Aws.PARTITION}:cloudwatch:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:alarm:*"
#: ``cdk.Aws.ACCOUNT_ID``, read once.
_ACCOUNT_ID = cdk.Aws.ACCOUNT_ID


def key_statement(service: str) -> iam.PolicyStatement:
    """The key policy statement that lets ``service`` publish to a topic encrypted with the key."""
    principal = service_principal(service)
    if service == EVENTBRIDGE:
        # Conditions on aws:Source* are not supported for EventBridge-to-encrypted topics (SNS Developer Guide,
        # sns-key-management.html#compatibility-with-aws-services); the key encrypts this one topic only.
        return iam.PolicyStatement(
            sid="AllowEventBridgeRulesToPublish",
            principals=[principal],
            actions=list(PUBLISH_KEY_ACTIONS),
            resources=["*"],
        )
    conditions: dict[str, dict[str, str]] = {"StringEquals": {"aws:SourceAccount": _ACCOUNT_ID}}
    if service == CLOUDWATCH:
        conditions["ArnLike"] = {"aws:SourceArn": _ALARM_ARN_PATTERN}
        sid = "AllowCloudWatchAlarmsToPublish"
    else:
        sid = "Allow" + "".join(part.capitalize() for part in service.split(".")[0].split("-")) + "ToPublish"
    return iam.PolicyStatement(
        sid=sid,
        principals=[principal],
        actions=list(PUBLISH_KEY_ACTIONS),
        resources=["*"],
        conditions=conditions,
    )


def encrypted_topic(
    scope: Construct, id: str, *, purpose: str, display_name: str, publishers: Sequence[str]
) -> tuple[sns.Topic, kms.Key]:
    """A TLS-only topic ``id`` encrypted with a new rotating key (``<id>Key``, RETAIN) that ``publishers`` (service
    principals) may use to publish (``key_statement``); principals of the account reach the key through IAM only.
    The topic policy admits each publisher once its sources are known: ``admit_alarms`` and ``admit_rules``."""
    key = kms.Key(
        scope,
        f"{id}Key",
        description=f"Encrypts {purpose}",
        enable_key_rotation=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    for service in dict.fromkeys(publishers):
        key.add_to_resource_policy(key_statement(service))
    topic = sns.Topic(scope, id, master_key=key, enforce_ssl=True, display_name=display_name)
    return topic, key


def _admit(topic: sns.ITopic, sid: str, service: str, source_arns: list[str]) -> bool:
    """Let ``service`` publish to ``topic`` on behalf of ``source_arns`` only; False when there is no source or the
    topic's policy is not ours to change (an imported topic)."""
    if not source_arns:
        return False
    statement = iam.PolicyStatement(
        sid=sid,
        principals=[service_principal(service)],
        actions=["sns:Publish"],
        resources=[topic.topic_arn],
        conditions={"ArnEquals": {"aws:SourceArn": source_arns}},
    )
    return topic.add_to_resource_policy(statement).statement_added


def admit_alarms(topic: sns.ITopic, alarm_arns: Sequence[str]) -> bool:
    """Let the alarms ``alarm_arns`` (and no other alarm) publish to ``topic``; False when the topic's policy is not
    ours to change (an imported topic) or there is no alarm."""
    return _admit(topic, "AllowCloudWatchAlarmsToPublish", CLOUDWATCH, list(alarm_arns))


def admit_rules(topic: sns.ITopic, rules: Sequence[events.IRule]) -> bool:
    """Let ``rules`` (and no other rule) publish to ``topic``; False when the topic's policy is not ours to change
    (an imported topic) or there is no rule."""
    return _admit(topic, "AllowEventBridgeRulesToPublish", EVENTBRIDGE, [rule.rule_arn for rule in rules])


@jsii.implements(events.IRuleTarget)
class TopicTarget:
    """A rule target that publishes ``message`` to ``topic`` and grants nothing: aws-events-targets' ``SnsTopic``
    grants every EventBridge rule of any account ``sns:Publish`` (no condition), so the rules that target the topic
    are admitted by ARN with ``admit_rules`` instead.

    :param topic: the topic to publish to (required).
    :param message: what the rule sends.
        Default: ``None``, the matched event as is.
    """

    def __init__(self, topic: sns.ITopic, message: events.RuleTargetInput | None = None) -> None:
        self._topic = topic
        self._topic_arn = topic.topic_arn  # read once, however many rules bind this target
        self._message = message

    def bind(self, rule: events_refs.IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        return events.RuleTargetConfig(arn=self._topic_arn, input=self._message, target_resource=self._topic)
