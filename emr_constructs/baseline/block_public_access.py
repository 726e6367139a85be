"""``EmrBlockPublicAccess``: EMR block public access (BPA) of the stack's account and Region, as a construct.

BPA is a single setting per account and Region that no CloudFormation resource type covers, so a ``Custom::AWS``
resource (``AwsCustomResource``) calls ``PutBlockPublicAccessConfiguration`` on create and on every update.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from emr_constructs.lint_suppressions import ignore_cfn_lint
from emr_constructs.logging.keys import admit_cloudwatch_logs
from emr_constructs.spec.baseline import (
    AccountBaselineSpec,
    PortRangeSpec,
    emr_default_block_public_access_configuration,
)

#: The construct id under which ``AwsCustomResource`` keeps its singleton provider function, at the stack level
#: (``"AWS"`` and ``AwsCustomResource.PROVIDER_FUNCTION_UUID`` without dashes).
AWS_CUSTOM_RESOURCE_PROVIDER_ID = "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", "")
#: The one IAM action the custom resource is allowed.
PUT_ACTION = "elasticmapreduce:PutBlockPublicAccessConfiguration"

#: A permitted port range: a ``PortRangeSpec``, a single port, or ``(first, last)`` (both included).
PortRange = PortRangeSpec | int | tuple[int, int]


def _port_range(value: PortRange) -> PortRangeSpec:
    if isinstance(value, PortRangeSpec):
        return value
    if isinstance(value, int):
        return PortRangeSpec(min=value)
    first, last = value
    return PortRangeSpec(min=first, max=last)


class EmrBlockPublicAccess(Construct):
    """Sets EMR block public access for the account and Region of the stack it is in.

    Every create and update puts the configuration, under a fixed physical id
    (``emr-block-public-access-<account>-<region>``): an update never replaces the resource, so CloudFormation never
    runs a delete for an old one after setting the new value. On delete (stack deletion, or removing the construct)
    it restores EMR's documented default rather than the value it found: blocking on, port 22 the only exception.
    EMR has no "unset", the value before the first deploy is not known at synth, and the default is the secure
    state EMR gives new accounts; an account that had blocking off before (created EMR clusters before November
    2019) has it on afterwards.

    CloudFormation waits five minutes at most for the function (``ServiceTimeout``). Create one per account and
    Region: two stacks (or two apps) managing the same setting overwrite each other.

    - ``block_public_security_group_rules``: refuse to launch a cluster whose security groups allow inbound traffic
      from 0.0.0.0/0 or ::/0 outside the permitted ranges. Default: ``True`` (EMR's default).
    - ``permitted_public_port_ranges``: the exceptions, each a ``PortRangeSpec``, a port (``22``) or a
      ``(first, last)`` tuple; an empty sequence permits no public port. Default: port 22 only (EMR's default);
      with blocking off, giving ranges is an error. Ranges must not overlap (a pydantic ``ValidationError``).
    - ``log_group``: where the custom resource function logs. Default: a new log group kept ``log_retention``,
      encrypted with a new KMS key (rotation on) that CloudWatch Logs of this account and Region may use; both are
      retained when the stack is deleted (the default for logs and keys).
    - ``log_retention``: the retention of the new log group (ignored with ``log_group``). Default: one year.

    The cdk-nag findings that do not apply to aws-cdk-lib's provider (its managed execution-role policy, the
    action's ``Resource: *``, DLQ, VPC, reserved concurrency, inline policy) are acknowledged, each with its reason,
    on the construct it names.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        block_public_security_group_rules: bool = True,
        permitted_public_port_ranges: Sequence[PortRange] | None = None,
        log_group: logs.ILogGroup | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
    ) -> None:
        super().__init__(scope, id)
        settings: dict[str, Any] = {
            "enabled": True,
            "block_public_security_group_rules": block_public_security_group_rules,
        }
        if permitted_public_port_ranges is not None:
            settings["permitted_public_port_ranges"] = tuple(_port_range(r) for r in permitted_public_port_ranges)
        spec = AccountBaselineSpec(**settings)
        #: The ``BlockPublicAccessConfiguration`` this construct puts (the EMR API shape).
        self.configuration: dict[str, Any] = spec.block_public_access_configuration()
        #: The key of the log group this construct created (``None`` when ``log_group`` was given).
        self.log_key: kms.Key | None = None
        if log_group is None:
            self.log_key = kms.Key(
                self,
                "LogKey",
                description="Encrypts the log group of the EMR block public access custom resource",
                enable_key_rotation=True,
            )
            admit_cloudwatch_logs(self.log_key)
            log_group = logs.LogGroup(self, "LogGroup", encryption_key=self.log_key, retention=log_retention)
        self.log_group: logs.ILogGroup = log_group
        stack = cdk.Stack.of(self)
        physical_id = cr.PhysicalResourceId.of(f"emr-block-public-access-{stack.account}-{stack.region}")
        apply = _put_call(self.configuration, physical_id)
        #: The ``Custom::AWS`` resource that puts the configuration.
        self.custom_resource = cr.AwsCustomResource(
            self,
            "BlockPublicAccess",
            on_create=apply,
            on_update=apply,
            on_delete=_put_call(emr_default_block_public_access_configuration(), physical_id),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        sid="PutEmrBlockPublicAccess",
                        actions=[PUT_ACTION],
                        # The action has no resource type: it acts on the account's setting in this Region.
                        resources=["*"],
                    )
                ]
            ),
            install_latest_aws_sdk=False,
            log_group=self.log_group,
            service_timeout=cdk.Duration.minutes(5),
        )
        self._acknowledge_findings()

    @property
    def provider_role(self) -> iam.Role:
        """The execution role of ``AwsCustomResource``'s singleton provider function (shared by all in the stack)."""
        role = self.custom_resource.grant_principal
        if not isinstance(role, iam.Role):
            raise LookupError(f"{self.node.path}: the custom resource's principal is no iam.Role")
        return role

    @property
    def provider_function(self) -> lambda_.CfnFunction:
        """The L1 function of ``AwsCustomResource``'s singleton provider (shared by all in the stack)."""
        function = self.provider_role.node.scope
        resource = function.node.default_child if isinstance(function, lambda_.Function) else None
        if not isinstance(resource, lambda_.CfnFunction):
            raise LookupError(f"{self.node.path}: AwsCustomResource provider function not found")
        return resource

    def _acknowledge_findings(self) -> None:
        """Acknowledge the policy findings that do not apply, each on the construct it names."""
        function = self.provider_function
        policies = [c for c in self.custom_resource.node.children if isinstance(c, iam.Policy)]
        _acknowledge(
            self.provider_role,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "AwsCustomResource's provider role: aws-cdk-lib attaches AWSLambdaBasicExecutionRole (CloudWatch "
            "Logs writes only) and offers no prop to replace it with a customer-managed policy",
        )
        for policy in policies:
            _acknowledge(
                policy,
                "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                f"{PUT_ACTION} has no resource type (it sets the account's EMR block public access in this Region), "
                "so IAM accepts only Resource *; the statement grants that single action and nothing else",
            )
        dlq = (
            "CloudFormation invokes this custom-resource handler and waits for its answer at the response URL; "
            "the handler answers FAILED with the reason on every error and the resource's ServiceTimeout (5 "
            "minutes) bounds a lost invocation, so a dead-letter queue would hold nothing to act on"
        )
        outside_vpc = (
            "The handler calls only the EMR API and the CloudFormation response URL; this account-level stack "
            "has no VPC, and placing it in one would add endpoints or NAT for a call made once per deploy"
        )
        concurrency = (
            "CloudFormation invokes this handler once per create, update or delete of one resource; reserving "
            "concurrency would take from the account's unreserved pool and fails deployment in accounts whose "
            "Lambda concurrency quota is at its minimum"
        )
        inline = (
            "AwsCustomResource attaches its policy (the single EMR action) inline to its provider role and "
            "offers no prop to make it a managed policy; the policy belongs to this one role"
        )
        for pack in ("HIPAA.Security", "NIST.800.53.R5"):
            _acknowledge(function, f"{pack}::{pack}-LambdaDLQ", dlq)
            _acknowledge(function, f"{pack}::{pack}-LambdaInsideVPC", outside_vpc)
            _acknowledge(function, f"{pack}::{pack}-LambdaConcurrency", concurrency)
            for policy in policies:
                _acknowledge(policy, f"{pack}::{pack}-IAMNoInlinePolicy", inline)
        # aws-cdk-lib adds DependsOn <role> to the provider function although its Role property already
        # references the role (W3005); harmless, and not ours to change.
        ignore_cfn_lint(function, "W3005", "aws-cdk-lib's own DependsOn on the provider function's role")


def _put_call(configuration: dict[str, Any], physical_id: cr.PhysicalResourceId) -> cr.AwsSdkCall:
    return cr.AwsSdkCall(
        service="EMR",
        action="putBlockPublicAccessConfiguration",
        parameters={"BlockPublicAccessConfiguration": configuration},
        physical_resource_id=physical_id,
    )


def _acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    target = scope.node.default_child or scope
    cdk.Validations.of(target).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))
