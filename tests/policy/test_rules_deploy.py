"""The resource rules (EMR-MON1, EMR-MON2, EMR-DEP1) on raw templates: the compliant template, each way to break a
rule, and values the template set cannot resolve (not applicable, never a guessed failure)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from emr_constructs.policy.deliveries import deliveries
from emr_constructs.policy.rules import BY_ID
from emr_constructs.policy.rules_deploy import RESOURCE_RULES
from emr_constructs.policy.symbolic import match, render, symbol
from tests.policy.fixtures import rule_outcomes, template_set

Body = dict[str, Any]
Change = Callable[[Body], None]

ALARM_PATTERN = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":cloudwatch:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            ":alarm:*",
        ],
    ]
}
TLS_ONLY = {
    "Sid": "AllowPublishThroughSSLOnly",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "sns:Publish",
    "Resource": {"Ref": "Topic"},
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ALARMS_PUBLISH = {
    "Sid": "AllowCloudWatchAlarmsToPublish",
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": "sns:Publish",
    "Resource": {"Ref": "Topic"},
    "Condition": {"ArnEquals": {"aws:SourceArn": [{"Fn::GetAtt": ["Alarm", "Arn"]}]}},
}
RULES_PUBLISH = {
    "Sid": "AllowEventBridgeRulesToPublish",
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": "sns:Publish",
    "Resource": {"Ref": "Topic"},
    "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["Rule", "Arn"]}}},
}
KEY_ROOT = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
    "Action": "kms:*",
    "Resource": "*",
}
KEY_ALARMS = {
    "Sid": "AllowCloudWatchAlarmsToPublish",
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
    "Condition": {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {"aws:SourceArn": ALARM_PATTERN},
    },
}
KEY_RULES = {
    "Sid": "AllowEventBridgeRulesToPublish",
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
}
_TEMPLATE: Body = {
    "Parameters": {"Elsewhere": {"Type": "String"}},
    "Resources": {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [KEY_ROOT, KEY_ALARMS, KEY_RULES]}},
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}},
        "TopicPolicy": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [{"Ref": "Topic"}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [TLS_ONLY, ALARMS_PUBLISH, RULES_PUBLISH]},
            },
        },
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "MetricName": "IsIdle",
                "Namespace": "AWS/ElasticMapReduce",
                "Statistic": "Average",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "AlarmActions": [{"Ref": "Topic"}],
                "OKActions": [{"Ref": "Topic"}],
            },
        },
        "Rule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "EventPattern": {"source": ["aws.emr"]},
                "Targets": [{"Arn": {"Ref": "Topic"}, "Id": "Target0"}],
            },
        },
        "OtherAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "MetricName": "AppsPending",
                "Namespace": "AWS/ElasticMapReduce",
                "Statistic": "Average",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            },
        },
        "OtherRule": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["aws.s3"]}}},
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.13",
                "Handler": "index.handler",
                "Role": "arn:aws:iam::111111111111:role/fn",
                "Code": {"ZipFile": "def handler(event, context): pass"},
            },
        },
    },
}


def template() -> Body:
    return copy.deepcopy(_TEMPLATE)


def _outcomes(*bodies: Body) -> dict[str, dict[str, tuple[str, str]]]:
    """Rule id -> logical id -> (status, message)."""
    return rule_outcomes(*bodies)


def _outcome(rule_id: str, logical_id: str, *bodies: Body) -> tuple[str, str]:
    return _outcomes(*bodies)[rule_id][logical_id]


def _topic_statements(body: Body) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = body["Resources"]["TopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _key_statements(body: Body) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = body["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"]
    return statements


def _without(statements: Callable[[Body], list[dict[str, Any]]], sid: str) -> Change:
    def change(body: Body) -> None:
        kept = [s for s in statements(body) if s.get("Sid") != sid]
        statements(body)[:] = kept

    return change


def _replace(statements: Callable[[Body], list[dict[str, Any]]], sid: str, **fields: Any) -> Change:
    def change(body: Body) -> None:
        for statement in statements(body):
            if statement.get("Sid") == sid:
                statement.update(copy.deepcopy(fields))

    return change


def _named_alarm(change: Change) -> Change:
    """``change``, on a template whose alarm has a name (so that its ARN ends in a known string)."""

    def named(body: Body) -> None:
        body["Resources"]["Alarm"]["Properties"]["AlarmName"] = "idle"
        change(body)

    return named


def _changed(*changes: Change) -> Body:
    body = template()
    for change in changes:
        change(body)
    return body


# -- the compliant template and the rules' registration ---------------------------------------------------------------


def test_the_compliant_template_passes_every_resource_rule() -> None:
    outcomes = _outcomes(template())
    assert outcomes["EMR-MON1"] == {"Topic": ("COMPLIANT", "")}
    assert outcomes["EMR-MON2"] == {"Topic": ("COMPLIANT", "")}
    assert outcomes["EMR-DEP1"] == {"Function": ("COMPLIANT", "")}


def test_the_rules_are_registered_with_their_levels() -> None:
    levels = {rule.id: rule.level for rule in RESOURCE_RULES}
    assert levels == {"EMR-MON1": "error", "EMR-MON2": "error", "EMR-DEP1": "warning"}
    for rule in RESOURCE_RULES:
        assert BY_ID[rule.id] is rule and rule.title and rule.explanation and rule.fix


def test_the_walker_finds_every_alarm_action_and_rule_target() -> None:
    body = template()
    body["Resources"]["Alarm"]["Properties"]["InsufficientDataActions"] = [{"Ref": "Topic"}]
    found = sorted((d.publisher, d.source.logical_id, d.via) for d in deliveries(template_set(body)))
    assert found == [
        ("cloudwatch.amazonaws.com", "Alarm", "AlarmActions"),
        ("cloudwatch.amazonaws.com", "Alarm", "InsufficientDataActions"),
        ("cloudwatch.amazonaws.com", "Alarm", "OKActions"),
        ("events.amazonaws.com", "Rule", "Targets[0]"),
    ]


# -- EMR-MON1: alarm topics admit CloudWatch --------------------------------------------------------------------------

_MON1_BREAKS: dict[str, tuple[Change, str]] = {
    "no statement for cloudwatch in the topic policy": (
        _without(_topic_statements, "AllowCloudWatchAlarmsToPublish"),
        "topic policy TopicPolicy does not allow cloudwatch.amazonaws.com sns:Publish, for alarm Alarm "
        "(AlarmActions, OKActions)",
    ),
    "the statement names another alarm": (
        _replace(
            _topic_statements,
            "AllowCloudWatchAlarmsToPublish",
            Condition={"ArnEquals": {"aws:SourceArn": [{"Fn::GetAtt": ["OtherAlarm", "Arn"]}]}},
        ),
        "topic policy TopicPolicy does not allow",
    ),
    "the statement names another alarm by name": (
        _named_alarm(
            _replace(
                _topic_statements,
                "AllowCloudWatchAlarmsToPublish",
                Condition={"ArnEquals": {"aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111111111111:alarm:other"}},
            )
        ),
        "topic policy TopicPolicy does not allow",
    ),
    "the statement admits EventBridge rules, not alarms": (
        _replace(
            _topic_statements,
            "AllowCloudWatchAlarmsToPublish",
            Condition={"ArnLike": {"aws:SourceArn": "arn:*:events:*:*:rule/*"}},
        ),
        "topic policy TopicPolicy does not allow",
    ),
    "the statement allows another action": (
        _replace(_topic_statements, "AllowCloudWatchAlarmsToPublish", Action="sns:Subscribe"),
        "topic policy TopicPolicy does not allow",
    ),
    "an explicit deny for cloudwatch": (
        lambda body: _topic_statements(body).append(
            {"Effect": "Deny", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:*", "Resource": "*"}
        ),
        "topic policy TopicPolicy does not allow",
    ),
    "the TLS-only deny written without its condition": (
        _replace(_topic_statements, "AllowPublishThroughSSLOnly", Condition={}),
        "topic policy TopicPolicy does not allow",
    ),
    "no statement for cloudwatch in the key policy": (
        _without(_key_statements, "AllowCloudWatchAlarmsToPublish"),
        "key policy of Key does not allow cloudwatch.amazonaws.com kms:GenerateDataKey and kms:Decrypt, for alarm "
        "Alarm (AlarmActions, OKActions)",
    ),
    "the key statement lacks kms:Decrypt": (
        _replace(_key_statements, "AllowCloudWatchAlarmsToPublish", Action="kms:GenerateDataKey*"),
        "key policy of Key does not allow cloudwatch.amazonaws.com kms:Decrypt",
    ),
    "the key statement admits other alarm names": (
        _named_alarm(
            _replace(
                _key_statements,
                "AllowCloudWatchAlarmsToPublish",
                Condition={"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:*:alarm:team-*"}},
            )
        ),
        "key policy of Key does not allow",
    ),
    "the AWS managed key": (
        lambda body: body["Resources"]["Topic"]["Properties"].update(KmsMasterKeyId="alias/aws/sns"),
        "the topic is encrypted with the AWS managed key alias/aws/sns",
    ),
    "a key with the default key policy": (
        lambda body: body["Resources"]["Key"]["Properties"].pop("KeyPolicy"),
        "key Key has the default key policy",
    ),
}


@pytest.mark.parametrize("name", _MON1_BREAKS)
def test_mon1_fails_when_cloudwatch_cannot_publish(name: str) -> None:
    change, message = _MON1_BREAKS[name]
    status, found = _outcome("EMR-MON1", "Topic", _changed(change))
    assert status == "NON_COMPLIANT" and message in found, found


@pytest.mark.parametrize(
    "change",
    [
        # SNS's default policy stays when the templates set none; an unencrypted topic needs no key.
        lambda body: (body["Resources"].pop("TopicPolicy"), body["Resources"]["Topic"].pop("Properties")),
        # The SNS Developer Guide's own example: any principal, for the account's alarms.
        _replace(
            _topic_statements,
            "AllowCloudWatchAlarmsToPublish",
            Principal={"AWS": "*"},
            Condition={"ArnLike": {"aws:SourceArn": ALARM_PATTERN}},
        ),
        # Scoped by account only, in the Sub form.
        _replace(
            _topic_statements,
            "AllowCloudWatchAlarmsToPublish",
            Condition={"StringEquals": {"AWS:SourceAccount": {"Fn::Sub": "${AWS::AccountId}"}}},
        ),
        # An alias of the customer managed key.
        lambda body: body["Resources"].update(
            Alias={
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": "alias/alarms", "TargetKeyId": {"Ref": "Key"}},
            },
            Topic={"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "Alias"}}},
        ),
    ],
    ids=["sns-default-policy", "any-principal-alarm-pattern", "source-account", "key-alias"],
)
def test_mon1_accepts_other_correct_policies(change: Change) -> None:
    assert _outcome("EMR-MON1", "Topic", _changed(change)) == ("COMPLIANT", "")


def test_mon1_follows_an_import_to_the_topic_of_another_template() -> None:
    stateful = template()
    stateful["Resources"].pop("Alarm")
    stateful["Outputs"] = {"TopicArn": {"Value": {"Ref": "Topic"}, "Export": {"Name": "shared-topic"}}}
    _topic_statements(stateful)[1]["Condition"] = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    alarms = {"Resources": {"Alarm": copy.deepcopy(_TEMPLATE["Resources"]["Alarm"])}}
    alarms["Resources"]["Alarm"]["Properties"]["AlarmActions"] = [{"Fn::ImportValue": "shared-topic"}]
    alarms["Resources"]["Alarm"]["Properties"]["OKActions"] = []
    assert _outcome("EMR-MON1", "Topic", stateful, alarms) == ("COMPLIANT", "")
    _without(_topic_statements, "AllowCloudWatchAlarmsToPublish")(stateful)
    status, message = _outcome("EMR-MON1", "Topic", stateful, alarms)
    assert status == "NON_COMPLIANT" and "for alarm Alarm (AlarmActions)" in message


@pytest.mark.parametrize(
    "change",
    [
        # The condition names a parameter.
        _replace(
            _topic_statements,
            "AllowCloudWatchAlarmsToPublish",
            Condition={"ArnEquals": {"aws:SourceArn": {"Ref": "Elsewhere"}}},
        ),
        # A literal account and Region against the alarm's ARN, which the template does not know.
        _replace(
            _topic_statements,
            "AllowCloudWatchAlarmsToPublish",
            Condition={"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111111111111:alarm:*"}},
        ),
        # The key is outside the templates.
        lambda body: body["Resources"]["Topic"]["Properties"].update(KmsMasterKeyId={"Ref": "Elsewhere"}),
    ],
    ids=["parameter", "literal-account", "key-elsewhere"],
)
def test_mon1_is_not_applicable_when_a_value_cannot_be_resolved(change: Change) -> None:
    status, message = _outcome("EMR-MON1", "Topic", _changed(change))
    assert status == "NOT_APPLICABLE" and message


def test_mon1_ignores_actions_that_name_no_topic_of_the_set() -> None:
    body = template()
    actions = body["Resources"]["Alarm"]["Properties"]
    actions["AlarmActions"] = ["arn:aws:sns:eu-west-1:111111111111:outside", {"Ref": "Elsewhere"}]
    actions["OKActions"] = [{"Fn::ImportValue": "not-exported-here"}]
    _without(_topic_statements, "AllowCloudWatchAlarmsToPublish")(body)
    assert _outcomes(body)["EMR-MON1"] == {}


# -- EMR-MON2: event topics admit EventBridge -------------------------------------------------------------------------

_MON2_BREAKS: dict[str, tuple[Change, str]] = {
    "no statement for events in the topic policy": (
        _without(_topic_statements, "AllowEventBridgeRulesToPublish"),
        "topic policy TopicPolicy does not allow events.amazonaws.com sns:Publish, for rule Rule (Targets[0])",
    ),
    "no topic policy at all": (
        lambda body: body["Resources"].pop("TopicPolicy"),
        "SNS's default policy has no statement for events.amazonaws.com",
    ),
    "the statement names another rule": (
        _replace(
            _topic_statements,
            "AllowEventBridgeRulesToPublish",
            Condition={"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["OtherRule", "Arn"]}}},
        ),
        "topic policy TopicPolicy does not allow",
    ),
    "the key statement scoped by aws:SourceArn": (
        _replace(
            _key_statements,
            "AllowEventBridgeRulesToPublish",
            Condition={"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["Rule", "Arn"]}}},
        ),
        "a condition on aws:SourceArn or aws:SourceAccount never matches for EventBridge-to-encrypted topics",
    ),
    "the key statement scoped by aws:SourceAccount": (
        _replace(
            _key_statements,
            "AllowEventBridgeRulesToPublish",
            Condition={"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
        ),
        "key policy of Key does not allow events.amazonaws.com kms:GenerateDataKey and kms:Decrypt",
    ),
    "no statement for events in the key policy": (
        _without(_key_statements, "AllowEventBridgeRulesToPublish"),
        "key policy of Key does not allow events.amazonaws.com",
    ),
}


@pytest.mark.parametrize("name", _MON2_BREAKS)
def test_mon2_fails_when_eventbridge_cannot_publish(name: str) -> None:
    change, message = _MON2_BREAKS[name]
    status, found = _outcome("EMR-MON2", "Topic", _changed(change))
    assert status == "NON_COMPLIANT" and message in found, found


def test_mon2_accepts_an_unscoped_statement_and_an_unencrypted_topic() -> None:
    body = _changed(
        _replace(_topic_statements, "AllowEventBridgeRulesToPublish", Condition={}),
        lambda b: b["Resources"]["Topic"].pop("Properties"),
    )
    assert _outcome("EMR-MON2", "Topic", body) == ("COMPLIANT", "")


@pytest.mark.parametrize(
    "change",
    [
        lambda body: body["Resources"]["Rule"]["Properties"]["Targets"][0].update(RoleArn={"Ref": "Elsewhere"}),
        _replace(
            _topic_statements,
            "AllowEventBridgeRulesToPublish",
            Condition={"ArnEquals": {"aws:SourceArn": {"Ref": "Elsewhere"}}},
        ),
    ],
    ids=["target-role", "parameter"],
)
def test_mon2_is_not_applicable_when_it_cannot_tell(change: Change) -> None:
    status, message = _outcome("EMR-MON2", "Topic", _changed(change))
    assert status == "NOT_APPLICABLE" and message


# -- EMR-DEP1: no reserved concurrency --------------------------------------------------------------------------------


def _concurrency(value: Any) -> Body:
    body = template()
    body["Resources"]["Function"]["Properties"]["ReservedConcurrentExecutions"] = value
    return body


def test_dep1_warns_on_reserved_concurrency() -> None:
    status, message = _outcome("EMR-DEP1", "Function", _concurrency(1))
    assert status == "NON_COMPLIANT"
    assert "decreases account's UnreservedConcurrentExecution below its minimum value" in message
    assert "below 101" in message


@pytest.mark.parametrize("value", [0, "0"])
def test_dep1_accepts_zero_which_reserves_nothing(value: Any) -> None:
    assert _outcome("EMR-DEP1", "Function", _concurrency(value)) == ("COMPLIANT", "")


def test_dep1_is_not_applicable_to_a_parameter() -> None:
    status, _ = _outcome("EMR-DEP1", "Function", _concurrency({"Ref": "Elsewhere"}))
    assert status == "NOT_APPLICABLE"


# -- the matcher ------------------------------------------------------------------------------------------------------


def test_symbols_match_themselves_and_are_unknown_against_literals() -> None:
    account, region = symbol("AWS::AccountId"), symbol("AWS::Region")
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:idle"
    assert match(f"arn:aws:cloudwatch:{region}:{account}:alarm:*", arn, glob=True) is True
    assert match("arn:aws:cloudwatch:eu-west-1:111111111111:alarm:*", arn, glob=True) is None
    assert match("arn:aws:events:*", arn, glob=True) is False
    assert match("sns:*", "SNS:Publish", glob=True, fold_case=True) is True
    assert match("?", account, glob=True) is None


def test_render_keeps_what_the_template_cannot_know_as_symbols() -> None:
    templates = template_set(template())
    rendered = render(templates, "t0", {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:x"})
    assert rendered == f"arn:{symbol('AWS::Partition')}:sns:{symbol('AWS::Region')}:{symbol('AWS::AccountId')}:x"
    assert render(templates, "t0", {"Ref": "Elsewhere"}) is None
    assert render(templates, "t0", {"Fn::GetAtt": ["Alarm", "Arn"]}) == symbol("att:t0/Alarm.Arn")
