"""EmrMonitoring and CloudWatch Logs delivery in synthesised templates: alarms (metric, dimension, threshold),
dashboard widgets, EventBridge patterns and messages, the encrypted topic and its subscribers, the policy packs."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from botocore.validate import ParamValidator

from emr_constructs import ClusterSpec, EmrCluster
from emr_constructs.jobflow import TransientJobFlow
from emr_constructs.jobflow import states as names
from emr_constructs.jobs import CommandStep
from emr_constructs.monitoring import EmrMonitoring
from emr_constructs.policy.deliveries import ALARM_FIELDS, deliveries, key_admits, topic_admits
from emr_constructs.policy.rules_deploy import judge_resources
from emr_constructs.policy.templates import Template, TemplateSet
from emr_constructs.spec.monitoring import ALARMS
from stacks import DEFAULT_CONFIG, build_app, project_context
from tests.constructs.test_cluster import ENV, FLEETS, GROUPS, _vpc, acknowledge_imported_subnets
from tests.constructs.test_transient_job_flow import _definition
from tests.nag import add_nag_packs, policy_failures, synth_findings
from tests.templates import cfn_lint

WAIVER = {"reason": "test cluster; Kerberos is covered by the security tests"}
FUNCTION = "arn:aws:lambda:eu-west-1:111111111111:function:emr-events"
FLEET_MONITORING = {
    "emails": ["oncall@example.com", "data@example.com"],
    "slack": [{"workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}],
    "alarms": {"idle": {"minutes": 240}, "yarn_memory_available": {"threshold": 15, "minutes": 20}},
    "lambda_function_arn": FUNCTION,
    "logs": {"retention_days": 30, "log_types": {"STEP_LOGS": ["STDERR"], "SPARK_EXECUTOR": ["STDOUT", "STDERR"]}},
}
FLEET = {
    **copy.deepcopy(FLEETS),
    "release_label": "emr-7.12.0",
    "security": {"kerberos_waiver": WAIVER},
    "node_metrics": {},
    "monitoring": FLEET_MONITORING,
}
GROUP = {
    **copy.deepcopy(GROUPS),
    "security": {**GROUPS["security"], "kerberos_waiver": WAIVER},
    "monitoring": {"alarms": {"hdfs_utilization": {"enabled": False}}, "dashboard": True},
}
UNSCALED_FLEET = {
    **copy.deepcopy(FLEET),
    "managed_scaling": None,
    "monitoring": {"notifications": False, "dashboard": False},
}
UNSCALED_FLEET.pop("node_metrics")
FLOW = {**copy.deepcopy(FLEET), "termination_protection": False, "monitoring": {"logs": {}}}
STACKS = ("Fleet", "Group", "Unscaled", "Flow")


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = cdk.App(context=project_context())
    add_nag_packs(app)
    out: dict[str, Any] = {}
    for name, payload in (("Fleet", FLEET), ("Group", GROUP), ("Unscaled", UNSCALED_FLEET)):
        stack = cdk.Stack(app, name, env=ENV)
        spec = ClusterSpec.model_validate(payload)
        cluster = EmrCluster(stack, "Cluster", spec=spec, vpc=_vpc(stack))
        out[name] = (cluster, EmrMonitoring(stack, "Monitoring", spec=spec, cluster_id=cluster.cluster_id))
    stack = cdk.Stack(app, "Flow", env=ENV)
    out["Flow"] = TransientJobFlow(
        stack,
        "JobFlow",
        spec=ClusterSpec.model_validate(FLOW),
        steps=[CommandStep("list", ("hdfs", "dfs", "-ls", "/"))],
        vpc=_vpc(stack),
        log_bucket=s3.Bucket.from_bucket_name(stack, "Logs", "logs-bucket"),
        cloudwatch_log_group_name="/aws/emr/test/flow",
        newer_request_fields=True,
    )
    for name in STACKS:
        acknowledge_imported_subnets(app.node.find_child(name))
    out["findings"] = synth_findings(app)
    out["templates"] = {name: json.loads((Path(app.outdir) / f"{name}.template.json").read_text()) for name in STACKS}
    return out


def _of_type(built: dict[str, Any], stack: str, kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in built["templates"][stack]["Resources"].items() if r["Type"] == kind}


def _cluster_log_groups(built: dict[str, Any], stack: str) -> dict[str, dict[str, Any]]:
    """The log groups of the cluster's logs (the security group rule clean-up has its own)."""
    groups = _of_type(built, stack, "AWS::Logs::LogGroup")
    return {k: g for k, g in groups.items() if "SecurityGroupCleanup" not in k}


