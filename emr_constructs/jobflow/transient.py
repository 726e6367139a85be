"""``TransientJobFlow``: a Step Functions state machine that creates a cluster from a ``ClusterSpec``, runs steps
on it, always terminates it, and reports the outcome to an encrypted SNS topic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from emr_constructs.cluster.existing_roles import job_flow_role_name
from emr_constructs.cluster.placement import place_cluster
from emr_constructs.cluster.wiring import cluster_roles, grant_cluster_access
from emr_constructs.iam import EmrRoles
from emr_constructs.jobflow.acknowledgments import acknowledge_policy_findings, waive_unsent_node_replacement
from emr_constructs.jobflow.checks import (
    DEFAULT_CLUSTER_TIMEOUT,
    DEFAULT_IDLE_TIMEOUT_SECONDS,
    DEFAULT_STEP_TIMEOUT,
    JOB_FLOW_TAG_KEY,
    MAX_TIMEOUT_SECONDS,
    check_job_flow,
)
from emr_constructs.jobflow.grants import SharedPolicyGrantee
from emr_constructs.jobflow.graph import build_definition, literal_substitutions
from emr_constructs.jobflow.notifications import execution_log_group, outcome_topic
from emr_constructs.jobflow.permissions import StateMachineAccess, state_machine_role, state_machine_statements
from emr_constructs.jobflow.schedule import schedule_job_flow
from emr_constructs.jobs import BootstrapAction, Step, step_from_spec
from emr_constructs.lint_suppressions import ignore_cfn_lint
from emr_constructs.monitoring.agent import wire_cloudwatch_agent
from emr_constructs.monitoring.logs import ClusterLogGroup
from emr_constructs.render import JobFlowWiring, render_run_job_flow
from emr_constructs.security import EmrSecurityConfiguration
from emr_constructs.spec import ClusterSpec
from emr_constructs.spec.app_config import newer_fields_problem

__all__ = [
    "DEFAULT_CLUSTER_TIMEOUT",
    "DEFAULT_IDLE_TIMEOUT_SECONDS",
    "DEFAULT_STEP_TIMEOUT",
    "JOB_FLOW_TAG_KEY",
    "MAX_TIMEOUT_SECONDS",
    "TransientJobFlow",
]

#: Room in the execution's time limit for notifications, retries and polls, on top of the task timeouts.
_EXECUTION_MARGIN = cdk.Duration.hours(1)


class TransientJobFlow(Construct):
    """A transient EMR cluster run by Step Functions: create it, run ``steps`` in order, terminate it, report.

    The state machine (``state_machine``, graph and error handling in ``emr_constructs.jobflow.graph``) runs::

        success   CreateCluster → (wait until WAITING) → Step01-… → … → TerminateCluster → NotifySuccess
        failures  CreateCluster ─catch→ NotifyCreateFailure → Failed              (RunJobFlow returned no id)
                  wait loop (cluster ended, too slow, DescribeCluster failing), any step (error or timeout)
                      → TerminateClusterAfterFailure → NotifyFailure → Failed
                  TerminateCluster, TerminateClusterAfterFailure ─catch→ NotifyTerminationFailure → Failed

    - ``CreateCluster`` sends the full ``RunJobFlow`` request rendered from ``spec``
      (``emr_constructs.render.run_job_flow``) through the AWS SDK integration ``aws-sdk:emr:runJobFlow``, which
      returns the cluster id at once; a Wait/DescribeCluster loop then waits (at most ``cluster_timeout``) for
      WAITING. From the moment the id is known, every failure and every timeout terminates the cluster. As the
      renderer requires, the cluster is kept alive when it has no steps, the request carries no steps, and the
      steps follow as ``addStep.sync`` tasks.
    - Why the SDK integration rather than ``elasticmapreduce:createCluster``: besides returning the id at once,
      it takes RunJobFlow's own parameters, while the optimized integration validates its own list, which has
      lagged behind EMR (aws-cdk#17452: "The field AutoTerminationPolicy is not supported by Step Functions").
      Its documentation ("Create and manage Amazon EMR clusters with Step Functions") lists no supported
      fields, so it cannot confirm ``MonitoringConfiguration`` or ``Instances.UnhealthyNodeReplacement``.
    - Retries: none for RunJobFlow and AddJobFlowSteps (neither has an idempotency token; a repeat can launch a
      second cluster or run a step twice); any error for DescribeCluster, TerminateJobFlows and notifications.
    - Every task has a ``TimeoutSeconds`` (``step_timeout`` for steps, ``cluster_timeout`` for terminating, five
      minutes for request-response calls) and the execution a time limit (twice ``cluster_timeout`` plus the steps
      plus an hour).
    - Catch blocks do not run when an execution is stopped or reaches its time limit, so the cluster always
      carries an ``AutoTerminationPolicy``: the spec's ``auto_termination_idle_seconds``, or 3600 s when it sets
      none (``DEFAULT_IDLE_TIMEOUT_SECONDS``). It is the backstop that ends an orphaned cluster once it is idle;
      it cannot end one that never becomes idle (stuck before WAITING, a step that never ends, HDFS above 10%).

    Steps: the spec's own ``steps`` (``at_creation`` is ignored: a transient cluster gets every step through
    ``addStep.sync``), then ``steps``. With runtime roles in the spec, each step runs under the step object's
    ``execution_role_arn`` when it has one, else under the spec's *first* runtime role, which is also the role
    granted read on the step's script asset, with the instance role, in a managed policy (a step's own role
    must be granted by the caller). Without runtime roles, steps run without ``ExecutionRoleArn`` and the
    instance role reads their scripts (as on ``EmrCluster``).

    Reused cluster machinery: roles (``roles`` or a new ``EmrRoles`` with least privilege on the log prefix), an
    ``EmrSecurityConfiguration`` from ``spec.security`` with its key grants, runtime roles and EMRFS role
    mappings, the spec's bootstrap actions, and the three EMR-managed security groups (given, or created).
    Kerberos is not supported yet: its KDC passwords are Secrets Manager dynamic references, which CloudFormation
    does not resolve inside a state machine definition.

    IAM: the state machine's role has exactly the statements of ``emr_constructs.jobflow.permissions`` in one
    customer-managed policy (``policy``): RunJobFlow (no resource type), AddTags on clusters (tagging at
    creation), Describe/Terminate/steps only on clusters that carry this job flow's tag (``JOB_FLOW_TAG_KEY``),
    PassRole of the service, instance (and auto-scaling) roles conditioned on ``iam:PassedToService``, the
    AWSServiceRoleForEMRCleanup service-linked role, the EventBridge managed rules of the two ``.sync``
    integrations (addStep, terminateCluster), publishing to the topic with its key, log delivery and X-Ray.
    Executions are logged (ALL, with execution data) to a KMS-encrypted log group kept for a year, and traced with
    X-Ray.

    ``topic`` (TLS-only, encrypted with its own customer-managed key ``topic_key``, RETAIN and rotated) receives
    one message per execution naming the execution, the cluster id, and on failure the error and its cause.
    With ``schedule``, an EventBridge rule (``schedule_rule``) starts an execution on it through a role that may
    only start this state machine.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: ClusterSpec,
        steps: Sequence[Step],
        vpc: ec2.IVpc,
        log_bucket: s3.IBucket,
        vpc_subnets: ec2.SubnetSelection | None = None,
        log_key: kms.IKey | None = None,
        log_prefix: str | None = None,
        roles: EmrRoles | None = None,
        s3_data_key: kms.IKey | None = None,
        local_disk_key: kms.IKey | None = None,
        primary_security_group: ec2.ISecurityGroup | None = None,
        core_security_group: ec2.ISecurityGroup | None = None,
        service_access_security_group: ec2.ISecurityGroup | None = None,
        bootstrap_actions: Sequence[BootstrapAction] = (),
        schedule: events.Schedule | None = None,
        step_timeout: cdk.Duration = DEFAULT_STEP_TIMEOUT,
        cluster_timeout: cdk.Duration = DEFAULT_CLUSTER_TIMEOUT,
        cloudwatch_log_group_name: str | None = None,
        newer_request_fields: bool = False,
    ) -> None:
        """
        :param spec: the cluster each execution creates (kept alive until its steps ran, then terminated).
        :param steps: run after the spec's own, in order.
        :param vpc: the VPC to launch in.
        :param log_bucket: bucket of the ``LogUri``.
        :param vpc_subnets: where to launch.
            Default: the VPC's private subnets, else its isolated ones.
        :param log_key: also encrypts the logs EMR pushes (``LogEncryptionKmsKeyId``).
            Default: none.
        :param log_prefix: key prefix of the logs.
            Default: ``emr/<cluster name>``.
        :param roles: the cluster's roles.
            Default: a new ``EmrRoles`` with least privilege on the log prefix.
        :param s3_data_key: the EMRFS data key of the security configuration.
            Default: a new key when the spec needs one.
        :param local_disk_key: the local-disk key of the security configuration.
            Default: a new key when the spec needs one.
        :param primary_security_group: with ``core_security_group`` and ``service_access_security_group`` (all
            three or none), the EMR-managed groups.
            Default: three new groups with a rule clean-up.
        :param bootstrap_actions: run after the spec's own.
            Default: none.
        :param schedule: adds an EventBridge rule that starts executions.
            Default: none (start executions yourself).
        :param step_timeout: limits each step.
            Default: 6 hours.
        :param cluster_timeout: limits waiting for the new cluster to be WAITING, and terminating it.
            Default: 1 hour.
        :param cloudwatch_log_group_name: with ``spec.monitoring.logs``, the encrypted log group for step and
            Spark logs, kept across executions.
            Default: ``/aws/emr/<cluster name>``.
        :param newer_request_fields: send ``MonitoringConfiguration`` and ``Instances.UnhealthyNodeReplacement``,
            which Step Functions' documentation does not confirm (``NEWER_REQUEST_FIELDS``); left out, EMR's
            defaults apply, and ``spec.monitoring.logs`` is an error.
            Default: ``False``.
        """
        all_steps: list[Step] = [*(step_from_spec(step) for step in spec.steps), *steps]
        check_job_flow(spec, all_steps, step_timeout, cluster_timeout)
        newer_problem = newer_fields_problem(spec, newer_request_fields)
        if newer_problem is not None:
            raise ValueError(f"TransientJobFlow {id!r}: {newer_problem}. Fix: pass newer_request_fields=True")
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        idle = spec.auto_termination_idle_seconds or DEFAULT_IDLE_TIMEOUT_SECONDS
        # Kept alive with no steps (the steps are added once it is WAITING), ended by the state machine or by
        # the idle timeout: see render_run_job_flow.
        self.spec = spec.model_copy(update={"keep_alive_when_no_steps": True, "auto_termination_idle_seconds": idle})
        self.log_prefix = log_prefix or f"emr/{spec.name}"
        self.roles = cluster_roles(
            self, spec, roles=roles, log_bucket=log_bucket, log_key=log_key, log_prefix=self.log_prefix
        )
        placement = place_cluster(
            self,
            vpc,
            vpc_subnets,
            (primary_security_group, core_security_group, service_access_security_group),
            log_key=log_key,
        )
        chosen = placement.subnets
        self.primary_security_group = placement.primary
        self.core_security_group = placement.core
        self.service_access_security_group = placement.service_access
        self.security_group_cleanup = placement.cleanup
        self.security_configuration = EmrSecurityConfiguration(
            self, "SecurityConfiguration", spec=spec.security, s3_data_key=s3_data_key, local_disk_key=local_disk_key
        )
        cluster_policies = grant_cluster_access(self, self.spec, self.roles, self.security_configuration)

        instance_role = self.roles.instance_role
        agent = wire_cloudwatch_agent(self, spec, instance_role, log_group_name=cloudwatch_log_group_name)
        cluster_policies.extend(agent.policies)
        self.cloudwatch_logs: ClusterLogGroup | None = agent.cloudwatch_logs
        actions = [
            *agent.bootstrap_actions,
            *(BootstrapAction.from_spec(self, action) for action in spec.bootstrap_actions),
            *bootstrap_actions,
        ]
        rendered_actions = [action.bind(self, instance_role) for action in actions]
        default_role = self._default_runtime_role()
        script_readers: SharedPolicyGrantee | None = None
        if default_role is not None:
            script_readers = SharedPolicyGrantee(
                self,
                "StepScriptAccess",
                [instance_role, default_role],
                "The job flow's steps read their scripts under the default runtime role; the nodes with the "
                "instance role.",
            )
        bound: list[tuple[dict[str, Any], str | None]] = []
        for step in all_steps:
            own_role: str | None = getattr(step, "execution_role_arn", None)
            if own_role is not None:
                bound.append((step.bind(self, instance_role), own_role))
            elif default_role is not None and script_readers is not None:
                bound.append((step.bind(self, script_readers), default_role.role_arn))
            else:
                bound.append((step.bind(self, instance_role), None))
        if script_readers is not None and script_readers.policy is not None:
            cluster_policies.append(script_readers.policy)

        self.topic, self.topic_key = outcome_topic(self, "Topic")
        self.log_group, self.log_group_key = execution_log_group(self, "ExecutionLogs")
        self.job_flow_tag = {JOB_FLOW_TAG_KEY: cdk.Names.unique_id(self)}
        wiring = JobFlowWiring(
            service_role=self.roles.service_role.role_arn,
            job_flow_role=job_flow_role_name(self.roles),
            auto_scaling_role=self.roles.auto_scaling_role.role_arn if self.roles.auto_scaling_role else None,
            subnet_ids=[subnet.subnet_id for subnet in chosen],
            primary_security_group=self.primary_security_group.security_group_id,
            core_security_group=self.core_security_group.security_group_id,
            service_access_security_group=self.service_access_security_group.security_group_id,
            log_uri=f"s3://{log_bucket.bucket_name}/{self.log_prefix}/",
            log_encryption_kms_key_id=log_key.key_arn if log_key else None,
            security_configuration=self.security_configuration.security_configuration_name,
            extra_tags=dict(self.job_flow_tag),
            bootstrap_actions=rendered_actions,
            monitoring_configuration=self.cloudwatch_logs.monitoring_configuration if self.cloudwatch_logs else None,
        )
        #: The ``RunJobFlow`` request that ``CreateCluster`` sends (values may be tokens).
        self.request = render_run_job_flow(self.spec, wiring)
        if not newer_request_fields:
            self.request.pop("MonitoringConfiguration", None)
            self.request.get("Instances", {}).pop("UnhealthyNodeReplacement", None)

        self.state_machine_role = state_machine_role(
            self,
            "StateMachineRole",
            description="Runs an EMR transient job flow: creates, steps and terminates its cluster, and reports.",
        )
        access = StateMachineAccess(
            service_role_arn=self.roles.service_role.role_arn,
            instance_role_arn=instance_role.role_arn,
            auto_scaling_role_arn=self.roles.auto_scaling_role.role_arn if self.roles.auto_scaling_role else None,
            job_flow_tag_key=JOB_FLOW_TAG_KEY,
            job_flow_tag_value=self.job_flow_tag[JOB_FLOW_TAG_KEY],
            topic_arn=self.topic.topic_arn,
            topic_key_arn=self.topic_key.key_arn,
            execution_role_arns=[role for _, role in bound if role is not None],
        )
        self.policy = iam.ManagedPolicy(
            self,
            "StateMachinePolicy",
            description="What an EMR transient job flow's state machine does, and nothing else.",
            statements=state_machine_statements(stack, access),
            roles=[self.state_machine_role],
        )

        definition = build_definition(
            Construct(self, "States"),
            partition=stack.partition,
            request=self.request,
            bound_steps=bound,
            topic_arn=self.topic.topic_arn,
            cluster_name=spec.name,
            step_timeout=step_timeout,
            cluster_timeout=cluster_timeout,
        )
        execution_limit = cdk.Duration.seconds(
            2 * cluster_timeout.to_seconds() + len(bound) * step_timeout.to_seconds() + _EXECUTION_MARGIN.to_seconds()
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment=f"Transient EMR job flow of cluster {spec.name}: create, run {len(bound)} step(s), terminate.",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            definition_substitutions=literal_substitutions(self.request) or None,
            # Every permission is in `policy`, written out: CDK adds nothing to an immutable role.
            role=self.state_machine_role.without_policy_updates(),
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
            tracing_enabled=True,
            timeout=execution_limit,
        )
        # Step Functions checks the log delivery permissions when it creates the state machine.
        self.state_machine.node.add_dependency(self.policy, *cluster_policies)
        ignore_cfn_lint(
            self.state_machine.node.default_child,  # type: ignore[arg-type]
            "W3005",
            "aws-cdk-lib's own DependsOn on the state machine's role, whose ARN the RoleArn property references",
        )

        self.schedule_rule: events.Rule | None = None
        if schedule is not None:
            self.schedule_rule = schedule_job_flow(self, self.state_machine, schedule, cluster_name=self.spec.name)
        acknowledge_policy_findings(self.policy, stack)
        if not newer_request_fields and spec.unhealthy_node_replacement:
            waive_unsent_node_replacement(self.state_machine)
        for warning_id, message in spec.warnings():
            cdk.Annotations.of(self).add_warning_v2(f"emr-constructs:{warning_id}", message)

    # --- wiring ----------------------------------------------------------------------------------------

    def _default_runtime_role(self) -> iam.Role | None:
        """The spec's first runtime role, the one steps run under unless they carry their own."""
        runtime = self.spec.security.runtime_roles
        if runtime is None or not runtime.roles:
            return None
        return self.roles.runtime_roles[runtime.roles[0].name]

    # --- accessors ----------------------------------------------------------------------------------------

    @property
    def state_machine_arn(self) -> str:
        return self.state_machine.state_machine_arn

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` start the job flow (``states:StartExecution`` on its state machine)."""
        return self.state_machine.grant_start_execution(grantee)

    @property
    def instance_role(self) -> iam.IRole:
        return self.roles.instance_role

    @property
    def service_role(self) -> iam.IRole:
        return self.roles.service_role
