"""EmrCluster used without YAML: every rendered property, the defaults it creates, and its failure modes."""

from __future__ import annotations

import copy
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template
from constructs import IConstruct

from emr_constructs import ClusterSpec, ConfigurationSpec, EmrCluster, TransientJobFlow
from emr_constructs.spec import ConfigurationConflict
from emr_constructs.spec.datalake import GLUE_CLIENT_FACTORY
from tests.templates import cfn_lint

ENV = cdk.Environment(account="111111111111", region="eu-west-1")

FLEETS: dict[str, Any] = {
    "name": "fleets",
    "release_label": "emr-7.10.0",
    "instance_fleets": {
        "primary": {"target_on_demand": 1, "instance_types": [{"instance_type": "m7g.xlarge"}]},
        "core": {
            "target_on_demand": 2,
            "target_spot": 2,
            "instance_types": [
                {"instance_type": "m7g.2xlarge", "bid_price_percent": 80, "priority": 0},
                {
                    "instance_type": "m6i.2xlarge",
                    "weighted_capacity": 2,
                    "priority": 1,
                    "ebs": {
                        "volumes": [
                            {
                                "volume_type": "gp3",
                                "size_gib": 200,
                                "iops": 4000,
                                "throughput": 250,
                                "volumes_per_instance": 2,
                            }
                        ],
                        "optimized": True,
                    },
                },
            ],
            "spot": {
                "allocation_strategy": "capacity-optimized-prioritized",
                "timeout_minutes": 10,
                "timeout_action": "TERMINATE_CLUSTER",
            },
            "on_demand": {
                "allocation_strategy": "prioritized",
                "capacity_reservation": {
                    "preference": "open",
                    "usage_strategy": "use-capacity-reservations-first",
                },
            },
            "resize": {"spot_timeout_minutes": 20, "on_demand_timeout_minutes": 30},
        },
    },
    "managed_scaling": {
        "minimum": 2,
        "maximum": 10,
        "scaling_strategy": "ADVANCED",
        "utilization_performance_index": 50,
    },
    "root_volume": {"size_gib": 50, "iops": 4000, "throughput": 200},
    "os_release_label": "2023.6.20250101",
    "step_concurrency": 2,
    "auto_termination_idle_seconds": 7200,
    "termination_protection": True,
    "unhealthy_node_replacement": False,
    "keep_alive_when_no_steps": True,
    "scale_down_behavior": "TERMINATE_AT_INSTANCE_HOUR",
    "configurations": [{"classification": "spark-defaults", "properties": {"spark.executor.memory": "4g"}}],
    "tags": {"owner": "team-a"},
}

GROUPS: dict[str, Any] = {
    "name": "groups",
    "release_label": "emr-6.15.0",
    # Below the EMR-managed-certificate floor: PEM certificates from S3.
    "security": {"in_transit": {"certificate_provider": "PEM", "pem_s3_uri": "s3://certs-bucket/emr/certs.zip"}},
    "custom_ami_id": "ami-0123456789abcdef0",
    "instance_groups": {
        "primary": {"instance_type": "m5.xlarge", "instance_count": 1},
        "core": {
            "instance_type": "m5.2xlarge",
            "instance_count": 2,
            "ebs": {"volumes": [{"volume_type": "io1", "size_gib": 100, "iops": 1000}]},
        },
        "tasks": [
            {
                "name": "task-spot",
                "instance_type": "c5.2xlarge",
                "instance_count": 0,
                "market": "SPOT",
                "bid_price": "0.20",
                "auto_scaling": {
                    "min_capacity": 0,
                    "max_capacity": 10,
                    "rules": [
                        {
                            "name": "scale-out",
                            "metric_name": "YARNMemoryAvailablePercentage",
                            "comparison_operator": "LESS_THAN",
                            "threshold": 15,
                            "scaling_adjustment": 2,
                        }
                    ],
                },
            }
        ],
    },
}

MULTI_PRIMARY: dict[str, Any] = {
    "name": "ha",
    "release_label": "emr-7.13.0",
    "instance_fleets": {
        "primary": {"target_on_demand": 3, "instance_types": [{"instance_type": "m6i.xlarge"}]},
        "core": {"target_on_demand": 3, "instance_types": [{"instance_type": "m6i.2xlarge"}]},
    },
}

