"""Render a ``ClusterSpec`` to the properties of ``AWS::EMR::Cluster``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from emr_constructs.render import fields
from emr_constructs.render.fields import CFN_PROPERTIES_KEY, Rendered, compact
from emr_constructs.render.wiring import ClusterWiring, wiring_properties
from emr_constructs.spec.cluster import ClusterSpec
from emr_constructs.spec.configurations import ConfigurationSpec


def render_instances(spec: ClusterSpec, wiring: ClusterWiring) -> Rendered:
    """``Instances`` (JobFlowInstancesConfig) in CloudFormation's shape."""
    key = CFN_PROPERTIES_KEY
    shape: Rendered = {}
    if spec.instance_fleets is not None:
        fleets = spec.instance_fleets
        strategies = spec.allocation_strategies_supported
        shape = {
            "MasterInstanceFleet": fields.instance_fleet(fleets.primary, key, strategies),
            "CoreInstanceFleet": fields.instance_fleet(fleets.core, key, strategies) if fleets.core else None,
            "TaskInstanceFleets": [fields.instance_fleet(fleets.task, key, strategies)] if fleets.task else None,
            "Ec2SubnetIds": list(wiring.subnet_ids),
        }
    elif spec.instance_groups is not None:
        groups = spec.instance_groups
        shape = {
            "MasterInstanceGroup": fields.instance_group(groups.primary, key),
            "CoreInstanceGroup": fields.instance_group(groups.core, key) if groups.core else None,
            "TaskInstanceGroups": [fields.instance_group(g, key) for g in groups.tasks],
            # Instance groups launch in one subnet (EMR Management Guide, "Configure networking").
            "Ec2SubnetId": wiring.subnet_ids[0],
        }
    return compact(
        {
            **shape,
            **fields.instances_common(
                spec,
                primary_security_group=wiring.primary_security_group,
                core_security_group=wiring.core_security_group,
                service_access_security_group=wiring.service_access_security_group,
            ),
        }
    )


def render_cluster_properties(
    spec: ClusterSpec,
    wiring: ClusterWiring,
    configurations: Sequence[ConfigurationSpec] | None = None,
) -> dict[str, Any]:
    """Every ``AWS::EMR::Cluster`` property the spec defines. ``configurations`` defaults to the spec's own,
    merged; pass the result of ``spec.merged_configurations(...)`` to include other sources."""
    merged = spec.merged_configurations() if configurations is None else configurations
    return compact(
        {
            **fields.cluster_common(spec, merged, CFN_PROPERTIES_KEY),
            "Instances": render_instances(spec, wiring),
            **wiring_properties(wiring),
            "Tags": fields.tags(spec, wiring.extra_tags),
        }
    )
