"""A custom resource that revokes EMR's cross-group rules so that stack deletion can delete the groups."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from emr_constructs.lint_suppressions import ignore_cfn_lint

HANDLER_DIR = Path(__file__).parent / "cleanup_handler"
RESOURCE_TYPE = "Custom::EmrSecurityGroupCleanup"


class SecurityGroupRuleCleanup(Construct):
    """On stack deletion, revokes the rules by which ``security_groups`` reference each other.

    A plain Lambda function answers CloudFormation itself (no provider framework, no bundling). The custom
    resource depends on the groups, so CloudFormation deletes it, and runs the cleanup, before them.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        security_groups: Sequence[ec2.ISecurityGroup],
        log_key: kms.IKey,
        log_retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        """``log_key`` encrypts the function log group, kept per ``log_retention`` and ``removal_policy``."""
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        group_ids = [group.security_group_id for group in security_groups]

        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            encryption_key=log_key,
            retention=log_retention,
            removal_policy=removal_policy,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Revokes the cross-references between EMR-managed security groups on stack deletion",
        )
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            roles=[self.role],
            description="Least privilege for the EMR security group cleanup function",
            statements=[
                iam.PolicyStatement(
                    sid="DescribeRules",
                    actions=["ec2:DescribeSecurityGroupRules"],
                    resources=["*"],
                ),
                iam.PolicyStatement(
                    sid="RevokeCrossReferences",
                    actions=["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"],
                    resources=[
                        stack.format_arn(service="ec2", resource="security-group", resource_name=group_id)
                        for group_id in group_ids
                    ],
                ),
                iam.PolicyStatement(
                    sid="WriteOwnLogs",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[self.log_group.log_group_arn],
                ),
            ],
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description="Revokes the rules between EMR-managed security groups before they are deleted",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(HANDLER_DIR), exclude=["__pycache__", "*.pyc"]),
            role=self.role,
            timeout=cdk.Duration.minutes(2),
            memory_size=256,
            # No reserved concurrency: Lambda keeps 100 units of the account's concurrency unreserved, so a
            # reservation fails creation ("decreases account's UnreservedConcurrentExecution below its minimum
            # value") in accounts whose quota is at or near that minimum, new accounts among them (AWS Lambda
            # Developer Guide, "Configuring reserved concurrency"). CloudFormation invokes the handler once per
            # stack operation, so it needs no reservation to run and no cap to protect anything.
            log_group=self.log_group,
        )
        _acknowledge_findings(self.function, self.policy)
        # aws-cdk-lib adds DependsOn <role> to every Lambda function although its Role property already
        # references the role (W3005); the dependency is harmless and cannot be removed from the L2.
        ignore_cfn_lint(
            self.function.node.default_child,  # type: ignore[arg-type]
            "W3005",
            "aws-cdk-lib's own DependsOn on the function's role",
        )
        # The function must keep its permissions until its last (Delete) invocation has answered.
        self.function.node.add_dependency(self.policy)

        self.resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=self.function.function_arn,
            resource_type=RESOURCE_TYPE,
            properties={"SecurityGroupIds": group_ids},
            service_timeout=cdk.Duration.minutes(5),
        )
        # SecurityGroupIds refer to the groups, so CloudFormation creates this resource after them and deletes
        # it (running the cleanup) before them. The rule resources CloudFormation owns under the groups, also
        # those added later, depend on this resource: CloudFormation removes them itself, first.
        for group in security_groups:
            cdk.Aspects.of(group).add(_RulesBeforeCleanup(self.resource))


@jsii.implements(cdk.IAspect)
class _RulesBeforeCleanup:
    """Makes every security group rule resource it visits depend on the cleanup resource."""

    def __init__(self, cleanup: cdk.CustomResource) -> None:
        self._cleanup = cleanup

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, ec2.CfnSecurityGroupIngress | ec2.CfnSecurityGroupEgress):
            node.node.add_dependency(self._cleanup)


def _acknowledge_findings(function: lambda_.Function, policy: iam.ManagedPolicy) -> None:
    """Acknowledge the policy findings that do not apply to this function, each on the resource it names."""
    dlq = (
        "CloudFormation invokes this custom-resource handler and waits for its answer at the response URL; "
        "the handler catches every error and answers FAILED with the reason, and the resource's "
        "ServiceTimeout bounds a lost invocation, so a dead-letter queue would hold nothing to act on"
    )
    outside_vpc = (
        "The handler calls only the EC2 API and the CloudFormation response URL, while the stack (and so "
        "the VPC and its endpoints) is being deleted; attaching it to that VPC would make deletion wait on "
        "its network interfaces"
    )
    concurrency = (
        "No reserved concurrency on purpose: Lambda keeps 100 units of the account's concurrency unreserved "
        "('You can reserve up to the Unreserved account concurrency value minus 100', AWS Lambda Developer Guide, "
        "Configuring reserved concurrency, https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency"
        ".html), so any reservation fails stack creation in accounts whose quota is at that minimum (new accounts). "
        "CloudFormation invokes this handler once per create, update or delete of one resource: it needs no "
        "reserved capacity, and a cap would protect nothing"
    )
    describe = (
        "ec2:DescribeSecurityGroupRules has no resource-level permissions (resource type *); the revoke "
        "actions are scoped to the three security group ARNs"
    )
    for pack in ("HIPAA.Security", "NIST.800.53.R5"):
        _acknowledge(function, f"{pack}-LambdaDLQ", dlq)
        _acknowledge(function, f"{pack}-LambdaInsideVPC", outside_vpc)
        _acknowledge(function, f"{pack}-LambdaConcurrency", concurrency)
    _acknowledge(policy, "AwsSolutions-IAM5[Resource::*]", describe)


def _acknowledge(scope: Construct, rule_id: str, reason: str) -> None:
    target = scope.node.default_child or scope
    cdk.Validations.of(target).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))
