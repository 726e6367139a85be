"""One stateless stack per cluster: the cluster, its roles; it references the stateful stack."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.catalog import GlueCatalog
from emr_constructs.cluster import EmrCluster
from emr_constructs.iam import EmrRoles
from emr_constructs.spec import AppConfig, ClusterSpec
from stacks.data_grants import acknowledge_data_grants
from stacks.stateful_stack import StatefulStack, log_bucket_name


class ClusterStack(cdk.Stack):
    """An EMR cluster built from one ``ClusterSpec`` on the network and log bucket of ``stateful``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: AppConfig,
        cluster: ClusterSpec,
        stateful: StatefulStack,
        catalog_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        """``catalog_key`` encrypts the Glue Data Catalog when the account baseline encrypts it."""
        super().__init__(scope, id, **kwargs)
        network = stateful.network
        log_prefix = f"emr/{cluster.name}"
        # By fixed name, not by export: IAM statements and LogUri then carry the literal bucket name.
        log_bucket = s3.Bucket.from_bucket_name(self, "LogBucket", log_bucket_name(config))
        boundary = (
            iam.ManagedPolicy.from_managed_policy_arn(self, "PermissionsBoundary", config.iam.permissions_boundary_arn)
            if config.iam.permissions_boundary_arn
            else None
        )
        prefix = config.iam.role_name_prefix
        roles = EmrRoles(
            self,
            "Roles",
            log_bucket=log_bucket,
            log_key=stateful.logs_key,
            log_prefix=log_prefix,
            role_name_prefix=f"{prefix}-{cluster.name}" if prefix else None,
            permissions_boundary=boundary,
            create_auto_scaling_role=cluster.uses_custom_auto_scaling,
        )
        self.cluster = EmrCluster(
            self,
            "Cluster",
            spec=cluster,
            vpc=network.vpc,
            subnets=network.subnets,
            log_bucket=log_bucket,
            log_key=stateful.logs_key,
            log_prefix=log_prefix,
            roles=roles,
            primary_security_group=network.primary_security_group,
            core_security_group=network.core_security_group,
            service_access_security_group=network.service_access_security_group,
            s3_data_key=stateful.s3_data_key,
            local_disk_key=stateful.local_disk_key,
        )
        self._grant_data_access(config, cluster, stateful, catalog_key)
        cdk.CfnOutput(self, "ClusterId", value=self.cluster.cluster_id, description="EMR cluster id")
        cdk.CfnOutput(self, "LogUri", value=f"s3://{log_bucket.bucket_name}/{log_prefix}/")

    def _grantees(self, runtime_roles: tuple[str, ...]) -> list[iam.IGrantable]:
        """Runtime roles by name, or the cluster (its instance role) when none are named."""
        if runtime_roles:
            return [self.cluster.runtime_roles[name] for name in runtime_roles]
        return [self.cluster]

    def _grant_data_access(
        self, config: AppConfig, cluster: ClusterSpec, stateful: StatefulStack, catalog_key: kms.IKey | None
    ) -> None:
        """The config's data access for this cluster, through the standard CDK grants on IGrantable principals.

        With runtime roles or Lake Formation, catalog and data access go to the runtime roles, never to the
        instance role.
        """
        scoped = cluster.security.application_scoped_roles
        runtime = tuple(self.cluster.runtime_roles) if scoped else ()
        catalog = cluster.data_lake.catalog
        uses_catalog = bool(set(cluster.presets) & {"spark-hive-glue", "trino-glue"})
        if catalog is not None and (uses_catalog or cluster.data_lake.table_formats.iceberg is not None):
            for index, grantee in enumerate(self._grantees(runtime)):
                GlueCatalog.grant_metastore_access(
                    self,
                    grantee,
                    catalog,
                    policy_id=f"GlueCatalogAccess{index}",
                    catalog_key_arn=catalog_key.key_arn if catalog_key and catalog.catalog_id is None else None,
                )
        buckets: dict[str, s3.IBucket] = {}

        def bucket(name: str) -> s3.IBucket:
            if name not in buckets:
                buckets[name] = s3.Bucket.from_bucket_attributes(
                    self, f"Data-{name}", bucket_name=config.bucket_name(name), encryption_key=stateful.s3_data_key
                )
            return buckets[name]

        grants: list[tuple[s3.IBucket, str, str, tuple[str, ...]]] = []
        for data in config.data_buckets:
            for entry in data.access:
                if entry.cluster == cluster.name:
                    grants.append((bucket(data.name), entry.prefix, entry.access, entry.runtime_roles))
        physical = {config.bucket_name(d.name): d.name for d in config.data_buckets}
        for location in _lake_locations(cluster):
            name, _, prefix = location.removeprefix("s3://").partition("/")
            grants.append((bucket(physical[name]), prefix, "read_write", runtime))
        for target, prefix, access, roles in grants:
            pattern = f"{prefix}*"
            for grantee in self._grantees(roles):
                if access == "read":
                    target.grant_read(grantee, pattern)
                else:
                    target.grant_read_write(grantee, pattern)
        streams = list(cluster.data_lake.flink.kinesis_streams) if cluster.data_lake.flink else []
        for arn in streams:
            stream = kinesis.Stream.from_stream_arn(self, f"Stream-{arn.rsplit('/', 1)[-1]}", arn)
            for grantee in self._grantees(runtime):
                stream.grant_read(grantee)
        msk = list(cluster.data_lake.flink.msk_clusters) if cluster.data_lake.flink else []
        for arn in msk:
            for grantee in self._grantees(runtime):
                _grant_msk_read(grantee, arn)
        msk_arns = [arn.replace(":cluster/", f":{kind}/") for arn in msk for kind in ("cluster", "topic", "group")]
        data_arns = [b.bucket_arn for b in buckets.values()] + [stateful.s3_data_key.key_arn] + streams + msk_arns
        acknowledge_data_grants(self, data_arns)
        # The nodes use every grant from their first minute: the cluster waits for all of the stack's policies.
        for construct in self.node.find_all():
            if isinstance(construct, iam.Policy | iam.ManagedPolicy):
                self.cluster.cfn_cluster.node.add_dependency(construct)


def _grant_msk_read(grantee: iam.IGrantable, cluster_arn: str) -> None:
    """Read access to an MSK cluster with IAM access control: connect, describe, read every topic and consume
    with any group of that cluster (Amazon MSK Developer Guide, "IAM access control")."""
    topics = cluster_arn.replace(":cluster/", ":topic/") + "/*"
    groups = cluster_arn.replace(":cluster/", ":group/") + "/*"
    iam.Grant.add_to_principal(
        grantee=grantee, actions=["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"], resource_arns=[cluster_arn]
    )
    iam.Grant.add_to_principal(
        grantee=grantee, actions=["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"], resource_arns=[topics]
    )
    iam.Grant.add_to_principal(
        grantee=grantee, actions=["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"], resource_arns=[groups]
    )


def _lake_locations(cluster: ClusterSpec) -> list[str]:
    lake = cluster.data_lake
    found = []
    if lake.table_formats.iceberg is not None:
        found.append(lake.table_formats.iceberg.warehouse)
    if lake.hbase is not None:
        found.append(lake.hbase.root_dir)
    return found
