"""``EmrServerlessApplication``'s options: the data lake (Glue catalog grants and the merged runtime configuration),
Prometheus, connections, the stated waivers of the EMR pack's warnings, and the network limits."""

from __future__ import annotations

import copy
import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from emr_constructs.policy.engine import check_templates
from emr_constructs.policy.templates import Template as PolicyTemplate
from emr_constructs.policy.templates import TemplateSet
from emr_constructs.serverless import EmrServerlessApplication
from emr_constructs.spec import ServerlessApplicationSpec
from tests.constructs.test_cluster import ENV
from tests.spec.test_serverless import BASE

URL = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd/api/v1/remote_write"


def _vpc(stack: cdk.Stack, zones: int = 2) -> ec2.Vpc:
    return ec2.Vpc(
        stack,
        "Vpc",
        max_azs=zones,
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="jobs", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )


def _build(**changes: Any) -> tuple[EmrServerlessApplication, dict[str, Any]]:
    stack = cdk.Stack(cdk.App(), "Options", env=ENV)
    payload = {**copy.deepcopy(BASE), **copy.deepcopy(changes)}
    application = EmrServerlessApplication(
        stack, "Application", spec=ServerlessApplicationSpec.model_validate(payload), vpc=_vpc(stack)
    )
    return application, dict(Template.from_stack(stack).to_json())


def _properties(template: dict[str, Any]) -> dict[str, Any]:
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::EMRServerless::Application"]
    return resource["Properties"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def lake() -> tuple[EmrServerlessApplication, dict[str, Any]]:
    return _build(
        data_lake={"catalog": {"databases": ["raw", "curated"]}, "iceberg": {"warehouse": "s3://lake-b/wh/"}},
        prometheus_remote_write_url=URL,
    )


def test_the_runtime_configuration_is_the_merge_of_the_spec_and_its_data_lake(lake: Any) -> None:
    application, template = lake
    (spark,) = _properties(template)["RuntimeConfiguration"]
    rendered = {c.classification: dict(c.properties) for c in application.spec.merged_configurations()}
    assert spark == {"Classification": "spark-defaults", "Properties": rendered["spark-defaults"]}
    assert spark["Properties"]["spark.sql.catalog.glue_catalog.warehouse"] == "s3://lake-b/wh/"


def test_the_execution_role_reaches_the_catalog_databases(lake: Any) -> None:
    application, template = lake
    role = cdk.Stack.of(application).get_logical_id(application.execution_role.node.default_child)
    (catalog,) = [
        r["Properties"]
        for key, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and key.startswith("ApplicationGlueCatalogAccess")
    ]
    assert catalog["Roles"] == [{"Ref": role}]
    text = json.dumps(catalog["PolicyDocument"])
    assert "database/raw" in text and "database/curated" in text and "table/raw/*" in text


def test_prometheus_gets_its_workspace_only(lake: Any) -> None:
    _, template = lake
    monitoring = _properties(template)["MonitoringConfiguration"]
    assert monitoring["PrometheusMonitoringConfiguration"] == {"RemoteWriteUrl": URL}
    statements = [
        s
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "aps:RemoteWrite"
    ]
    assert [json.dumps(s["Resource"]) for s in statements] == [
        json.dumps(
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":aps:eu-west-1:111111111111:workspace/ws-0123abcd"]]}
        )
    ]


def test_connections_are_the_application_security_groups(lake: Any) -> None:
    application, _ = lake
    assert application.connections.security_groups == application.security_groups


def test_stated_reasons_waive_the_pack_warnings_where_check_reads_them() -> None:
    reason_capacity = "a sandbox account with its own budget alarm"
    reason_on = "a streaming job keeps it busy all day"
    _, template = _build(
        maximum_capacity=None, unbounded_capacity_reason=reason_capacity, auto_stop=False, always_on_reason=reason_on
    )
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::EMRServerless::Application"]
    assert resource["Metadata"]["cdk_nag"]["rules_to_suppress"] == [
        {"id": "EmrChecks-EMR-SLS2", "reason": reason_capacity},
        {"id": "EmrChecks-EMR-SLS3", "reason": reason_on},
    ]
    assert _properties(template)["AutoStopConfiguration"] == {"Enabled": False}
    assert "MaximumCapacity" not in _properties(template)
    templates = TemplateSet()
    templates.add(PolicyTemplate("Options", "Options.template.json", template))
    findings = {f.rule.id: f.waived_reason for f in check_templates(templates)}
    assert findings == {"EMR-SLS2": reason_capacity, "EMR-SLS3": reason_on}


