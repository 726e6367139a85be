"""``ClusterSpec``: the neutral model of one EMR cluster, validated against the release it runs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from emr_constructs.spec import capabilities as cap
from emr_constructs.spec import cluster_advice as advice
from emr_constructs.spec import cluster_checks as checks
from emr_constructs.spec import cluster_monitoring_checks as monitoring_checks
from emr_constructs.spec import datalake_configurations as lake
from emr_constructs.spec.applications import Application
from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.configurations import ConfigurationConflict, ConfigurationSpec, merge_configurations
from emr_constructs.spec.datalake import DataLakeSpec
from emr_constructs.spec.fleets import AMI_PATTERN, InstanceFleetSpec
from emr_constructs.spec.groups import InstanceGroupSpec
from emr_constructs.spec.jobs import BootstrapActionSpec, StepSpec, check_jobs
from emr_constructs.spec.monitoring import CloudWatchLogsSpec, MonitoringSpec
from emr_constructs.spec.node_metrics import NodeMetricsSpec
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.release import ReleaseLabel
from emr_constructs.spec.scaling import ManagedScalingSpec
from emr_constructs.spec.security import SecuritySpec
from emr_constructs.spec.tokens import TOKENS_ALLOWED

DEFAULT_APPLICATIONS = (Application.SPARK, Application.HADOOP, Application.HIVE, Application.LIVY)


class RootVolumeSpec(SpecModel):
    """The EBS root volume of every instance. Default: EMR's (10 GiB before 6.10, 15 GiB from it, gp3)."""

    size_gib: int | None = Field(default=None, ge=1)
    iops: int | None = None
    throughput: int | None = None


class InstanceFleetsSpec(SpecModel):
    """Primary, core and optional task fleet (EMR allows one task fleet)."""

    primary: InstanceFleetSpec
    core: InstanceFleetSpec | None = None
    task: InstanceFleetSpec | None = None

    def named(self) -> list[tuple[str, InstanceFleetSpec]]:
        fleets = [("primary", self.primary), ("core", self.core), ("task", self.task)]
        return [(role, fleet) for role, fleet in fleets if fleet is not None]


class InstanceGroupsSpec(SpecModel):
    """Primary, core and task instance groups."""

    primary: InstanceGroupSpec
    core: InstanceGroupSpec | None = None
    tasks: tuple[InstanceGroupSpec, ...] = Field(default=(), max_length=cap.TASK_INSTANCE_GROUPS_MAX)


