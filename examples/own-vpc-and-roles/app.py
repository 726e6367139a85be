#!/usr/bin/env python3
"""A long-running EMR cluster in a VPC you build yourself, with IAM roles your central IAM team owns.

The VPC (private subnets behind one NAT gateway, an S3 gateway endpoint, flow logs) and the two roles (EMR's service
role with ``AmazonEMRServicePolicy_v2``, the nodes' EC2 role) are plain CDK, made the way you already make them.
``EmrCluster`` only adds what this cluster needs: the ``for-use-with-amazon-emr-managed-policies`` tag on the
subnets it launches into, its own three EMR-managed security groups (with a clean-up of EMR's cross-group rules),
an instance profile for your instance role, and two customer-managed policies (the service role may pass the
instance role; the instance role may write the cluster's logs). Nothing else about your roles changes.

Synthesise with ``cdk synth``: cdk-nag's AwsSolutions, HIPAA Security and NIST 800-53 R5 packs and the library's
``EmrChecks`` run as policy-validation plugins, so any unacknowledged finding fails the synth.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks
from constructs import Construct

from emr_constructs import ClusterSpec, EmrChecks, EmrCluster

#: Replace with your account and region. A concrete environment makes ec2.Vpc read the availability zones from
#: the context (cdk.json names them), so synth needs no AWS credentials.
ENV = cdk.Environment(account="111111111111", region="eu-west-1")
ZONES = ["eu-west-1a", "eu-west-1b"]
DATA_BUCKET = "analytics-raw-111111111111-eu-west-1"  # made elsewhere; the cluster reads it

SPEC = ClusterSpec.model_validate(
    {
        "name": "analytics",
        "release_label": "emr-7.12.0",
        "applications": ["Spark", "Hadoop", "Hive"],
        "instance_fleets": {
            "primary": {
                "target_on_demand": 1,
                "instance_types": [{"instance_type": "m7g.xlarge"}, {"instance_type": "m6g.xlarge"}],
            },
            "core": {
                "target_on_demand": 2,
                "instance_types": [{"instance_type": "m7g.2xlarge"}, {"instance_type": "m6g.2xlarge"}],
            },
        },
        "managed_scaling": {"minimum": 3, "maximum": 10, "maximum_core": 3},
        "termination_protection": True,  # long-running: no idle auto-termination
        "security": {
            "kerberos_waiver": {
                "reason": "Single-team cluster with no interactive users: jobs run as the cluster's own roles and "
                "engineers reach the nodes only through Session Manager."
            }
        },
    }
)


class CentralIamRoles(Construct):
    """The two roles as a central IAM team would make them; in a real organisation they often live in the team's
    own stack or account and reach you as ``iam.Role.from_role_arn(..., mutable=False)``."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        # EMR's confused-deputy guidance: only EMR acting for this account and region may assume the role.
        emr = iam.ServicePrincipal(
            "elasticmapreduce.amazonaws.com",
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {
                    "aws:SourceArn": stack.format_arn(
                        service="elasticmapreduce", resource="*", arn_format=cdk.ArnFormat.NO_RESOURCE_NAME
                    )
                },
            },
        )
        self.service_role = iam.Role(
            self,
            "EmrServiceRole",
            assumed_by=emr,
            description="EMR service role of the analytics clusters",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonEMRServicePolicy_v2")],
        )
        cdk.Validations.of(self.service_role.node.default_child).acknowledge(  # type: ignore[arg-type]
            cdk.Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonEMRServicePolicy_v2]",
                reason="AmazonEMRServicePolicy_v2 is the AWS-maintained policy the EMR Management Guide documents "
                "for the EMR service role; it acts only on resources tagged for-use-with-amazon-emr-managed-policies",
            )
        )

        self.instance_role = iam.Role(
            self,
            "EmrInstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="EC2 instance role of the analytics cluster nodes",
        )
        # The data the cluster reads: a customer-managed policy, reviewed by the IAM team like any other.
        data = iam.ManagedPolicy(
            self,
            "RawDataRead",
            description="Read the raw data bucket",
            roles=[self.instance_role],
            statements=[
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[f"arn:aws:s3:::{DATA_BUCKET}/*"]),
                iam.PolicyStatement(actions=["s3:ListBucket"], resources=[f"arn:aws:s3:::{DATA_BUCKET}"]),
            ],
        )
        cdk.Validations.of(data.node.default_child).acknowledge(  # type: ignore[arg-type]
            cdk.Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:s3:::{DATA_BUCKET}/*]",
                reason="The cluster's jobs read any object of the raw bucket (s3:GetObject only); its keys are "
                "not known in advance",
            )
        )


class OwnNetwork(Construct):
    """The VPC: private subnets with egress through one NAT gateway, an S3 gateway endpoint, flow logs to an
    encrypted log group kept for a year."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr("10.60.0.0/16"),
            availability_zones=ZONES,
            nat_gateways=1,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=26, map_public_ip_on_launch=False
                ),
                ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20),
            ],
            gateway_endpoints={"S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)},
            restrict_default_security_group=True,
        )
        # restrict_default_security_group adds aws-cdk-lib's own provider function, whose DependsOn on its role
        # repeats the Role reference (cfn-lint W3005): harmless, and not ours to change.
        provider = cdk.Stack.of(self).node.find_child("Custom::VpcRestrictDefaultSGCustomResourceProvider")
        handler = provider.node.find_child("Handler")
        assert isinstance(handler, cdk.CfnResource)
        handler.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
        for subnet in self.vpc.public_subnets:
            route = subnet.node.find_child("DefaultRoute")
            for pack in ("HIPAA.Security", "NIST.800.53.R5"):
                cdk.Validations.of(route).acknowledge(
                    cdk.Acknowledgment(
                        id=f"{pack}::{pack}-VPCNoUnrestrictedRouteToIGW",
                        reason="The public subnets hold only the NAT gateway (no instance there gets a public IP); "
                        "this default route is what lets it serve the private subnets",
                    )
                )

        key = kms.Key(
            self,
            "FlowLogKey",
            description="Encrypts the VPC flow log group",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        stack = cdk.Stack.of(self)
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        log_group = logs.LogGroup(
            self,
            "FlowLogs",
            encryption_key=key,
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        role = iam.Role(
            self,
            "FlowLogRole",
            assumed_by=iam.ServicePrincipal(
                "vpc-flow-logs.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": stack.account}}
            ),
            description="Delivers the VPC's flow logs to its log group",
        )
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(log_group, role),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )
        policy = role.node.find_child("DefaultPolicy").node.default_child
        reason = (
            "aws-cdk-lib's flow log writes here the delivery statements (this log group only) and passing this "
            "one role; they belong to this role and are reviewed with the stack"
        )
        for pack in ("HIPAA.Security", "NIST.800.53.R5"):
            cdk.Validations.of(policy).acknowledge(  # type: ignore[arg-type]
                cdk.Acknowledgment(id=f"{pack}::{pack}-IAMNoInlinePolicy", reason=reason)
            )


class AnalyticsStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        network = OwnNetwork(self, "Network")
        roles = CentralIamRoles(self, "Iam")
        cluster = EmrCluster(
            self,
            "Cluster",
            spec=SPEC,
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            service_role=roles.service_role,
            instance_role=roles.instance_role,
        )
        cdk.Annotations.of(cluster).acknowledge_warning(
            "emr-constructs:kerberos-waived", "The spec states why this cluster runs without Kerberos"
        )


app = cdk.App()
cdk.Validations.of(app).add_plugins(
    AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app), EmrChecks(app)
)
AnalyticsStack(app, "Analytics", env=ENV)
app.synth()
