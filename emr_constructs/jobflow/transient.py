"""``TransientJobFlow``: a Step Functions state machine that creates a cluster from a ``ClusterSpec``, runs steps
on it, always terminates it, and reports the outcome to an encrypted SNS topic."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from emr_constructs.cluster.wiring import cluster_roles, emr_security_groups, grant_cluster_access
from emr_constructs.iam import EmrRoles, acknowledge_resource_finding
from emr_constructs.jobflow import states
from emr_constructs.jobflow.grants import SharedPolicyGrantee
from emr_constructs.jobflow.notifications import execution_log_group, outcome_topic
from emr_constructs.jobflow.permissions import StateMachineAccess, cluster_arn_pattern, state_machine_statements
from emr_constructs.jobs import BootstrapAction, Step, step_from_spec
from emr_constructs.lint_suppressions import ignore_cfn_lint
from emr_constructs.monitoring.agent import wire_cloudwatch_agent
from emr_constructs.monitoring.logs import ClusterLogGroup
from emr_constructs.render import JobFlowWiring, render_run_job_flow
from emr_constructs.security import EmrSecurityConfiguration
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
#: Room in the execution's time limit for notifications and retries, on top of the task timeouts.
_EXECUTION_MARGIN = cdk.Duration.hours(1)

_AWS_SOLUTIONS = "AwsSolutions::AwsSolutions"
#: ``${name}`` in a rendered value, other than a CDK token (``${Token[...]}``).
_PLACEHOLDER = re.compile(r"\$\{(?!Token\[)([^}]+)\}")
_STATES_SERVICE = "states.amazonaws.com"


class TransientJobFlow(Construct):
    """A transient EMR cluster run by Step Functions: create it, run ``steps`` in order, terminate it, report.

    The state machine (``state_machine``) runs::

        success   CreateCluster → Step01-… → … → TerminateCluster → NotifySuccess → Succeeded
        failures  CreateCluster ─catch→ NotifyCreateFailure → Failed
                  any step (its error or its timeout) ─catch→ TerminateClusterAfterFailure → NotifyFailure → Failed
                  TerminateCluster, TerminateClusterAfterFailure ─catch→ NotifyTerminationFailure → Failed

    - ``CreateCluster`` sends the full ``RunJobFlow`` request rendered from ``spec``
      (``emr_constructs.render.run_job_flow``) through ``elasticmapreduce:createCluster.sync``, which waits for
      the cluster to be WAITING. As that renderer requires, the cluster is kept alive when it has no steps, the
      request carries no steps, and the steps follow as ``addStep.sync`` tasks. A failed creation is reported
      directly: no cluster id exists to terminate (EMR ends a cluster that fails to start on its own).
    - Every step failure and every step timeout leads to ``TerminateClusterAfterFailure``; every task has a
      ``TimeoutSeconds`` (``step_timeout`` for steps, ``cluster_timeout`` for creating and for terminating,
      five minutes for notifications) and the execution a time limit (their sum plus an hour).
    - Catch blocks do not run when an execution is stopped or times out, so the cluster always carries an
      ``AutoTerminationPolicy``: the spec's ``auto_termination_idle_seconds``, or 3600 s when it sets none
      (``DEFAULT_IDLE_TIMEOUT_SECONDS``). It is the backstop that ends an orphaned cluster once it is idle.
    - EMR API errors (``EMR.AmazonElasticMapReduceException``, the name Step Functions gives throttling) are
      retried with exponential backoff when creating the cluster and adding steps; terminating is retried on
      any error (it is idempotent). Notifications are retried on any error.

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
    AWSServiceRoleForEMRCleanup service-linked role, the three EventBridge managed rules of ``.sync``, publishing
    to the topic with its key, log delivery and X-Ray. Executions are logged (ALL, with execution data) to a
    KMS-encrypted log group kept for a year, and traced with X-Ray.

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
        subnets: Sequence[ec2.ISubnet] | None = None,
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
    ) -> None:
        """``subnets`` default to the VPC's private (else isolated) subnets. ``log_prefix`` defaults to
        ``emr/<cluster name>``; ``log_key`` (default: none) also encrypts the logs EMR pushes
        (``LogEncryptionKmsKeyId``). ``s3_data_key`` and ``local_disk_key`` go to the security configuration
        (each created when omitted and needed). The three security groups are given together or created.
        ``bootstrap_actions`` run after the spec's own. ``schedule`` (default: none, start executions yourself)
        adds an EventBridge rule. ``step_timeout`` (default 6 h) limits each step; ``cluster_timeout``
        (default 1 h) limits creating the cluster (until it is WAITING) and terminating it. With
        ``spec.monitoring.logs``, step and Spark logs also go to a new encrypted log group,
        ``cloudwatch_log_group_name`` (default ``/aws/emr/<cluster name>``), kept across executions."""
        all_steps: list[Step] = [*(step_from_spec(step) for step in spec.steps), *steps]
        _check(spec, all_steps, step_timeout, cluster_timeout)
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        chosen = list(subnets) if subnets is not None else list(vpc.private_subnets or vpc.isolated_subnets)
        if not chosen:
            raise ValueError(
                f"TransientJobFlow {id!r}: no subnets to launch in. Fix: pass the private subnets of the VPC, or a "
                "VPC that has private or isolated subnets"
            )
        idle = spec.auto_termination_idle_seconds or DEFAULT_IDLE_TIMEOUT_SECONDS
        # Kept alive with no steps (createCluster.sync waits for WAITING), ended by the state machine or by
        # the idle timeout: see render_run_job_flow.
        self.spec = spec.model_copy(update={"keep_alive_when_no_steps": True, "auto_termination_idle_seconds": idle})
        self.log_prefix = log_prefix or f"emr/{spec.name}"
        self.roles = cluster_roles(
            self, spec, roles=roles, log_bucket=log_bucket, log_key=log_key, log_prefix=self.log_prefix
        )
        groups = emr_security_groups(
            self, vpc, primary_security_group, core_security_group, service_access_security_group
        )
        self.primary_security_group, self.core_security_group, self.service_access_security_group = groups
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
            job_flow_role=self.roles.instance_profile.ref,
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

        self.state_machine_role = iam.Role(
            self,
            "StateMachineRole",
            assumed_by=iam.ServicePrincipal(_STATES_SERVICE).with_conditions(
                {
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="states",
                            resource="stateMachine",
                            resource_name="*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                }
            ),
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

        definition = self._definition(stack.partition, bound, step_timeout, cluster_timeout)
        execution_limit = cdk.Duration.seconds(
            2 * cluster_timeout.to_seconds() + len(bound) * step_timeout.to_seconds() + _EXECUTION_MARGIN.to_seconds()
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment=f"Transient EMR job flow of cluster {spec.name}: create, run {len(bound)} step(s), terminate.",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            definition_substitutions=_literal_substitutions(self.request) or None,
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
            self.schedule_rule = self._schedule(schedule)
        self._acknowledge_policy_findings(stack)
        for warning_id, message in spec.warnings():
            cdk.Annotations.of(self).add_warning_v2(f"emr-constructs:{warning_id}", message)

    # --- wiring ----------------------------------------------------------------------------------------

    def _default_runtime_role(self) -> iam.Role | None:
        """The spec's first runtime role, the one steps run under unless they carry their own."""
        runtime = self.spec.security.runtime_roles
        if runtime is None or not runtime.roles:
            return None
        return self.roles.runtime_roles[runtime.roles[0].name]

    # --- the state machine -----------------------------------------------------------------------------

    def _definition(
        self,
        partition: str,
        bound: Sequence[tuple[dict[str, Any], str | None]],
        step_timeout: cdk.Duration,
        cluster_timeout: cdk.Duration,
    ) -> sfn.IChainable:
        scope = Construct(self, "States")
        cluster_seconds = int(cluster_timeout.to_seconds())
        topic = self.topic.topic_arn
        name = self.spec.name

        failed = sfn.Fail(
            scope,
            states.FAILED,
            error="EmrJobFlowFailed",
            cause="The job flow failed; the notification names the error, its cause and the cluster.",
        )
        succeeded = sfn.Succeed(scope, states.SUCCEEDED)

        def notify(state_name: str, subject: str, message: tuple[str, tuple[str, ...]]) -> sfn.CustomState:
            template, paths = message
            state = sfn.CustomState(
                scope, state_name, state_json=states.publish_state(partition, topic, subject, template, *paths)
            )
            state.add_retry(
                errors=["States.ALL"],
                interval=cdk.Duration.seconds(5),
                backoff_rate=2,
                max_attempts=3,
                jitter_strategy=sfn.JitterType.FULL,
            )
            return state

        notify_success = notify(states.NOTIFY_SUCCESS, f"EMR job flow {name} succeeded", states.SUCCESS_MESSAGE)
        notify_failure = notify(states.NOTIFY_FAILURE, f"EMR job flow {name} failed", states.FAILURE_MESSAGE)
        notify_create_failure = notify(
            states.NOTIFY_CREATE_FAILURE, f"EMR job flow {name} failed to start", states.CREATE_FAILURE_MESSAGE
        )
        notify_termination_failure = notify(
            states.NOTIFY_TERMINATION_FAILURE,
            f"EMR job flow {name}: cluster not terminated",
            states.TERMINATION_FAILURE_MESSAGE,
        )
        notify_success.next(succeeded)
        notify_failure.next(failed)
        notify_create_failure.next(failed)
        notify_termination_failure.next(failed)

        def terminate(state_name: str, comment: str) -> sfn.CustomState:
            state = sfn.CustomState(
                scope, state_name, state_json=states.terminate_cluster_state(partition, cluster_seconds, comment)
            )
            _retry_emr(state, ["States.ALL"])
            state.add_catch(notify_termination_failure, errors=["States.ALL"], result_path=states.TERMINATE_ERROR_PATH)
            return state

        terminate_on_success = terminate(states.TERMINATE_CLUSTER, "Every step succeeded: terminate the cluster.")
        terminate_on_success.next(notify_success)
        terminate_on_failure = terminate(
            states.TERMINATE_AFTER_FAILURE, "A step failed or timed out: terminate the cluster."
        )
        terminate_on_failure.next(notify_failure)

        create = sfn.CustomState(
            scope,
            states.CREATE_CLUSTER,
            state_json=states.create_cluster_state(partition, self.request, cluster_seconds),
        )
        _retry_emr(create, [states.EMR_API_ERROR])
        create.add_catch(notify_create_failure, errors=["States.ALL"], result_path=states.ERROR_PATH)

        chain = sfn.Chain.start(create)
        step_seconds = int(step_timeout.to_seconds())
        for index, (config, role_arn) in enumerate(bound):
            task = sfn.CustomState(
                scope,
                states.step_state_name(index, str(config["Name"])),
                state_json=states.add_step_state(partition, config, step_seconds, role_arn),
            )
            _retry_emr(task, [states.EMR_API_ERROR])
            task.add_catch(terminate_on_failure, errors=["States.ALL"], result_path=states.ERROR_PATH)
            chain = chain.next(task)
        return chain.next(terminate_on_success)

    def _schedule(self, schedule: events.Schedule) -> events.Rule:
        stack = cdk.Stack.of(self)
        role = iam.Role(
            self,
            "ScheduleRole",
            assumed_by=iam.ServicePrincipal("events.amazonaws.com").with_conditions(
                {"StringEquals": {"aws:SourceAccount": stack.account}}
            ),
            description="Lets the job flow's EventBridge schedule start its state machine.",
        )
        iam.ManagedPolicy(
            self,
            "SchedulePolicy",
            description="Start executions of exactly one EMR transient job flow.",
            statements=[
                iam.PolicyStatement(
                    sid="StartJobFlow",
                    actions=["states:StartExecution"],
                    resources=[self.state_machine.state_machine_arn],
                )
            ],
            roles=[role],
        )
        return events.Rule(
            self,
            "Schedule",
            description=f"Starts the transient EMR job flow of cluster {self.spec.name}.",
            schedule=schedule,
            targets=[
                targets.SfnStateMachine(
                    self.state_machine,
                    role=role.without_policy_updates(),
                    retry_attempts=2,
                    max_event_age=cdk.Duration.hours(1),
                )
            ],
        )

    def _acknowledge_policy_findings(self, stack: cdk.Stack) -> None:
        policy = self.policy.node.default_child
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
            "cannot be named. Describe, terminate and step actions are further conditioned on the job flow's own "
            f"tag ({JOB_FLOW_TAG_KEY}), which the cluster carries from creation; AddTags on clusters is what "
            "tagging the new cluster at creation requires.",
        )

    # --- accessors ----------------------------------------------------------------------------------------

    @property
    def state_machine_arn(self) -> str:
        return self.state_machine.state_machine_arn

    @property
    def instance_role(self) -> iam.IRole:
        return self.roles.instance_role

    @property
    def service_role(self) -> iam.IRole:
        return self.roles.service_role


def _literal_substitutions(request: Any) -> dict[str, str]:
    """``${name}`` placeholders that EMR itself expands (``${emr.clusterId}`` in custom auto-scaling alarms).

    CloudFormation treats ``${name}`` in a state machine's ``DefinitionString`` as a definition substitution
    (cfn-lint E1029); mapping each one to itself keeps it literal for EMR. CDK tokens are not placeholders.
    """
    found: dict[str, str] = {}
    if isinstance(request, str):
        for name in _PLACEHOLDER.findall(request):
            found[name] = "${" + name + "}"
    elif isinstance(request, dict):
        for value in request.values():
            found.update(_literal_substitutions(value))
    elif isinstance(request, list | tuple):
        for value in request:
            found.update(_literal_substitutions(value))
    return found


def _retry_emr(state: sfn.CustomState, errors: list[str]) -> None:
    state.add_retry(
        errors=errors,
        interval=cdk.Duration.seconds(30),
        backoff_rate=2,
        max_attempts=4,
        max_delay=cdk.Duration.minutes(5),
        jitter_strategy=sfn.JitterType.FULL,
    )


def _check(spec: ClusterSpec, steps: Sequence[Step], step_timeout: cdk.Duration, cluster_timeout: cdk.Duration) -> None:
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
