"""emr-constructs: AWS CDK v2 constructs for production Amazon EMR.

Names are re-exported lazily so that ``import emr_constructs.spec`` (pure data) never starts jsii. The config file
model of this repository's own app (``AppConfig``) stays in ``emr_constructs.spec``; ``load_config`` reads one.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "DataGrantAcknowledgment": "emr_constructs.access",
    "acknowledge_data_grants": "emr_constructs.access",
    "grant_msk_read": "emr_constructs.access",
    "EmrBlockPublicAccess": "emr_constructs.baseline",
    "GlueCatalog": "emr_constructs.catalog",
    "EmrCluster": "emr_constructs.cluster",
    "IEmrCluster": "emr_constructs.cluster",
    "ImportedEmrCluster": "emr_constructs.cluster",
    "EmrRoles": "emr_constructs.iam",
    "TransientJobFlow": "emr_constructs.jobflow",
    "BootstrapAction": "emr_constructs.jobs",
    "CommandStep": "emr_constructs.jobs",
    "HiveStep": "emr_constructs.jobs",
    "JarStep": "emr_constructs.jobs",
    "SparkStep": "emr_constructs.jobs",
    "Step": "emr_constructs.jobs",
    "EmrLogBucket": "emr_constructs.logging",
    "EmrMonitoring": "emr_constructs.monitoring",
    "EmrNetwork": "emr_constructs.network",
    "EmrSecurityGroups": "emr_constructs.network",
    "SecurityGroupRuleCleanup": "emr_constructs.network",
    "EmrChecks": "emr_constructs.policy.nag_pack",
    "EmrSecurityConfiguration": "emr_constructs.security",
    "EmrServerlessApplication": "emr_constructs.serverless",
    "EmrServerlessJob": "emr_constructs.serverless",
    "EmrStudio": "emr_constructs.studio",
    "IEmrServerlessApplication": "emr_constructs.serverless",
    "ImportedEmrServerlessApplication": "emr_constructs.serverless",
    "EmrDataBucket": "emr_constructs.storage",
    "Application": "emr_constructs.spec",
    "AutoScalingSpec": "emr_constructs.spec",
    "CapacityReservationSpec": "emr_constructs.spec",
    "CloudWatchLogsSpec": "emr_constructs.spec",
    "ClusterSpec": "emr_constructs.spec",
    "ConfigError": "emr_constructs.spec",
    "ConfigurationConflict": "emr_constructs.spec",
    "ConfigurationSpec": "emr_constructs.spec",
    "EbsSpec": "emr_constructs.spec",
    "EbsVolumeSpec": "emr_constructs.spec",
    "InstanceFleetSpec": "emr_constructs.spec",
    "InstanceFleetsSpec": "emr_constructs.spec",
    "InstanceGroupSpec": "emr_constructs.spec",
    "InstanceGroupsSpec": "emr_constructs.spec",
    "InstanceTypeSpec": "emr_constructs.spec",
    "ManagedScalingSpec": "emr_constructs.spec",
    "MonitoringSpec": "emr_constructs.spec",
    "NodeMetricsSpec": "emr_constructs.spec",
    "OnDemandSpec": "emr_constructs.spec",
    "ReleaseLabel": "emr_constructs.spec",
    "ResizeSpec": "emr_constructs.spec",
    "RootVolumeSpec": "emr_constructs.spec",
    "ScalingRuleSpec": "emr_constructs.spec",
    "SecuritySpec": "emr_constructs.spec",
    "MaximumCapacitySpec": "emr_constructs.spec",
    "ServerlessApplicationSpec": "emr_constructs.spec",
    "WorkerSpec": "emr_constructs.spec",
    "ServerlessDataLakeSpec": "emr_constructs.spec",
    "ServerlessHiveSpec": "emr_constructs.spec",
    "ServerlessJobSpec": "emr_constructs.spec",
    "ServerlessSparkSpec": "emr_constructs.spec",
    "SlackChannelSpec": "emr_constructs.spec",
    "SpotSpec": "emr_constructs.spec",
    "load_config": "emr_constructs.spec",
}

__all__ = [
    "Application",
    "AutoScalingSpec",
    "BootstrapAction",
    "CapacityReservationSpec",
    "CloudWatchLogsSpec",
    "ClusterSpec",
    "CommandStep",
    "ConfigError",
    "ConfigurationConflict",
    "ConfigurationSpec",
    "DataGrantAcknowledgment",
    "EbsSpec",
    "EbsVolumeSpec",
    "EmrBlockPublicAccess",
    "EmrChecks",
    "EmrCluster",
    "EmrDataBucket",
    "EmrLogBucket",
    "EmrMonitoring",
    "EmrNetwork",
    "EmrRoles",
    "EmrSecurityConfiguration",
    "EmrSecurityGroups",
    "EmrServerlessApplication",
    "EmrServerlessJob",
    "EmrStudio",
    "GlueCatalog",
    "HiveStep",
    "IEmrCluster",
    "IEmrServerlessApplication",
    "ImportedEmrCluster",
    "ImportedEmrServerlessApplication",
    "InstanceFleetSpec",
    "InstanceFleetsSpec",
    "InstanceGroupSpec",
    "InstanceGroupsSpec",
    "InstanceTypeSpec",
    "JarStep",
    "ManagedScalingSpec",
    "MaximumCapacitySpec",
    "MonitoringSpec",
    "NodeMetricsSpec",
    "OnDemandSpec",
    "ReleaseLabel",
    "ResizeSpec",
    "RootVolumeSpec",
    "ScalingRuleSpec",
    "SecurityGroupRuleCleanup",
    "SecuritySpec",
    "ServerlessApplicationSpec",
    "ServerlessDataLakeSpec",
    "ServerlessHiveSpec",
    "ServerlessJobSpec",
    "ServerlessSparkSpec",
    "SlackChannelSpec",
    "SparkStep",
    "SpotSpec",
    "Step",
    "TransientJobFlow",
    "WorkerSpec",
    "acknowledge_data_grants",
    "grant_msk_read",
    "load_config",
]

if TYPE_CHECKING:
    from emr_constructs.access import DataGrantAcknowledgment, acknowledge_data_grants, grant_msk_read
    from emr_constructs.baseline import EmrBlockPublicAccess
    from emr_constructs.catalog import GlueCatalog
    from emr_constructs.cluster import EmrCluster, IEmrCluster, ImportedEmrCluster
    from emr_constructs.iam import EmrRoles
    from emr_constructs.jobflow import TransientJobFlow
    from emr_constructs.jobs import (
        BootstrapAction,
        CommandStep,
        HiveStep,
        JarStep,
        SparkStep,
        Step,
    )
    from emr_constructs.logging import EmrLogBucket
    from emr_constructs.monitoring import EmrMonitoring
    from emr_constructs.network import EmrNetwork, EmrSecurityGroups, SecurityGroupRuleCleanup
    from emr_constructs.policy.nag_pack import EmrChecks
    from emr_constructs.security import EmrSecurityConfiguration
    from emr_constructs.serverless import (
        EmrServerlessApplication,
        EmrServerlessJob,
        IEmrServerlessApplication,
        ImportedEmrServerlessApplication,
    )
    from emr_constructs.spec import (
        Application,
        AutoScalingSpec,
        CapacityReservationSpec,
        CloudWatchLogsSpec,
        ClusterSpec,
        ConfigError,
        ConfigurationConflict,
        ConfigurationSpec,
        EbsSpec,
        EbsVolumeSpec,
        InstanceFleetSpec,
        InstanceFleetsSpec,
        InstanceGroupSpec,
        InstanceGroupsSpec,
        InstanceTypeSpec,
        ManagedScalingSpec,
        MaximumCapacitySpec,
        MonitoringSpec,
        NodeMetricsSpec,
        OnDemandSpec,
        ReleaseLabel,
        ResizeSpec,
        RootVolumeSpec,
        ScalingRuleSpec,
        SecuritySpec,
        ServerlessApplicationSpec,
        ServerlessDataLakeSpec,
        ServerlessHiveSpec,
        ServerlessJobSpec,
        ServerlessSparkSpec,
        SlackChannelSpec,
        SpotSpec,
        WorkerSpec,
        load_config,
    )
    from emr_constructs.storage import EmrDataBucket
    from emr_constructs.studio import EmrStudio


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'emr_constructs' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
