"""What the stateless job stacks (EMR Serverless, EMR on EKS) do alike: bound every role, and name each job's state
machine in an output."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from emr_constructs.spec import AppConfig


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class _Job(Protocol):
    @property
    def state_machine_arn(self) -> str: ...

    @property
    def spec(self) -> _Named: ...


def bound_every_role(stack: cdk.Stack, config: AppConfig) -> None:
    """``iam.permissions_boundary_arn`` on every role of ``stack`` (execution, state machine and schedule roles)."""
    if config.iam.permissions_boundary_arn:
        boundary = iam.ManagedPolicy.from_managed_policy_arn(
            stack, "PermissionsBoundary", config.iam.permissions_boundary_arn
        )
        iam.PermissionsBoundary.of(stack).apply(boundary)


def state_machine_outputs(stack: cdk.Stack, jobs: Sequence[_Job], kind: str) -> None:
    """An output ``<JobName>StateMachineArn`` per job (``nightly-totals`` gives ``NightlyTotalsStateMachineArn``)."""
    for job in jobs:
        name = job.spec.name
        cdk.CfnOutput(
            stack,
            "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name)) + "StateMachineArn",
            value=job.state_machine_arn,
            description=f"State machine of {kind} job {name}",
        )
