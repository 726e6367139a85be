"""Checks of a whole config that need the app's context: the network against the zones, the names AWS derives
from the environment and cluster names, and ARNs against the deployment's partition and region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from emr_constructs.spec import aws_data
from emr_constructs.spec.names import (
    AUTO_SCALING_ROLE_SUFFIX,
    DASHBOARD_NAME,
    INSTANCE_ROLE_SUFFIX,
    LOG_GROUP_NAME,
    RUNTIME_ROLE_SUFFIX,
    SERVICE_ROLE_SUFFIX,
    STACK_NAME,
    role_name_problem,
)
from emr_constructs.spec.network import nat_gateway_problem, subnet_count_problem
from emr_constructs.spec.problems import ProblemCollector

if TYPE_CHECKING:
    from emr_constructs.spec.app_config import AppConfig
    from emr_constructs.spec.cluster import ClusterSpec

#: KMS keys must be in the cluster's region: "The AWS KMS encryption key must be created in the same Region as
#: your Amazon EMR cluster instance and the Amazon S3 buckets used with EMRFS" (EMR Management Guide, "Create keys
#: and certificates for data encryption with Amazon EMR", section "Using AWS KMS keys for encryption", which
#: covers every at-rest key), and for the EMR WAL "the key must exist in the same region as your Amazon EMR
#: cluster" ("Encryption at rest using a customer KMS key for the EMR WAL service"). Keys of other accounts are
#: allowed (by full ARN), so the account is not checked.
KMS_SAME_REGION_SOURCE = "emr-encryption-enable.html#emr-awskms-keys"
#: Stack names the app uses for itself: a cluster or job flow of this name would collide with them.
RESERVED_STACK_NAMES = ("stateful", "account-baseline")


def _named_clusters(config: AppConfig) -> Iterator[tuple[str, ClusterSpec]]:
    for index, cluster in enumerate(config.clusters):
        yield f"clusters[{index}]", cluster
    for index, flow in enumerate(config.job_flows):
        yield f"job_flows[{index}].cluster", flow.cluster


def check_network(config: AppConfig, problems: ProblemCollector) -> None:
    zones = len(config.availability_zones)
    existing = config.network.existing
    found = [nat_gateway_problem(config.network.nat_gateways, zones, "network.nat_gateways")]
    if existing is not None:
        found.append(
            subnet_count_problem(len(existing.private_subnet_ids), zones, "network.existing.private_subnet_ids")
        )
    problems.problems.extend(problem for problem in found if problem is not None)


def check_names(config: AppConfig, problems: ProblemCollector) -> None:
    prefix = config.iam.role_name_prefix
    for path, cluster in _named_clusters(config):
        if cluster.name in RESERVED_STACK_NAMES:
            problems.add(
                f"{path}.name",
                cluster.name,
                f"the app's own stack emr-{config.environment}-{cluster.name} has this name",
                f"use a name other than {' and '.join(RESERVED_STACK_NAMES)}",
            )
        derived = [
            (STACK_NAME, config.stack_name(cluster.name)),
            (LOG_GROUP_NAME, config.log_group_name(cluster.name)),
        ]
        if cluster.monitoring is not None:
            derived.append((DASHBOARD_NAME, config.dashboard_name(cluster.name)))
        for rule, name in derived:
            problem = rule.problem(name)
            if problem is not None:
                problems.add(
                    f"{path}.name",
                    cluster.name,
                    f"{problem} (the app names it after the environment and the cluster)",
                    "name the cluster with letters, digits and hyphens only (e.g. 'daily-totals'), short enough for "
                    "the limit",
                )
        if prefix is not None:
            suffixes = [SERVICE_ROLE_SUFFIX, INSTANCE_ROLE_SUFFIX]
            suffixes += [AUTO_SCALING_ROLE_SUFFIX] if cluster.uses_custom_auto_scaling else []
            runtime = cluster.security.runtime_roles
            suffixes += [f"{RUNTIME_ROLE_SUFFIX}-{role.name}" for role in (runtime.roles if runtime else ())]
            problem = role_name_problem(config.role_name_prefix(cluster.name) or prefix, suffixes)
            if problem is not None:
                problems.add(
                    f"{path}.name",
                    cluster.name,
                    f"{problem} (roles are named <iam.role_name_prefix>-<cluster name>-<purpose>)",
                    "shorten iam.role_name_prefix, the cluster name or the runtime role names",
                )


def _arn_fields(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, ARN) of every ``*_arn`` field in a validated model tree."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            child = getattr(value, name)
            child_path = f"{path}.{name}" if path else name
            if name.endswith("_arn") and isinstance(child, str):
                yield child_path, child
            else:
                yield from _arn_fields(child, child_path)
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from _arn_fields(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arn_fields(item, f"{path}.{key}")


def check_resource_arns(config: AppConfig, problems: ProblemCollector) -> None:
    """Every ARN in the deployment's partition; every KMS key ARN in its region."""
    partition = aws_data.partition_of(config.region)
    for path, arn in _arn_fields(config, ""):
        parts = arn.split(":", 5)
        if len(parts) < 6:
            continue
        arn_partition, service, arn_region = parts[1], parts[2], parts[3]
        if arn_partition != partition:
            problems.add(
                path,
                arn,
                f"the ARN is in the partition {arn_partition}, but {config.region} is in {partition}",
                f"use a resource of the {partition} partition (ARNs start with arn:{partition}:)",
            )
        elif service == "kms" and arn_region != config.region:
            problems.add(
                path,
                arn,
                f"EMR needs its KMS keys in the cluster's region {config.region}, not {arn_region} "
                f"(see {KMS_SAME_REGION_SOURCE})",
                f"create or replicate the key in {config.region} (a multi-Region replica works) and use its ARN",
            )
