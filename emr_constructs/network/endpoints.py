"""The VPC endpoints a private EMR cluster needs: the S3 gateway and the interface endpoints, behind one security
group that admits HTTPS from the VPC only."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

#: Interface endpoints a cluster in private subnets without internet access needs, by construct id.
INTERFACE_ENDPOINTS: dict[str, ec2.InterfaceVpcEndpointAwsService] = {
    "ElasticMapReduceEndpoint": ec2.InterfaceVpcEndpointAwsService.EMR,
    "StsEndpoint": ec2.InterfaceVpcEndpointAwsService.STS,
    "KmsEndpoint": ec2.InterfaceVpcEndpointAwsService.KMS,
    "SecretsManagerEndpoint": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    "GlueEndpoint": ec2.InterfaceVpcEndpointAwsService.GLUE,
    "LogsEndpoint": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    "MonitoringEndpoint": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
    "SsmEndpoint": ec2.InterfaceVpcEndpointAwsService.SSM,
    "SsmMessagesEndpoint": ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
    "Ec2MessagesEndpoint": ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
}


def add_endpoints(scope: Construct, vpc: ec2.IVpc, subnets: list[ec2.ISubnet], cidr: str | None) -> None:
    """S3 gateway and interface endpoints; ``cidr``: the VPC CIDR if known at synth (policy rules read it)."""
    selection = ec2.SubnetSelection(subnets=subnets)
    ec2.GatewayVpcEndpoint(
        scope, "S3Endpoint", vpc=vpc, service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[selection]
    )
    security_group = ec2.SecurityGroup(
        scope,
        "EndpointSecurityGroup",
        vpc=vpc,
        description="Interface VPC endpoints of the EMR network - HTTPS from inside the VPC only",
        allow_all_outbound=False,
    )
    vpc_cidr = cidr or vpc.vpc_cidr_block
    security_group.add_ingress_rule(
        ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443), "HTTPS to the AWS service endpoints from the VPC"
    )
    if cdk.Token.is_unresolved(vpc_cidr):
        rule_ids = ["AwsSolutions-EC23"] + [
            f"{pack}-{rule}"
            for pack in ("HIPAA.Security", "NIST.800.53.R5")
            for rule in ("EC2RestrictedCommonPorts", "EC2RestrictedSSH")
        ]
        for rule_id in rule_ids:
            cdk.Validations.of(security_group.node.default_child or security_group).acknowledge(
                cdk.Acknowledgment(
                    id=rule_id,
                    reason="The only ingress rule is TCP 443 from the VPC's own CIDR block, which is a "
                    "deploy-time reference the rule cannot evaluate at synth; it opens no public, SSH or "
                    "other common port",
                )
            )
    for endpoint_id, service in INTERFACE_ENDPOINTS.items():
        ec2.InterfaceVpcEndpoint(
            scope,
            endpoint_id,
            vpc=vpc,
            service=service,
            subnets=selection,
            security_groups=[security_group],
            private_dns_enabled=True,
            open=False,
        )
