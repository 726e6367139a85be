"""The L2 surface of a cluster: ``IEmrCluster``, ``from_cluster_attributes``, metrics, grants, steps on an imported
cluster, ``EmrMonitoring(cluster=...)``, ``TransientJobFlow.grant_start_execution`` and the package's exports."""

from __future__ import annotations

import copy
import importlib
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

import emr_constructs
from emr_constructs import (
    ClusterSpec,
    CommandStep,
    EmrCluster,
    EmrMonitoring,
    IEmrCluster,
    JarStep,
    SparkStep,
    TransientJobFlow,
)
from emr_constructs.cluster.base import ADD_STEPS_ACTIONS, DESCRIBE_ACTIONS
from emr_constructs.spec.monitoring import ALARMS
from stacks import project_context
from tests.constructs.test_cluster import ENV, FLEETS, GROUPS, _vpc, acknowledge_imported_subnets

CLUSTER_ID = "j-1ABCDEFGHIJKL"
INSTANCE_ROLE = "arn:aws:iam::111111111111:role/emr-instance"
RUNTIME_ROLE = "arn:aws:iam::111111111111:role/emr-runtime-etl"
CLUSTER_ARN = f"arn:aws:elasticmapreduce:eu-west-1:111111111111:cluster/{CLUSTER_ID}"
PASSED_TO_EMR = {"StringEquals": {"iam:PassedToService": "elasticmapreduce.amazonaws.com"}}
STACKS = ("Imported", "ById", "Owned", "Transient")


def _function(scope: cdk.Stack, id: str) -> lambda_.Function:
    return lambda_.Function(
        scope,
        id,
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
    )


def _uses_cluster(cluster: IEmrCluster, grantee: iam.IGrantable) -> iam.Grant:
    """Typed against the interface: both kinds of cluster must satisfy it (mypy checks the calls below)."""
    cluster.metric_is_idle()
    return cluster.grant_add_steps(grantee)


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = cdk.App(context=project_context())
    out: dict[str, Any] = {}
    spec = ClusterSpec.model_validate(FLEETS)

    stack = cdk.Stack(app, "Imported", env=ENV)
    imported = EmrCluster.from_cluster_attributes(
        stack,
        "Shared",
        cluster_id=CLUSTER_ID,
        instance_role=iam.Role.from_role_arn(stack, "InstanceRole", INSTANCE_ROLE, mutable=False),
        security_groups=[ec2.SecurityGroup.from_security_group_id(stack, "Primary", "sg-0123456789abcdef0")],
        runtime_roles=[iam.Role.from_role_arn(stack, "Runtime", RUNTIME_ROLE)],
    )
    out["imported"] = imported
    out["add_steps_grant"] = _uses_cluster(imported, _function(stack, "Submitter"))
    out["describe_grant"] = imported.grant_describe(_function(stack, "Reader"))
    cloudwatch.Alarm(stack, "IdleAlarm", metric=imported.metric_is_idle(), threshold=1, evaluation_periods=24)
    out["steps"] = [
        imported.add_step("Listing", CommandStep("list", ("hdfs", "dfs", "-ls", "/"))),
        imported.add_step("Report", JarStep("report", "s3://tools-bucket/app.jar", "com.example.Main", ("--day", "1"))),
    ]
    out["monitoring"] = EmrMonitoring(stack, "Monitoring", spec=spec, cluster=imported)

    by_id = cdk.Stack(app, "ById", env=ENV)
    EmrMonitoring(by_id, "Monitoring", spec=spec, cluster_id=CLUSTER_ID)

    owned = cdk.Stack(app, "Owned", env=ENV)
    with_roles = {**copy.deepcopy(FLEETS), "security": {"runtime_roles": {"roles": [{"name": "etl"}]}}}
    cluster = EmrCluster(owned, "Cluster", spec=ClusterSpec.model_validate(with_roles), vpc=_vpc(owned))
    out["cluster"] = cluster
    _uses_cluster(cluster, _function(owned, "Submitter"))

    transient = cdk.Stack(app, "Transient", env=ENV)
    flow_payload = {**copy.deepcopy(GROUPS), "auto_termination_idle_seconds": 7200}
    flow = TransientJobFlow(
        transient,
        "JobFlow",
        spec=ClusterSpec.model_validate(flow_payload),
        steps=[SparkStep("report", "s3://tools-bucket/report.py")],
        vpc=_vpc(transient),
        log_bucket=s3.Bucket.from_bucket_name(transient, "Logs", "logs-bucket"),
    )
    out["flow"] = flow
    out["start_grant"] = flow.grant_start_execution(_function(transient, "Starter"))

    for stack_with_vpc in (owned, transient):
        acknowledge_imported_subnets(stack_with_vpc)
    out["templates"] = {name: Template.from_stack(app.node.find_child(name)) for name in STACKS}  # type: ignore[arg-type]
    return out


