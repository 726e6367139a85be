"""emr-constructs: AWS CDK v2 constructs for production Amazon EMR.

Names are re-exported lazily so that ``import emr_constructs.spec`` (pure data) never starts jsii.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "BootstrapAction": "emr_constructs.jobs",
    "SparkStep": "emr_constructs.jobs",
    "HiveStep": "emr_constructs.jobs",
    "CommandStep": "emr_constructs.jobs",
    "JarStep": "emr_constructs.jobs",
    "EmrCluster": "emr_constructs.cluster",
    "IEmrCluster": "emr_constructs.cluster",
    "ImportedEmrCluster": "emr_constructs.cluster",
    "EmrMonitoring": "emr_constructs.monitoring",
    "EmrChecks": "emr_constructs.policy.nag_pack",
    "TransientJobFlow": "emr_constructs.jobflow",
    "EmrDataBucket": "emr_constructs.storage",
    "GlueCatalog": "emr_constructs.catalog",
    "EmrRoles": "emr_constructs.iam",
    "EmrLogBucket": "emr_constructs.logging",
    "EmrNetwork": "emr_constructs.network",
    "EmrSecurityConfiguration": "emr_constructs.security",
    "SecuritySpec": "emr_constructs.spec",
    "AppConfig": "emr_constructs.spec",
    "Application": "emr_constructs.spec",
    "ClusterSpec": "emr_constructs.spec",
    "ConfigError": "emr_constructs.spec",
    "ConfigurationSpec": "emr_constructs.spec",
    "InstanceFleetSpec": "emr_constructs.spec",
    "InstanceGroupSpec": "emr_constructs.spec",
    "InstanceFleetsSpec": "emr_constructs.spec",
    "InstanceGroupsSpec": "emr_constructs.spec",
    "InstanceTypeSpec": "emr_constructs.spec",
    "ManagedScalingSpec": "emr_constructs.spec",
    "OnDemandSpec": "emr_constructs.spec",
    "ReleaseLabel": "emr_constructs.spec",
    "SpotSpec": "emr_constructs.spec",
    "load_config": "emr_constructs.spec",
}

__all__ = [
    "AppConfig",
    "Application",
    "BootstrapAction",
    "ClusterSpec",
    "CommandStep",
    "ConfigError",
    "ConfigurationSpec",
    "EmrChecks",
    "EmrCluster",
    "EmrDataBucket",
    "EmrLogBucket",
    "EmrMonitoring",
    "EmrNetwork",
    "EmrRoles",
    "EmrSecurityConfiguration",
    "GlueCatalog",
    "HiveStep",
    "IEmrCluster",
    "ImportedEmrCluster",
    "InstanceFleetSpec",
    "InstanceFleetsSpec",
    "InstanceGroupSpec",
    "InstanceGroupsSpec",
    "InstanceTypeSpec",
    "JarStep",
    "ManagedScalingSpec",
    "OnDemandSpec",
    "ReleaseLabel",
    "SecuritySpec",
    "SparkStep",
    "SpotSpec",
    "TransientJobFlow",
    "load_config",
]

if TYPE_CHECKING:
    from emr_constructs.catalog import GlueCatalog
    from emr_constructs.cluster import EmrCluster, IEmrCluster, ImportedEmrCluster
    from emr_constructs.iam import EmrRoles
    from emr_constructs.jobflow import TransientJobFlow
    from emr_constructs.jobs import BootstrapAction, CommandStep, HiveStep, JarStep, SparkStep
    from emr_constructs.logging import EmrLogBucket
    from emr_constructs.monitoring import EmrMonitoring
    from emr_constructs.network import EmrNetwork
    from emr_constructs.policy.nag_pack import EmrChecks
    from emr_constructs.security import EmrSecurityConfiguration
    from emr_constructs.spec import (
        AppConfig,
        Application,
        ClusterSpec,
        ConfigError,
        ConfigurationSpec,
        InstanceFleetSpec,
        InstanceFleetsSpec,
        InstanceGroupSpec,
        InstanceGroupsSpec,
        InstanceTypeSpec,
        ManagedScalingSpec,
        OnDemandSpec,
        ReleaseLabel,
        SecuritySpec,
        SpotSpec,
        load_config,
    )
    from emr_constructs.storage import EmrDataBucket


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'emr_constructs' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
