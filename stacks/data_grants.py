"""Acknowledge, per finding, the wildcards that CDK's standard data grants produce, and nothing else.

``bucket.grant_read(cluster, "raw/*")`` and friends write action families (``s3:GetObject*``, ``kms:ReEncrypt*``)
and prefix resources (``<bucket>/raw/*``) into the grantee's default policy; cdk-nag reports each as an
AwsSolutions-IAM5 finding whose id embeds the resource as cdk-nag renders it. At synth (after cross-stack
references are resolved), every wildcard in a statement whose resources all belong to the stack's data grants is
acknowledged with its own id; a wildcard anywhere else stays a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import IValidation

from emr_constructs.catalog import GlueCatalog
from emr_constructs.iam import flatten_cfn_reference
from emr_constructs.spec import AppConfig, ClusterSpec

if TYPE_CHECKING:
    from stacks.stateful_stack import StatefulStack

_ACTION_REASON = (
    "Action family written by CDK's standard grant (grant_read / grant_read_write / stream.grant_read) for the "
    "data access this config declares; it is limited to the data bucket prefixes, the S3 data key and the "
    "streams named in the same statement."
)
_RESOURCE_REASON = (
    "Objects under a data prefix that this config grants to the cluster (or its runtime roles): the object names "
    "are written by the jobs, so the grant names the prefix."
)
_INLINE_REASON = (
    "CDK's grants write the data access of this config into the role's default policy; its statements name "
    "this cluster's data prefixes, key and streams only and are reviewed with the stack."
)


@jsii.implements(IValidation)
class _DataGrantAcknowledgment:
    def __init__(self, policy: iam.CfnPolicy, data_arns: list[str]) -> None:
        self._policy = policy
        self._data_arns = data_arns

    def validate(self) -> list[str]:
        stack = cdk.Stack.of(self._policy)
        document: dict[str, Any] = stack.resolve(self._policy.policy_document)
        prefixes = [flatten_cfn_reference(stack.resolve(arn)) for arn in self._data_arns]
        acknowledgments: set[tuple[str, str]] = set()
        for statement in document.get("Statement", []):
            resources = statement.get("Resource", [])
            resources = resources if isinstance(resources, list) else [resources]
            flattened = [flatten_cfn_reference(resource) for resource in resources]
            if not flattened or not all(any(r.startswith(p) for p in prefixes) for r in flattened):
                continue
            actions = statement.get("Action", [])
            for action in actions if isinstance(actions, list) else [actions]:
                if "*" in action:
                    acknowledgments.add((f"AwsSolutions::AwsSolutions-IAM5[Action::{action}]", _ACTION_REASON))
            for resource in flattened:
                if "*" in resource:
                    acknowledgments.add((f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]", _RESOURCE_REASON))
        for rule, reason in sorted(acknowledgments):
            cdk.Validations.of(self._policy).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))
        return []


def acknowledge_data_grants(stack: cdk.Stack, data_arns: list[str]) -> None:
    """Attach the synth-time acknowledgment to every role default policy in ``stack``.

    ``data_arns`` are the ARNs of what the data grants may name: the data buckets, the S3 data key, streams.
    """
    for construct in stack.node.find_all():
        if isinstance(construct, iam.Policy) and construct.node.id == "DefaultPolicy":
            cfn = construct.node.default_child
            assert isinstance(cfn, iam.CfnPolicy)
            cfn.node.add_validation(_DataGrantAcknowledgment(cfn, data_arns))
            role = construct.node.scope
            if role is not None and "RuntimeRole" in role.node.id:
                cdk.Validations.of(cfn).acknowledge(
                    cdk.Acknowledgment(id="HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy", reason=_INLINE_REASON),
                    cdk.Acknowledgment(id="NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy", reason=_INLINE_REASON),
                )


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
        if name not in buckets:
            buckets[name] = s3.Bucket.from_bucket_attributes(
                stack, f"Data-{name}", bucket_name=config.bucket_name(name), encryption_key=stateful.s3_data_key
            )
        return buckets[name]

    grants: list[tuple[s3.IBucket, str, str, tuple[str, ...], bool]] = []
    for data in config.data_buckets:
        for entry in data.access:
            if entry.cluster == cluster.name:
                grants.append((bucket(data.name), entry.prefix, entry.access, entry.runtime_roles, entry.instance_role))
    physical = {config.bucket_name(d.name): d.name for d in config.data_buckets}
    for location in _lake_locations(cluster):
        name, _, prefix = location.removeprefix("s3://").partition("/")
        grants.append((bucket(physical[name]), prefix, "read_write", runtime, False))
    for target_bucket, prefix, access, roles, instance_role in grants:
        pattern = f"{prefix}*"
        for target in grantees(roles, instance_role):
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
            _grant_msk_read(target, arn)
    msk_arns = [arn.replace(":cluster/", f":{kind}/") for arn in msk for kind in ("cluster", "topic", "group")]
    data_arns = [b.bucket_arn for b in buckets.values()] + [stateful.s3_data_key.key_arn] + streams + msk_arns
    acknowledge_data_grants(stack, data_arns)
    if waiter is not None:
        for construct in stack.node.find_all():
            if isinstance(construct, iam.Policy | iam.ManagedPolicy):
                waiter.node.add_dependency(construct)


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
