"""The one table of release-gated EMR features and numeric limits, each with the page it came from.

A feature is available on a release when the release is listed in ``also`` or when, for the release's major
line, it is at least that line's minimum; major lines above every listed one have the feature, lines below
do not. ``AS_OF`` dates the table; releases newer than ``NEWEST_KNOWN`` are accepted with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from emr_constructs.spec.release import ReleaseLabel, Version

AS_OF = "2026-08"
NEWEST_KNOWN = Version(7, 13, 0)  # emr-standard-support.html: 7.13 released 2026-04-21

MGMT = "https://docs.aws.amazon.com/emr/latest/ManagementGuide/"
RELEASE = "https://docs.aws.amazon.com/emr/latest/ReleaseGuide/"


@dataclass(frozen=True)
class Capability:
    """A feature and the releases that have it."""

    name: str
    minimum_per_major: dict[int, Version]
    source: str
    also: frozenset[Version] = field(default_factory=frozenset)
    excluded: frozenset[Version] = field(default_factory=frozenset)

    def supported(self, release: ReleaseLabel) -> bool:
        version = release.version
        if version in self.excluded:
            return False
        if version in self.also:
            return True
        majors = sorted(self.minimum_per_major)
        if version.major in self.minimum_per_major:
            return version >= self.minimum_per_major[version.major]
        return version.major > majors[-1]

    def requirement(self) -> str:
        """Human text such as 'emr-5.30.0+ or emr-6.1.0+'."""
        parts = [f"emr-{v}+" for _, v in sorted(self.minimum_per_major.items())]
        if self.also:
            parts = [f"emr-{v}" for v in sorted(self.also)] + parts
        text = " or ".join(parts)
        if self.excluded:
            text += " (not " + ", ".join(f"emr-{v}" for v in sorted(self.excluded)) + ")"
        return text


def _v(text: str) -> Version:
    return Version.parse(text)


INSTANCE_FLEETS = Capability("instance fleets", {4: _v("4.8.0"), 5: _v("5.1.0")}, MGMT + "emr-instance-fleet.html")
FLEET_ALLOCATION_STRATEGY = Capability(
    "instance fleet allocation strategies", {5: _v("5.12.1")}, MGMT + "emr-instance-fleet.html"
)
MANAGED_SCALING = Capability(
    "managed scaling",
    {5: _v("5.30.0"), 6: _v("6.1.0")},
    MGMT + "emr-managed-scaling.html",
)
ADVANCED_SCALING = Capability(
    "advanced scaling (scaling strategy, utilization performance index)",
    {7: _v("7.0.0")},
    MGMT + "managed-scaling-allocation-strategy.html",
)
AUTO_TERMINATION = Capability(
    "auto-termination policy", {5: _v("5.30.0"), 6: _v("6.1.0")}, MGMT + "emr-auto-termination-policy.html"
)
STEP_CONCURRENCY = Capability("step concurrency above 1", {5: _v("5.28.0")}, MGMT + "emr-add-steps-console.html")
ROOT_VOLUME_IOPS_THROUGHPUT = Capability(
    "root volume IOPS and throughput", {6: _v("6.15.0")}, MGMT + "emr-custom-ami-root-volume-size.html"
)
MULTI_PRIMARY_GROUPS = Capability(
    "three primary nodes (instance groups)", {5: _v("5.23.0")}, MGMT + "emr-plan-ha-launch.html"
)
MULTI_PRIMARY_FLEETS = Capability(
    "three primary nodes (instance fleets)",
    {6: _v("6.12.0")},
    MGMT + "emr-plan-ha-launch.html",
    also=frozenset(_v(v) for v in ("5.36.1", "5.36.2", "6.8.1", "6.9.1", "6.10.1", "6.11.1")),
)
SECURITY_CONFIGURATION = Capability(
    "security configurations", {4: _v("4.8.0")}, MGMT + "emr-create-security-configuration.html"
)
LARGE_FLEETS = Capability("4000 instances per fleet", {7: _v("7.7.0")}, MGMT + "emr-instance-fleet.html")

IMDS_CONFIGURATION = Capability(
    "instance metadata service settings in security configurations",
    {5: _v("5.32.0"), 6: _v("6.2.0")},
    MGMT + "emr-create-security-configuration.html",
    also=frozenset({_v("5.23.1"), _v("5.27.1")}),
)
EBS_ENCRYPTION = Capability(
    "EBS encryption through local-disk encryption", {5: _v("5.24.0")}, MGMT + "emr-data-encryption-options.html"
)
KERBEROS = Capability("Kerberos authentication", {5: _v("5.10.0")}, MGMT + "emr-kerberos.html")
EXTERNAL_KDC = Capability("an external KDC", {5: _v("5.20.0")}, MGMT + "emr-create-security-configuration.html")
EMRFS_ROLE_MAPPINGS = Capability("EMRFS role mappings", {5: _v("5.10.0")}, MGMT + "emr-emrfs-iam-roles.html")
RUNTIME_ROLES = Capability("runtime roles for steps", {6: _v("6.7.0")}, MGMT + "emr-steps-runtime-roles.html")
LAKE_FORMATION = Capability("Lake Formation integration", {6: _v("6.15.0")}, MGMT + "emr-lf-enable.html")
HBASE_WAL_ENCRYPTION = Capability(
    "EMR WAL for HBase (and its encryption)", {6: _v("6.15.0")}, RELEASE + "emr-hbase-wal.html"
)
# EMR-managed certificates (CertificateProviderType "EMR") are documented on emr-create-security-configuration.html
# without the release that introduced them. Until that release is confirmed, the gate is a conservative floor:
# releases below it must use PEM or Custom certificates, which every release supports.
EMR_MANAGED_CERTIFICATES = Capability(
    "EMR-managed TLS certificates (introducing release unconfirmed; conservative floor)",
    {7: _v("7.0.0")},
    MGMT + "emr-create-security-configuration.html",
)
# From emr-7.3.0, in-transit encryption with Kerberos breaks Spark applications that use the Hive metastore
# unless hive.metastore.use.SSL is false (emr-encryption-support-matrix.html).
HIVE_METASTORE_SSL_WORKAROUND = Capability(
    "hive.metastore.use.SSL=false with Kerberos and in-transit encryption",
    {7: _v("7.3.0")},
    MGMT + "emr-encryption-support-matrix.html",
)

# The CloudWatch agent: the AmazonCloudWatchAgent application from emr-7.0.0, its emr-metrics configuration API
# from emr-7.1.0 (7.0.0 takes only the default configuration), and delivery of step and Spark logs to CloudWatch
# Logs (MonitoringConfiguration) from emr-7.11.0.
CLOUDWATCH_AGENT = Capability(
    "the AmazonCloudWatchAgent application", {7: _v("7.0.0")}, RELEASE + "emr-AmazonCloudWatchAgent.html"
)
CLOUDWATCH_AGENT_CONFIGURATION = Capability(
    "the emr-metrics configuration of the CloudWatch agent",
    {7: _v("7.1.0")},
    RELEASE + "AmazonCloudWatchAgent-config-710.html",
)
CLOUDWATCH_LOGS_DELIVERY = Capability(
    "step and Spark log delivery to CloudWatch Logs", {7: _v("7.11.0")}, MGMT + "emr-plan-logging-cw.html"
)
# Below 7.0 the library installs the agent from the Amazon Linux 2 package repository. EMR nodes run Amazon
# Linux 2 from emr-5.30.0 and on every 6.x release; earlier 5.x releases run Amazon Linux 1 (Management Guide,
# "Using the default Amazon Linux AMI for Amazon EMR").
NODE_AGENT_BOOTSTRAP = Capability(
    "the CloudWatch agent installed by bootstrap action (Amazon Linux 2)",
    {5: _v("5.30.0")},
    MGMT + "emr-default-ami.html",
)

ICEBERG = Capability("Apache Iceberg", {6: _v("6.5.0")}, RELEASE + "emr-iceberg.html")
DELTA = Capability("Delta Lake", {6: _v("6.9.0")}, RELEASE + "emr-delta.html")
# Hudi ships from emr-5.28.0, but the Spark SQL settings written here (HoodieCatalog as spark_catalog) need
# Spark 3.2 and Hudi 0.11, from emr-6.7.0.
HUDI = Capability("Apache Hudi with its Spark SQL catalog", {6: _v("6.7.0")}, RELEASE + "emr-hudi.html")

# Numeric limits (each with its source).
FLEET_TYPES_WITHOUT_STRATEGY = 5  # emr-instance-fleet.html
FLEET_TYPES_WITH_STRATEGY = 30  # emr-instance-fleet.html
FLEET_INSTANCES_LARGE = 4000  # per fleet with an allocation strategy, 7.7.0+ (emr-instance-fleet.html)
FLEET_INSTANCES = 2000  # below 7.7.0
SPOT_TIMEOUT_MINUTES = (5, 1440)  # botocore SpotProvisioningSpecification
RESIZE_TIMEOUT_MINUTES = (5, 10080)  # botocore Spot/OnDemandResizingSpecification
IDLE_TIMEOUT_SECONDS = (60, 604800)  # emr-auto-termination-policy.html
STEP_CONCURRENCY_LEVEL = (1, 256)  # emr-add-steps-console.html
ROOT_VOLUME_MAX_GIB = 100  # emr-custom-ami-root-volume-size.html
ROOT_VOLUME_IOPS = (3000, 16000)
ROOT_VOLUME_THROUGHPUT = (125, 1000)
ROOT_VOLUME_IOPS_PER_GIB = 500
ROOT_VOLUME_THROUGHPUT_PER_IOPS = 0.25
EBS_VOLUMES_PER_INSTANCE = 25  # emr-plan-storage.html
TASK_INSTANCE_GROUPS_MAX = 48  # emr-plan-instances.html (instance groups)
UTILIZATION_PERFORMANCE_INDEX = (1, 25, 50, 75, 100)  # managed-scaling-allocation-strategy.html
CLUSTER_NAME_MAX = 256  # botocore RunJobFlowInput.Name (XmlStringMaxLen256)


#: The date the support table below was read (emr-standard-support.html, "as of 2026-08"). Policy checks evaluate
#: support at this date unless told otherwise, so their results do not change while nobody touches the repo.
SUPPORT_AS_OF = date(2026, 8, 1)
#: End of support per release range (first, last, date): 5.0-5.35 and 6.0-6.5 ended 2026-09-01; 5.36 and 6.6-6.15
#: get critical fixes until 2027-06-30; 7.0-7.10 are extended to 2027-08-31. Later 7.x releases get 24 months from
#: their release date (7.11 2025-11-03, 7.12 2025-11-21, 7.13 2026-04-21). EMR-FACTS notes that the 7.3.0 release
#: page gives 2026-10-15 instead; the support page's extension is used here.
SUPPORT_ENDS: tuple[tuple[Version, Version, date], ...] = (
    (Version(5, 0, 0), Version(5, 35, 99), date(2026, 9, 1)),
    (Version(5, 36, 0), Version(5, 36, 99), date(2027, 6, 30)),
    (Version(6, 0, 0), Version(6, 5, 99), date(2026, 9, 1)),
    (Version(6, 6, 0), Version(6, 15, 99), date(2027, 6, 30)),
    (Version(7, 0, 0), Version(7, 10, 99), date(2027, 8, 31)),
    (Version(7, 11, 0), Version(7, 11, 99), date(2027, 11, 3)),
    (Version(7, 12, 0), Version(7, 12, 99), date(2027, 11, 21)),
    (Version(7, 13, 0), Version(7, 13, 99), date(2028, 4, 21)),
)


def support_end(version: Version) -> date | None:
    """When ``version`` leaves standard support, or None when the table does not know it (newer releases, 4.x)."""
    for first, last, ends in SUPPORT_ENDS:
        if first <= version <= last:
            return ends
    return None


def default_root_volume_gib(release: ReleaseLabel) -> int:
    """EMR's default root volume: 10 GiB before emr-6.10.0, 15 GiB from it."""
    return 15 if release.at_least("6.10.0") else 10
