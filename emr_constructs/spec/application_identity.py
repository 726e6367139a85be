"""Which identity an application acts as, and which applications EMR configures for Kerberos.

Runtime roles: "You can specify runtime roles with Amazon EMR for Spark and Hive jobs", and for EMR Studio
Workspaces and SageMaker connections (EMR Management Guide, "Runtime roles for Amazon EMR steps",
``emr-steps-runtime-roles.html``; "Run an EMR Studio Workspace with a runtime role", ``emr-studio-runtime.html``).
Every other application on the cluster, and Hive, Livy and Jupyter Enterprise Gateway when reached directly rather
than through a step or EMR Studio, reads data as the cluster's EC2 instance profile.

Kerberos: "Amazon EMR only configures the open-source Kerberos authentication features for the applications and
components listed below. Any other applications installed are not Kerberized, which can result in an inability to
communicate with Kerberized components and cause application errors" (``emr-kerberos-principals.html``, "Supported
applications"): Hadoop (MapReduce, HDFS, YARN), HBase, HCatalog, Hive, Hue, Livy, Oozie, Phoenix, Presto (emr-6.9.0
and later, with in-transit encryption), Spark, Tez, Trino (emr-6.11.0 and later, with in-transit encryption),
Zeppelin and ZooKeeper.
"""

from __future__ import annotations

from emr_constructs.spec.release import Version

RUNTIME_ROLES_SOURCE = "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-steps-runtime-roles.html"
KERBEROS_APPLICATIONS_SOURCE = "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-kerberos-principals.html"

#: Applications whose data access follows the runtime role of the step or Studio session, or that read no data
#: of their own (the CloudWatch agent publishes metrics and logs as the instance profile by design).
RUNTIME_ROLE_AWARE = frozenset(
    {"Spark", "Hive", "Hadoop", "Tez", "HCatalog", "Livy", "JupyterEnterpriseGateway", "ZooKeeper"}
) | frozenset({"AmazonCloudWatchAgent", "Ganglia"})
#: Runtime-role-aware applications that can also be reached directly, where they act as the instance profile.
DIRECT_ENTRY_POINTS = {
    "Hive": "HiveServer2 (JDBC/ODBC) sessions",
    "Livy": "Livy sessions opened outside EMR Studio",
    "JupyterEnterpriseGateway": "kernels started outside EMR Studio",
}
#: Applications EMR configures for Kerberos, with the first release where it does (None: every release with
#: Kerberos).
KERBERIZED: dict[str, Version | None] = {
    "Hadoop": None,
    "HBase": None,
    "HCatalog": None,
    "Hive": None,
    "Hue": None,
    "Livy": None,
    "Oozie": None,
    "Phoenix": None,
    "Presto": Version(6, 9, 0),
    "Spark": None,
    "Tez": None,
    "Trino": Version(6, 11, 0),
    "Zeppelin": None,
    "ZooKeeper": None,
}
#: Installed with Kerberos but outside its scope: they talk to no Kerberized service of the cluster.
KERBEROS_NEUTRAL = frozenset({"AmazonCloudWatchAgent"})


def instance_profile_applications(installed: set[str]) -> list[str]:
    """The installed applications that read data as the instance profile even on a cluster with runtime roles."""
    return sorted(installed - RUNTIME_ROLE_AWARE)


def unkerberized_applications(installed: set[str]) -> list[str]:
    """The installed applications that EMR does not configure for Kerberos."""
    return sorted(installed - set(KERBERIZED) - KERBEROS_NEUTRAL)
