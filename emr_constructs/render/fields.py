"""Per-field rendering helpers shared by the CloudFormation and the RunJobFlow renderers.

Both target shapes use EMR's PascalCase names; where they differ (CloudFormation's
``ConfigurationProperties`` against the API's ``Properties``), the caller passes the key. Pure functions:
no CDK import, values may be CDK tokens (strings) that pass through untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emr_constructs.spec.cluster import ClusterSpec
from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.fleets import InstanceFleetSpec, InstanceTypeSpec
from emr_constructs.spec.groups import AutoScalingSpec, InstanceGroupSpec
from emr_constructs.spec.storage import EbsSpec
from emr_constructs.tagging import EMR_MANAGED_POLICY_TAG_KEY, EMR_MANAGED_POLICY_TAG_VALUE

Rendered = dict[str, Any]

CFN_PROPERTIES_KEY = "ConfigurationProperties"
API_PROPERTIES_KEY = "Properties"


def compact(values: Mapping[str, Any]) -> Rendered:
    """Drop keys whose value is None or an empty collection (EMR treats absent and empty alike)."""
    return {k: v for k, v in values.items() if v is not None and v != [] and v != {}}


def configurations(specs: Iterable[ConfigurationSpec], properties_key: str) -> list[Rendered]:
    return [
        compact(
            {
                "Classification": spec.classification,
                properties_key: dict(spec.properties),
                "Configurations": configurations(spec.configurations, properties_key),
            }
        )
        for spec in specs
    ]


def ebs_configuration(ebs: EbsSpec | None) -> Rendered | None:
    if ebs is None:
        return None
    devices = [
        {
            "VolumeSpecification": compact(
                {
                    "VolumeType": volume.volume_type,
                    "SizeInGB": volume.size_gib,
                    "Iops": volume.iops,
                    "Throughput": volume.throughput,
                }
            ),
            "VolumesPerInstance": volume.volumes_per_instance,
        }
        for volume in ebs.volumes
    ]
    return compact({"EbsBlockDeviceConfigs": devices, "EbsOptimized": ebs.optimized}) or None


def instance_type_config(spec: InstanceTypeSpec, properties_key: str) -> Rendered:
    return compact(
        {
            "InstanceType": spec.instance_type,
            "WeightedCapacity": spec.weighted_capacity,
            "BidPriceAsPercentageOfOnDemandPrice": spec.bid_price_percent,
            "BidPrice": spec.bid_price,
            "Priority": spec.priority,
            "CustomAmiId": spec.custom_ami_id,
            "EbsConfiguration": ebs_configuration(spec.ebs),
            "Configurations": configurations(spec.configurations, properties_key),
        }
    )


def launch_specifications(fleet: InstanceFleetSpec, strategies_supported: bool = True) -> Rendered | None:
    """Spot and on-demand specifications; without allocation-strategy support (before emr-5.12.1) a Spot
    specification carries only its timeout."""
    spot = fleet.spot
    on_demand = fleet.on_demand
    reservation = on_demand.capacity_reservation if on_demand else None
    return (
        compact(
            {
                "SpotSpecification": compact(
                    {
                        "AllocationStrategy": spot.allocation_strategy
                        if fleet.uses_allocation_strategy(strategies_supported)
                        else None,
                        "TimeoutDurationMinutes": spot.timeout_minutes,
                        "TimeoutAction": spot.timeout_action,
                    }
                )
                if spot
                else None,
                "OnDemandSpecification": compact(
                    {
                        "AllocationStrategy": on_demand.allocation_strategy,
                        "CapacityReservationOptions": compact(
                            {
                                "CapacityReservationPreference": reservation.preference,
                                "UsageStrategy": reservation.usage_strategy,
                                "CapacityReservationResourceGroupArn": reservation.resource_group_arn,
                            }
                        )
                        if reservation
                        else None,
                    }
                )
                if on_demand
                else None,
            }
        )
        or None
    )


def resize_specifications(fleet: InstanceFleetSpec) -> Rendered | None:
    resize = fleet.resize
    if resize is None:
        return None
    return (
        compact(
            {
                "SpotResizeSpecification": compact({"TimeoutDurationMinutes": resize.spot_timeout_minutes}) or None,
                "OnDemandResizeSpecification": compact({"TimeoutDurationMinutes": resize.on_demand_timeout_minutes})
                or None,
            }
        )
        or None
    )


def instance_fleet(fleet: InstanceFleetSpec, properties_key: str, strategies_supported: bool = True) -> Rendered:
    return compact(
        {
            "Name": fleet.name,
            # A zero target is left out: the primary fleet must specify exactly one of the two.
            "TargetOnDemandCapacity": fleet.target_on_demand or None,
            "TargetSpotCapacity": fleet.target_spot or None,
            "InstanceTypeConfigs": [instance_type_config(t, properties_key) for t in fleet.instance_types],
            "LaunchSpecifications": launch_specifications(fleet, strategies_supported),
            "ResizeSpecifications": resize_specifications(fleet),
        }
    )


def auto_scaling_policy(spec: AutoScalingSpec | None) -> Rendered | None:
    if spec is None:
        return None
    rules = [
        compact(
            {
                "Name": rule.name,
                "Description": rule.description,
                "Action": {
                    "SimpleScalingPolicyConfiguration": {
                        "AdjustmentType": rule.adjustment_type,
                        "ScalingAdjustment": rule.scaling_adjustment,
                        "CoolDown": rule.cool_down_seconds,
                    }
                },
                "Trigger": {
                    "CloudWatchAlarmDefinition": compact(
                        {
                            "ComparisonOperator": rule.comparison_operator,
                            "EvaluationPeriods": rule.evaluation_periods,
                            "MetricName": rule.metric_name,
                            "Namespace": rule.namespace,
                            "Period": rule.period_seconds,
                            "Statistic": rule.statistic,
                            "Threshold": rule.threshold,
                            "Unit": rule.unit,
                            "Dimensions": [{"Key": "JobFlowId", "Value": "${emr.clusterId}"}],
                        }
                    )
                },
            }
        )
        for rule in spec.rules
    ]
    return {
        "Constraints": {"MinCapacity": spec.min_capacity, "MaxCapacity": spec.max_capacity},
        "Rules": rules,
    }


def instance_group(group: InstanceGroupSpec, properties_key: str) -> Rendered:
    return compact(
        {
            "Name": group.name,
            "InstanceType": group.instance_type,
            "InstanceCount": group.instance_count,
            "Market": group.market,
            "BidPrice": group.bid_price,
            "CustomAmiId": group.custom_ami_id,
            "EbsConfiguration": ebs_configuration(group.ebs),
            "Configurations": configurations(group.configurations, properties_key),
            "AutoScalingPolicy": auto_scaling_policy(group.auto_scaling),
        }
    )


def managed_scaling_policy(spec: ClusterSpec) -> Rendered | None:
    scaling = spec.managed_scaling
    if scaling is None:
        return None
    return compact(
        {
            "ComputeLimits": compact(
                {
                    "UnitType": spec.scaling_unit_type,
                    "MinimumCapacityUnits": scaling.minimum,
                    "MaximumCapacityUnits": scaling.maximum,
                    "MaximumOnDemandCapacityUnits": scaling.maximum_on_demand,
                    "MaximumCoreCapacityUnits": scaling.maximum_core,
                }
            ),
            "ScalingStrategy": scaling.scaling_strategy,
            "UtilizationPerformanceIndex": scaling.utilization_performance_index,
        }
    )


def tags(spec: ClusterSpec, extra: Mapping[str, str] | None = None) -> list[Rendered]:
    """The cluster's tags, always with the tag that ``AmazonEMRServicePolicy_v2`` requires."""
    merged = {**(extra or {}), **spec.tags, EMR_MANAGED_POLICY_TAG_KEY: EMR_MANAGED_POLICY_TAG_VALUE}
    return [{"Key": key, "Value": merged[key]} for key in sorted(merged)]


