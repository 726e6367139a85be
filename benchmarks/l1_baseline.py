"""The ``l1`` baseline: each cluster on the L1 ``CfnCluster`` with what a raw ``CfnCluster`` user writes
(``synth_bench.py``'s docstring lists it)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emr as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from emr_constructs.cluster.cfn_props import cfn_cluster_kwargs
from emr_constructs.render import ClusterWiring, render_cluster_properties
from emr_constructs.spec import AppConfig

EMR_MANAGED_POLICY_TAG = ("for-use-with-amazon-emr-managed-policies", "true")
BASELINE_VPC_ID = "vpc-0123456789abcdef0"


def fixed_env(config: AppConfig) -> cdk.Environment:
    return cdk.Environment(account=config.account, region=config.region)


def build_l1_baseline(app: cdk.App, config: AppConfig) -> None:
    """One stack per cluster of ``config`` with what a raw ``CfnCluster`` user writes (module docstring)."""
    zones = list(config.availability_zones)
    subnet_ids = [f"subnet-{index:017x}" for index in range(1, len(zones) + 1)]
    log_key_arn = f"arn:aws:kms:{config.region}:{config.account}:key/00000000-0000-0000-0000-000000000000"
    for spec in config.clusters:
        stack = cdk.Stack(
            app,
            f"l1-{config.environment}-{spec.name}",
            env=fixed_env(config),
            synthesizer=cdk.DefaultStackSynthesizer(qualifier=config.bootstrap_qualifier),
        )
        vpc = ec2.Vpc.from_vpc_attributes(
            stack, "Vpc", vpc_id=BASELINE_VPC_ID, availability_zones=zones, private_subnet_ids=subnet_ids
        )
        logs = s3.Bucket(
            stack,
            "Logs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        log_key = kms.Key.from_key_arn(stack, "LogKey", log_key_arn)
        instance_role = iam.Role(stack, "InstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
        logs.grant_read_write(instance_role)
        log_key.grant_encrypt_decrypt(instance_role)
        service_role = iam.Role(
            stack,
            "ServiceRole",
            assumed_by=iam.ServicePrincipal("elasticmapreduce.amazonaws.com"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonEMRServicePolicy_v2")],
        )
        service_role.add_to_policy(iam.PolicyStatement(actions=["iam:PassRole"], resources=[instance_role.role_arn]))
        profile = iam.CfnInstanceProfile(
            stack,
            "InstanceProfile",
            roles=[instance_role.role_name],
            instance_profile_name=instance_role.role_name,
        )
        primary = ec2.SecurityGroup(stack, "Primary", vpc=vpc, allow_all_outbound=True)
        core = ec2.SecurityGroup(stack, "Core", vpc=vpc, allow_all_outbound=True)
        service_access = ec2.SecurityGroup(stack, "ServiceAccess", vpc=vpc, allow_all_outbound=False)
        service_access.add_ingress_rule(primary, ec2.Port.tcp(9443))
        service_access.connections.allow_to(primary, ec2.Port.tcp(8443))
        service_access.connections.allow_to(core, ec2.Port.tcp(8443))
        for group in (primary, core, service_access):
            cdk.Tags.of(group).add(*EMR_MANAGED_POLICY_TAG)
        wiring = ClusterWiring(
            service_role=service_role.role_arn,
            job_flow_role=profile.ref,
            subnet_ids=subnet_ids,
            primary_security_group=primary.security_group_id,
            core_security_group=core.security_group_id,
            service_access_security_group=service_access.security_group_id,
            log_uri=f"s3://{logs.bucket_name}/emr/{spec.name}/",
            log_encryption_kms_key_id=log_key_arn,
        )
        emr.CfnCluster(stack, "Cluster", **cfn_cluster_kwargs(render_cluster_properties(spec, wiring)))
    for key, value in config.tags.items():
        cdk.Tags.of(app).add(key, value)