def _cluster_ref(built: dict[str, Any], stack: str) -> dict[str, str]:
    (logical_id,) = _of_type(built, stack, "AWS::EMR::Cluster")
    return {"Ref": logical_id}


def _alarms(built: dict[str, Any], stack: str) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in _of_type(built, stack, "AWS::CloudWatch::Alarm").items()}


def _alarm(built: dict[str, Any], stack: str, part: str) -> dict[str, Any]:
    (found,) = [p for k, p in _alarms(built, stack).items() if part in k]
    return found


# -- alarms --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["idle", "apps_pending", "container_pending_ratio", "hdfs_utilization", "unhealthy_nodes", "lost_nodes"]
)
def test_default_alarms_watch_the_cluster_metric_with_default_thresholds(built: dict[str, Any], name: str) -> None:
    part = "".join(word.capitalize() for word in name.split("_"))
    alarm = _alarm(built, "Group", part) if name != "hdfs_utilization" else _alarm(built, "Fleet", part)
    default = ALARMS[name]
    assert alarm["Namespace"] == "AWS/ElasticMapReduce"
    assert alarm["MetricName"] == default.metric
    assert alarm["Dimensions"] == [{"Name": "JobFlowId", "Value": {"Ref": alarm["Dimensions"][0]["Value"]["Ref"]}}]
    assert alarm["Threshold"] == default.threshold
    assert alarm["Statistic"] == default.statistic
    assert alarm["Period"] == 300
    assert alarm["EvaluationPeriods"] * 5 == default.minutes  # neither stack overrides these
    assert alarm["TreatMissingData"] == "notBreaching"


def test_every_alarm_watches_this_cluster(built: dict[str, Any]) -> None:
    for stack in ("Fleet", "Group", "Unscaled"):
        cluster = _cluster_ref(built, stack)
        for alarm in _alarms(built, stack).values():
            dimensions = alarm.get("Dimensions") or [
                d for m in alarm["Metrics"] if "MetricStat" in m for d in m["MetricStat"]["Metric"]["Dimensions"]
            ]
            assert dimensions and all(d == {"Name": "JobFlowId", "Value": cluster} for d in dimensions), alarm


def test_overrides_set_threshold_and_evaluation(built: dict[str, Any]) -> None:
    idle = _alarm(built, "Fleet", "Idle")
    assert idle["EvaluationPeriods"] == 48 and idle["DatapointsToAlarm"] == 48  # 240 minutes
    memory = _alarm(built, "Fleet", "YarnMemoryAvailable")
    assert memory["Threshold"] == 15 and memory["EvaluationPeriods"] == 4
    assert memory["ComparisonOperator"] == "LessThanThreshold"
    assert "YARN memory below 15% free for 20 minutes" in memory["AlarmDescription"]
    assert not any("HdfsUtilization" in k for k in _alarms(built, "Group")), "disabled in the group cluster's config"


def test_fleet_capacity_shortfall_is_units_requested_minus_running(built: dict[str, Any]) -> None:
    alarm = _alarm(built, "Fleet", "CapacityShortfall")
    expression = next(m for m in alarm["Metrics"] if "Expression" in m)
    assert expression["Expression"] == "requested - running" and expression["ReturnData"] is True
    stats = {m["Id"]: m["MetricStat"] for m in alarm["Metrics"] if "MetricStat" in m}
    assert stats["requested"]["Metric"]["MetricName"] == "TotalUnitsRequested"
    assert stats["running"]["Metric"]["MetricName"] == "TotalUnitsRunning"
    assert alarm["Threshold"] == 1 and alarm["EvaluationPeriods"] == 6
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_group_capacity_shortfall_is_pending_nodes(built: dict[str, Any]) -> None:
    core = _alarm(built, "Group", "CapacityShortfallCore")
    task = _alarm(built, "Group", "CapacityShortfallTask")
    assert (core["MetricName"], task["MetricName"]) == ("CoreNodesPending", "TaskNodesPending")


