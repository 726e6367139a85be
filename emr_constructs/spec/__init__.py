"""Pure-data specs for EMR clusters (no CDK import): pydantic models, YAML loading, capability table."""

from emr_constructs.spec.app_config import (
    AppConfig,
    ExistingNetworkSpec,
    IamSpec,
    JobFlowSpec,
    LoggingSpec,
    NetworkSpec,
    load_config,
    parse_cluster,
)
from emr_constructs.spec.applications import Application
from emr_constructs.spec.baseline import AccountBaselineSpec, PortRangeSpec
from emr_constructs.spec.cluster import ClusterSpec, InstanceFleetsSpec, InstanceGroupsSpec, RootVolumeSpec
from emr_constructs.spec.configurations import ConfigurationConflict, ConfigurationSpec, merge_configurations
from emr_constructs.spec.eks import VirtualClusterSpec
from emr_constructs.spec.eks_jobs import EksJobSpec
from emr_constructs.spec.eks_security import EksLakeFormationSpec, EksSecuritySpec, EksTlsSpec
from emr_constructs.spec.fleets import (
    CapacityReservationSpec,
    InstanceFleetSpec,
    InstanceTypeSpec,
    OnDemandSpec,
    ResizeSpec,
    SpotSpec,
    is_graviton,
)
from emr_constructs.spec.groups import AutoScalingSpec, InstanceGroupSpec, ScalingRuleSpec
from emr_constructs.spec.monitoring import CloudWatchLogsSpec, MonitoringSpec, SlackChannelSpec
from emr_constructs.spec.node_metrics import NodeMetricsSpec
from emr_constructs.spec.problems import ConfigError, Problem, SpecProblems
from emr_constructs.spec.release import ReleaseLabel, Version
from emr_constructs.spec.scaling import ManagedScalingSpec
from emr_constructs.spec.security import SecuritySpec
from emr_constructs.spec.serverless import MaximumCapacitySpec, ServerlessApplicationSpec, WorkerSpec
from emr_constructs.spec.serverless_datalake import ServerlessDataLakeSpec
from emr_constructs.spec.serverless_jobs import ServerlessHiveSpec, ServerlessJobSpec, ServerlessSparkSpec
from emr_constructs.spec.storage import EbsSpec, EbsVolumeSpec
from emr_constructs.spec.studio import SessionMappingSpec, StudioSpec

__all__ = [
    "AccountBaselineSpec",
    "AppConfig",
    "Application",
    "AutoScalingSpec",
    "CapacityReservationSpec",
    "CloudWatchLogsSpec",
    "ClusterSpec",
    "ConfigError",
    "ConfigurationConflict",
    "ConfigurationSpec",
    "EbsSpec",
    "EbsVolumeSpec",
    "EksJobSpec",
    "EksLakeFormationSpec",
    "EksSecuritySpec",
    "EksTlsSpec",
    "ExistingNetworkSpec",
    "IamSpec",
    "InstanceFleetSpec",
    "InstanceFleetsSpec",
    "InstanceGroupSpec",
    "InstanceGroupsSpec",
    "InstanceTypeSpec",
    "JobFlowSpec",
    "LoggingSpec",
    "ManagedScalingSpec",
    "MaximumCapacitySpec",
    "MonitoringSpec",
    "NetworkSpec",
    "NodeMetricsSpec",
    "OnDemandSpec",
    "PortRangeSpec",
    "Problem",
    "ReleaseLabel",
    "ResizeSpec",
    "RootVolumeSpec",
    "ScalingRuleSpec",
    "SecuritySpec",
    "ServerlessApplicationSpec",
    "ServerlessDataLakeSpec",
    "ServerlessHiveSpec",
    "ServerlessJobSpec",
    "ServerlessSparkSpec",
    "SessionMappingSpec",
    "SlackChannelSpec",
    "SpecProblems",
    "SpotSpec",
    "StudioSpec",
    "Version",
    "VirtualClusterSpec",
    "WorkerSpec",
    "is_graviton",
    "load_config",
    "merge_configurations",
    "parse_cluster",
]
