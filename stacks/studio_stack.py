"""The EMR Studio stack: the Studio in the stateful network, its Workspaces in the stateful stack's bucket, attached
to the config's clusters and EMR Serverless applications."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from emr_constructs.spec import AppConfig
from emr_constructs.studio import EmrStudio
from stacks.cluster_stack import ClusterStack
from stacks.serverless_stack import ServerlessStack
from stacks.stateful_stack import StatefulStack


class StudioStack(cdk.Stack):
    """``EmrStudio`` for ``config.studio`` on the stateful stack's network and Workspace storage, attached to the
    named cluster stacks' clusters and serverless stacks' applications."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: AppConfig,
        stateful: StatefulStack,
        clusters: dict[str, ClusterStack],
        serverless: dict[str, ServerlessStack],
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        spec = config.studio
        assert spec is not None and stateful.studio_workspaces is not None and stateful.studio_key is not None
        network = stateful.network
        self.studio = EmrStudio(
            self,
            "Studio",
            spec=spec,
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=network.subnets),
            workspace_bucket=stateful.studio_workspaces.bucket,
            workspace_key=stateful.studio_key,
        )
        for name in spec.clusters:
            self.studio.allow_cluster(clusters[name].cluster)
            self.add_stack_dependency(clusters[name])
        for name in spec.serverless_applications:
            self.studio.allow_serverless(serverless[name].application)
            self.add_stack_dependency(serverless[name])
        cdk.CfnOutput(self, "StudioUrl", value=self.studio.studio_url)
        cdk.CfnOutput(self, "StudioId", value=self.studio.studio_id)