def placement_groups(spec: ClusterSpec) -> list[Rendered] | None:
    """Three primaries are spread across hardware (EMR Management Guide, "EMR integration with EC2 placement
    groups")."""
    return [{"InstanceRole": "MASTER", "PlacementStrategy": "SPREAD"}] if spec.multi_primary else None


def cluster_common(spec: ClusterSpec, all_configurations: Iterable[ConfigurationSpec], properties_key: str) -> Rendered:
    """Top-level fields whose shape is the same in CloudFormation and in RunJobFlow."""
    volume = spec.root_volume
    return compact(
        {
            "Name": spec.cluster_name,
            "ReleaseLabel": spec.release_label.label,
            "Applications": [{"Name": app.name} for app in spec.installed_applications],
            "Configurations": configurations(all_configurations, properties_key),
            "AutoTerminationPolicy": {"IdleTimeout": spec.auto_termination_idle_seconds}
            if spec.auto_termination_idle_seconds is not None
            else None,
            "ManagedScalingPolicy": managed_scaling_policy(spec),
            "StepConcurrencyLevel": spec.step_concurrency,
            "EbsRootVolumeSize": volume.size_gib if volume else None,
            "EbsRootVolumeIops": volume.iops if volume else None,
            "EbsRootVolumeThroughput": volume.throughput if volume else None,
            "CustomAmiId": spec.custom_ami_id,
            "OSReleaseLabel": spec.os_release_label,
            "ScaleDownBehavior": spec.scale_down_behavior,
            "PlacementGroupConfigs": placement_groups(spec),
        }
    )


def instances_common(
    spec: ClusterSpec,
    *,
    primary_security_group: str,
    core_security_group: str,
    service_access_security_group: str,
) -> Rendered:
    """``Instances`` fields whose shape is the same in CloudFormation and in RunJobFlow: the EMR-managed security
    groups and the lifecycle flags (termination protection is forced on with three primaries)."""
    return compact(
        {
            "EmrManagedMasterSecurityGroup": primary_security_group,
            "EmrManagedSlaveSecurityGroup": core_security_group,
            "ServiceAccessSecurityGroup": service_access_security_group,
            "TerminationProtected": spec.termination_protected,
            "UnhealthyNodeReplacement": spec.unhealthy_node_replacement,
            "KeepJobFlowAliveWhenNoSteps": spec.keep_alive_when_no_steps,
        }
    )
