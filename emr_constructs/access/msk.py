"""Read access to an Amazon MSK cluster with IAM access control, for EMR roles (Flink, Spark streaming)."""

from __future__ import annotations

from aws_cdk import aws_iam as iam


def msk_resource_arns(cluster_arn: str) -> list[str]:
    """The cluster's ARN and the ARNs its topics and groups are named under (``:topic/...``, ``:group/...``): what
    ``grant_msk_read`` names, and so the ``data_arns`` to acknowledge its wildcards with."""
    return [cluster_arn.replace(":cluster/", f":{kind}/") for kind in ("cluster", "topic", "group")]


def grant_msk_read(grantee: iam.IGrantable, cluster_arn: str) -> list[iam.Grant]:
    """Let ``grantee`` connect to the MSK cluster ``cluster_arn``, describe it, read every topic of it and consume
    with any of its groups (Amazon MSK Developer Guide, "IAM access control").

    ``cluster_arn`` is a literal ``arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>``. Returns the
    three grants, in that order.
    """
    if ":cluster/" not in cluster_arn:
        raise ValueError(
            f"grant_msk_read: {cluster_arn!r} is no MSK cluster ARN. "
            "Fix: pass arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>"
        )
    _, topics, groups = msk_resource_arns(cluster_arn)
    return [
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
            resource_arns=[cluster_arn],
        ),
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
            resource_arns=[f"{topics}/*"],
        ),
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
            resource_arns=[f"{groups}/*"],
        ),
    ]
