"""``EmrContainersJob``: a Spark job run on an EMR on EKS virtual cluster, driven by a Step Functions state machine
on the optimized ``emr-containers:startJobRun.sync`` integration, with notifications and an optional schedule."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.eks.base import FOLLOW_ACTIONS
from emr_constructs.eks.job_definition import build_definition, start_job_run_request, task_timeout_seconds
from emr_constructs.eks.virtual_cluster import EmrVirtualCluster
from emr_constructs.iam import acknowledge_resource_finding
from emr_constructs.jobflow.runner import job_runner
from emr_constructs.jobflow.schedule import schedule_job_flow
from emr_constructs.jobs.bootstrap import script_location
from emr_constructs.spec.eks_jobs import EksJobSpec, job_on_virtual_cluster_problems


class EmrContainersJob(Construct):
    """An ``EksJobSpec`` run by a state machine (``state_machine``) on ``virtual_cluster``.

    Each execution sends StartJobRun (a new idempotency token per execution) with the virtual cluster's execution
    role and release (the job's ``release_label`` overrides it), the Spark driver, the retry policy and
    configuration overrides, and the virtual cluster's logs (S3 and CloudWatch); it waits for the run to end
    (``startJobRun.sync``, at most ``timeout_minutes`` per attempt) and publishes the outcome to ``topic``
    (TLS-only, its own rotated key). A local script becomes an asset that the execution role alone may read.
    Executions are logged (ALL) to a KMS-encrypted log group kept a year, and traced. The state machine's role has
    the statements of the Step Functions guide ("IAM policies for Amazon EMR on EKS"): StartJobRun on this virtual
    cluster as this execution role only (``emr-containers:ExecutionRoleArn``), DescribeJobRun and CancelJobRun on
    its job runs.

    :param virtual_cluster: where the job runs (required).
    :param spec: the job.
    :param schedule: starts an execution on a schedule.
        Default: ``spec.schedule`` when set, else none.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        virtual_cluster: EmrVirtualCluster,
        spec: EksJobSpec,
        schedule: events.Schedule | None = None,
    ) -> None:
        problems = job_on_virtual_cluster_problems(spec, virtual_cluster.spec)
        if problems:
            raise ValueError(f"EmrContainersJob {id!r}: " + "; ".join(p.describe() for p in problems))
        super().__init__(scope, id)
        self.spec = spec
        self.virtual_cluster = virtual_cluster
        stack = cdk.Stack.of(self)
        role = virtual_cluster.execution_role
        spark = spec.spark
        self.request = start_job_run_request(
            virtual_cluster_id=virtual_cluster.virtual_cluster_id,
            execution_role_arn=role.role_arn,
            name=spec.name,
            release_label=spec.release_on(virtual_cluster.spec),
            entry_point=script_location(self, "Script", spark.script, role),
            args=spark.args,
            conf=spark.conf,
            main_class=spark.main_class,
            max_attempts=spec.max_attempts,
            configurations=spec.configurations,
            monitoring=virtual_cluster.monitoring_configuration(),
        )
        task_timeout = task_timeout_seconds(spec.timeout_minutes, spec.max_attempts)
        parts = job_runner(
            self,
            kind="EMR on EKS",
            job_name=spec.name,
            statements=lambda topic, key: self._statements(role.role_arn),
            definition=lambda topic: build_definition(
                partition=stack.partition,
                request=self.request,
                job_name=spec.name,
                topic_arn=topic.topic_arn,
                task_timeout=task_timeout,
                log_uri=virtual_cluster.log_uri,
            ),
        )
        self.topic, self.topic_key = parts.topic, parts.topic_key
        self.log_group, self.log_group_key = parts.log_group, parts.log_group_key
        self.state_machine_role, self.policy, self.state_machine = parts.role, parts.policy, parts.state_machine
        cfn_policy = self.policy.node.default_child
        assert cfn_policy is not None
        acknowledge_resource_finding(
            cfn_policy,
            "AwsSolutions::AwsSolutions-IAM5",
            virtual_cluster.job_runs_arn,
            reason="Job run ids exist only once a run starts; DescribeJobRun and CancelJobRun (what "
            "startJobRun.sync needs to follow and cancel its run) are limited to this virtual cluster's job runs.",
        )
        chosen = schedule or (events.Schedule.expression(spec.schedule) if spec.schedule else None)
        self.schedule_rule: events.Rule | None = None
        if chosen is not None:
            self.schedule_rule = schedule_job_flow(
                self, self.state_machine, chosen, subject=f"EMR on EKS job {spec.name}"
            )

    def _statements(self, role_arn: str) -> list[iam.PolicyStatement]:
        return [
            iam.PolicyStatement(
                sid="StartJobRunAsExecutionRole",
                actions=["emr-containers:StartJobRun"],
                resources=[self.virtual_cluster.virtual_cluster_arn],
                conditions={"StringEquals": {"emr-containers:ExecutionRoleArn": role_arn}},
            ),
            iam.PolicyStatement(
                sid="FollowAndCancelJobRuns",
                actions=list(FOLLOW_ACTIONS),
                resources=[self.virtual_cluster.job_runs_arn],
            ),
        ]

    @property
    def state_machine_arn(self) -> str:
        return self.state_machine.state_machine_arn

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` start the job (``states:StartExecution`` on its state machine)."""
        return self.state_machine.grant_start_execution(grantee)
