"""The app-level configuration read from ``config/<env>.yaml`` and ``load_config``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from emr_constructs.spec import aws_data
from emr_constructs.spec.app_checks import check_names, check_network, check_resource_arns
from emr_constructs.spec.application_identity import RUNTIME_ROLES_SOURCE, instance_profile_applications
from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.baseline import AccountBaselineSpec
from emr_constructs.spec.cluster import ClusterSpec
from emr_constructs.spec.eks import VirtualClusterSpec
from emr_constructs.spec.eks_checks import check_eks
from emr_constructs.spec.eks_jobs import EksJobSpec
from emr_constructs.spec.loading import PROJECT_ROOT, find_project_root, read_yaml, validate_all
from emr_constructs.spec.messages import validation_messages
from emr_constructs.spec.network import ExistingNetworkSpec, NetworkSpec, zone_problems
from emr_constructs.spec.problems import ConfigError, ProblemCollector
from emr_constructs.spec.schedule import checked_schedule
from emr_constructs.spec.serverless import ServerlessApplicationSpec
from emr_constructs.spec.serverless_checks import check_serverless, check_studio
from emr_constructs.spec.serverless_jobs import ServerlessJobSpec
from emr_constructs.spec.studio import StudioSpec

__all__ = ["ExistingNetworkSpec", "NetworkSpec", "validation_messages"]


class IamSpec(SpecModel):
    """Enterprise IAM settings. Default: no role-name prefix, no permissions boundary."""

    role_name_prefix: str | None = Field(default=None, pattern=r"^[\w+=,.@-]{1,32}$")
    permissions_boundary_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/")


class LoggingSpec(SpecModel):
    """S3 log retention. Default: logs move to Standard-IA after 30 days and expire after 365."""

    retention_days: int = Field(default=365, ge=1)
    infrequent_access_after_days: int = Field(default=30, ge=30)

    @model_validator(mode="after")
    def _check(self) -> LoggingSpec:
        if self.infrequent_access_after_days >= self.retention_days:
            problems = ProblemCollector(self)
            problems.add(
                "infrequent_access_after_days",
                self.infrequent_access_after_days,
                f"logs would expire ({self.retention_days} days) before moving to Standard-IA",
                "make infrequent_access_after_days smaller than retention_days",
            )
            problems.raise_if_any()
        return self


class DataAccessSpec(SpecModel):
    """One cluster's access to a data bucket: ``read`` or ``read_write`` on ``prefix`` (default: the whole bucket).

    With runtime roles (or Lake Formation), ``runtime_roles`` names the roles that get the access; otherwise the
    cluster's instance role gets it. ``instance_role: true`` (default false) grants the instance role too on a
    cluster with runtime roles, for the applications that act as the EC2 instance profile there (Trino, Presto,
    HBase, Flink, and HiveServer2, Livy or Jupyter Enterprise Gateway reached outside steps and EMR Studio); the
    instance role then also gets the cluster's Glue Data Catalog access.
    """

    cluster: str
    prefix: str = Field(default="", pattern=r"^([A-Za-z0-9!_.*'()-]+/)*$")
    access: Literal["read", "read_write"] = "read"
    runtime_roles: tuple[str, ...] = ()
    instance_role: bool = False


class DataBucketSpec(SpecModel):
    """A data bucket in the stateful stack: KMS (the S3 data key), TLS-only, versioned, access-logged, RETAIN.

    Its name is fixed: ``emr-constructs-<environment>-<name>-<account>-<region>``.
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,19}$")
    access: tuple[DataAccessSpec, ...] = ()


class GlueDatabaseSpec(SpecModel):
    """A Glue database created (and retained) by the stateful stack."""

    name: str = Field(pattern=r"^[a-z0-9_]{1,255}$")
    description: str | None = Field(default=None, max_length=2048)


def data_bucket_name(environment: str, account: str, region: str, name: str) -> str:
    """The fixed physical name of a data bucket."""
    return f"emr-constructs-{environment}-{name}-{account}-{region}"


