"""The EventBridge schedule of a transient job flow."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


def schedule_job_flow(
    scope: Construct,
    state_machine: sfn.IStateMachine,
    schedule: events.Schedule,
    *,
    cluster_name: str | None = None,
    subject: str | None = None,
) -> events.Rule:
    """An EventBridge rule that starts ``state_machine`` on ``schedule`` through a role that may only start it
    (``ScheduleRole``, ``SchedulePolicy`` and ``Schedule`` under ``scope``). ``subject`` names what it starts
    (default: the transient EMR job flow of ``cluster_name``)."""
    if subject is None:
        texts = (
            "Lets the job flow's EventBridge schedule start its state machine.",
            "Start executions of exactly one EMR transient job flow.",
            f"Starts the transient EMR job flow of cluster {cluster_name}.",
        )
    else:
        texts = (
            f"Lets the EventBridge schedule of {subject} start its state machine.",
            f"Start executions of {subject} only.",
            f"Starts {subject}.",
        )
    stack = cdk.Stack.of(scope)
    role = iam.Role(
        scope,
        "ScheduleRole",
        assumed_by=iam.ServicePrincipal("events.amazonaws.com").with_conditions(
            {"StringEquals": {"aws:SourceAccount": stack.account}}
        ),
        description=texts[0],
    )
    iam.ManagedPolicy(
        scope,
        "SchedulePolicy",
        description=texts[1],
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
        description=texts[2],
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
