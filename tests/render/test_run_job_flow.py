"""The EMR ``RunJobFlow`` request rendered from a ``ClusterSpec``: valid against botocore's EMR service model, every
spec field present in the API's shape, and equal to the CloudFormation render wherever the two shapes agree.
Pure: no CDK import (the construct tests' payloads are read from their source, not imported).
"""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.validate import ParamValidator

from emr_constructs.render.cloudformation import render_cluster_properties
from emr_constructs.render.run_job_flow import JobFlowWiring, render_run_job_flow
from emr_constructs.render.wiring import ClusterWiring
from emr_constructs.spec import ClusterSpec, ConfigurationSpec, load_config
from emr_constructs.spec import fleets as fleet_spec
from emr_constructs.spec import groups as group_spec
from emr_constructs.spec import jobs as job_spec
from emr_constructs.spec import scaling as scaling_spec
from emr_constructs.spec.problems import SpecProblems
from emr_constructs.tagging import EMR_MANAGED_POLICY_TAG_KEY, EMR_MANAGED_POLICY_TAG_VALUE

REPO = Path(__file__).resolve().parents[2]
CDK_MODULES = ("aws_cdk", "constructs", "cdk_nag", "jsii")

SERVICE_ROLE = "arn:aws:iam::111111111111:role/emr-service"
INSTANCE_PROFILE = "emr-instance-profile"
AUTO_SCALING_ROLE = "arn:aws:iam::111111111111:role/emr-auto-scaling"
SUBNETS = ("subnet-0123456789abcdef0", "subnet-0123456789abcdef1")
PRIMARY_SG = "sg-0000000000000000a"
CORE_SG = "sg-0000000000000000b"
SERVICE_SG = "sg-0000000000000000c"
LOG_URI = "s3://logs-bucket/emr/cluster/"
LOG_KEY = "arn:aws:kms:eu-west-1:111111111111:key/logs"
SECURITY_CONFIGURATION = "emr-security-configuration"
RUNTIME_ROLE = "arn:aws:iam::222222222222:role/emr-prod-analytics-jobs"
EXTRA_TAGS = {"environment": "test", "project": "emr-constructs"}

STEP: dict[str, Any] = {
    "Name": "spark-job",
    "ActionOnFailure": "CONTINUE",
    "HadoopJarStep": {
        "Jar": "command-runner.jar",
        "Args": ["spark-submit", "--deploy-mode", "cluster", "s3://jobs-bucket/jobs/job.py"],
        "Properties": [{"Key": "owner", "Value": "team-a"}],
    },
}
EXTRA_BOOTSTRAP: dict[str, Any] = {
    "Name": "node-settings",
    "ScriptBootstrapAction": {"Path": "s3://assets-bucket/bootstrap/node.sh", "Args": ["--log-retention-days", "7"]},
}


# -- the specs under test ------------------------------------------------------------------------------------