NEWER: dict[str, Any] = {
    "name": "future",
    "release_label": "emr-spark-8.0.0",
    "applications": ["Spark", "SomeNewEngine"],
    "instance_fleets": {"primary": {"target_on_demand": 1, "instance_types": [{"instance_type": "m8g.xlarge"}]}},
}


def _vpc(scope: cdk.Stack) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        scope,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    )


def acknowledge_imported_subnets(stack: IConstruct) -> None:
    """The test VPC is imported by id without route tables; CDK warns about that, and nothing here reads them. Its
    subnets cannot be tagged from here, which each cluster construct launching into them warns about."""
    for subnet in stack.node.find_child("Vpc").private_subnets:  # type: ignore[attr-defined]
        cdk.Validations.of(subnet).acknowledge(
            cdk.Acknowledgment(
                id="Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId",
                reason="test VPC imported by id; nothing reads its route tables",
            )
        )
    for construct in stack.node.find_all():
        if isinstance(construct, EmrCluster | TransientJobFlow):
            cdk.Validations.of(construct).acknowledge(
                cdk.Acknowledgment(
                    id="Annotation::emr-constructs:cluster-untagged-subnets",
                    reason="test VPC imported by id: its subnets are tagged where they are made",
                )
            )


def _stack(app: cdk.App, name: str, payload: dict[str, Any], **kwargs: Any) -> tuple[cdk.Stack, EmrCluster]:
    stack = cdk.Stack(app, name, env=ENV)
    cluster = EmrCluster(stack, "Cluster", spec=ClusterSpec.model_validate(payload), vpc=_vpc(stack), **kwargs)
    return stack, cluster


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = cdk.App()
    out: dict[str, Any] = {}
    stack, cluster = _stack(
        app,
        "Fleets",
        FLEETS,
        extra_configurations=[("catalog", [ConfigurationSpec(classification="hive-site", properties={"a": "b"})])],
    )
    data = s3.Bucket(stack, "Data")
    data.grant_read(cluster, "raw/*")
    peer = ec2.SecurityGroup(stack, "Client", vpc=_vpc_of(stack))
    cluster.connections.allow_from(peer, ec2.Port.tcp(8998), "Livy from clients")
    out["fleets"] = (stack, cluster)
    out["groups"] = _stack(app, "Groups", GROUPS)
    out["ha"] = _stack(app, "Ha", MULTI_PRIMARY)
    out["future"] = _stack(app, "Future", NEWER)
    out["templates"] = {name: Template.from_stack(pair[0]) for name, pair in out.items()}
    return out


def _vpc_of(stack: cdk.Stack) -> ec2.IVpc:
    return stack.node.find_child("Vpc")  # type: ignore[return-value]


def _cluster(built: dict[str, Any], name: str) -> dict[str, Any]:
    resources = built["templates"][name].find_resources("AWS::EMR::Cluster")
    (resource,) = resources.values()
    return resource["Properties"]  # type: ignore[no-any-return]


def test_fleet_properties_are_rendered(built: dict[str, Any]) -> None:
    properties = _cluster(built, "fleets")
    core = properties["Instances"]["CoreInstanceFleet"]
    assert core["TargetOnDemandCapacity"] == 2 and core["TargetSpotCapacity"] == 2
    assert core["InstanceTypeConfigs"][0] == {
        "InstanceType": "m7g.2xlarge",
        "WeightedCapacity": 1,
        "BidPriceAsPercentageOfOnDemandPrice": 80,
        "Priority": 0,
    }
    assert core["InstanceTypeConfigs"][1]["EbsConfiguration"] == {
        "EbsBlockDeviceConfigs": [
            {
                "VolumeSpecification": {
                    "VolumeType": "gp3",
                    "SizeInGB": 200,
                    "Iops": 4000,
                    "Throughput": 250,
                },
                "VolumesPerInstance": 2,
            }
        ],
        "EbsOptimized": True,
    }
    assert core["LaunchSpecifications"] == {
        "SpotSpecification": {
            "AllocationStrategy": "capacity-optimized-prioritized",
            "TimeoutDurationMinutes": 10,
            "TimeoutAction": "TERMINATE_CLUSTER",
        },
        "OnDemandSpecification": {
            "AllocationStrategy": "prioritized",
            "CapacityReservationOptions": {
                "CapacityReservationPreference": "open",
                "UsageStrategy": "use-capacity-reservations-first",
            },
        },
    }
    assert core["ResizeSpecifications"] == {
        "SpotResizeSpecification": {"TimeoutDurationMinutes": 20},
        "OnDemandResizeSpecification": {"TimeoutDurationMinutes": 30},
    }
    assert "TargetSpotCapacity" not in properties["Instances"]["MasterInstanceFleet"]