#: RunJobFlow fields newer than what Step Functions documents for its EMR integrations ("Create and manage Amazon
#: EMR clusters with Step Functions" lists no supported fields, and Step Functions has rejected newer ones before:
#: aws-cdk#17452, "The field AutoTerminationPolicy is not supported by Step Functions"). A job flow leaves them out
#: unless asked; EMR's defaults then apply.
NEWER_REQUEST_FIELDS = ("MonitoringConfiguration", "Instances.UnhealthyNodeReplacement")


def newer_fields_problem(cluster: ClusterSpec, allowed: bool) -> str | None:
    """Why a job flow's cluster needs the newer request fields that it may not send, or None."""
    if cluster.cloudwatch_logs is not None and not allowed:
        return (
            "CloudWatch Logs delivery travels in MonitoringConfiguration, a RunJobFlow field that Step Functions' "
            "documentation does not confirm for its EMR integrations; a job flow sends it only when asked"
        )
    return None


class JobFlowSpec(SpecModel):
    """A transient job flow: Step Functions creates ``cluster``, runs its ``steps``, terminates it and reports.

    ``schedule`` is an EventBridge expression (``cron(0 3 * * ? *)`` or ``rate(1 day)``); default: none (start
    executions yourself). The cluster's name names the job flow; it needs at least one step.
    ``newer_request_fields`` (default false) sends the RunJobFlow fields that Step Functions' documentation does
    not confirm for its EMR integrations (``NEWER_REQUEST_FIELDS``); ``monitoring.logs`` needs them.
    """

    cluster: ClusterSpec
    schedule: str | None = Field(default=None, max_length=256)
    newer_request_fields: bool = False

    _schedule = field_validator("schedule")(checked_schedule)

    @model_validator(mode="after")
    def _check(self) -> JobFlowSpec:
        problems = ProblemCollector(self)
        if not self.cluster.steps:
            problems.add("cluster.steps", [], "a job flow runs steps and has none", "add at least one step")
        problem = newer_fields_problem(self.cluster, self.newer_request_fields)
        if problem is not None:
            problems.add("cluster.monitoring.logs", "set", problem, "set newer_request_fields: true on the job flow")
        monitoring = self.cluster.monitoring
        extra = sorted(monitoring.model_fields_set - {"logs"}) if monitoring is not None else []
        if extra:
            problems.add(
                f"cluster.monitoring.{extra[0]}",
                extra,
                "alarms, dashboards and notifications are for long-running clusters; a job flow's cluster exists "
                "only during an execution and reports its outcome to the job flow's topic",
                "keep only monitoring.logs on a job flow's cluster and subscribe to the job flow's topic",
            )
        problems.raise_if_any()
        return self