def test_fleets_without_managed_scaling_have_no_capacity_alarm(built: dict[str, Any]) -> None:
    assert not any("CapacityShortfall" in k for k in _alarms(built, "Unscaled"))
    assert len(_alarms(built, "Unscaled")) == len(ALARMS) - 1


def test_alarms_notify_the_topic_on_alarm_and_ok(built: dict[str, Any]) -> None:
    (topic,) = _of_type(built, "Fleet", "AWS::SNS::Topic")
    for alarm in _alarms(built, "Fleet").values():
        assert alarm["AlarmActions"] == [{"Ref": topic}] and alarm["OKActions"] == [{"Ref": topic}]


# -- topic ---------------------------------------------------------------------------------------------------


def _key_statements(built: dict[str, Any], stack: str) -> dict[str, dict[str, Any]]:
    (topic,) = _of_type(built, stack, "AWS::SNS::Topic").values()
    key = built["templates"][stack]["Resources"][topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]]
    return {s.get("Sid", "root"): s for s in key["Properties"]["KeyPolicy"]["Statement"]}


def _topic_statements(built: dict[str, Any], stack: str) -> dict[str, dict[str, Any]]:
    (policy,) = _of_type(built, stack, "AWS::SNS::TopicPolicy").values()
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


_ALARM_PATTERN = {
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


def test_topic_uses_a_customer_managed_key_that_admits_cloudwatch_and_eventbridge(built: dict[str, Any]) -> None:
    """SNS Developer Guide, "Enable compatibility between event sources from AWS services and encrypted topics"
    (sns-key-management.html#compatibility-with-aws-services): each publishing service needs kms:GenerateDataKey*
    and kms:Decrypt; aws:SourceAccount and aws:SourceArn scope CloudWatch, and are "not supported for
    EventBridge-to-encrypted topics"."""
    (topic,) = _of_type(built, "Fleet", "AWS::SNS::Topic").values()
    key = built["templates"]["Fleet"]["Resources"][topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    statements = _key_statements(built, "Fleet")
    assert set(statements) == {"root", "AllowCloudWatchAlarmsToPublish", "AllowEventBridgeRulesToPublish"}
    assert statements["root"]["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    alarms = statements["AllowCloudWatchAlarmsToPublish"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert alarms["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {"aws:SourceArn": _ALARM_PATTERN},
    }
    rules = statements["AllowEventBridgeRulesToPublish"]
    assert rules["Principal"] == {"Service": "events.amazonaws.com"}
    assert rules["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"] and "Condition" not in rules


def test_topic_policy_admits_exactly_these_alarms_and_rules_over_tls(built: dict[str, Any]) -> None:
    """AWS re:Post Knowledge Center, "cloudwatch-receive-sns-for-alarm-trigger": a topic policy must allow
    cloudwatch.amazonaws.com sns:Publish, scoped with aws:SourceArn; EventBridge User Guide, "Cross-service confused
    deputy prevention": for rule targets aws:SourceArn is the rule's ARN."""
    (topic,) = _of_type(built, "Fleet", "AWS::SNS::Topic")
    statements = _topic_statements(built, "Fleet")
    assert set(statements) == {
        "AllowPublishThroughSSLOnly",
        "AllowCloudWatchAlarmsToPublish",
        "AllowEventBridgeRulesToPublish",
    }
    deny = statements["AllowPublishThroughSSLOnly"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    alarms = statements["AllowCloudWatchAlarmsToPublish"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and alarms["Action"] == "sns:Publish"
    assert alarms["Resource"] == {"Ref": topic}
    assert sorted(a["Fn::GetAtt"][0] for a in alarms["Condition"]["ArnEquals"]["aws:SourceArn"]) == sorted(
        _alarms(built, "Fleet")
    )
    rules = statements["AllowEventBridgeRulesToPublish"]
    assert rules["Principal"] == {"Service": "events.amazonaws.com"} and rules["Resource"] == {"Ref": topic}
    assert sorted(r["Fn::GetAtt"][0] for r in rules["Condition"]["ArnEquals"]["aws:SourceArn"]) == sorted(
        _rules(built, "Fleet")
    )
    # No statement admits EventBridge without a condition (aws-events-targets' SnsTopic would add one).
    assert all("Condition" in s for s in statements.values())


def test_a_topic_without_rules_admits_alarms_only(built: dict[str, Any]) -> None:
    assert set(_topic_statements(built, "Unscaled")) == {"AllowPublishThroughSSLOnly", "AllowCloudWatchAlarmsToPublish"}


def test_emails_and_slack_subscribe(built: dict[str, Any]) -> None:
    subscriptions = _of_type(built, "Fleet", "AWS::SNS::Subscription").values()
    assert sorted(s["Properties"]["Endpoint"] for s in subscriptions) == ["data@example.com", "oncall@example.com"]
    (slack,) = _of_type(built, "Fleet", "AWS::Chatbot::SlackChannelConfiguration").values()
    assert slack["Properties"]["SlackWorkspaceId"] == "T0123ABCD"
    assert slack["Properties"]["SlackChannelId"] == "C0123ABCD"
    (topic,) = _of_type(built, "Fleet", "AWS::SNS::Topic")
    assert slack["Properties"]["SnsTopicArns"] == [{"Ref": topic}]


# -- EventBridge ---------------------------------------------------------------------------------------------


def _rules(built: dict[str, Any], stack: str) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in _of_type(built, stack, "AWS::Events::Rule").items()}


def test_fleet_rules_match_emr_events_of_this_cluster(built: dict[str, Any]) -> None:
    cluster = _cluster_ref(built, "Fleet")
    patterns = {k.split("Events")[1][:-8]: r["EventPattern"] for k, r in _rules(built, "Fleet").items()}
    for pattern in patterns.values():
        assert pattern["source"] == ["aws.emr"]
        assert pattern["detail"]["clusterId"] == [cluster]
    assert patterns["ClusterTerminated"]["detail-type"] == ["EMR Cluster State Change"]
    assert patterns["ClusterTerminated"]["detail"]["state"] == ["TERMINATED", "TERMINATED_WITH_ERRORS"]
    assert patterns["StepFailed"]["detail-type"] == ["EMR Step Status Change"]
    assert patterns["StepFailed"]["detail"]["state"] == ["FAILED"]
    assert patterns["InstanceFleetTrouble"]["detail-type"] == ["EMR Instance Fleet State Change"]
    assert patterns["InstanceFleetTrouble"]["detail"]["severity"] == [{"anything-but": ["INFO"]}]
    assert patterns["InstanceFleetProvisioningTimeout"]["detail-type"] == ["EMR Instance Fleet Resize"]
    assert patterns["InstanceFleetProvisioningTimeout"]["detail"]["eventCode"] == [
        {"wildcard": "*rovisioning timeout*"}
    ]
    assert patterns["InstanceFleetInsufficientCapacity"]["detail-type"] == ["EMR Instance Fleet Provisioning"]
    assert patterns["InstanceFleetInsufficientCapacity"]["detail"]["eventCode"] == [{"prefix": "EC2 provisioning"}]
    assert len(patterns) == 5


def test_group_rules_use_the_instance_group_events(built: dict[str, Any]) -> None:
    types = sorted(t for r in _rules(built, "Group").values() for t in r["EventPattern"]["detail-type"])
    assert types == [
        "EMR Cluster State Change",
        "EMR Instance Group Provisioning",
        "EMR Instance Group State Change",
        "EMR Step Status Change",
    ]


@pytest.mark.parametrize(
    ("event_code", "matches"),
    [
        ("Spot Provisioning timeout", True),
        ("Spot provisioning timeout - continuing resize", True),
        ("On-Demand provisioning timeout - continuing resize", True),
        ("Resize completed", False),
    ],
)
def test_the_resize_pattern_catches_both_spellings(event_code: str, matches: bool) -> None:
    from fnmatch import fnmatchcase

    assert fnmatchcase(event_code, "*rovisioning timeout*") is matches


def test_rules_deliver_a_readable_message_to_the_topic_and_the_raw_event_to_the_function(built: dict[str, Any]) -> None:
    (topic,) = _of_type(built, "Fleet", "AWS::SNS::Topic")
    for rule in _rules(built, "Fleet").values():
        sns_target, function_target = rule["Targets"]
        assert sns_target["Arn"] == {"Ref": topic}
        transformer = sns_target["InputTransformer"]
        assert transformer["InputPathsMap"]["detail-clusterId"] == "$.detail.clusterId"
        assert transformer["InputPathsMap"]["detail-stateChangeReason"] == "$.detail.stateChangeReason"
        template = transformer["InputTemplate"]
        assert "on EMR cluster fleets (<detail-clusterId>)" in template
        assert "console.aws.amazon.com/emr/home?region=<region>#/clusterDetails/<detail-clusterId>" in template
        assert len(template) <= 8192 and len(transformer["InputPathsMap"]) <= 100
        assert function_target["Arn"] == FUNCTION
        assert "InputTransformer" not in function_target and function_target["RetryPolicy"]["MaximumRetryAttempts"] == 2
    permissions = _of_type(built, "Fleet", "AWS::Lambda::Permission")
    assert len(permissions) == 5 and all(
        p["Properties"]["Principal"] == "events.amazonaws.com" for p in permissions.values()
    )


def test_notifications_can_be_turned_off(built: dict[str, Any]) -> None:
    assert _rules(built, "Unscaled") == {}
    assert _of_type(built, "Unscaled", "AWS::CloudWatch::Dashboard") == {}


# -- dashboard -----------------------------------------------------------------------------------------------


def _dashboard_text(built: dict[str, Any], stack: str) -> str:
    (dashboard,) = _of_type(built, stack, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    return "".join(part if isinstance(part, str) else "<ref>" for part in body)


def test_dashboard_shows_alarms_yarn_hdfs_health_capacity_and_nodes(built: dict[str, Any]) -> None:
    body = json.loads(_dashboard_text(built, "Fleet"))
    titles = [w["properties"].get("title") for w in body["widgets"]]
    assert "Alarms" in titles
    metrics = json.dumps(body)
    for name in (
        "IsIdle",
        "AppsPending",
        "YARNMemoryAvailablePercentage",
        "ContainerPendingRatio",
        "HDFSUtilization",
        "CapacityRemainingGB",
        "MRUnhealthyNodes",
        "MRLostNodes",
        "TotalUnitsRequested",
        "TaskUnitsRunning",
    ):
        assert name in metrics, name
    assert (
        'SEARCH(\'{CWAgent,cluster.id,instance.id,node.type,service.name} MetricName=\\"mem_used_percent\\"' in metrics
    )
    (alarm_widget,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert len(alarm_widget["properties"]["alarms"]) == len(_alarms(built, "Fleet"))


def test_group_dashboard_shows_running_and_pending_nodes(built: dict[str, Any]) -> None:
    text = _dashboard_text(built, "Group")
    assert "CoreNodesPending" in text and "TaskNodesRunning" in text
    assert "CWAgent" not in text, "no node metrics configured"


# -- CloudWatch Logs -----------------------------------------------------------------------------------------


def test_cluster_logs_go_to_an_encrypted_log_group(built: dict[str, Any]) -> None:
    (cluster,) = _of_type(built, "Fleet", "AWS::EMR::Cluster").values()
    configuration = cluster["Properties"]["MonitoringConfiguration"]["CloudWatchLogConfiguration"]
    ((group_id, group),) = _cluster_log_groups(built, "Fleet").items()
    assert configuration["Enabled"] is True
    assert configuration["LogGroupName"] == {"Ref": group_id}
    assert configuration["LogTypes"] == {"STEP_LOGS": ["STDERR"], "SPARK_EXECUTOR": ["STDOUT", "STDERR"]}
    key_id = group["Properties"]["KmsKeyId"]["Fn::GetAtt"][0]
    assert configuration["EncryptionKeyArn"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert group["Properties"]["LogGroupName"] == "/aws/emr/fleets"
    assert group["Properties"]["RetentionInDays"] == 30
    assert group["DeletionPolicy"] == "Retain"
    assert cluster["Metadata"]["cfn-lint"]["config"]["ignore_checks"] == ["E3002"]
    assert {"Name": "AmazonCloudWatchAgent"} in cluster["Properties"]["Applications"]


def test_the_instance_role_writes_to_that_group_only(built: dict[str, Any]) -> None:
    ((group_id, _),) = _cluster_log_groups(built, "Fleet").items()
    (policy,) = [
        p for k, p in _of_type(built, "Fleet", "AWS::IAM::ManagedPolicy").items() if "CloudWatchLogsAccess" in k
    ]
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    write = statements["WriteToTheClusterLogGroup"]
    assert "logs:PutLogEvents" in write["Action"] and "logs:CreateLogStream" in write["Action"]
    arn = {"Fn::GetAtt": [group_id, "Arn"]}
    assert write["Resource"][0] == arn
    assert statements["FindTheLogGroup"]["Action"] == "logs:DescribeLogGroups"


def test_job_flow_request_carries_the_log_configuration(built: dict[str, Any]) -> None:
    request = _definition(built, "Flow")["States"][names.CREATE_CLUSTER]["Parameters"]
    model = botocore.session.get_session().get_service_model("emr").operation_model("RunJobFlow")
    assert model.input_shape is not None
    report = ParamValidator().validate(request, model.input_shape)
    assert not report.has_errors(), report.generate_report()
    configuration = request["MonitoringConfiguration"]["CloudWatchLogConfiguration"]
    assert configuration["Enabled"] is True and configuration["LogGroupName"].startswith("<")
    assert configuration["LogTypes"] == {"STEP_LOGS": ["STDOUT", "STDERR"], "SPARK_DRIVER": ["STDOUT", "STDERR"]}
    (group,) = [g for k, g in _of_type(built, "Flow", "AWS::Logs::LogGroup").items() if "CloudWatchLogs" in k]
    assert group["Properties"]["LogGroupName"] == "/aws/emr/test/flow"
    assert group["Properties"]["RetentionInDays"] == 90


# -- delivery, end to end: every alarm action and event target reaches a topic that admits its publisher ----------


@pytest.fixture(scope="module")
def dev_templates() -> dict[str, dict[str, Any]]:
    """The default app's stacks (config/dev.yaml), without the policy packs."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="dev-delivery-"), context=project_context())
    build_app(DEFAULT_CONFIG, app, policy_checks=False)
    return {stack.stack_name: stack.template for stack in app.synth().stacks}


def _template_set(templates: dict[str, dict[str, Any]]) -> TemplateSet:
    found = TemplateSet()
    for name, body in templates.items():
        found.add(Template(name, f"{name}.template.json", body, name))
    return found


def _publishers(templates: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(template, source, property, topic) for every alarm action and every rule target that is a topic, read
    without the walker: each alarm action must name a topic of its own template."""
    found = []
    for name, body in templates.items():
        resources = body["Resources"]
        for logical_id, resource in resources.items():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::CloudWatch::Alarm":
                for field in ALARM_FIELDS:
                    for action in properties.get(field, []):
                        assert resources[action["Ref"]]["Type"] == "AWS::SNS::Topic", (logical_id, action)
                        found.append((name, logical_id, field, action["Ref"]))
            if resource["Type"] == "AWS::Events::Rule":
                for index, target in enumerate(properties.get("Targets", [])):
                    ref = target["Arn"].get("Ref") if isinstance(target["Arn"], dict) else None
                    if ref in resources and resources[ref]["Type"] == "AWS::SNS::Topic":
                        found.append((name, logical_id, f"Targets[{index}]", ref))
    return sorted(found)


def _assert_every_publisher_is_admitted(templates: dict[str, dict[str, Any]]) -> int:
    walked = list(deliveries(_template_set(templates)))
    expected = _publishers(templates)
    assert sorted((d.source.template, d.source.logical_id, d.via, d.topic.logical_id) for d in walked) == expected
    template_set = _template_set(templates)
    for delivery in walked:
        where = f"{delivery.source.logical_id} ({delivery.via}) -> {delivery.topic.logical_id}"
        # (a) the topic policy allows sns:Publish to the publisher's service principal, with conditions it meets
        assert topic_admits(template_set, delivery).admitted is True, where
        # (b) the key policy allows that principal kms:GenerateDataKey* and kms:Decrypt, with conditions it meets
        assert key_admits(template_set, delivery).admitted is True, where
    return len(walked)


def test_every_alarm_and_rule_of_the_dev_app_can_publish_to_its_topic(dev_templates: dict[str, Any]) -> None:
    count = _assert_every_publisher_is_admitted(dev_templates)
    alarms = sum(1 for body in dev_templates.values() for r in body["Resources"].values() if "Alarm" in r["Type"])
    assert alarms and count >= 2 * alarms  # alarm and OK actions, plus the rules' topic targets


def test_every_alarm_and_rule_of_these_clusters_can_publish_to_its_topic(built: dict[str, Any]) -> None:
    assert _assert_every_publisher_is_admitted(built["templates"]) > 0


def _without_statement(templates: dict[str, Any], kind: str, sid: str) -> dict[str, Any]:
    changed = copy.deepcopy(templates)
    for body in changed.values():
        for resource in body["Resources"].values():
            if resource["Type"] == kind:
                document = resource["Properties"]["PolicyDocument" if kind.startswith("AWS::SNS") else "KeyPolicy"]
                document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != sid]
    return changed


def test_the_check_catches_what_the_review_found(dev_templates: dict[str, Any]) -> None:
    """The pre-fix template (a topic policy with the TLS-only deny and no statement for CloudWatch) fails every alarm
    action, as the Knowledge Center's "not authorized to perform: SNS:Publish" describes; a key statement for
    EventBridge scoped by aws:SourceArn fails every rule."""
    no_alarms = _template_set(
        _without_statement(dev_templates, "AWS::SNS::TopicPolicy", "AllowCloudWatchAlarmsToPublish")
    )
    refused = [d for d in deliveries(no_alarms) if topic_admits(no_alarms, d).admitted is False]
    assert refused and {d.publisher for d in refused} == {"cloudwatch.amazonaws.com"}
    scoped = copy.deepcopy(dev_templates)
    for body in scoped.values():
        for resource in body["Resources"].values():
            for statement in resource.get("Properties", {}).get("KeyPolicy", {}).get("Statement", []):
                if statement.get("Sid") == "AllowEventBridgeRulesToPublish":
                    statement["Condition"] = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    scoped_set = _template_set(scoped)
    refused = [d for d in deliveries(scoped_set) if key_admits(scoped_set, d).admitted is False]
    assert refused and {d.publisher for d in refused} == {"events.amazonaws.com"}


def test_the_dev_app_passes_the_resource_rules(dev_templates: dict[str, Any]) -> None:
    outcomes = [(rule.id, r.logical_id, o.status) for rule, r, o in judge_resources(_template_set(dev_templates))]
    assert [o for o in outcomes if o[2] != "COMPLIANT"] == []
    assert {rule_id for rule_id, _, _ in outcomes} == {"EMR-MON1", "EMR-MON2", "EMR-DEP1"}


# -- policy packs and lint -----------------------------------------------------------------------------------


def test_no_policy_findings(built: dict[str, Any]) -> None:
    assert policy_failures(built["findings"]) == []


@pytest.mark.parametrize("name", STACKS)
def test_cfn_lint_is_clean(built: dict[str, Any], name: str) -> None:
    assert cfn_lint(built["templates"][name]) == []


def test_a_given_topic_construct_admits_the_alarms_and_rules() -> None:
    from aws_cdk import aws_sns as sns

    app = cdk.App()
    stack = cdk.Stack(app, "GivenTopic", env=ENV)
    spec = ClusterSpec.model_validate({**copy.deepcopy(GROUP), "monitoring": {}})
    topic = sns.Topic(stack, "Topic", enforce_ssl=True)
    EmrMonitoring(stack, "Monitoring", spec=spec, cluster_id="j-ABC", topic=topic)
    template = app.synth().get_stack_by_name("GivenTopic").template
    (policy,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::SNS::TopicPolicy"]
    sids = [s["Sid"] for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    assert sids == ["AllowPublishThroughSSLOnly", "AllowCloudWatchAlarmsToPublish", "AllowEventBridgeRulesToPublish"]


def test_a_given_function_and_topic_are_used() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Given", env=ENV)
    spec = ClusterSpec.model_validate({**copy.deepcopy(GROUP), "monitoring": {}})
    from aws_cdk import aws_sns as sns

    topic = sns.Topic.from_topic_arn(stack, "Topic", "arn:aws:sns:eu-west-1:111111111111:shared-alarms")
    function = lambda_.Function.from_function_arn(stack, "Fn", FUNCTION)
    monitoring = EmrMonitoring(stack, "Monitoring", spec=spec, cluster_id="j-ABC", topic=topic, function=function)
    assert monitoring.topic is topic and monitoring.topic_key is None
    template = app.synth().get_stack_by_name("Given").template
    assert not [r for r in template["Resources"].values() if r["Type"] in ("AWS::SNS::Topic", "AWS::KMS::Key")]
    alarm = next(r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm")
    assert alarm["Properties"]["AlarmActions"] == ["arn:aws:sns:eu-west-1:111111111111:shared-alarms"]