def _statements_of(template: Template, function_id: str) -> list[dict[str, Any]]:
    """Statements of the inline policies attached to the role of function ``function_id``."""
    found: list[dict[str, Any]] = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        roles = policy["Properties"].get("Roles", [])
        if any(role.get("Ref", "").startswith(f"{function_id}ServiceRole") for role in roles):
            found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return found


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


# -- the import ----------------------------------------------------------------------------------------------


def test_imported_cluster_has_id_arn_role_and_connections(built: dict[str, Any]) -> None:
    imported = built["imported"]
    stack = cdk.Stack.of(imported)
    assert imported.cluster_id == CLUSTER_ID
    assert stack.resolve(imported.cluster_arn) == CLUSTER_ARN
    assert imported.instance_role.role_arn == INSTANCE_ROLE
    principal = stack.resolve(imported.grant_principal.policy_fragment.principal_json)
    assert principal == {"AWS": [INSTANCE_ROLE]}
    assert [group.security_group_id for group in imported.connections.security_groups] == ["sg-0123456789abcdef0"]


def test_fails_connections_of_an_import_without_security_groups() -> None:
    stack = cdk.Stack(cdk.App(), "Bare", env=ENV)
    bare = EmrCluster.from_cluster_attributes(stack, "Bare", cluster_id=CLUSTER_ID)
    assert bare.instance_role is None
    with pytest.raises(ValueError, match=r"imported without security groups.*Fix: pass security_groups="):
        _ = bare.connections


def test_import_without_role_grants_to_an_unknown_principal() -> None:
    stack = cdk.Stack(cdk.App(), "Bare", env=ENV)
    bare = EmrCluster.from_cluster_attributes(stack, "Bare", cluster_id=CLUSTER_ID)
    assert isinstance(bare.grant_principal, iam.UnknownPrincipal)


# -- metrics -------------------------------------------------------------------------------------------------


def test_metric_is_in_the_emr_namespace_per_cluster_every_five_minutes(built: dict[str, Any]) -> None:
    metric = built["imported"].metric("AppsRunning")
    assert metric.namespace == "AWS/ElasticMapReduce"
    assert metric.metric_name == "AppsRunning"
    assert metric.dimensions == {"JobFlowId": CLUSTER_ID}
    assert metric.statistic == "Average"
    assert metric.period.to_minutes() == 5
    custom = built["imported"].metric("AppsRunning", statistic="Maximum", period=cdk.Duration.minutes(1))
    assert (custom.statistic, custom.period.to_minutes()) == ("Maximum", 1)


HELPERS = {
    "metric_is_idle": ("IsIdle", "Minimum"),
    "metric_apps_pending": ("AppsPending", "Minimum"),
    "metric_container_pending_ratio": ("ContainerPendingRatio", "Average"),
    "metric_yarn_memory_available_percentage": ("YARNMemoryAvailablePercentage", "Average"),
    "metric_hdfs_utilization": ("HDFSUtilization", "Maximum"),
    "metric_capacity_remaining_gb": ("CapacityRemainingGB", "Minimum"),
    "metric_mr_unhealthy_nodes": ("MRUnhealthyNodes", "Maximum"),
    "metric_mr_lost_nodes": ("MRLostNodes", "Maximum"),
    "metric_total_units_requested": ("TotalUnitsRequested", "Minimum"),
    "metric_total_units_running": ("TotalUnitsRunning", "Minimum"),
    "metric_core_nodes_pending": ("CoreNodesPending", "Minimum"),
    "metric_task_nodes_pending": ("TaskNodesPending", "Minimum"),
}


@pytest.mark.parametrize("helper", sorted(HELPERS))
def test_named_metric_helpers_have_their_documented_statistic(built: dict[str, Any], helper: str) -> None:
    name, statistic = HELPERS[helper]
    for cluster in (built["imported"], built["cluster"]):
        metric = getattr(cluster, helper)()
        assert (metric.metric_name, metric.statistic, metric.period.to_minutes()) == (name, statistic, 5)
        assert statistic in (getattr(cluster, helper).__doc__ or "")


def test_named_helpers_agree_with_the_alarm_defaults() -> None:
    by_metric = {name: statistic for name, statistic in HELPERS.values()}
    for default in ALARMS.values():
        if default.metric in by_metric:
            assert by_metric[default.metric] == default.statistic, default.metric