def test_cluster_level_properties_are_rendered(built: dict[str, Any]) -> None:
    properties = _cluster(built, "fleets")
    assert properties["ManagedScalingPolicy"] == {
        "ComputeLimits": {
            "UnitType": "InstanceFleetUnits",
            "MinimumCapacityUnits": 2,
            "MaximumCapacityUnits": 10,
        },
        "ScalingStrategy": "ADVANCED",
        "UtilizationPerformanceIndex": 50,
    }
    assert (
        properties["EbsRootVolumeSize"],
        properties["EbsRootVolumeIops"],
        properties["EbsRootVolumeThroughput"],
    ) == (50, 4000, 200)
    assert properties["OSReleaseLabel"] == "2023.6.20250101"
    assert properties["StepConcurrencyLevel"] == 2
    assert properties["AutoTerminationPolicy"] == {"IdleTimeout": 7200}
    assert properties["ScaleDownBehavior"] == "TERMINATE_AT_INSTANCE_HOUR"
    instances = properties["Instances"]
    assert instances["TerminationProtected"] is True
    assert instances["UnhealthyNodeReplacement"] is False
    assert instances["KeepJobFlowAliveWhenNoSteps"] is True
    assert instances["Ec2SubnetIds"] == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    assert {"Key": "owner", "Value": "team-a"} in properties["Tags"]
    assert properties["Applications"] == [{"Name": n} for n in ("Spark", "Hadoop", "Hive", "Livy")]


def test_extra_configuration_sources_are_merged(built: dict[str, Any]) -> None:
    assert _cluster(built, "fleets")["Configurations"] == [
        {"Classification": "spark-defaults", "ConfigurationProperties": {"spark.executor.memory": "4g"}},
        # The default preset (Spark and Hive on the Glue Data Catalog) merged with the extra source's hive-site.
        {
            "Classification": "hive-site",
            "ConfigurationProperties": {"hive.metastore.client.factory.class": GLUE_CLIENT_FACTORY, "a": "b"},
        },
        {
            "Classification": "spark-hive-site",
            "ConfigurationProperties": {"hive.metastore.client.factory.class": GLUE_CLIENT_FACTORY},
        },
    ]


def test_defaults_create_log_bucket_roles_and_security_groups(built: dict[str, Any]) -> None:
    template = built["templates"]["fleets"]
    template.resource_count_is("AWS::EC2::SecurityGroup", 4)  # three EMR-managed groups and the test's client
    template.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Retain"})
    template.resource_count_is("AWS::IAM::InstanceProfile", 1)
    properties = _cluster(built, "fleets")
    assert properties["LogUri"]["Fn::Join"][1][-1] == "/emr/fleets/"
    assert "Fn::GetAtt" in properties["LogEncryptionKmsKeyId"]


def test_cluster_is_grantable_through_its_instance_role(built: dict[str, Any]) -> None:
    stack, cluster = built["fleets"]
    role_id = stack.get_logical_id(cluster.instance_role.node.default_child)
    built["templates"]["fleets"].has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": Match.array_with([{"Ref": role_id}]),
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": Match.array_with(["s3:GetObject*"]),
                                "Resource": Match.array_with(
                                    [
                                        {
                                            "Fn::Join": [
                                                "",
                                                [
                                                    Match.object_like({"Fn::GetAtt": Match.any_value()}),
                                                    "/raw/*",
                                                ],
                                            ]
                                        }
                                    ]
                                ),
                            }
                        )
                    ]
                )
            },
        },
    )


def test_connections_open_the_primary_and_core_groups(built: dict[str, Any]) -> None:
    rules = built["templates"]["fleets"].find_resources(
        "AWS::EC2::SecurityGroupIngress", {"Properties": {"FromPort": 8998, "ToPort": 8998}}
    )
    assert len(rules) == 2


