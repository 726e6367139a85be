"""The checks of one ``ClusterSpec`` (called from its validator): shape, applications, fleets and groups, scaling,
lifecycle, volumes, AMI, security, data lake, node metrics and monitoring, each against the release it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emr_constructs.spec import application_identity as identity
from emr_constructs.spec import capabilities as cap
from emr_constructs.spec import datalake_configurations as lake
from emr_constructs.spec.fleets import InstanceFleetSpec, is_graviton
from emr_constructs.spec.problems import ProblemCollector

if TYPE_CHECKING:
    from emr_constructs.spec.cluster import ClusterSpec, InstanceFleetsSpec, InstanceGroupsSpec


def gate(spec: ClusterSpec, problems: ProblemCollector, path: str, value: Any, capability: cap.Capability) -> None:
    if not capability.supported(spec.release_label):
        problems.add(
            path,
            value,
            f"{capability.name} needs {capability.requirement()}, not {spec.release_label}",
            f"use a release that supports it or remove {path} (see {capability.source})",
        )


def check_shape(spec: ClusterSpec, problems: ProblemCollector) -> None:
    if (spec.instance_fleets is None) == (spec.instance_groups is None):
        given = [name for name in ("instance_fleets", "instance_groups") if getattr(spec, name) is not None]
        problems.add(
            "instance_fleets",
            " and ".join(given) or "neither",
            "give exactly one of instance_fleets and instance_groups",
            "describe the cluster's instances with instance_fleets (recommended) or instance_groups",
        )


def check_applications(spec: ClusterSpec, problems: ProblemCollector) -> None:
    names = [app.name for app in spec.applications]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.add("applications", duplicates, "an application is listed twice", "list each application once")
    for index, app in enumerate(spec.applications):
        reason = app.availability_problem(spec.release_label)
        if reason:
            problems.add(f"applications[{index}]", app.name, reason, "pick a release that ships it or drop it")


def check_fleets(spec: ClusterSpec, fleets: InstanceFleetsSpec, problems: ProblemCollector) -> None:
    gate(spec, problems, "instance_fleets", "instance fleets", cap.INSTANCE_FLEETS)
    large = cap.LARGE_FLEETS.supported(spec.release_label)
    supported = spec.allocation_strategies_supported
    for role, fleet in fleets.named():
        path = f"instance_fleets.{role}"
        explicit = fleet.explicit_allocation_strategy
        if explicit is not None:
            field, strategy = explicit
            gate(spec, problems, f"{path}.{field}.allocation_strategy", strategy, cap.FLEET_ALLOCATION_STRATEGY)
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
                f"the targets can need {instances} instances; a fleet takes at most {limit} on {spec.release_label}",
                "lower the targets or raise the weights",
            )
    check_primary_fleet(spec, fleets.primary, problems)


def check_primary_fleet(spec: ClusterSpec, primary: InstanceFleetSpec, problems: ProblemCollector) -> None:
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
        gate(spec, problems, path, 3, cap.MULTI_PRIMARY_FLEETS)
        if primary.target_spot:
            problems.add(f"{path}.target_spot", 3, "three primaries must be on-demand", "use target_on_demand: 3")
        if len(primary.instance_types) != 1:
            problems.add(
                f"{path}.instance_types",
                len(primary.instance_types),
                "three primaries take exactly one instance type",
                "list one instance type",
            )


def check_groups(spec: ClusterSpec, groups: InstanceGroupsSpec, problems: ProblemCollector) -> None:
    if groups.primary.instance_count not in (1, 3):
        problems.add(
            "instance_groups.primary.instance_count",
            groups.primary.instance_count,
            "the primary group has 1 instance (or 3 for three primaries)",
            "set instance_count: 1",
        )
    if groups.primary.instance_count == 3:
        gate(spec, problems, "instance_groups.primary.instance_count", 3, cap.MULTI_PRIMARY_GROUPS)
    if groups.primary.auto_scaling is not None:
        problems.add(
            "instance_groups.primary.auto_scaling",
            "set",
            "the primary group cannot scale",
            "move auto_scaling to the core or task groups",
        )


def check_scaling(spec: ClusterSpec, problems: ProblemCollector) -> None:
    scaling = spec.managed_scaling
    if spec.uses_custom_auto_scaling and scaling is not None:
        problems.add(
            "managed_scaling",
            "set",
            "managed scaling cannot be combined with custom automatic scaling rules",
            "remove managed_scaling or the instance groups' auto_scaling",
        )
    if scaling is None:
        return
    gate(spec, problems, "managed_scaling", "managed scaling", cap.MANAGED_SCALING)
    if scaling.scaling_strategy is not None or scaling.utilization_performance_index is not None:
        gate(spec, problems, "managed_scaling.scaling_strategy", scaling.scaling_strategy, cap.ADVANCED_SCALING)
    unit = spec.scaling_unit_type
    if spec.instance_fleets is not None and unit != "InstanceFleetUnits":
        problems.add(
            "managed_scaling.unit_type",
            unit,
            "instance fleets scale in InstanceFleetUnits",
            "set unit_type: InstanceFleetUnits or leave it out",
        )
    if spec.instance_groups is not None and unit == "InstanceFleetUnits":
        problems.add(
            "managed_scaling.unit_type",
            unit,
            "instance groups scale in Instances or VCPU",
            "set unit_type: Instances (or VCPU)",
        )


def check_lifecycle(spec: ClusterSpec, problems: ProblemCollector) -> None:
    if spec.auto_termination_idle_seconds is not None:
        problems.check_range(
            "auto_termination_idle_seconds",
            spec.auto_termination_idle_seconds,
            cap.IDLE_TIMEOUT_SECONDS,
            "auto-termination idle timeout (seconds)",
        )
        gate(
            spec,
            problems,
            "auto_termination_idle_seconds",
            spec.auto_termination_idle_seconds,
            cap.AUTO_TERMINATION,
        )
    problems.check_range("step_concurrency", spec.step_concurrency, cap.STEP_CONCURRENCY_LEVEL, "step concurrency")
    if spec.step_concurrency > 1:
        gate(spec, problems, "step_concurrency", spec.step_concurrency, cap.STEP_CONCURRENCY)


def check_root_volume(spec: ClusterSpec, problems: ProblemCollector) -> None:
    volume = spec.root_volume
    if volume is None:
        return
    default = cap.default_root_volume_gib(spec.release_label)
    if volume.size_gib is not None:
        problems.check_range(
            "root_volume.size_gib",
            volume.size_gib,
            (default, cap.ROOT_VOLUME_MAX_GIB),
            f"root volume size on {spec.release_label} (GiB)",
        )
    if volume.iops is not None or volume.throughput is not None:
        gate(spec, problems, "root_volume", "iops/throughput", cap.ROOT_VOLUME_IOPS_THROUGHPUT)
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


def check_custom_ami(spec: ClusterSpec, problems: ProblemCollector) -> None:
    if spec.custom_ami_id is None:
        return
    types: list[tuple[str, str | None]] = []
    if spec.instance_fleets is not None:
        shape = "fleets"
        types = [(t.instance_type, t.custom_ami_id) for _, f in spec.instance_fleets.named() for t in f.instance_types]
    elif spec.instance_groups is not None:
        shape = "instance groups"
        groups = spec.instance_groups
        types = [(g.instance_type, g.custom_ami_id) for g in (groups.primary, groups.core, *groups.tasks) if g]
    architectures = {"arm64" if is_graviton(name) else "x86_64" for name, ami in types if ami is None}
    if len(architectures) > 1:
        problems.add(
            "custom_ami_id",
            spec.custom_ami_id,
            f"the {shape} mix Graviton (arm64) and x86_64 instance types, so one cluster-level AMI cannot "
            "boot them all",
            "set custom_ami_id per instance type instead, or use one architecture",
        )


def check_security(spec: ClusterSpec, problems: ProblemCollector) -> None:
    security = spec.security
    gate(spec, problems, "security", "a security configuration", cap.SECURITY_CONFIGURATION)
    if security.imds is not None:
        gate(spec, problems, "security.imds", "IMDS settings", cap.IMDS_CONFIGURATION)
    disk = security.local_disk_encryption
    if disk.ebs_encryption:
        gate(spec, problems, "security.local_disk_encryption.ebs_encryption", True, cap.EBS_ENCRYPTION)
    if security.in_transit.certificate_provider == "EMR":
        gate(spec, problems, "security.in_transit.certificate_provider", "EMR", cap.EMR_MANAGED_CERTIFICATES)
    kerberos = security.kerberos
    if kerberos is not None:
        gate(spec, problems, "security.kerberos", kerberos.provider, cap.KERBEROS)
        for index, app in enumerate(spec.applications):
            floor = identity.KERBERIZED.get(app.name)
            if floor is not None and spec.release_label.version < floor:
                problems.add(
                    f"applications[{index}]",
                    app.name,
                    f"EMR configures {app.name} for Kerberos from emr-{floor} only",
                    f"use emr-{floor} or later, or drop {app.name} (see {identity.KERBEROS_APPLICATIONS_SOURCE})",
                )
        if kerberos.provider == "ExternalKdc":
            gate(spec, problems, "security.kerberos.provider", "ExternalKdc", cap.EXTERNAL_KDC)
    if security.emrfs_role_mappings:
        gate(spec, problems, "security.emrfs_role_mappings", "set", cap.EMRFS_ROLE_MAPPINGS)
    if security.runtime_roles is not None:
        gate(spec, problems, "security.runtime_roles", "set", cap.RUNTIME_ROLES)
        if spec.multi_primary:
            problems.add(
                "security.runtime_roles",
                "set",
                "EMR does not support runtime roles on clusters with three primary nodes",
                "use one primary node, or run without runtime roles",
            )
    if security.lake_formation is not None:
        gate(spec, problems, "security.lake_formation", "set", cap.LAKE_FORMATION)
    if security.hbase_wal_encryption:
        gate(spec, problems, "security.hbase_wal_encryption", True, cap.HBASE_WAL_ENCRYPTION)
        if "HBase" not in {app.name for app in spec.applications}:
            problems.add(
                "security.hbase_wal_encryption",
                True,
                "the EMR WAL belongs to HBase, which is not installed",
                "add HBase to applications or remove hbase_wal_encryption",
            )


def check_data_lake(spec: ClusterSpec, problems: ProblemCollector) -> None:
    installed = {app.name for app in spec.applications}
    for preset in spec.presets:
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
    formats = spec.data_lake.table_formats
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
        gate(spec, problems, f"data_lake.table_formats.{name}", True, capability)
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