class AppConfig(SpecModel):
    """One deployment environment: where it goes, its network, IAM and logging settings, and its clusters."""

    environment: str = Field(pattern=r"^[a-z][a-z0-9-]{0,19}$")
    account: str = Field(pattern=r"^\d{12}$")
    region: str
    availability_zones: tuple[str, ...] = Field(min_length=1, max_length=6)
    bootstrap_qualifier: str = Field(default="hnb659fds", pattern=r"^[a-z0-9]{1,10}$")
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    iam: IamSpec = Field(default_factory=IamSpec)
    logging: LoggingSpec = Field(default_factory=LoggingSpec)
    account_baseline: AccountBaselineSpec = Field(default_factory=AccountBaselineSpec)
    data_buckets: tuple[DataBucketSpec, ...] = ()
    glue_databases: tuple[GlueDatabaseSpec, ...] = ()
    job_flows: tuple[JobFlowSpec, ...] = ()
    clusters: tuple[ClusterSpec, ...] = ()
    serverless_applications: tuple[ServerlessApplicationSpec, ...] = ()
    serverless_jobs: tuple[ServerlessJobSpec, ...] = ()
    studio: StudioSpec | None = None
    virtual_clusters: tuple[VirtualClusterSpec, ...] = ()
    eks_jobs: tuple[EksJobSpec, ...] = ()
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if aws_data.partition_of(value) is None:
            near = aws_data.closest(value, list(aws_data.emr_regions()))
            hint = (
                f"did you mean {' or '.join(repr(n) for n in near)}?"
                if near
                else "use a region code such as 'eu-west-1'"
            )
            source = f"botocore {aws_data.botocore_version()} endpoint data"
            raise ValueError(f"is not an AWS region where EMR runs ({source}). Fix: {hint}")
        return value

    @model_validator(mode="after")
    def _check(self) -> AppConfig:
        problems = ProblemCollector(self)
        if not (self.clusters or self.job_flows or self.serverless_applications or self.virtual_clusters):
            problems.add(
                "clusters",
                [],
                "the config deploys nothing: no cluster, job flow, serverless application or virtual cluster",
                "declare at least one under clusters, job_flows, serverless_applications or virtual_clusters",
            )
        problems.problems.extend(zone_problems(self.region, list(self.availability_zones)))
        check_network(self, problems)
        check_names(self, problems)
        check_resource_arns(self, problems)
        for index, cluster in enumerate(self.clusters):
            cluster.idle_alarm_problem(problems, f"clusters[{index}]")
        names = [c.name for c in self.clusters]
        for index, name in enumerate(names):
            if names.index(name) != index:
                problems.add(f"clusters[{index}].name", name, "two clusters share a name", "give each a unique name")
        for index, flow in enumerate(self.job_flows):
            if flow.cluster.name in names:
                problems.add(
                    f"job_flows[{index}].cluster.name",
                    flow.cluster.name,
                    "a cluster or job flow has this name already",
                    "give each cluster and job flow a unique name",
                )
            names.append(flow.cluster.name)
        self._check_data(problems)
        check_serverless(self, problems)
        check_studio(self, problems)
        check_eks(self, problems)
        problems.raise_if_any()
        return self

    def bucket_name(self, name: str) -> str:
        return data_bucket_name(self.environment, self.account, self.region, name)

    def stack_name(self, name: str) -> str:
        """The stack of a cluster or job flow (``stateful`` and ``account-baseline`` for the app's own)."""
        return f"emr-{self.environment}-{name}"

    def dashboard_name(self, cluster_name: str) -> str:
        return f"emr-{self.environment}-{cluster_name}"

    def log_group_name(self, cluster_name: str) -> str:
        """The CloudWatch log group of a cluster's step and application logs."""
        return f"/aws/emr/{self.environment}/{cluster_name}"

    def role_name_prefix(self, cluster_name: str) -> str | None:
        """``<iam.role_name_prefix>-<cluster>`` when the config fixes role names, else None (generated names)."""
        prefix = self.iam.role_name_prefix
        return f"{prefix}-{cluster_name}" if prefix else None

    def _check_instance_profile_applications(self, problems: ProblemCollector) -> None:
        """With runtime roles the instance role has no data access unless granted; applications acting as the
        instance profile could then read nothing (``application_identity``)."""
        granted = {e.cluster for bucket in self.data_buckets for e in bucket.access if e.instance_role}
        for index, cluster in enumerate(self.clusters):
            if cluster.security.runtime_roles is None or cluster.name in granted:
                continue
            apps = instance_profile_applications({app.name for app in cluster.applications})
            if apps:
                problems.add(
                    f"clusters[{index}].applications",
                    apps,
                    f"{', '.join(apps)} do not use runtime roles: they read data as the EC2 instance profile, which "
                    f"has no data access on a cluster with runtime roles ({RUNTIME_ROLES_SOURCE})",
                    "grant the instance role what they read with instance_role: true on data_buckets access entries "
                    "of this cluster, or run them on a cluster without runtime roles",
                )

    def _check_data(self, problems: ProblemCollector) -> None:
        clusters = {c.name: c for c in (*self.clusters, *(flow.cluster for flow in self.job_flows))}
        applications = {app.name for app in self.serverless_applications}
        applications |= {cluster.name for cluster in self.virtual_clusters}
        bucket_names = [b.name for b in self.data_buckets]
        for index, bucket in enumerate(self.data_buckets):
            if bucket_names.index(bucket.name) != index:
                problems.add(f"data_buckets[{index}].name", bucket.name, "two buckets share a name", "rename one")
            physical = self.bucket_name(bucket.name)
            if len(physical) > 63:
                problems.add(
                    f"data_buckets[{index}].name",
                    bucket.name,
                    f"the bucket name {physical!r} exceeds S3's 63 characters",
                    "use a shorter name",
                )
            for entry_index, entry in enumerate(bucket.access):
                path = f"data_buckets[{index}].access[{entry_index}]"
                cluster = clusters.get(entry.cluster)
                if cluster is None:
                    if entry.cluster not in applications:
                        problems.add(
                            f"{path}.cluster",
                            entry.cluster,
                            "no cluster, serverless application or virtual cluster has this name",
                            f"use one of {sorted({*clusters, *applications})}",
                        )
                    continue
                runtime = cluster.security.runtime_roles
                known = {r.name for r in runtime.roles} if runtime is not None else set()
                for role in entry.runtime_roles:
                    if role not in known:
                        problems.add(
                            f"{path}.runtime_roles",
                            role,
                            f"cluster {cluster.name} has no such runtime role",
                            f"use one of {sorted(known)}" if known else "declare it under security.runtime_roles",
                        )
                if cluster.security.application_scoped_roles and not (entry.runtime_roles or entry.instance_role):
                    problems.add(
                        f"{path}.runtime_roles",
                        [],
                        f"cluster {cluster.name} uses runtime roles or Lake Formation: "
                        "data access belongs to runtime roles, not the instance role",
                        "name the runtime roles that get this access (instance_role: true adds the instance role "
                        "for applications that act as the instance profile)",
                    )
        self._check_instance_profile_applications(problems)
        databases = [database.name for database in self.glue_databases]
        for index, name in enumerate(databases):
            if databases.index(name) != index:
                problems.add(f"glue_databases[{index}].name", name, "two Glue databases share a name", "list each once")
        declared = {self.bucket_name(b.name) for b in self.data_buckets}
        for index, cluster in enumerate(self.clusters):
            for path, uri in _data_lake_locations(cluster):
                location_bucket = uri.removeprefix("s3://").split("/", 1)[0]
                if location_bucket not in declared:
                    problems.add(
                        f"clusters[{index}].{path}",
                        uri,
                        "the location is not in a data bucket of this config",
                        f"declare the bucket under data_buckets (names are {self.bucket_name('<name>')})",
                    )


