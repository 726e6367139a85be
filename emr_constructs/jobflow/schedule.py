"""The EventBridge schedule of a transient job flow."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


def schedule_job_flow(
    scope: Construct, state_machine: sfn.IStateMachine, schedule: events.Schedule, *, cluster_name: str
) -> events.Rule:
    """An EventBridge rule that starts ``state_machine`` on ``schedule`` through a role that may only start it
    (``ScheduleRole``, ``SchedulePolicy`` and ``Schedule`` under ``scope``)."""
    stack = cdk.Stack.of(scope)
    role = iam.Role(
        scope,
        "ScheduleRole",
        assumed_by=iam.ServicePrincipal("events.amazonaws.com").with_conditions(
            {"StringEquals": {"aws:SourceAccount": stack.account}}
        ),
        description="Lets the job flow's EventBridge schedule start its state machine.",
    )
    iam.ManagedPolicy(
        scope,
        "SchedulePolicy",
        description="Start executions of exactly one EMR transient job flow.",
        statements=[
            iam.PolicyStatement(
                sid="StartJobFlow",
                actions=["states:StartExecution"],
                resources=[state_machine.state_machine_arn],
            )
        ],
        roles=[role],
    )
    return events.Rule(
        scope,
        "Schedule",
        description=f"Starts the transient EMR job flow of cluster {cluster_name}.",
        schedule=schedule,
        targets=[
            targets.SfnStateMachine(
                state_machine,
                role=role.without_policy_updates(),
                retry_attempts=2,
                max_event_age=cdk.Duration.hours(1),
            )
        ],
    )