def test_instance_groups_with_custom_auto_scaling(built: dict[str, Any]) -> None:
    properties = _cluster(built, "groups")
    instances = properties["Instances"]
    assert instances["Ec2SubnetId"] == "subnet-0123456789abcdef0"
    assert "Ec2SubnetIds" not in instances
    assert instances["MasterInstanceGroup"] == {
        "InstanceType": "m5.xlarge",
        "InstanceCount": 1,
        "Market": "ON_DEMAND",
    }
    assert instances["CoreInstanceGroup"]["EbsConfiguration"]["EbsBlockDeviceConfigs"][0]["VolumeSpecification"] == {
        "VolumeType": "io1",
        "SizeInGB": 100,
        "Iops": 1000,
    }
    (task,) = instances["TaskInstanceGroups"]
    assert task["Market"] == "SPOT" and task["BidPrice"] == "0.20"
    assert task["AutoScalingPolicy"]["Constraints"] == {"MinCapacity": 0, "MaxCapacity": 10}
    (rule,) = task["AutoScalingPolicy"]["Rules"]
    assert rule["Trigger"]["CloudWatchAlarmDefinition"]["Dimensions"] == [
        {"Key": "JobFlowId", "Value": "${emr.clusterId}"}
    ]
    assert rule["Action"]["SimpleScalingPolicyConfiguration"] == {
        "AdjustmentType": "CHANGE_IN_CAPACITY",
        "ScalingAdjustment": 2,
        "CoolDown": 300,
    }
    assert "Fn::GetAtt" in properties["AutoScalingRole"]
    assert properties["CustomAmiId"] == "ami-0123456789abcdef0"


def test_three_primaries_force_termination_protection_and_spread(built: dict[str, Any]) -> None:
    properties = _cluster(built, "ha")
    assert properties["Instances"]["TerminationProtected"] is True
    assert properties["PlacementGroupConfigs"] == [{"InstanceRole": "MASTER", "PlacementStrategy": "SPREAD"}]


def test_newer_release_and_unknown_application_warn(built: dict[str, Any]) -> None:
    stack, _ = built["future"]
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("newer than the capability"))
    assert warnings
    unknown = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("SomeNewEngine"))
    assert unknown
    assert _cluster(built, "future")["ReleaseLabel"] == "emr-spark-8.0.0"


@pytest.mark.parametrize("name", ["fleets", "groups", "ha", "future"])
def test_cfn_lint_is_clean(built: dict[str, Any], name: str) -> None:
    assert cfn_lint(built["templates"][name].to_json()) == []


def test_fails_when_only_some_security_groups_are_given() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    vpc = _vpc(stack)
    group = ec2.SecurityGroup(stack, "G", vpc=vpc)
    with pytest.raises(ValueError, match="all three EMR-managed security groups"):
        EmrCluster(stack, "C", spec=ClusterSpec.model_validate(FLEETS), vpc=vpc, primary_security_group=group)


def test_fails_without_subnets() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "V",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a"],
        public_subnet_ids=["subnet-0123456789abcdef9"],
    )
    with pytest.raises(ValueError, match="no subnets to launch in"):
        EmrCluster(stack, "C", spec=ClusterSpec.model_validate(FLEETS), vpc=vpc)


def test_fails_on_configuration_conflict_between_sources() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    conflicting = [
        (
            "preset",
            [ConfigurationSpec(classification="spark-defaults", properties={"spark.executor.memory": "8g"})],
        )
    ]
    with pytest.raises(ConfigurationConflict, match=r"configurations\[0\] sets '4g' but preset sets '8g'"):
        EmrCluster(
            stack,
            "C",
            spec=ClusterSpec.model_validate(FLEETS),
            vpc=_vpc(stack),
            extra_configurations=conflicting,
        )


def test_fails_when_given_roles_lack_the_auto_scaling_role() -> None:
    from emr_constructs import EmrRoles

    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    roles = EmrRoles(stack, "Roles")
    with pytest.raises(ValueError, match="create_auto_scaling_role=True"):
        EmrCluster(stack, "C", spec=ClusterSpec.model_validate(copy.deepcopy(GROUPS)), vpc=_vpc(stack), roles=roles)