def test_a_bounded_auto_stopping_application_waives_nothing() -> None:
    _, template = _build()
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::EMRServerless::Application"]
    assert "Metadata" not in resource or "cdk_nag" not in resource["Metadata"]


def test_fails_more_than_16_subnets() -> None:
    stack = cdk.Stack(cdk.App(), "Wide", env=cdk.Environment(account="111111111111", region="us-east-1"))
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        availability_zones=["us-east-1a", "us-east-1b", "us-east-1c"],
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name=f"jobs{i}", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
            for i in range(6)
        ],
    )
    with pytest.raises(ValueError, match=r"18 subnets and 0 security groups; an application takes at most 16 and 5"):
        EmrServerlessApplication(
            stack,
            "Application",
            spec=ServerlessApplicationSpec.model_validate(BASE),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        )


def test_the_log_key_admits_emr_serverless_for_this_account_and_region_only(lake: Any) -> None:
    """EMR Serverless User Guide, "Encrypting logs": EMR Serverless encrypts S3 and managed-storage logs with the
    key, so its policy admits emr-serverless.amazonaws.com (kms:Decrypt, kms:GenerateDataKey) by aws:SourceArn."""
    _, template = lake
    (key,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::KMS::Key"]
    (statement,) = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Principal", {}).get("Service") == "emr-serverless.amazonaws.com"
    ]
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    source = statement["Condition"]["ArnLike"]["aws:SourceArn"]
    assert source == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":emr-serverless:eu-west-1:111111111111:/applications/*"]]
    }


def test_the_jobs_may_find_and_encrypt_their_log_group(lake: Any) -> None:
    """ "Storing logs": DescribeLogGroups, and AssociateKmsKey on the group for an encrypted one."""
    _, template = lake
    (policy,) = [
        r["Properties"]
        for key, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and key.startswith("ApplicationLogAccess")
    ]
    actions = {
        a
        for s in policy["PolicyDocument"]["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"logs:DescribeLogGroups", "logs:AssociateKmsKey", "logs:PutLogEvents", "kms:GenerateDataKey"} <= actions


def test_submitters_may_use_the_log_key(lake: Any) -> None:
    """ "Encrypting logs": "If the user who submits the job lacks the KMS key permissions, EMR Serverless rejects
    the job run submission"."""
    application, _ = lake
    stack = cdk.Stack.of(application)
    submitter = iam.Role(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    application.grant_start_job_run(submitter)
    text = json.dumps(stack.resolve(submitter.node.find_child("DefaultPolicy").document.to_json()))
    assert "kms:GenerateDataKey" in text and "kms:Decrypt" in text and "iam:PassRole" in text


def test_worker_images_render_per_worker_key() -> None:
    driver = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/spark-driver:2"
    executor = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/spark@sha256:" + "a" * 64
    _, template = _build(worker_images={"Driver": driver, "Executor": executor})
    assert _properties(template)["WorkerTypeSpecifications"] == {
        "Driver": {"ImageConfiguration": {"ImageUri": driver}},
        "Executor": {"ImageConfiguration": {"ImageUri": executor}},
    }


def test_metrics_name_the_application_and_their_statistic(lake: Any) -> None:
    application, _ = lake
    stack = cdk.Stack.of(application)
    cases = {
        "SuccessJobs": (application.metric_success_jobs(), "Sum"),
        "PendingJobs": (application.metric_pending_jobs(), "Maximum"),
        "RunningWorkerCount": (application.metric_running_workers("SPARK_EXECUTORS"), "Maximum"),
        "MaxCPUAllowed": (application.metric_max_cpu_allowed(), "Maximum"),
    }
    for name, (metric, statistic) in cases.items():
        assert (metric.namespace, metric.metric_name, metric.statistic) == ("AWS/EMRServerless", name, statistic)
        assert stack.resolve(metric.dimensions)["ApplicationName"] == "spark-serverless"
    assert stack.resolve(cases["RunningWorkerCount"][0].dimensions)["WorkerType"] == "SPARK_EXECUTORS"
    assert "WorkerType" not in stack.resolve(application.metric_running_workers().dimensions)