def _payload(name: str) -> dict[str, Any]:
    """A payload dict of tests/constructs/test_cluster.py, read from its source so that no CDK module loads."""
    source = (REPO / "tests" / "constructs" / "test_cluster.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            assert node.value is not None
            value: dict[str, Any] = ast.literal_eval(node.value)
            return value
    raise AssertionError(f"{name} is not a literal payload in tests/constructs/test_cluster.py")


@cache
def _specs() -> dict[str, ClusterSpec]:
    return {
        "fleets": ClusterSpec.model_validate(_payload("FLEETS")),
        "groups": ClusterSpec.model_validate(_payload("GROUPS")),
        "multi_primary": ClusterSpec.model_validate(_payload("MULTI_PRIMARY")),
        "dev": load_config(REPO / "config" / "dev.yaml").clusters[0],
        "prod": load_config(REPO / "config" / "prod.yaml").clusters[0],
    }


CASES = ["fleets", "groups", "multi_primary", "dev", "prod"]
FLEET_CASES = ["fleets", "multi_primary", "dev", "prod"]


def _kerberos(spec: ClusterSpec) -> dict[str, Any] | None:
    if spec.security.kerberos is None:
        return None
    return {
        "Realm": spec.security.kerberos.realm,
        "KdcAdminPassword": "{{resolve:secretsmanager:kdc-admin:SecretString:::}}",
    }


def _bootstrap_actions(spec: ClusterSpec) -> list[dict[str, Any]]:
    declared = [
        {"Name": action.name, "ScriptBootstrapAction": {"Path": f"s3://assets-bucket/{action.name}.sh"}}
        for action in spec.bootstrap_actions
    ]
    return [*declared, EXTRA_BOOTSTRAP]


def _wiring(spec: ClusterSpec, **overrides: Any) -> JobFlowWiring:
    values: dict[str, Any] = {
        "service_role": SERVICE_ROLE,
        "job_flow_role": INSTANCE_PROFILE,
        "subnet_ids": SUBNETS,
        "primary_security_group": PRIMARY_SG,
        "core_security_group": CORE_SG,
        "service_access_security_group": SERVICE_SG,
        "log_uri": LOG_URI,
        "log_encryption_kms_key_id": LOG_KEY,
        "security_configuration": SECURITY_CONFIGURATION,
        "auto_scaling_role": AUTO_SCALING_ROLE if spec.uses_custom_auto_scaling else None,
        "kerberos_attributes": _kerberos(spec),
        "extra_tags": dict(EXTRA_TAGS),
        "steps": [STEP],
        "step_execution_role_arn": RUNTIME_ROLE if spec.security.application_scoped_roles else None,
        "bootstrap_actions": _bootstrap_actions(spec),
    }
    values.update(overrides)
    return JobFlowWiring(**values)


def _cluster_wiring(wiring: JobFlowWiring) -> ClusterWiring:
    """The same references for the CloudFormation renderer (without steps, which differ in shape)."""
    return ClusterWiring(
        service_role=wiring.service_role,
        job_flow_role=wiring.job_flow_role,
        subnet_ids=wiring.subnet_ids,
        primary_security_group=wiring.primary_security_group,
        core_security_group=wiring.core_security_group,
        service_access_security_group=wiring.service_access_security_group,
        log_uri=wiring.log_uri,
        log_encryption_kms_key_id=wiring.log_encryption_kms_key_id,
        security_configuration=wiring.security_configuration,
        auto_scaling_role=wiring.auto_scaling_role,
        extra_tags=dict(wiring.extra_tags),
        kerberos_attributes=wiring.kerberos_attributes,
    )


@cache
def _rendered(case: str) -> dict[str, Any]:
    spec = _specs()[case]
    return render_run_job_flow(spec, _wiring(spec))


# -- botocore's model ------------------------------------------------------------------------------------------


@cache
def _input_shape() -> StructureShape:
    model = botocore.session.get_session().get_service_model("emr")
    shape = model.operation_model("RunJobFlow").input_shape
    assert isinstance(shape, StructureShape)
    return shape


def _member(shape: StructureShape, *path: str) -> Shape:
    current: Shape = shape
    for name in path:
        if isinstance(current, ListShape):
            current = current.member
        assert isinstance(current, StructureShape), f"{name}: {current.name} is not a structure"
        current = current.members[name]
    return current


def _enum_problems(value: Any, shape: Shape, path: str) -> Iterator[str]:
    """botocore's ParamValidator does not check enums: walk the request and check every enum value."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                yield from _enum_problems(item, shape.members[key], f"{path}.{key}")
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _enum_problems(item, shape.member, f"{path}[{index}]")
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            yield from _enum_problems(item, shape.value, f"{path}[{key!r}]")
    elif getattr(shape, "enum", None) and value not in shape.enum:  # type: ignore[attr-defined]
        yield f"{path}: {value!r} is not one of {shape.enum}"  # type: ignore[attr-defined]


def _model_problems(request: dict[str, Any]) -> str:
    report = ParamValidator().validate(request, _input_shape())
    problems = [report.generate_report()] if report.has_errors() else []
    problems += list(_enum_problems(request, _input_shape(), "request"))
    return "\n".join(problems)


@pytest.mark.parametrize("case", CASES)
def test_the_request_validates_against_botocores_model(case: str) -> None:
    problems = _model_problems(_rendered(case))
    assert problems == "", f"{case}:\n{problems}"


def test_the_enum_walker_finds_a_bad_enum() -> None:
    request = copy.deepcopy(_rendered("fleets"))
    request["Instances"]["InstanceFleets"][0]["InstanceFleetType"] = "PRIMARY"
    request["ScaleDownBehavior"] = "SOON"
    problems = list(_enum_problems(request, _input_shape(), "request"))
    assert len(problems) == 2
    assert any("InstanceFleets[0].InstanceFleetType: 'PRIMARY'" in problem for problem in problems)


def _literal_values(annotation: Any) -> set[str]:
    """The string values of a Literal annotation, through ``X | None`` and ``Optional``."""
    if typing.get_origin(annotation) is typing.Literal:
        return {value for value in typing.get_args(annotation) if isinstance(value, str)}
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return set().union(*(_literal_values(arg) for arg in typing.get_args(annotation)))
    return set()


def _enum(*path: str) -> set[str]:
    shape = _member(_input_shape(), *path)
    enum = getattr(shape, "enum", None)
    assert enum, f"{'.'.join(path)} has no enum in botocore's model"
    return set(enum)


FLEET = ("Instances", "InstanceFleets", "LaunchSpecifications")
GROUP_RULE = ("Instances", "InstanceGroups", "AutoScalingPolicy", "Rules")
SPEC_ENUMS: list[tuple[str, Any, tuple[str, ...]]] = [
    (
        "spot allocation strategy",
        fleet_spec.SpotSpec.model_fields["allocation_strategy"].annotation,
        (*FLEET, "SpotSpecification", "AllocationStrategy"),
    ),
    (
        "spot timeout action",
        fleet_spec.SpotSpec.model_fields["timeout_action"].annotation,
        (*FLEET, "SpotSpecification", "TimeoutAction"),
    ),
    (
        "on-demand allocation strategy",
        fleet_spec.OnDemandSpec.model_fields["allocation_strategy"].annotation,
        (*FLEET, "OnDemandSpecification", "AllocationStrategy"),
    ),
    (
        "capacity reservation preference",
        fleet_spec.CapacityReservationSpec.model_fields["preference"].annotation,
        (*FLEET, "OnDemandSpecification", "CapacityReservationOptions", "CapacityReservationPreference"),
    ),
    (
        "capacity reservation usage strategy",
        fleet_spec.CapacityReservationSpec.model_fields["usage_strategy"].annotation,
        (*FLEET, "OnDemandSpecification", "CapacityReservationOptions", "UsageStrategy"),
    ),
    (
        "group market",
        group_spec.InstanceGroupSpec.model_fields["market"].annotation,
        ("Instances", "InstanceGroups", "Market"),
    ),
    (
        "comparison operator",
        group_spec.ScalingRuleSpec.model_fields["comparison_operator"].annotation,
        (*GROUP_RULE, "Trigger", "CloudWatchAlarmDefinition", "ComparisonOperator"),
    ),
    (
        "statistic",
        group_spec.ScalingRuleSpec.model_fields["statistic"].annotation,
        (*GROUP_RULE, "Trigger", "CloudWatchAlarmDefinition", "Statistic"),
    ),
    (
        "adjustment type",
        group_spec.ScalingRuleSpec.model_fields["adjustment_type"].annotation,
        (*GROUP_RULE, "Action", "SimpleScalingPolicyConfiguration", "AdjustmentType"),
    ),
    (
        "scaling unit type",
        scaling_spec.ManagedScalingSpec.model_fields["unit_type"].annotation,
        ("ManagedScalingPolicy", "ComputeLimits", "UnitType"),
    ),
    (
        "scaling strategy",
        scaling_spec.ManagedScalingSpec.model_fields["scaling_strategy"].annotation,
        ("ManagedScalingPolicy", "ScalingStrategy"),
    ),
    (
        "scale-down behavior",
        ClusterSpec.model_fields["scale_down_behavior"].annotation,
        ("ScaleDownBehavior",),
    ),
    (
        "step action on failure",
        job_spec.StepSpec.model_fields["action_on_failure"].annotation,
        ("Steps", "ActionOnFailure"),
    ),
]


@pytest.mark.parametrize(("what", "annotation", "path"), SPEC_ENUMS, ids=[e[0] for e in SPEC_ENUMS])
def test_the_spec_offers_only_values_that_the_api_accepts(what: str, annotation: Any, path: tuple[str, ...]) -> None:
    offered = _literal_values(annotation)
    assert offered, f"{what}: no Literal values found"
    assert offered <= _enum(*path), f"{what}: {sorted(offered - _enum(*path))} are not in botocore's enum"


# -- every spec field, in the API's shape ----------------------------------------------------------------------


def _expected_configurations(specs: tuple[ConfigurationSpec, ...]) -> list[dict[str, Any]]:
    expected = []
    for spec in specs:
        entry: dict[str, Any] = {"Classification": spec.classification}
        if spec.properties:
            entry["Properties"] = dict(spec.properties)
        if spec.configurations:
            entry["Configurations"] = _expected_configurations(spec.configurations)
        expected.append(entry)
    return expected


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


@pytest.mark.parametrize("case", CASES)
def test_top_level_fields_come_from_the_spec_and_the_wiring(case: str) -> None:
    spec = _specs()[case]
    request = _rendered(case)
    assert request["Name"] == spec.name
    assert request["ReleaseLabel"] == spec.release_label.label
    assert request["Applications"] == [{"Name": app.name} for app in spec.installed_applications]
    assert [app.name for app in spec.applications] == [a["Name"] for a in request["Applications"]][
        : len(spec.applications)
    ], "the given applications come first, in order"
    assert request["StepConcurrencyLevel"] == spec.step_concurrency
    assert request.get("CustomAmiId") == spec.custom_ami_id
    assert request.get("OSReleaseLabel") == spec.os_release_label
    assert request.get("ScaleDownBehavior") == spec.scale_down_behavior
    idle = spec.auto_termination_idle_seconds
    assert request.get("AutoTerminationPolicy") == ({"IdleTimeout": idle} if idle is not None else None)
    volume = spec.root_volume
    assert request.get("EbsRootVolumeSize") == (volume.size_gib if volume else None)
    assert request.get("EbsRootVolumeIops") == (volume.iops if volume else None)
    assert request.get("EbsRootVolumeThroughput") == (volume.throughput if volume else None)
    assert request["ServiceRole"] == SERVICE_ROLE
    assert request["JobFlowRole"] == INSTANCE_PROFILE
    assert request.get("AutoScalingRole") == (AUTO_SCALING_ROLE if spec.uses_custom_auto_scaling else None)
    assert request["LogUri"] == LOG_URI
    assert request["LogEncryptionKmsKeyId"] == LOG_KEY
    assert request["SecurityConfiguration"] == SECURITY_CONFIGURATION
    assert "VisibleToAllUsers" not in request  # no longer supported by the API (always true)


@pytest.mark.parametrize("case", CASES)
def test_instances_carry_network_and_lifecycle(case: str) -> None:
    spec = _specs()[case]
    instances = _rendered(case)["Instances"]
    assert instances["EmrManagedMasterSecurityGroup"] == PRIMARY_SG
    assert instances["EmrManagedSlaveSecurityGroup"] == CORE_SG
    assert instances["ServiceAccessSecurityGroup"] == SERVICE_SG
    assert instances["TerminationProtected"] is spec.termination_protected
    assert instances["UnhealthyNodeReplacement"] is spec.unhealthy_node_replacement
    assert instances["KeepJobFlowAliveWhenNoSteps"] is spec.keep_alive_when_no_steps
    if spec.instance_fleets is not None:
        assert instances["Ec2SubnetIds"] == list(SUBNETS)
        assert "Ec2SubnetId" not in instances and "InstanceGroups" not in instances
    else:
        assert instances["Ec2SubnetId"] == SUBNETS[0]
        assert "Ec2SubnetIds" not in instances and "InstanceFleets" not in instances
    cfn_only = {"MasterInstanceFleet", "CoreInstanceFleet", "TaskInstanceFleets"}
    cfn_only |= {"MasterInstanceGroup", "CoreInstanceGroup", "TaskInstanceGroups"}
    assert not cfn_only & set(instances)


def _check_ebs(rendered: dict[str, Any] | None, ebs: Any) -> None:
    if ebs is None:
        assert rendered is None
        return
    assert rendered is not None
    assert rendered.get("EbsOptimized") == ebs.optimized
    devices = rendered.get("EbsBlockDeviceConfigs", [])
    assert len(devices) == len(ebs.volumes)
    for device, volume in zip(devices, ebs.volumes, strict=True):
        spec = device["VolumeSpecification"]
        assert spec["VolumeType"] == volume.volume_type
        assert spec["SizeInGB"] == volume.size_gib
        assert spec.get("Iops") == volume.iops
        assert spec.get("Throughput") == volume.throughput
        assert device["VolumesPerInstance"] == volume.volumes_per_instance


@pytest.mark.parametrize("case", FLEET_CASES)
def test_fleets_by_type_with_targets_types_and_specifications(case: str) -> None:
    spec = _specs()[case]
    assert spec.instance_fleets is not None
    fleets = _rendered(case)["Instances"]["InstanceFleets"]
    by_type = {fleet["InstanceFleetType"]: fleet for fleet in fleets}
    named = spec.instance_fleets.named()
    assert len(fleets) == len(by_type) == len(named)
    for role, fleet in named:
        rendered = by_type[{"primary": "MASTER", "core": "CORE", "task": "TASK"}[role]]
        assert rendered.get("Name") == fleet.name
        assert rendered.get("TargetOnDemandCapacity", 0) == fleet.target_on_demand
        assert rendered.get("TargetSpotCapacity", 0) == fleet.target_spot
        configs = rendered["InstanceTypeConfigs"]
        assert [c["InstanceType"] for c in configs] == [t.instance_type for t in fleet.instance_types]
        for config, instance_type in zip(configs, fleet.instance_types, strict=True):
            assert config["WeightedCapacity"] == instance_type.weighted_capacity
            assert config.get("BidPriceAsPercentageOfOnDemandPrice") == instance_type.bid_price_percent
            assert config.get("BidPrice") == instance_type.bid_price
            assert config.get("Priority") == instance_type.priority
            assert config.get("CustomAmiId") == instance_type.custom_ami_id
            assert config.get("Configurations", []) == _expected_configurations(instance_type.configurations)
            _check_ebs(config.get("EbsConfiguration"), instance_type.ebs)
        launch = rendered.get("LaunchSpecifications", {})
        if fleet.spot is not None:
            spot = launch["SpotSpecification"]
            assert spot["TimeoutDurationMinutes"] == fleet.spot.timeout_minutes
            assert spot["TimeoutAction"] == fleet.spot.timeout_action
            assert spot["AllocationStrategy"] == fleet.spot.allocation_strategy  # every release here has them
        else:
            assert "SpotSpecification" not in launch
        if fleet.on_demand is not None:
            on_demand = launch["OnDemandSpecification"]
            assert on_demand["AllocationStrategy"] == fleet.on_demand.allocation_strategy
            reservation = fleet.on_demand.capacity_reservation
            options = on_demand.get("CapacityReservationOptions")
            if reservation is None:
                assert options is None
            else:
                assert options.get("CapacityReservationPreference") == reservation.preference
                assert options.get("UsageStrategy") == reservation.usage_strategy
                assert options.get("CapacityReservationResourceGroupArn") == reservation.resource_group_arn
        else:
            assert "OnDemandSpecification" not in launch
        resize = rendered.get("ResizeSpecifications")
        if fleet.resize is None:
            assert resize is None
        else:
            spot_resize = resize.get("SpotResizeSpecification", {}).get("TimeoutDurationMinutes")
            on_demand_resize = resize.get("OnDemandResizeSpecification", {}).get("TimeoutDurationMinutes")
            assert spot_resize == fleet.resize.spot_timeout_minutes
            assert on_demand_resize == fleet.resize.on_demand_timeout_minutes


def test_the_fleet_payload_exercises_every_fleet_field() -> None:
    """The checks above compare against the spec; this proves the payload sets the optional parts at all."""
    core = next(f for f in _rendered("fleets")["Instances"]["InstanceFleets"] if f["InstanceFleetType"] == "CORE")
    assert core["ResizeSpecifications"] == {
        "SpotResizeSpecification": {"TimeoutDurationMinutes": 20},
        "OnDemandResizeSpecification": {"TimeoutDurationMinutes": 30},
    }
    assert core["LaunchSpecifications"]["OnDemandSpecification"]["CapacityReservationOptions"] == {
        "CapacityReservationPreference": "open",
        "UsageStrategy": "use-capacity-reservations-first",
    }
    assert core["InstanceTypeConfigs"][1]["EbsConfiguration"]["EbsBlockDeviceConfigs"][0]["VolumeSpecification"] == {
        "VolumeType": "gp3",
        "SizeInGB": 200,
        "Iops": 4000,
        "Throughput": 250,
    }


def test_groups_by_role_with_market_and_auto_scaling() -> None:
    spec = _specs()["groups"]
    groups_spec = spec.instance_groups
    assert groups_spec is not None
    groups = _rendered("groups")["Instances"]["InstanceGroups"]
    expected = [("MASTER", groups_spec.primary), ("CORE", groups_spec.core), *(("TASK", t) for t in groups_spec.tasks)]
    assert [g["InstanceRole"] for g in groups] == [role for role, group in expected if group is not None]
    for rendered, (_, group) in zip(groups, [e for e in expected if e[1] is not None], strict=True):
        assert group is not None
        assert rendered.get("Name") == group.name
        assert rendered["InstanceType"] == group.instance_type
        assert rendered["InstanceCount"] == group.instance_count
        assert rendered["Market"] == group.market
        assert rendered.get("BidPrice") == group.bid_price
        assert rendered.get("CustomAmiId") == group.custom_ami_id
        assert rendered.get("Configurations", []) == _expected_configurations(group.configurations)
        _check_ebs(rendered.get("EbsConfiguration"), group.ebs)
        policy = rendered.get("AutoScalingPolicy")
        if group.auto_scaling is None:
            assert policy is None
            continue
        assert policy["Constraints"] == {
            "MinCapacity": group.auto_scaling.min_capacity,
            "MaxCapacity": group.auto_scaling.max_capacity,
        }
        for rule, rule_spec in zip(policy["Rules"], group.auto_scaling.rules, strict=True):
            alarm = rule["Trigger"]["CloudWatchAlarmDefinition"]
            action = rule["Action"]["SimpleScalingPolicyConfiguration"]
            assert rule["Name"] == rule_spec.name
            assert alarm["MetricName"] == rule_spec.metric_name
            assert alarm["ComparisonOperator"] == rule_spec.comparison_operator
            assert alarm["Threshold"] == rule_spec.threshold
            assert alarm["Period"] == rule_spec.period_seconds
            assert alarm["Statistic"] == rule_spec.statistic
            assert alarm["Namespace"] == rule_spec.namespace
            assert alarm["Dimensions"] == [{"Key": "JobFlowId", "Value": "${emr.clusterId}"}]
            assert action["ScalingAdjustment"] == rule_spec.scaling_adjustment
            assert action["AdjustmentType"] == rule_spec.adjustment_type
            assert action["CoolDown"] == rule_spec.cool_down_seconds
    assert any("AutoScalingPolicy" in g for g in groups)  # the payload has rules at all


@pytest.mark.parametrize("case", CASES)
def test_configurations_use_properties_and_keep_their_nesting(case: str) -> None:
    spec = _specs()[case]
    request = _rendered(case)
    assert request.get("Configurations", []) == _expected_configurations(spec.merged_configurations())
    assert "ConfigurationProperties" not in set(_keys(request))


def test_nested_configurations_reach_the_request() -> None:
    spark_env = next(c for c in _rendered("dev")["Configurations"] if c["Classification"] == "spark-env")
    assert spark_env == {
        "Classification": "spark-env",
        "Configurations": [{"Classification": "export", "Properties": {"PYSPARK_PYTHON": "/usr/bin/python3"}}],
    }


def test_extra_configuration_sources_replace_the_default_merge() -> None:
    spec = _specs()["fleets"]
    extra = (ConfigurationSpec(classification="hive-site", properties={"hive.x": "1"}),)
    merged = spec.merged_configurations(("preset", extra))
    request = render_run_job_flow(spec, _wiring(spec), merged)
    assert request["Configurations"] == _expected_configurations(merged)
    hive_site = next(c for c in request["Configurations"] if c["Classification"] == "hive-site")
    assert hive_site["Properties"]["hive.x"] == "1"


@pytest.mark.parametrize("case", ["fleets", "dev", "prod"])
def test_managed_scaling_from_the_spec(case: str) -> None:
    spec = _specs()[case]
    scaling = spec.managed_scaling
    assert scaling is not None
    policy = _rendered(case)["ManagedScalingPolicy"]
    limits = policy["ComputeLimits"]
    assert limits["UnitType"] == spec.scaling_unit_type
    assert limits["MinimumCapacityUnits"] == scaling.minimum
    assert limits["MaximumCapacityUnits"] == scaling.maximum
    assert limits.get("MaximumOnDemandCapacityUnits") == scaling.maximum_on_demand
    assert limits.get("MaximumCoreCapacityUnits") == scaling.maximum_core
    assert policy.get("ScalingStrategy") == scaling.scaling_strategy
    assert policy.get("UtilizationPerformanceIndex") == scaling.utilization_performance_index


@pytest.mark.parametrize("case", CASES)
def test_tags_include_the_managed_policy_tag(case: str) -> None:
    spec = _specs()[case]
    tags = {tag["Key"]: tag["Value"] for tag in _rendered(case)["Tags"]}
    assert tags == {**EXTRA_TAGS, **spec.tags, EMR_MANAGED_POLICY_TAG_KEY: EMR_MANAGED_POLICY_TAG_VALUE}
    assert tags[EMR_MANAGED_POLICY_TAG_KEY] == "true"


def test_kerberos_attributes_and_runtime_role_reach_the_request() -> None:
    spec = _specs()["prod"]
    request = _rendered("prod")
    assert request["KerberosAttributes"] == _kerberos(spec)
    assert request["KerberosAttributes"]["Realm"] == "EMR.EXAMPLE.INTERNAL"
    assert request["StepExecutionRoleArn"] == RUNTIME_ROLE
    assert "KerberosAttributes" not in _rendered("dev")
    assert "StepExecutionRoleArn" not in _rendered("dev")


@pytest.mark.parametrize("case", CASES)
def test_steps_and_bootstrap_actions_in_order(case: str) -> None:
    spec = _specs()[case]
    request = _rendered(case)
    assert request["Steps"] == [STEP]
    assert request["BootstrapActions"] == _bootstrap_actions(spec)


def test_multi_primary_spreads_primaries_and_forces_termination_protection() -> None:
    request = _rendered("multi_primary")
    assert request["PlacementGroupConfigs"] == [{"InstanceRole": "MASTER", "PlacementStrategy": "SPREAD"}]
    assert request["Instances"]["TerminationProtected"] is True
    primary = next(f for f in request["Instances"]["InstanceFleets"] if f["InstanceFleetType"] == "MASTER")
    assert primary["TargetOnDemandCapacity"] == 3
    assert "PlacementGroupConfigs" not in _rendered("fleets")


def test_the_spec_is_not_overridden_for_a_transient_cluster() -> None:
    spec = ClusterSpec.model_validate({**_payload("FLEETS"), "keep_alive_when_no_steps": False})
    request = render_run_job_flow(spec, _wiring(spec))
    assert request["Instances"]["KeepJobFlowAliveWhenNoSteps"] is False
    assert request["Steps"] == [STEP]


def test_a_step_functions_request_keeps_the_cluster_alive_and_sends_no_steps() -> None:
    spec = _specs()["fleets"]
    request = render_run_job_flow(spec, _wiring(spec, steps=()))
    assert request["Instances"]["KeepJobFlowAliveWhenNoSteps"] is True
    assert "Steps" not in request and "StepExecutionRoleArn" not in request
    assert request["AutoTerminationPolicy"] == {"IdleTimeout": 7200}


def test_tokens_pass_through_untouched() -> None:
    spec = _specs()["fleets"]
    token = "${Token[TOKEN.123]}"
    wiring = _wiring(
        spec,
        service_role=token,
        subnet_ids=[token],
        primary_security_group=token,
        security_configuration=token,
        log_uri=f"s3://{token}/emr/",
    )
    request = render_run_job_flow(spec, wiring)
    assert request["ServiceRole"] == token
    assert request["SecurityConfiguration"] == token
    assert request["LogUri"] == f"s3://{token}/emr/"
    assert request["Instances"]["Ec2SubnetIds"] == [token]
    assert request["Instances"]["EmrManagedMasterSecurityGroup"] == token


# Every ClusterSpec field and where the request carries it. A new spec field fails here until it is rendered.
SPEC_FIELDS = {
    "name": "Name",
    "generation": "Name (<name>-g<generation> from generation 2 on)",
    "release_label": "ReleaseLabel",
    "applications": "Applications",
    "configurations": "Configurations (merged)",
    "instance_fleets": "Instances.InstanceFleets",
    "instance_groups": "Instances.InstanceGroups",
    "managed_scaling": "ManagedScalingPolicy",
    "auto_termination_idle_seconds": "AutoTerminationPolicy",
    "step_concurrency": "StepConcurrencyLevel",
    "root_volume": "EbsRootVolumeSize/Iops/Throughput",
    "custom_ami_id": "CustomAmiId",
    "os_release_label": "OSReleaseLabel",
    "termination_protection": "Instances.TerminationProtected",
    "unhealthy_node_replacement": "Instances.UnhealthyNodeReplacement",
    "keep_alive_when_no_steps": "Instances.KeepJobFlowAliveWhenNoSteps",
    "scale_down_behavior": "ScaleDownBehavior",
    "tags": "Tags",
    "security": "SecurityConfiguration (by name), KerberosAttributes, Configurations (security sources)",
    "data_lake": "Configurations (preset and table-format sources)",
    "bootstrap_actions": "BootstrapActions (rendered by the caller, checked by name)",
    "steps": "Steps (rendered by the caller) or addStep after creation",
    "node_metrics": "Applications (AmazonCloudWatchAgent), Configurations (emr-metrics), BootstrapActions below 7.0",
    "monitoring": "MonitoringConfiguration (logs; rendered by the caller, which owns the log group); the rest is "
    "alarms and rules beside the cluster",
    "acknowledge_replacement": "none: template metadata for the replacement guard, not a request field",
}


def test_every_spec_field_has_a_place_in_the_request() -> None:
    assert set(ClusterSpec.model_fields) == set(SPEC_FIELDS)


# -- the CloudFormation render agrees wherever the shapes are the same ------------------------------------------


def _as_api(value: Any) -> Any:
    """CloudFormation's render with its one renamed key (``ConfigurationProperties``) in the API's spelling."""
    if isinstance(value, dict):
        return {("Properties" if k == "ConfigurationProperties" else k): _as_api(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_api(v) for v in value]
    return value


def _without(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != key}


@pytest.mark.parametrize("case", CASES)
def test_cloudformation_and_run_job_flow_agree_field_by_field(case: str) -> None:
    spec = _specs()[case]
    wiring = _wiring(spec)
    cfn = _as_api(render_cluster_properties(spec, _cluster_wiring(wiring), spec.merged_configurations()))
    api = render_run_job_flow(spec, wiring)
    # Top level: every CloudFormation property appears in the request with the same value.
    for key in sorted(set(cfn) - {"Instances", "Steps", "BootstrapActions"}):
        assert api.get(key) == cfn[key], key
    assert set(api) - set(cfn) <= {"Steps", "BootstrapActions", "StepExecutionRoleArn"}
    # Instances: the shared fields are equal; the nodes differ only in how their role is named.
    cfn_instances, api_instances = cfn["Instances"], api["Instances"]
    if spec.instance_fleets is not None:
        fleets = {f["InstanceFleetType"]: _without(f, "InstanceFleetType") for f in api_instances["InstanceFleets"]}
        assert fleets["MASTER"] == cfn_instances["MasterInstanceFleet"]
        assert fleets.get("CORE") == cfn_instances.get("CoreInstanceFleet")
        assert ([fleets["TASK"]] if "TASK" in fleets else None) == cfn_instances.get("TaskInstanceFleets")
        shape_keys = {"MasterInstanceFleet", "CoreInstanceFleet", "TaskInstanceFleets", "InstanceFleets"}
    else:
        groups = api_instances["InstanceGroups"]
        by_role = {
            role: [_without(g, "InstanceRole") for g in groups if g["InstanceRole"] == role]
            for role in ("MASTER", "CORE", "TASK")
        }
        assert by_role["MASTER"] == [cfn_instances["MasterInstanceGroup"]]
        assert by_role["CORE"] == ([cfn_instances["CoreInstanceGroup"]] if "CoreInstanceGroup" in cfn_instances else [])
        assert by_role["TASK"] == cfn_instances.get("TaskInstanceGroups", [])
        shape_keys = {"MasterInstanceGroup", "CoreInstanceGroup", "TaskInstanceGroups", "InstanceGroups"}
    assert _without_keys(api_instances, shape_keys) == _without_keys(cfn_instances, shape_keys)


def _without_keys(item: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in keys}


# -- what the renderer rejects -----------------------------------------------------------------------------------


def test_fails_without_subnets() -> None:
    spec = _specs()["fleets"]
    with pytest.raises(SpecProblems, match=r"wiring\.subnet_ids: the cluster needs a subnet"):
        render_run_job_flow(spec, _wiring(spec, subnet_ids=[]))


def test_fails_without_a_security_configuration() -> None:
    spec = _specs()["dev"]
    with pytest.raises(SpecProblems, match=r"wiring\.security_configuration: .*would run unencrypted"):
        render_run_job_flow(spec, _wiring(spec, security_configuration=None))


def test_fails_kerberos_in_the_spec_without_kerberos_attributes() -> None:
    spec = _specs()["prod"]
    with pytest.raises(SpecProblems, match=r"wiring\.kerberos_attributes: the spec enables Kerberos"):
        render_run_job_flow(spec, _wiring(spec, kerberos_attributes=None))


def test_fails_kerberos_attributes_without_kerberos_in_the_spec() -> None:
    spec = _specs()["dev"]
    attributes = {"Realm": "EC2.INTERNAL", "KdcAdminPassword": "x"}
    with pytest.raises(SpecProblems, match=r"KerberosAttributes without Kerberos in spec\.security"):
        render_run_job_flow(spec, _wiring(spec, kerberos_attributes=attributes))


def test_fails_custom_auto_scaling_without_an_auto_scaling_role() -> None:
    spec = _specs()["groups"]
    with pytest.raises(SpecProblems, match=r"wiring\.auto_scaling_role: .*custom automatic scaling rules"):
        render_run_job_flow(spec, _wiring(spec, auto_scaling_role=None))


def test_fails_a_step_execution_role_without_steps() -> None:
    spec = _specs()["prod"]
    with pytest.raises(SpecProblems, match=r"applies only to the steps in this request"):
        render_run_job_flow(spec, _wiring(spec, steps=()))


def test_fails_a_step_execution_role_without_runtime_roles_in_the_spec() -> None:
    spec = _specs()["dev"]
    with pytest.raises(SpecProblems, match=r"runtime roles need a cluster with runtime roles enabled"):
        render_run_job_flow(spec, _wiring(spec, step_execution_role_arn=RUNTIME_ROLE))


def test_fails_a_spec_bootstrap_action_missing_from_the_wiring() -> None:
    payload = {
        **_payload("FLEETS"),
        "bootstrap_actions": [{"name": "python-packages", "script": "s3://bootstrap-bucket/p.sh"}],
    }
    spec = ClusterSpec.model_validate(payload)
    with pytest.raises(SpecProblems, match=r"wiring\.bootstrap_actions: .*would not run \(got \['python-packages'\]\)"):
        render_run_job_flow(spec, _wiring(spec, bootstrap_actions=[EXTRA_BOOTSTRAP]))
    assert render_run_job_flow(spec, _wiring(spec))["BootstrapActions"][0]["Name"] == "python-packages"


def test_fails_a_transient_cluster_without_steps() -> None:
    spec = ClusterSpec.model_validate({**_payload("FLEETS"), "keep_alive_when_no_steps": False})
    with pytest.raises(SpecProblems, match=r"keep_alive_when_no_steps: .*terminate as soon as it is ready"):
        render_run_job_flow(spec, _wiring(spec, steps=()))


def test_fails_with_every_problem_at_once() -> None:
    spec = _specs()["prod"]
    wiring = _wiring(spec, subnet_ids=[], security_configuration=None, kerberos_attributes=None)
    with pytest.raises(SpecProblems) as raised:
        render_run_job_flow(spec, wiring)
    paths = [problem.path for problem in raised.value.problems]
    assert paths == ["wiring.subnet_ids", "wiring.security_configuration", "wiring.kerberos_attributes"]


# -- purity ------------------------------------------------------------------------------------------------------


def test_importing_the_renderer_loads_no_cdk_module() -> None:
    probe = (
        "import sys, emr_constructs.render.run_job_flow\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {CDK_MODULES!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
