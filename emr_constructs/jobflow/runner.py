"""What every job runner's state machine has around its definition: an outcome topic, an execution log group, a
role with one customer-managed policy, the state machine from a definition string, and its acknowledgments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from emr_constructs.jobflow.notifications import execution_log_group, outcome_topic
from emr_constructs.jobflow.permissions import (
    LOG_DELIVERY_ACTIONS,
    TOPIC_KEY_ACTIONS,
    TRACING_ACTIONS,
    state_machine_role,
)
from emr_constructs.lint_suppressions import ignore_cfn_lint


def common_statements(topic: sns.ITopic, topic_key: kms.IKey) -> list[iam.PolicyStatement]:
    """What ends every runner's policy: publishing the outcome (with the topic's key), log delivery and tracing."""
    return [
        iam.PolicyStatement(sid="PublishOutcome", actions=["sns:Publish"], resources=[topic.topic_arn]),
        iam.PolicyStatement(sid="EncryptOutcome", actions=list(TOPIC_KEY_ACTIONS), resources=[topic_key.key_arn]),
        iam.PolicyStatement(sid="DeliverExecutionLogs", actions=list(LOG_DELIVERY_ACTIONS), resources=["*"]),
        iam.PolicyStatement(sid="Tracing", actions=list(TRACING_ACTIONS), resources=["*"]),
    ]


@dataclass
class JobRunnerParts:
    topic: sns.Topic
    topic_key: kms.Key
    log_group: logs.LogGroup
    log_group_key: kms.Key
    role: iam.Role
    policy: iam.ManagedPolicy
    state_machine: sfn.StateMachine


def job_runner(
    scope: Construct,
    *,
    kind: str,
    job_name: str,
    statements: Callable[[sns.Topic, kms.Key], Sequence[iam.PolicyStatement]],
    definition: Callable[[sns.Topic], dict[str, Any]],
) -> JobRunnerParts:
    """The parts in ``scope`` (ids ``Topic``, ``ExecutionLogs``, ``StateMachineRole``, ``StateMachinePolicy``,
    ``StateMachine``) for job ``job_name`` of ``kind`` (``EMR Serverless``, ``EMR on EKS``): ``statements`` and
    ``definition`` get the topic; the policy ends with the outcome, log delivery and tracing statements."""
    topic, topic_key = outcome_topic(
        scope,
        "Topic",
        purpose=f"the outcome notifications of an {kind} job",
        display_name=f"{kind} job",
        publishers=(),  # only the state machine publishes, through its role
    )
    log_group, log_group_key = execution_log_group(
        scope, "ExecutionLogs", purpose=f"the execution logs of an {kind} job"
    )
    role = state_machine_role(
        scope, "StateMachineRole", description=f"Runs {kind} job {job_name} and reports its outcome."
    )
    policy = iam.ManagedPolicy(
        scope,
        "StateMachinePolicy",
        description=f"What {kind} job {job_name}'s state machine does, and nothing else.",
        statements=[*statements(topic, topic_key), *common_statements(topic, topic_key)],
        roles=[role],
    )
    stack = cdk.Stack.of(scope)
    state_machine = sfn.StateMachine(
        scope,
        "StateMachine",
        definition_body=sfn.DefinitionBody.from_string(stack.to_json_string(definition(topic))),
        role=role.without_policy_updates(),
        logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
        tracing_enabled=True,
    )
    # Step Functions checks the log delivery permissions when it creates the state machine.
    state_machine.node.add_dependency(policy)
    ignore_cfn_lint(
        state_machine.node.default_child,  # type: ignore[arg-type]
        "W3005",
        "aws-cdk-lib's own DependsOn on the state machine's role, whose ARN the RoleArn property references",
    )
    cfn_policy = policy.node.default_child
    assert cfn_policy is not None  # an iam.ManagedPolicy always has its L1
    cdk.Validations.of(cfn_policy).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            reason="Only actions without a resource type take Resource '*' here (Service Authorization "
            "Reference): the CloudWatch Logs vended-log delivery actions Step Functions needs for execution "
            "logging, and the X-Ray tracing actions. Every other statement names its resources.",
        )
    )
    return JobRunnerParts(topic, topic_key, log_group, log_group_key, role, policy, state_machine)
