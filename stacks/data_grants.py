"""The config's data access for one cluster, composed from the standard CDK grants and ``emr_constructs.access``.

Every wildcard those grants write into the roles' default policies (``s3:GetObject*``, ``<bucket>/raw/*``) is
acknowledged per finding by ``emr_constructs.access.acknowledge_data_grants``; a wildcard anywhere else stays a
finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from emr_constructs.access import acknowledge_data_grants, grant_msk_read, msk_resource_arns
from emr_constructs.catalog import GlueCatalog
from emr_constructs.spec import AppConfig, ClusterSpec

if TYPE_CHECKING:
    from stacks.stateful_stack import StatefulStack


def data_bucket(
    stack: cdk.Stack, config: AppConfig, stateful: StatefulStack, name: str, imported: dict[str, s3.IBucket]
) -> s3.IBucket:
    """The config's data bucket ``name`` in ``stack`` (imported once per stack, into ``imported``), with the S3
    data key that encrypts it."""
    if name not in imported:
        imported[name] = s3.Bucket.from_bucket_attributes(
            stack, f"Data-{name}", bucket_name=config.bucket_name(name), encryption_key=stateful.s3_data_key
        )
    return imported[name]


def grant_data_access(
    stack: cdk.Stack,
    *,
    config: AppConfig,
    cluster: ClusterSpec,
    stateful: StatefulStack,
    catalog_key: kms.IKey | None,
    grantee: iam.IGrantable,
    runtime_roles: Mapping[str, iam.Role],
    waiter: cdk.CfnResource | None = None,
) -> None:
    """The config's data access for one cluster (long-running or transient), through the standard CDK grants.

    ``grantee`` is the cluster (its instance role); with runtime roles or Lake Formation, catalog and data access
    go to the named ``runtime_roles`` instead, never to the instance role. ``waiter`` (the cluster resource)
    then depends on every policy of the stack, since the nodes use the grants from their first minute.
    """

    def grantees(names: tuple[str, ...], instance_role: bool = False) -> list[iam.IGrantable]:
        roles: list[iam.IGrantable] = [runtime_roles[name] for name in names]
        return [*roles, grantee] if instance_role or not names else roles

    scoped = cluster.security.application_scoped_roles
    runtime = tuple(runtime_roles) if scoped else ()
    # With runtime roles, the instance role gets data (and so catalog) access only where an entry says so.
    instance_access = any(e.instance_role for d in config.data_buckets for e in d.access if e.cluster == cluster.name)
    catalog = cluster.data_lake.catalog
    uses_catalog = bool(set(cluster.presets) & {"spark-hive-glue", "trino-glue"})
    if catalog is not None and (uses_catalog or cluster.data_lake.table_formats.iceberg is not None):
        for index, target in enumerate(grantees(runtime, instance_access)):
            GlueCatalog.grant_metastore_access(
                stack,
                target,
                catalog,
                policy_id=f"GlueCatalogAccess{index}",
                catalog_key_arn=catalog_key.key_arn if catalog_key and catalog.catalog_id is None else None,
            )
    buckets: dict[str, s3.IBucket] = {}

    def bucket(name: str) -> s3.IBucket:
        return data_bucket(stack, config, stateful, name, buckets)

    grants: list[tuple[s3.IBucket, str, str, tuple[str, ...], bool]] = []
    for data in config.data_buckets:
        for entry in data.access:
            if entry.cluster == cluster.name:
                grants.append((bucket(data.name), entry.prefix, entry.access, entry.runtime_roles, entry.instance_role))
    physical = {config.bucket_name(d.name): d.name for d in config.data_buckets}
    for location in _lake_locations(cluster):
        name, _, prefix = location.removeprefix("s3://").partition("/")
        grants.append((bucket(physical[name]), prefix, "read_write", runtime, False))
    # The grants go to the cluster's principal itself: aws-cdk-lib reads a grantee's grant_principal several times
    # per grant, and for a grantee written in Python (the cluster) each read is a call back into Python.
    principal = grantee.grant_principal
    for target_bucket, prefix, access, roles, instance_role in grants:
        pattern = f"{prefix}*"
        for target in [principal if t is grantee else t for t in grantees(roles, instance_role)]:
            if access == "read":
                target_bucket.grant_read(target, pattern)
            else:
                target_bucket.grant_read_write(target, pattern)
    streams = list(cluster.data_lake.flink.kinesis_streams) if cluster.data_lake.flink else []
    for arn in streams:
        stream = kinesis.Stream.from_stream_arn(stack, f"Stream-{arn.rsplit('/', 1)[-1]}", arn)
        for target in grantees(runtime):
            stream.grant_read(target)
    msk = list(cluster.data_lake.flink.msk_clusters) if cluster.data_lake.flink else []
    for arn in msk:
        for target in grantees(runtime):
            grant_msk_read(target, arn)
    msk_arns = [resource for arn in msk for resource in msk_resource_arns(arn)]
    data_arns = [b.bucket_arn for b in buckets.values()] + [stateful.s3_data_key.key_arn] + streams + msk_arns
    acknowledge_data_grants([principal] if isinstance(principal, iam.Role) else [], data_arns)
    acknowledge_data_grants(runtime_roles.values(), data_arns, inline=True)
    if waiter is not None:
        policies = [c for c in stack.node.find_all() if isinstance(c, iam.Policy | iam.ManagedPolicy)]
        if policies:
            waiter.node.add_dependency(*policies)  # one call: each is a round trip into the kernel


def _lake_locations(cluster: ClusterSpec) -> list[str]:
    lake = cluster.data_lake
    found = []
    if lake.table_formats.iceberg is not None:
        found.append(lake.table_formats.iceberg.warehouse)
    if lake.hbase is not None:
        found.append(lake.hbase.root_dir)
    return found
