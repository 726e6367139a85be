"""A cluster defined elsewhere (another stack, the console, the EMR API), known by its id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.cluster.base import ClusterBase


@jsii.implements(iam.IGrantable, ec2.IConnectable)
class ImportedEmrCluster(ClusterBase):
    """What ``EmrCluster.from_cluster_attributes`` returns: an ``IEmrCluster`` with metrics, grants and steps.

    Grants made to it go to ``instance_role``; without one they go to an unknown principal and CDK warns that
    they must be added by hand (as aws-cdk does for an imported function without a role).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cluster_id: str,
        instance_role: iam.IRole | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        runtime_roles: Sequence[iam.IRole] = (),
    ) -> None:
        super().__init__(scope, id)
        self._cluster_id = cluster_id
        self._instance_role = instance_role
        self._runtime_roles = list(runtime_roles)
        self._connections = ec2.Connections(security_groups=list(security_groups)) if security_groups else None
        # UnknownPrincipal implements IPrincipal through jsii, which mypy cannot see.
        self._grant_principal: iam.IPrincipal = (
            instance_role.grant_principal
            if instance_role is not None
            else cast(iam.IPrincipal, iam.UnknownPrincipal(resource=self))
        )

    @property
    def cluster_id(self) -> str:
        return self._cluster_id

    @property
    def instance_role(self) -> iam.IRole | None:
        return self._instance_role

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self._grant_principal

    @property
    def connections(self) -> ec2.Connections:
        if self._connections is None:
            raise ValueError(
                f"{self.node.path}: the cluster was imported without security groups, so its connections are "
                "unknown. Fix: pass security_groups= to EmrCluster.from_cluster_attributes"
            )
        return self._connections

    def _runtime_role_arns(self) -> list[str]:
        return [role.role_arn for role in self._runtime_roles]