def test_alarm_on_an_imported_clusters_metric(built: dict[str, Any]) -> None:
    built["templates"]["Imported"].has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/ElasticMapReduce",
            "MetricName": "IsIdle",
            "Dimensions": [{"Name": "JobFlowId", "Value": CLUSTER_ID}],
            "Statistic": "Minimum",
            "Period": 300,
            "EvaluationPeriods": 24,
        },
    )


def test_monitoring_of_a_cluster_equals_monitoring_by_id(built: dict[str, Any]) -> None:
    def alarms(name: str) -> dict[str, Any]:
        found = built["templates"][name].find_resources("AWS::CloudWatch::Alarm")
        return {key: value for key, value in found.items() if key.startswith("Monitoring")}

    imported, by_id = alarms("Imported"), alarms("ById")
    assert imported and imported == by_id


def test_fails_monitoring_without_a_cluster_or_with_both() -> None:
    stack = cdk.Stack(cdk.App(), "Bad", env=ENV)
    spec = ClusterSpec.model_validate(FLEETS)
    with pytest.raises(ValueError, match="exactly one of cluster"):
        EmrMonitoring(stack, "None", spec=spec)
    imported = EmrCluster.from_cluster_attributes(stack, "Shared", cluster_id=CLUSTER_ID)
    with pytest.raises(ValueError, match="exactly one of cluster"):
        EmrMonitoring(stack, "Both", spec=spec, cluster=imported, cluster_id=CLUSTER_ID)


# -- grants --------------------------------------------------------------------------------------------------


def test_grant_add_steps_on_the_cluster_arn(built: dict[str, Any]) -> None:
    statements = _statements_of(built["templates"]["Imported"], "Submitter")
    steps = [s for s in statements if "elasticmapreduce:AddJobFlowSteps" in _actions(s)]
    assert len(steps) == 1
    assert (
        _actions(steps[0])
        == {
            "elasticmapreduce:AddJobFlowSteps",
            "elasticmapreduce:CancelSteps",
            "elasticmapreduce:DescribeStep",
            "elasticmapreduce:ListSteps",
        }
        == set(ADD_STEPS_ACTIONS)
    )
    assert steps[0]["Effect"] == "Allow"
    assert steps[0]["Resource"] == CLUSTER_ARN
    assert built["add_steps_grant"].success


def test_grant_add_steps_passes_the_runtime_roles_to_emr_only(built: dict[str, Any]) -> None:
    statements = _statements_of(built["templates"]["Imported"], "Submitter")
    (pass_role,) = [s for s in statements if "iam:PassRole" in _actions(s)]
    assert pass_role["Resource"] == RUNTIME_ROLE
    assert pass_role["Condition"] == PASSED_TO_EMR


def test_grant_add_steps_on_an_emr_cluster_passes_its_runtime_roles(built: dict[str, Any]) -> None:
    template = built["templates"]["Owned"]
    cluster = built["cluster"]
    statements = _statements_of(template, "Submitter")
    (steps,) = [s for s in statements if "elasticmapreduce:AddJobFlowSteps" in _actions(s)]
    assert steps["Resource"] == cdk.Stack.of(cluster).resolve(cluster.cluster_arn)
    (pass_role,) = [s for s in statements if "iam:PassRole" in _actions(s)]
    role_arn = cdk.Stack.of(cluster).resolve(cluster.runtime_roles["etl"].role_arn)
    assert pass_role["Resource"] == role_arn
    assert pass_role["Condition"] == PASSED_TO_EMR


def test_grant_add_steps_without_runtime_roles_passes_no_role() -> None:
    stack = cdk.Stack(cdk.App(), "NoRuntime", env=ENV)
    imported = EmrCluster.from_cluster_attributes(stack, "Shared", cluster_id=CLUSTER_ID)
    imported.grant_add_steps(_function(stack, "Submitter"))
    statements = _statements_of(Template.from_stack(stack), "Submitter")
    assert not [s for s in statements if "iam:PassRole" in _actions(s)]


def test_grant_describe_reads_the_cluster_only(built: dict[str, Any]) -> None:
    statements = _statements_of(built["templates"]["Imported"], "Reader")
    assert len(statements) == 1
    assert _actions(statements[0]) == set(DESCRIBE_ACTIONS)
    assert {"elasticmapreduce:DescribeCluster", "elasticmapreduce:ListInstanceFleets"} <= set(DESCRIBE_ACTIONS)
    assert statements[0]["Resource"] == CLUSTER_ARN
    assert not any(action.startswith("elasticmapreduce:Add") for action in DESCRIBE_ACTIONS)


