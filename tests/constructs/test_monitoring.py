"""EmrMonitoring and CloudWatch Logs delivery in synthesised templates: alarms (metric, dimension, threshold),
dashboard widgets, EventBridge patterns and messages, the encrypted topic and its subscribers, the policy packs."""

from __future__ import annotations

import copy
import json
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
from emr_constructs.spec.monitoring import ALARMS
from stacks import project_context
from tests.constructs.test_cluster import ENV, FLEETS, GROUPS, _vpc, acknowledge_imported_subnets
from tests.constructs.test_transient_job_flow import _definition
from tests.nag import add_nag_packs, synth_findings
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
    )
    for name in STACKS:
        acknowledge_imported_subnets(app.node.find_child(name))
    out["findings"] = synth_findings(app)
    out["templates"] = {name: json.loads((Path(app.outdir) / f"{name}.template.json").read_text()) for name in STACKS}
    return out


def _of_type(built: dict[str, Any], stack: str, kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in built["templates"][stack]["Resources"].items() if r["Type"] == kind}


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


def test_topic_uses_a_customer_managed_key_that_admits_cloudwatch_and_eventbridge(built: dict[str, Any]) -> None:
    (topic,) = _of_type(built, "Fleet", "AWS::SNS::Topic").values()
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = built["templates"]["Fleet"]["Resources"][key_id]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    (statement,) = [
        s for s in key["Properties"]["KeyPolicy"]["Statement"] if s.get("Sid") == "AllowServicesToPublishToTheTopic"
    ]
    assert statement["Principal"]["Service"] == ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    (policy,) = _of_type(built, "Fleet", "AWS::SNS::TopicPolicy").values()
    deny = policy["Properties"]["PolicyDocument"]["Statement"][0]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


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
    ((group_id, group),) = _of_type(built, "Fleet", "AWS::Logs::LogGroup").items()
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
    ((group_id, _),) = _of_type(built, "Fleet", "AWS::Logs::LogGroup").items()
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


# -- policy packs and lint -----------------------------------------------------------------------------------


def test_no_policy_findings(built: dict[str, Any]) -> None:
    failures = [str(f) for f in built["findings"] if f.rule != "Annotation::emr-constructs:kerberos-waived"]
    assert failures == []


@pytest.mark.parametrize("name", STACKS)
def test_cfn_lint_is_clean(built: dict[str, Any], name: str) -> None:
    assert cfn_lint(built["templates"][name]) == []


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
