"""Valid cluster payloads (plain dicts, as YAML would give them) and helpers to copy and modify them.

Every test starts from one of these valid payloads and changes one thing, so that a failure can only come
from that change.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from emr_constructs.spec import ClusterSpec, ConfigError, ReleaseLabel, parse_cluster
from emr_constructs.spec import capabilities as cap

_FLEET_CLUSTER: dict[str, Any] = {
    "name": "analytics",
    "release_label": "emr-7.5.0",
    "applications": ["Spark", "Hadoop", "Hive", "Livy"],
    "instance_fleets": {
        "primary": {
            "target_on_demand": 1,
            "instance_types": [{"instance_type": "m7g.xlarge"}],
        },
        "core": {
            "target_on_demand": 2,
            "instance_types": [
                {
                    "instance_type": "m7g.2xlarge",
                    "ebs": {"volumes": [{"volume_type": "gp3", "size_gib": 128}]},
                },
                {
                    "instance_type": "r7g.2xlarge",
                    "ebs": {"volumes": [{"volume_type": "gp3", "size_gib": 128}]},
                },
            ],
            "on_demand": {"allocation_strategy": "lowest-price"},
        },
        "task": {
            "target_spot": 4,
            "instance_types": [
                {"instance_type": "m7g.4xlarge", "weighted_capacity": 2},
                {"instance_type": "c7g.4xlarge", "weighted_capacity": 2},
            ],
            "spot": {
                "allocation_strategy": "price-capacity-optimized",
                "timeout_minutes": 30,
                "timeout_action": "SWITCH_TO_ON_DEMAND",
            },
        },
    },
}

_GROUP_CLUSTER: dict[str, Any] = {
    "name": "batch",
    "release_label": "emr-7.5.0",
    "instance_groups": {
        "primary": {"instance_type": "m7g.xlarge", "instance_count": 1},
        "core": {"instance_type": "m7g.2xlarge", "instance_count": 2},
        "tasks": [{"name": "task-1", "instance_type": "m7g.2xlarge", "instance_count": 0, "market": "SPOT"}],
    },
}

_AUTO_SCALING: dict[str, Any] = {
    "min_capacity": 1,
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
}

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def fleet_cluster(**top_level: Any) -> dict[str, Any]:
    """A deep copy of a valid fleet cluster (primary, core, Spot task), with top-level keys replaced."""
    payload = copy.deepcopy(_FLEET_CLUSTER)
    payload.update(copy.deepcopy(top_level))
    return payload


def group_cluster(**top_level: Any) -> dict[str, Any]:
    """A deep copy of a valid instance-group cluster (primary, core, one Spot task group)."""
    payload = copy.deepcopy(_GROUP_CLUSTER)
    payload.update(copy.deepcopy(top_level))
    return payload


def auto_scaling(**overrides: Any) -> dict[str, Any]:
    """A valid custom automatic scaling policy for an instance group."""
    payload = copy.deepcopy(_AUTO_SCALING)
    payload.update(overrides)
    return payload


def _split(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _STEP.findall(path)]


def with_(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``payload`` with the dotted ``path`` (``a.b[0].c``) set to ``value``; parents are created."""
    result = copy.deepcopy(payload)
    steps = _split(path)
    node: Any = result
    for step in steps[:-1]:
        if isinstance(step, str) and step not in node:
            node[step] = {}
        node = node[step]
    node[steps[-1]] = copy.deepcopy(value)
    return result


def without(payload: dict[str, Any], path: str) -> dict[str, Any]:
    """A copy of ``payload`` with the dotted ``path`` removed."""
    result = copy.deepcopy(payload)
    steps = _split(path)
    node: Any = result
    for step in steps[:-1]:
        node = node[step]
    del node[steps[-1]]
    return result


PEM_ZIP = "s3://certs-bucket/emr/certs.zip"


def release_compatible(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with, where it has no ``security`` block, the secure defaults that its release supports:
    PEM certificates below the EMR-managed-certificate floor, no IMDS block or EBS encryption where the release
    predates them. Tests about other features on old releases then see only their own change."""
    label = payload.get("release_label")
    if "security" in payload or not isinstance(label, str):
        return payload
    try:
        release = ReleaseLabel.of(label)
    except ValueError:
        return payload
    security: dict[str, Any] = {}
    if not cap.EMR_MANAGED_CERTIFICATES.supported(release):
        security["in_transit"] = {"certificate_provider": "PEM", "pem_s3_uri": PEM_ZIP}
    if not cap.IMDS_CONFIGURATION.supported(release):
        security["imds"] = None
    if not cap.EBS_ENCRYPTION.supported(release):
        security["local_disk_encryption"] = {"ebs_encryption": False}
    return {**payload, "security": security} if security else payload


def valid(payload: dict[str, Any]) -> ClusterSpec:
    """Parse a payload that must be valid; on failure, the error names every problem."""
    return parse_cluster(release_compatible(payload))


def rejects(payload: dict[str, Any], pattern: str) -> ConfigError:
    """Parse a payload that must be invalid; ``pattern`` must match in the error.

    ``^`` matches at the start of each problem line, so ``^  - <path>:`` pins the problem to its field.
    """
    with pytest.raises(ConfigError, match=re.compile(pattern, re.MULTILINE)) as info:
        parse_cluster(release_compatible(payload))
    return info.value


def old_fleet_cluster(release_label: str, **top_level: Any) -> dict[str, Any]:
    """A valid fleet cluster that any fleet release can run: no allocation strategy, only Hadoop and Spark."""
    payload: dict[str, Any] = {
        "name": "legacy",
        "release_label": release_label,
        "applications": ["Hadoop", "Spark"],
        "instance_fleets": {
            "primary": {"target_on_demand": 1, "instance_types": [{"instance_type": "m5.xlarge"}]},
            "core": {"target_on_demand": 2, "instance_types": [{"instance_type": "m5.2xlarge"}]},
        },
    }
    payload.update(copy.deepcopy(top_level))
    return payload