def test_grant_start_execution_of_a_transient_job_flow(built: dict[str, Any]) -> None:
    flow = built["flow"]
    statements = _statements_of(built["templates"]["Transient"], "Starter")
    (start,) = [s for s in statements if "states:StartExecution" in _actions(s)]
    assert start["Resource"] == cdk.Stack.of(flow).resolve(flow.state_machine_arn)
    assert built["start_grant"].success


# -- steps on an imported cluster ------------------------------------------------------------------------------


def test_step_on_an_imported_cluster(built: dict[str, Any]) -> None:
    template = built["templates"]["Imported"]
    template.resource_count_is("AWS::EMR::Step", 2)
    template.has_resource_properties(
        "AWS::EMR::Step",
        {
            "JobFlowId": CLUSTER_ID,
            "Name": "list",
            "ActionOnFailure": "CONTINUE",
            "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["hdfs", "dfs", "-ls", "/"]},
        },
    )
    listing, report = built["steps"]
    steps = template.find_resources("AWS::EMR::Step")
    stack = cdk.Stack.of(listing)
    assert steps[stack.get_logical_id(report)]["DependsOn"] == [stack.get_logical_id(listing)]
    assert set(built["imported"].steps) == {"list", "report"}


def test_fails_a_step_with_an_execution_role_on_an_imported_cluster() -> None:
    stack = cdk.Stack(cdk.App(), "Role", env=ENV)
    imported = EmrCluster.from_cluster_attributes(stack, "Shared", cluster_id=CLUSTER_ID)
    step = CommandStep("list", ("ls",), execution_role_arn=RUNTIME_ROLE)
    with pytest.raises(ValueError, match=r"carries an execution role.*Fix: submit it through the EMR API"):
        imported.add_step("Listing", step)


def test_fails_two_steps_with_one_name() -> None:
    stack = cdk.Stack(cdk.App(), "Twice", env=ENV)
    imported = EmrCluster.from_cluster_attributes(stack, "Shared", cluster_id=CLUSTER_ID)
    imported.add_step("First", CommandStep("list", ("ls",)))
    with pytest.raises(ValueError, match="'list' is already added"):
        imported.add_step("Second", CommandStep("list", ("ls", "-l")))


# -- exports ---------------------------------------------------------------------------------------------------

PUBLIC = (
    "EmrCluster",
    "IEmrCluster",
    "ClusterSpec",
    "load_config",
    "InstanceFleetSpec",
    "InstanceFleetsSpec",
    "InstanceGroupSpec",
    "InstanceGroupsSpec",
    "InstanceTypeSpec",
    "SpotSpec",
    "OnDemandSpec",
    "ManagedScalingSpec",
    "EmrRoles",
    "EmrLogBucket",
    "EmrNetwork",
    "EmrSecurityConfiguration",
    "GlueCatalog",
    "EmrMonitoring",
    "BootstrapAction",
    "SparkStep",
    "HiveStep",
    "CommandStep",
    "JarStep",
    "TransientJobFlow",
    "EmrChecks",
    "EmrDataBucket",
)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_exported(name: str) -> None:
    assert name in emr_constructs.__all__
    assert getattr(emr_constructs, name) is getattr(importlib.import_module(emr_constructs._EXPORTS[name]), name)


def test_public_names_import_the_way_users_write_it() -> None:
    from emr_constructs import (  # noqa: F401 - the import statement is the test
        BootstrapAction,
        ClusterSpec,
        CommandStep,
        EmrChecks,
        EmrCluster,
        EmrDataBucket,
        EmrLogBucket,
        EmrMonitoring,
        EmrNetwork,
        EmrRoles,
        EmrSecurityConfiguration,
        GlueCatalog,
        HiveStep,
        IEmrCluster,
        ImportedEmrCluster,
        InstanceFleetSpec,
        InstanceFleetsSpec,
        InstanceGroupSpec,
        InstanceGroupsSpec,
        InstanceTypeSpec,
        JarStep,
        ManagedScalingSpec,
        OnDemandSpec,
        SparkStep,
        SpotSpec,
        TransientJobFlow,
        load_config,
    )

    assert EmrCluster.from_cluster_attributes is not None
    assert issubclass(ImportedEmrCluster, emr_constructs.cluster.ClusterBase)


def test_every_name_in_all_resolves() -> None:
    assert set(emr_constructs.__all__) == set(emr_constructs._EXPORTS)
    for name in emr_constructs.__all__:
        assert getattr(emr_constructs, name) is not None, name
