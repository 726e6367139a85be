"""The policy findings a transient job flow acknowledges, each on the narrowest construct with its reason."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn

from emr_constructs.iam import acknowledge_resource_finding
from emr_constructs.jobflow.checks import JOB_FLOW_TAG_KEY
from emr_constructs.jobflow.permissions import cluster_arn_pattern

_AWS_SOLUTIONS = "AwsSolutions::AwsSolutions"


def acknowledge_policy_findings(managed_policy: iam.ManagedPolicy, stack: cdk.Stack) -> None:
    policy = managed_policy.node.default_child
    assert policy is not None  # an iam.ManagedPolicy always has its L1
    cdk.Validations.of(policy).acknowledge(
        cdk.Acknowledgment(
            id=f"{_AWS_SOLUTIONS}-IAM5[Resource::*]",
            reason="Only actions without a resource type take Resource '*' here (Service Authorization "
            "Reference): elasticmapreduce:RunJobFlow (the cluster does not exist yet), the CloudWatch Logs "
            "vended-log delivery actions Step Functions needs for execution logging, and the X-Ray "
            "tracing actions. Every other statement names its resources.",
        )
    )
    acknowledge_resource_finding(
        policy,
        f"{_AWS_SOLUTIONS}-IAM5",
        cluster_arn_pattern(stack),
        reason="Each execution creates a new cluster whose id exists only at run time, so cluster ARNs "
        "cannot be named. DescribeCluster (the wait loop), terminate and step actions are further conditioned on "
        "the job flow's own "
        f"tag ({JOB_FLOW_TAG_KEY}), which the cluster carries from creation; AddTags on clusters is what "
        "tagging the new cluster at creation requires.",
    )


def waive_unsent_node_replacement(state_machine: sfn.StateMachine) -> None:
    """EMR-OPS4 on the state machine, as an acknowledgment (for the policy plugins at synth) and as cdk-nag
    metadata in the template (for ``emr-constructs check`` and ``EmrChecks.validate_scope``)."""
    reason = (
        "Instances.UnhealthyNodeReplacement is left out of the RunJobFlow request on purpose: Step Functions' "
        "documentation does not confirm the field for its EMR integrations (NEWER_REQUEST_FIELDS); "
        "newer_request_fields=True sends it."
    )
    machine = state_machine.node.default_child
    assert isinstance(machine, cdk.CfnResource)
    cdk.Validations.of(machine).acknowledge(cdk.Acknowledgment(id="EmrChecks::EmrChecks-EMR-OPS4", reason=reason))
    machine.add_metadata("cdk_nag", {"rules_to_suppress": [{"id": "EmrChecks-EMR-OPS4", "reason": reason}]})
