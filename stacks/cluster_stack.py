"""One stateless stack per cluster: the cluster, its roles; it references the stateful stack."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.cluster import EmrCluster
from emr_constructs.iam import EmrRoles
from emr_constructs.monitoring import EmrMonitoring
from emr_constructs.spec import AppConfig, ClusterSpec
from stacks.data_grants import grant_data_access
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
        roles = EmrRoles(
            self,
            "Roles",
            log_bucket=log_bucket,
            log_key=stateful.logs_key,
            log_prefix=log_prefix,
            role_name_prefix=config.role_name_prefix(cluster.name),
            permissions_boundary=boundary,
            create_auto_scaling_role=cluster.uses_custom_auto_scaling,
        )
        self.cluster = EmrCluster(
            self,
            "Cluster",
            spec=cluster,
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=network.subnets),
            log_bucket=log_bucket,
            log_key=stateful.logs_key,
            log_prefix=log_prefix,
            roles=roles,
            primary_security_group=network.primary_security_group,
            core_security_group=network.core_security_group,
            service_access_security_group=network.service_access_security_group,
            s3_data_key=stateful.s3_data_key,
            local_disk_key=stateful.local_disk_key,
            cloudwatch_log_group_name=config.log_group_name(cluster.name),
        )
        self.monitoring = (
            EmrMonitoring(
                self,
                "Monitoring",
                spec=cluster,
                cluster_id=self.cluster.cluster_id,
                dashboard_name=config.dashboard_name(cluster.name),
            )
            if cluster.monitoring is not None
            else None
        )
        grant_data_access(
            self,
            config=config,
            cluster=cluster,
            stateful=stateful,
            catalog_key=catalog_key,
            grantee=self.cluster,
            runtime_roles=self.cluster.runtime_roles,
            waiter=self.cluster.cfn_cluster,
        )
        cdk.CfnOutput(self, "ClusterId", value=self.cluster.cluster_id, description="EMR cluster id")
        cdk.CfnOutput(self, "LogUri", value=f"s3://{log_bucket.bucket_name}/{log_prefix}/")
        if self.monitoring is not None:
            cdk.CfnOutput(
                self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn, description="Alarms and notifications"
            )
