"""``ClusterSpec``: the neutral model of one EMR cluster, validated against the release it runs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from emr_constructs.spec import application_identity as identity
from emr_constructs.spec import capabilities as cap
from emr_constructs.spec import datalake_configurations as lake
from emr_constructs.spec.applications import NOT_YARN_SCALED, Application
from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.configurations import ConfigurationConflict, ConfigurationSpec, merge_configurations
from emr_constructs.spec.datalake import DataLakeSpec
from emr_constructs.spec.fleets import AMI_PATTERN, InstanceFleetSpec, is_graviton
from emr_constructs.spec.groups import InstanceGroupSpec
from emr_constructs.spec.jobs import MAX_BOOTSTRAP_ACTIONS, BootstrapActionSpec, StepSpec, check_jobs
from emr_constructs.spec.monitoring import CloudWatchLogsSpec, MonitoringSpec
from emr_constructs.spec.node_metrics import AGENT_BOOTSTRAP_ACTION, NodeMetricsSpec
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.release import ReleaseLabel
from emr_constructs.spec.scaling import ManagedScalingSpec
from emr_constructs.spec.security import SecuritySpec

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
    custom_ami_id: str | None = Field(default=None, pattern=AMI_PATTERN)
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
        self._check_shape(problems)
        self._check_applications(problems)
        if self.multi_primary and self.termination_protection is False:
            problems.add(
                "termination_protection",
                False,
                "EMR forces termination protection on with three primaries",
                "remove termination_protection: false",
            )
        if self.instance_fleets is not None:
            self._check_fleets(self.instance_fleets, problems)
        if self.instance_groups is not None:
            self._check_groups(self.instance_groups, problems)
        self._check_scaling(problems)
        self._check_lifecycle(problems)
        self._check_root_volume(problems)
        self._check_custom_ami(problems)
        self._check_security(problems)
        self._check_data_lake(problems)
        self._check_node_metrics(problems)
        self._check_monitoring(problems)
        check_jobs(problems, self.bootstrap_actions, self.steps, self.step_concurrency)
        try:
            self.merged_configurations()
        except ConfigurationConflict as conflict:
            problems.add("configurations", conflict.values, conflict.summary, "set each key in one place only")
        problems.raise_if_any()
        return self

    # -- checks -------------------------------------------------------------------------------------------

    def _gate(self, problems: ProblemCollector, path: str, value: Any, capability: cap.Capability) -> None:
        if not capability.supported(self.release_label):
            problems.add(
                path,
                value,
                f"{capability.name} needs {capability.requirement()}, not {self.release_label}",
                f"use a release that supports it or remove {path} (see {capability.source})",
            )

    def _check_shape(self, problems: ProblemCollector) -> None:
        if (self.instance_fleets is None) == (self.instance_groups is None):
            given = [name for name in ("instance_fleets", "instance_groups") if getattr(self, name) is not None]
            problems.add(
                "instance_fleets",
                " and ".join(given) or "neither",
                "give exactly one of instance_fleets and instance_groups",
                "describe the cluster's instances with instance_fleets (recommended) or instance_groups",
            )

    def _check_applications(self, problems: ProblemCollector) -> None:
        names = [app.name for app in self.applications]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.add("applications", duplicates, "an application is listed twice", "list each application once")
        for index, app in enumerate(self.applications):
            reason = app.availability_problem(self.release_label)
            if reason:
                problems.add(f"applications[{index}]", app.name, reason, "pick a release that ships it or drop it")

    def _check_fleets(self, fleets: InstanceFleetsSpec, problems: ProblemCollector) -> None:
        self._gate(problems, "instance_fleets", "instance fleets", cap.INSTANCE_FLEETS)
        large = cap.LARGE_FLEETS.supported(self.release_label)
        supported = self.allocation_strategies_supported
        for role, fleet in fleets.named():
            path = f"instance_fleets.{role}"
            explicit = fleet.explicit_allocation_strategy
            if explicit is not None:
                field, strategy = explicit
                self._gate(problems, f"{path}.{field}.allocation_strategy", strategy, cap.FLEET_ALLOCATION_STRATEGY)
            with_strategy = fleet.uses_allocation_strategy(supported)
            if not with_strategy and len(fleet.instance_types) > cap.FLEET_TYPES_WITHOUT_STRATEGY:
                problems.add(
                    f"{path}.instance_types",
                    len(fleet.instance_types),
                    f"a fleet without an allocation strategy takes at most {cap.FLEET_TYPES_WITHOUT_STRATEGY} "
                    f"instance types ({cap.FLEET_TYPES_WITH_STRATEGY} with one)",
                    "add an on_demand or spot allocation strategy, or list fewer types",
                )
            limit = cap.FLEET_INSTANCES_LARGE if large else cap.FLEET_INSTANCES
            smallest_weight = min(t.weighted_capacity for t in fleet.instance_types)
            instances = -(-(fleet.target_on_demand + fleet.target_spot) // smallest_weight)
            if with_strategy and instances > limit:
                problems.add(
                    path,
                    instances,
                    f"the targets can need {instances} instances; a fleet takes at most {limit} "
                    f"on {self.release_label}",
                    "lower the targets or raise the weights",
                )
        self._check_primary_fleet(fleets.primary, problems)

    def _check_primary_fleet(self, primary: InstanceFleetSpec, problems: ProblemCollector) -> None:
        path = "instance_fleets.primary"
        targets = {"target_on_demand": primary.target_on_demand, "target_spot": primary.target_spot}
        set_targets = {name: value for name, value in targets.items() if value}
        if len(set_targets) != 1 or next(iter(set_targets.values())) not in (1, 3):
            problems.add(
                path,
                targets,
                "the primary fleet needs exactly one target set, to 1 (or 3 for three primaries)",
                "set target_on_demand: 1 (or target_spot: 1) and leave the other at 0",
            )
        for index, instance_type in enumerate(primary.instance_types):
            if instance_type.weighted_capacity != 1:
                problems.add(
                    f"{path}.instance_types[{index}].weighted_capacity",
                    instance_type.weighted_capacity,
                    "primary fleet instance types must have weighted capacity 1",
                    "remove weighted_capacity",
                )
        if primary.target_on_demand == 3 or primary.target_spot == 3:
            self._gate(problems, path, 3, cap.MULTI_PRIMARY_FLEETS)
            if primary.target_spot:
                problems.add(f"{path}.target_spot", 3, "three primaries must be on-demand", "use target_on_demand: 3")
            if len(primary.instance_types) != 1:
                problems.add(
                    f"{path}.instance_types",
                    len(primary.instance_types),
                    "three primaries take exactly one instance type",
                    "list one instance type",
                )

    def _check_groups(self, groups: InstanceGroupsSpec, problems: ProblemCollector) -> None:
        if groups.primary.instance_count not in (1, 3):
            problems.add(
                "instance_groups.primary.instance_count",
                groups.primary.instance_count,
                "the primary group has 1 instance (or 3 for three primaries)",
                "set instance_count: 1",
            )
        if groups.primary.instance_count == 3:
            self._gate(problems, "instance_groups.primary.instance_count", 3, cap.MULTI_PRIMARY_GROUPS)
        if groups.primary.auto_scaling is not None:
            problems.add(
                "instance_groups.primary.auto_scaling",
                "set",
                "the primary group cannot scale",
                "move auto_scaling to the core or task groups",
            )

    def _check_scaling(self, problems: ProblemCollector) -> None:
        scaling = self.managed_scaling
        if self.uses_custom_auto_scaling and scaling is not None:
            problems.add(
                "managed_scaling",
                "set",
                "managed scaling cannot be combined with custom automatic scaling rules",
                "remove managed_scaling or the instance groups' auto_scaling",
            )
        if scaling is None:
            return
        self._gate(problems, "managed_scaling", "managed scaling", cap.MANAGED_SCALING)
        if scaling.scaling_strategy is not None or scaling.utilization_performance_index is not None:
            self._gate(problems, "managed_scaling.scaling_strategy", scaling.scaling_strategy, cap.ADVANCED_SCALING)
        unit = self.scaling_unit_type
        if self.instance_fleets is not None and unit != "InstanceFleetUnits":
            problems.add(
                "managed_scaling.unit_type",
                unit,
                "instance fleets scale in InstanceFleetUnits",
                "set unit_type: InstanceFleetUnits or leave it out",
            )
        if self.instance_groups is not None and unit == "InstanceFleetUnits":
            problems.add(
                "managed_scaling.unit_type",
                unit,
                "instance groups scale in Instances or VCPU",
                "set unit_type: Instances (or VCPU)",
            )

    def _check_lifecycle(self, problems: ProblemCollector) -> None:
        if self.auto_termination_idle_seconds is not None:
            problems.check_range(
                "auto_termination_idle_seconds",
                self.auto_termination_idle_seconds,
                cap.IDLE_TIMEOUT_SECONDS,
                "auto-termination idle timeout (seconds)",
            )
            self._gate(
                problems,
                "auto_termination_idle_seconds",
                self.auto_termination_idle_seconds,
                cap.AUTO_TERMINATION,
            )
        problems.check_range("step_concurrency", self.step_concurrency, cap.STEP_CONCURRENCY_LEVEL, "step concurrency")
        if self.step_concurrency > 1:
            self._gate(problems, "step_concurrency", self.step_concurrency, cap.STEP_CONCURRENCY)

    def _check_root_volume(self, problems: ProblemCollector) -> None:
        volume = self.root_volume
        if volume is None:
            return
        default = cap.default_root_volume_gib(self.release_label)
        if volume.size_gib is not None:
            problems.check_range(
                "root_volume.size_gib",
                volume.size_gib,
                (default, cap.ROOT_VOLUME_MAX_GIB),
                f"root volume size on {self.release_label} (GiB)",
            )
        if volume.iops is not None or volume.throughput is not None:
            self._gate(problems, "root_volume", "iops/throughput", cap.ROOT_VOLUME_IOPS_THROUGHPUT)
        problems.check_range("root_volume.iops", volume.iops, cap.ROOT_VOLUME_IOPS, "root volume IOPS")
        problems.check_range(
            "root_volume.throughput",
            volume.throughput,
            cap.ROOT_VOLUME_THROUGHPUT,
            "root volume throughput (MiB/s)",
        )
        size = volume.size_gib or default
        if volume.iops is not None and volume.iops > size * cap.ROOT_VOLUME_IOPS_PER_GIB:
            problems.add(
                "root_volume.iops",
                volume.iops,
                f"IOPS may be at most {cap.ROOT_VOLUME_IOPS_PER_GIB} per GiB "
                f"({size * cap.ROOT_VOLUME_IOPS_PER_GIB} for {size} GiB)",
                "raise size_gib or lower iops",
            )
        iops = volume.iops or cap.ROOT_VOLUME_IOPS[0]
        if volume.throughput is not None and volume.throughput > iops * cap.ROOT_VOLUME_THROUGHPUT_PER_IOPS:
            problems.add(
                "root_volume.throughput",
                volume.throughput,
                "throughput may be at most 0.25 MiB/s per IOPS "
                f"({iops * cap.ROOT_VOLUME_THROUGHPUT_PER_IOPS:g} for {iops} IOPS)",
                "raise iops or lower throughput",
            )

    def _check_custom_ami(self, problems: ProblemCollector) -> None:
        if self.custom_ami_id is None:
            return
        types: list[tuple[str, str | None]] = []
        if self.instance_fleets is not None:
            shape = "fleets"
            types = [
                (t.instance_type, t.custom_ami_id) for _, f in self.instance_fleets.named() for t in f.instance_types
            ]
        elif self.instance_groups is not None:
            shape = "instance groups"
            groups = self.instance_groups
            types = [(g.instance_type, g.custom_ami_id) for g in (groups.primary, groups.core, *groups.tasks) if g]
        architectures = {"arm64" if is_graviton(name) else "x86_64" for name, ami in types if ami is None}
        if len(architectures) > 1:
            problems.add(
                "custom_ami_id",
                self.custom_ami_id,
                f"the {shape} mix Graviton (arm64) and x86_64 instance types, so one cluster-level AMI cannot "
                "boot them all",
                "set custom_ami_id per instance type instead, or use one architecture",
            )

    def _check_security(self, problems: ProblemCollector) -> None:
        security = self.security
        self._gate(problems, "security", "a security configuration", cap.SECURITY_CONFIGURATION)
        if security.imds is not None:
            self._gate(problems, "security.imds", "IMDS settings", cap.IMDS_CONFIGURATION)
        disk = security.local_disk_encryption
        if disk.ebs_encryption:
            self._gate(problems, "security.local_disk_encryption.ebs_encryption", True, cap.EBS_ENCRYPTION)
        if security.in_transit.certificate_provider == "EMR":
            self._gate(problems, "security.in_transit.certificate_provider", "EMR", cap.EMR_MANAGED_CERTIFICATES)
        kerberos = security.kerberos
        if kerberos is not None:
            self._gate(problems, "security.kerberos", kerberos.provider, cap.KERBEROS)
            for index, app in enumerate(self.applications):
                floor = identity.KERBERIZED.get(app.name)
                if floor is not None and self.release_label.version < floor:
                    problems.add(
                        f"applications[{index}]",
                        app.name,
                        f"EMR configures {app.name} for Kerberos from emr-{floor} only",
                        f"use emr-{floor} or later, or drop {app.name} (see {identity.KERBEROS_APPLICATIONS_SOURCE})",
                    )
            if kerberos.provider == "ExternalKdc":
                self._gate(problems, "security.kerberos.provider", "ExternalKdc", cap.EXTERNAL_KDC)
        if security.emrfs_role_mappings:
            self._gate(problems, "security.emrfs_role_mappings", "set", cap.EMRFS_ROLE_MAPPINGS)
        if security.runtime_roles is not None:
            self._gate(problems, "security.runtime_roles", "set", cap.RUNTIME_ROLES)
            if self.multi_primary:
                problems.add(
                    "security.runtime_roles",
                    "set",
                    "EMR does not support runtime roles on clusters with three primary nodes",
                    "use one primary node, or run without runtime roles",
                )
        if security.lake_formation is not None:
            self._gate(problems, "security.lake_formation", "set", cap.LAKE_FORMATION)
        if security.hbase_wal_encryption:
            self._gate(problems, "security.hbase_wal_encryption", True, cap.HBASE_WAL_ENCRYPTION)
            if "HBase" not in {app.name for app in self.applications}:
                problems.add(
                    "security.hbase_wal_encryption",
                    True,
                    "the EMR WAL belongs to HBase, which is not installed",
                    "add HBase to applications or remove hbase_wal_encryption",
                )

    def _check_data_lake(self, problems: ProblemCollector) -> None:
        installed = {app.name for app in self.applications}
        for preset in self.presets:
            needed = lake.PRESET_APPLICATIONS[preset]
            if not installed & needed.any_of or not needed.all_of <= installed:
                wanted = sorted(needed.all_of) or sorted(needed.any_of)
                joiner = " and " if needed.all_of else " or "
                problems.add(
                    "data_lake.presets",
                    preset,
                    f"preset {preset} needs {joiner.join(wanted)} in applications",
                    f"add {joiner.join(wanted)} to applications or remove the preset",
                )
        formats = self.data_lake.table_formats
        chosen = [
            (name, capability)
            for name, capability, on in (
                ("iceberg", cap.ICEBERG, formats.iceberg is not None),
                ("delta", cap.DELTA, formats.delta),
                ("hudi", cap.HUDI, formats.hudi),
            )
            if on
        ]
        for name, capability in chosen:
            self._gate(problems, f"data_lake.table_formats.{name}", True, capability)
        if chosen and "Spark" not in installed:
            problems.add(
                "data_lake.table_formats",
                [n for n, _ in chosen],
                "the table formats are configured for Spark",
                "add Spark to applications",
            )
        if formats.delta and formats.hudi:
            problems.add(
                "data_lake.table_formats",
                "delta and hudi",
                "Delta Lake and Hudi both install their catalog as Spark's spark_catalog",
                "choose one of them (Iceberg uses a catalog of its own and combines)",
            )

    def _check_node_metrics(self, problems: ProblemCollector) -> None:
        metrics = self.node_metrics
        if metrics is None:
            return
        if not cap.CLOUDWATCH_AGENT.supported(self.release_label):
            self._gate(problems, "node_metrics", "a bootstrap-installed agent", cap.NODE_AGENT_BOOTSTRAP)
        if metrics.needs_configuration_api and not cap.CLOUDWATCH_AGENT_CONFIGURATION.supported(self.release_label):
            changed = [
                name
                for name, on in (
                    ("application_metrics", bool(metrics.application_metrics)),
                    ("prometheus_endpoint", metrics.prometheus_endpoint is not None),
                    ("system_metrics", not metrics.system_metrics),
                )
                if on
            ]
            problems.add(
                f"node_metrics.{changed[0]}",
                changed,
                f"{cap.CLOUDWATCH_AGENT_CONFIGURATION.name} needs "
                f"{cap.CLOUDWATCH_AGENT_CONFIGURATION.requirement()}; on {self.release_label} the agent publishes its "
                "default system metrics only",
                f"use emr-7.1.0 or later, or remove {', '.join(changed)} "
                f"(see {cap.CLOUDWATCH_AGENT_CONFIGURATION.source})",
            )
        if self.node_agent_bootstrap and len(self.bootstrap_actions) >= MAX_BOOTSTRAP_ACTIONS:
            problems.add(
                "bootstrap_actions",
                len(self.bootstrap_actions),
                f"node metrics below emr-7.0.0 add the agent's bootstrap action, and EMR runs at most "
                f"{MAX_BOOTSTRAP_ACTIONS}",
                f"list at most {MAX_BOOTSTRAP_ACTIONS - 1} bootstrap actions, or use emr-7.0.0+ (EMR's own agent)",
            )
        for index, action in enumerate(self.bootstrap_actions):
            if self.node_agent_bootstrap and action.name == AGENT_BOOTSTRAP_ACTION:
                problems.add(
                    f"bootstrap_actions[{index}].name",
                    action.name,
                    "this name is reserved for the node metrics agent's bootstrap action",
                    "rename the bootstrap action",
                )
        installed = {app.name for app in self.applications}
        for daemon, application in metrics.required_applications().items():
            if application not in installed:
                problems.add(
                    f"node_metrics.application_metrics.{daemon}",
                    daemon,
                    f"{daemon} metrics come from {application}, which is not installed",
                    f"add {application} to applications or remove {daemon}",
                )

    def _check_monitoring(self, problems: ProblemCollector) -> None:
        logs = self.monitoring.logs if self.monitoring is not None else None
        if logs is not None:
            self._gate(problems, "monitoring.logs", "CloudWatch Logs", cap.CLOUDWATCH_LOGS_DELIVERY)

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
        idle_seconds = self.auto_termination_idle_seconds
        if self.monitoring is None or idle_seconds is None:
            return
        enabled, _, minutes = self.monitoring.alarm("idle")
        if enabled and minutes * 60 >= idle_seconds:
            problems.add(
                f"{path}.monitoring.alarms.idle.minutes",
                minutes,
                f"the idle alarm can never fire: the cluster terminates itself after {idle_seconds // 60} idle "
                "minutes (auto_termination_idle_seconds)",
                "set monitoring.alarms.idle.enabled: false (auto-termination already ends idle time), or "
                f"minutes below {idle_seconds // 60}",
            )

    def stack_managed_warnings(self) -> list[tuple[str, str]]:
        """Advice for a cluster that a CloudFormation stack keeps (``EmrCluster``), not a transient job flow."""
        if self.auto_termination_idle_seconds is None or not self.keep_alive_when_no_steps:
            return []
        return [
            (
                "stack-managed-auto-termination",
                f"cluster {self.name} terminates itself after {self.auto_termination_idle_seconds // 60} idle minutes, "
                "but its stack keeps the terminated cluster: new steps and in-place updates then fail, and a deploy "
                f"does not bring it back. To bring it back, raise generation to {self.generation + 1} in the config "
                "and run make deploy (the cluster is replaced). For work that should not keep a cluster, use a "
                "transient job flow",
            )
        ]

    def _identity_warnings(self) -> list[tuple[str, str]]:
        installed = {app.name for app in self.applications}
        found = []
        if self.security.kerberos is not None:
            outside = identity.unkerberized_applications(installed)
            if outside:
                found.append(
                    (
                        "kerberos-unsupported-application",
                        f"cluster {self.name}: EMR does not configure {', '.join(outside)} for Kerberos; they may fail "
                        f"to talk to the Kerberized services ({identity.KERBEROS_APPLICATIONS_SOURCE})",
                    )
                )
        if self.security.runtime_roles is not None:
            direct = [
                identity.DIRECT_ENTRY_POINTS[name] for name in sorted(installed & set(identity.DIRECT_ENTRY_POINTS))
            ]
            if direct:
                found.append(
                    (
                        "runtime-roles-direct-sessions",
                        f"cluster {self.name}: {', '.join(direct)} run as the EC2 instance profile, not a runtime role;"
                        " with runtime roles it has only the data access granted with instance_role: true "
                        f"({identity.RUNTIME_ROLES_SOURCE})",
                    )
                )
        return found

    def warnings(self) -> list[tuple[str, str]]:
        """Advice that is not an error, as (stable id, message) pairs."""
        found: list[tuple[str, str]] = []
        if self.release_label.version > cap.NEWEST_KNOWN:
            found.append(
                (
                    "release-newer-than-table",
                    f"{self.release_label} is newer than the capability table (emr-{cap.NEWEST_KNOWN}, as of "
                    f"{cap.AS_OF}); release gates assume it has every feature the table knows",
                )
            )
        if self.managed_scaling is not None:
            unscaled = sorted({a.name for a in self.applications} & NOT_YARN_SCALED)
            if unscaled:
                found.append(
                    (
                        "managed-scaling-not-yarn",
                        f"managed scaling reads YARN metrics only; {', '.join(unscaled)} load does not drive it",
                    )
                )
        if self.security.kerberos_waiver is not None:
            found.append(
                (
                    "kerberos-waived",
                    f"cluster {self.name} runs without Kerberos: {self.security.kerberos_waiver.reason}",
                )
            )
        if self.security.lake_formation is not None:
            others = sorted(
                {a.name for a in self.applications}
                - {"Spark", "Hadoop", "Hive", "Livy", "JupyterEnterpriseGateway", "Tez"}
            )
            if others:
                found.append(
                    (
                        "lake-formation-spark-only",
                        f"Lake Formation access control on EMR on EC2 applies to Spark jobs; {', '.join(others)} "
                        "read data without it",
                    )
                )
        found.extend(self._identity_warnings())
        for app in self.applications:
            if not app.known:
                found.append(
                    (
                        "unknown-application",
                        f"application {app.name!r} is not in the known list; check its spelling",
                    )
                )
        return found