class ClusterSpec(SpecModel):
    """One EMR cluster. Give exactly one of ``instance_fleets`` (recommended) and ``instance_groups``.

    Defaults: Spark, Hadoop, Hive and Livy; step concurrency 1; unhealthy node replacement on; kept alive when
    it has no steps (a long-running cluster); termination protection off (forced on with three primaries).
    ``acknowledge_replacement`` (a reason) lets the replacement guard pass a change that replaces this cluster
    while it is long-running; remove it once the change is deployed. ``generation`` (default 1) is part of the
    EMR cluster name from 2 on (``<name>-g2``): raising it replaces the cluster on the next deploy, which brings
    back a CloudFormation-managed cluster that terminated itself.
    """

    name: str = Field(min_length=1, max_length=cap.CLUSTER_NAME_MAX)
    release_label: ReleaseLabel
    applications: tuple[Application, ...] = DEFAULT_APPLICATIONS
    configurations: tuple[ConfigurationSpec, ...] = ()
    instance_fleets: InstanceFleetsSpec | None = None
    instance_groups: InstanceGroupsSpec | None = None
    managed_scaling: ManagedScalingSpec | None = None
    auto_termination_idle_seconds: int | None = None
    step_concurrency: int = 1
    root_volume: RootVolumeSpec | None = None
    custom_ami_id: Annotated[str, Field(pattern=AMI_PATTERN), TOKENS_ALLOWED] | None = None
    os_release_label: str | None = Field(default=None, pattern=r"^\d+\.\d+\.\d+")
    termination_protection: bool | None = None
    unhealthy_node_replacement: bool = True
    keep_alive_when_no_steps: bool = True
    scale_down_behavior: Literal["TERMINATE_AT_INSTANCE_HOUR", "TERMINATE_AT_TASK_COMPLETION"] | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    security: SecuritySpec = Field(default_factory=SecuritySpec)
    data_lake: DataLakeSpec = Field(default_factory=DataLakeSpec)
    bootstrap_actions: tuple[BootstrapActionSpec, ...] = ()
    steps: tuple[StepSpec, ...] = ()
    node_metrics: NodeMetricsSpec | None = None
    monitoring: MonitoringSpec | None = None
    acknowledge_replacement: str | None = Field(default=None, min_length=10, max_length=1000)
    generation: int = Field(default=1, ge=1, le=999)

    @field_validator("release_label", mode="before")
    @classmethod
    def _parse_release(cls, value: Any) -> Any:
        if isinstance(value, ReleaseLabel):
            return value
        if not isinstance(value, str):
            raise ValueError(
                "a release label is text such as 'emr-7.12.0' (a bare number is read as a YAML number). "
                "Fix: write the full label, e.g. release_label: emr-7.12.0"
            )
        return ReleaseLabel.of(value)

    @field_validator("applications", mode="before")
    @classmethod
    def _parse_applications(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise ValueError("applications is a list of names. Fix: write e.g. applications: [Spark, Hadoop]")
        for item in value:
            if not isinstance(item, str | Application):
                raise ValueError(
                    f"application {item!r} is not a name. Fix: list EMR application names, e.g. [Spark, Hadoop]"
                )
        return tuple(Application.of(v) if isinstance(v, str) else v for v in value)

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            if not 1 <= len(key) <= 128 or len(text) > 256 or key.lower().startswith("aws:"):
                raise ValueError(
                    f"tag {key!r}={text!r} is not a valid tag. Fix: keys 1-128 characters not starting with "
                    "'aws:', values up to 256 characters"
                )
        return value

    @model_validator(mode="after")
    def _check(self) -> ClusterSpec:
        problems = ProblemCollector(self)
        checks.check_shape(self, problems)
        checks.check_applications(self, problems)
        if self.multi_primary and self.termination_protection is False:
            problems.add(
                "termination_protection",
                False,
                "EMR forces termination protection on with three primaries",
                "remove termination_protection: false",
            )
        if self.instance_fleets is not None:
            checks.check_fleets(self, self.instance_fleets, problems)
        if self.instance_groups is not None:
            checks.check_groups(self, self.instance_groups, problems)
        checks.check_scaling(self, problems)
        checks.check_lifecycle(self, problems)
        checks.check_root_volume(self, problems)
        checks.check_custom_ami(self, problems)
        checks.check_security(self, problems)
        checks.check_data_lake(self, problems)
        monitoring_checks.check_node_metrics(self, problems)
        monitoring_checks.check_monitoring(self, problems)
        check_jobs(problems, self.bootstrap_actions, self.steps, self.step_concurrency)
        try:
            self.merged_configurations()
        except ConfigurationConflict as conflict:
            problems.add("configurations", conflict.values, conflict.summary, "set each key in one place only")
        problems.raise_if_any()
        return self

    @property
    def presets(self) -> tuple[str, ...]:
        """The data-lake presets in force (the given ones, or ``spark-hive-glue`` with Spark or Hive)."""
        return lake.effective_presets(self.data_lake, {app.name for app in self.applications})

    def data_lake_configurations(self) -> tuple[tuple[str, tuple[ConfigurationSpec, ...]], ...]:
        """Classifications from the presets and table formats, each under its own source name."""
        return lake.configurations(self.data_lake, {app.name for app in self.applications})

    def security_configurations(self) -> tuple[ConfigurationSpec, ...]:
        """Classifications that the security settings require (merged with every other source).

        From emr-7.3.0, Kerberos with in-transit encryption breaks Spark applications that use the Hive
        metastore unless ``hive.metastore.use.SSL`` is false; it is set for the metastore (``hive-site``) and
        for Spark's client (``spark-hive-site``) so that both sides agree.
        """
        if self.security.kerberos is None or not cap.HIVE_METASTORE_SSL_WORKAROUND.supported(self.release_label):
            return ()
        setting = {"hive.metastore.use.SSL": "false"}
        return (
            ConfigurationSpec(classification="hive-site", properties=setting),
            ConfigurationSpec(classification="spark-hive-site", properties=setting),
        )

    def node_metrics_configurations(self) -> tuple[ConfigurationSpec, ...]:
        """The CloudWatch agent's ``emr-metrics`` classification, when node metrics go beyond its defaults."""
        configuration = self.node_metrics.configuration() if self.node_metrics is not None else None
        return (configuration,) if configuration is not None else ()

    # -- derived values -----------------------------------------------------------------------------------

    @property
    def installed_applications(self) -> tuple[Application, ...]:
        """The applications to install: the given ones, plus ``AmazonCloudWatchAgent`` for node metrics on
        emr-7.0.0+ and for CloudWatch Logs delivery."""
        agent = Application.of("AmazonCloudWatchAgent")
        if self.node_agent_application and agent.name not in {app.name for app in self.applications}:
            return (*self.applications, agent)
        return self.applications

    @property
    def node_agent_application(self) -> bool:
        """True when EMR's ``AmazonCloudWatchAgent`` application is needed: for node metrics (emr-7.0.0+) or for
        log delivery to CloudWatch Logs (emr-7.11.0+)."""
        wanted = self.node_metrics is not None or self.cloudwatch_logs is not None
        return wanted and cap.CLOUDWATCH_AGENT.supported(self.release_label)

    @property
    def cloudwatch_logs(self) -> CloudWatchLogsSpec | None:
        return self.monitoring.logs if self.monitoring is not None else None

    @property
    def node_agent_bootstrap(self) -> bool:
        """True when node metrics need the agent installed by a bootstrap action (releases below 7.0)."""
        return self.node_metrics is not None and not cap.CLOUDWATCH_AGENT.supported(self.release_label)

    @property
    def scaling_unit_type(self) -> str | None:
        if self.managed_scaling is None:
            return None
        if self.managed_scaling.unit_type is not None:
            return self.managed_scaling.unit_type
        return "InstanceFleetUnits" if self.instance_fleets is not None else "Instances"

    @property
    def allocation_strategies_supported(self) -> bool:
        return cap.FLEET_ALLOCATION_STRATEGY.supported(self.release_label)

    @property
    def uses_custom_auto_scaling(self) -> bool:
        """True when an instance group has custom automatic scaling rules (the cluster then needs a role)."""
        groups = self.instance_groups
        return groups is not None and any(
            g is not None and g.auto_scaling is not None for g in (groups.core, *groups.tasks)
        )

    @property
    def multi_primary(self) -> bool:
        if self.instance_fleets is not None:
            return 3 in (
                self.instance_fleets.primary.target_on_demand,
                self.instance_fleets.primary.target_spot,
            )
        return self.instance_groups is not None and self.instance_groups.primary.instance_count == 3

    @property
    def termination_protected(self) -> bool:
        return bool(self.termination_protection) or self.multi_primary

    def merged_configurations(self, *extra: tuple[str, tuple[ConfigurationSpec, ...]]) -> tuple[ConfigurationSpec, ...]:
        """This cluster's configurations merged with those of other named sources (presets, security).
        Each of the cluster's own entries is a source of its own, so a conflict names the two entries."""
        own = [(f"configurations[{index}]", (spec,)) for index, spec in enumerate(self.configurations)]
        return merge_configurations(
            *own,
            ("security (Kerberos with in-transit TLS)", self.security_configurations()),
            ("node_metrics", self.node_metrics_configurations()),
            *self.data_lake_configurations(),
            *extra,
        )

    @property
    def cluster_name(self) -> str:
        """The EMR cluster's name: ``name``, or ``<name>-g<generation>`` from generation 2 on."""
        return self.name if self.generation == 1 else f"{self.name}-g{self.generation}"

    def idle_alarm_problem(self, problems: ProblemCollector, path: str) -> None:
        """For a long-running cluster with alarms: an idle alarm slower than auto-termination can never fire."""
        monitoring_checks.idle_alarm_problem(self, problems, path)

    def stack_managed_warnings(self) -> list[tuple[str, str]]:
        """Advice for a cluster that a CloudFormation stack keeps (``EmrCluster``), not a transient job flow."""
        return advice.stack_managed_warnings(self)

    def warnings(self) -> list[tuple[str, str]]:
        """Advice that is not an error, as (stable id, message) pairs."""
        return advice.warnings(self)