def _data_lake_locations(cluster: ClusterSpec) -> list[tuple[str, str]]:
    lake = cluster.data_lake
    found = []
    if lake.table_formats.iceberg is not None:
        found.append(("data_lake.table_formats.iceberg.warehouse", lake.table_formats.iceberg.warehouse))
    if lake.hbase is not None:
        found.append(("data_lake.hbase.root_dir", lake.hbase.root_dir))
    return found


def load_config(path: str | Path, *, project_root: str | Path | None = None) -> AppConfig:
    """Read and validate one environment's YAML; raises ``ConfigError`` listing every problem.

    Local files the config names must lie inside ``project_root`` (default: the directory holding ``cdk.json``
    above the config file, else above the working directory); relative paths are taken from there.
    """
    source = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(
            source, ["the file must hold a mapping of settings at the top level. Fix: start from config/dev.yaml"]
        )
    root = Path(project_root).resolve() if project_root is not None else find_project_root(path)
    return validate_all(AppConfig, raw, source=source, context={PROJECT_ROOT: root})


def parse_cluster(data: dict[str, Any], source: str = "cluster spec") -> ClusterSpec:
    """Validate one cluster's settings (as in a config's ``clusters`` list) into a ``ClusterSpec``."""
    return validate_all(ClusterSpec, data, source=source)
