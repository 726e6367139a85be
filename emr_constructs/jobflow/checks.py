"""Defaults of a transient job flow and the rules it needs beyond a valid spec (every problem reported at once)."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk

from emr_constructs.jobs import Step
from emr_constructs.spec import ClusterSpec
from emr_constructs.spec import capabilities as cap
from emr_constructs.spec.problems import ProblemCollector

#: Tag that marks the cluster of one job flow; the state machine may act only on clusters that carry it.
JOB_FLOW_TAG_KEY = "emr-constructs-job-flow"
#: Auto-termination idle timeout of the cluster when the spec sets none (the backstop, see the class doc).
DEFAULT_IDLE_TIMEOUT_SECONDS = 3600
DEFAULT_STEP_TIMEOUT = cdk.Duration.hours(6)
DEFAULT_CLUSTER_TIMEOUT = cdk.Duration.hours(1)
#: Step Functions' largest TimeoutSeconds.
MAX_TIMEOUT_SECONDS = 99_999_999


def check_job_flow(
    spec: ClusterSpec, steps: Sequence[Step], step_timeout: cdk.Duration, cluster_timeout: cdk.Duration
) -> None:
    """Everything a transient job flow needs beyond a valid spec; every problem is reported at once."""
    problems = ProblemCollector()
    if not steps:
        problems.add(
            "steps",
            [],
            "a transient job flow with no steps would create a cluster only to terminate it",
            "pass steps (or declare them in the spec's steps)",
        )
    if spec.security.kerberos is not None:
        problems.add(
            "security.kerberos",
            spec.security.kerberos.provider,
            "Kerberos transient clusters are not supported yet: KerberosAttributes carries KDC passwords as Secrets "
            "Manager dynamic references ({{resolve:...}}), which CloudFormation does not resolve inside a state "
            "machine definition",
            "run Kerberos workloads on an EmrCluster, or use a spec without security.kerberos",
        )
    if spec.termination_protected:
        problems.add(
            "termination_protection",
            True,
            "termination protection (forced on with three primaries) would make TerminateCluster and the "
            "auto-termination backstop fail, leaving the cluster running",
            "remove termination_protection (and use one primary node) for a transient cluster",
        )
    if not cap.AUTO_TERMINATION.supported(spec.release_label):
        problems.add(
            "release_label",
            str(spec.release_label),
            f"a transient cluster needs an auto-termination idle timeout as its backstop, which needs "
            f"{cap.AUTO_TERMINATION.requirement()}",
            "use a newer release",
        )
    if JOB_FLOW_TAG_KEY in spec.tags:
        problems.add(
            f"tags.{JOB_FLOW_TAG_KEY}",
            spec.tags[JOB_FLOW_TAG_KEY],
            "the job flow sets this tag itself: its state machine may act only on clusters that carry it",
            f"remove the {JOB_FLOW_TAG_KEY} tag",
        )
    if spec.step_concurrency > 1:
        for index, step in enumerate(steps):
            action = getattr(step, "action_on_failure", "CONTINUE")
            if action != "CONTINUE":
                problems.add(
                    f"steps[{index}].action_on_failure",
                    action,
                    "with step concurrency above 1, AddJobFlowSteps accepts only CONTINUE",
                    "use CONTINUE (a failed step still fails the job flow and terminates the cluster)",
                )
    for name, duration in (("step_timeout", step_timeout), ("cluster_timeout", cluster_timeout)):
        if duration.is_unresolved():
            problems.add(name, "token", "a state's timeout must be known at synthesis", "pass a fixed Duration")
            continue
        problems.check_range(name, duration.to_seconds(), (1, MAX_TIMEOUT_SECONDS), f"{name} (seconds)")
    problems.raise_if_any()
