"""``EmrServerlessJob``: a job run on an EMR Serverless application, driven by a Step Functions state machine on the
optimized ``emr-serverless:startJobRun.sync`` integration, with notifications and an optional schedule."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.iam import acknowledge_resource_finding
from emr_constructs.jobflow.runner import job_runner
from emr_constructs.jobflow.schedule import schedule_job_flow
from emr_constructs.jobs.bootstrap import script_location
from emr_constructs.serverless.base import LOG_KEY_SUBMITTER_ACTIONS, SERVICE, IEmrServerlessApplication
from emr_constructs.serverless.job_definition import (
    build_definition,
    hive_driver,
    spark_driver,
    start_job_run_request,
    task_timeout_seconds,
)
from emr_constructs.spec.serverless import QUEUE_TIMEOUT_MINUTES, ServerlessApplicationSpec
from emr_constructs.spec.serverless_jobs import ServerlessJobSpec, job_on_application_problems

#: EventBridge rules Step Functions manages for the ``.sync`` integrations (Step Functions Developer Guide,
#: "IAM policies for Amazon EMR Serverless").
JOB_RULE = "StepFunctionsGetEventsForEMRServerlessJobRule"
APPLICATION_RULE = "StepFunctionsGetEventsForEMRServerlessApplicationRule"
RULE_ACTIONS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")


class EmrServerlessJob(Construct):
    """A ``ServerlessJobSpec`` run by a state machine (``state_machine``) on ``application``.

    Each execution sends StartJobRun (a new idempotency token per execution) with the application's execution
    role, the job's driver, timeout, retry policy and configuration overrides, and the S3 log location; it waits
    for the run to end (``startJobRun.sync``) and publishes the outcome to ``topic`` (TLS-only, its own rotated
    key). A local script (or Hive query file) becomes an asset that the execution role alone may read
    (``s3:GetObject`` on that object). With ``manage_application`` the state machine starts the application
    first and stops it after the run, also after a failure. Executions are logged (ALL) to a KMS-encrypted log
    group kept a year, and traced. The state machine's role has exactly the statements of the Step Functions
    guide for these integrations, in one customer-managed policy (``policy``).

    :param application: where the job runs; its ``execution_role`` runs the job (required).
    :param spec: the job.
    :param schedule: starts an execution on a schedule.
        Default: ``spec.schedule`` when set, else none (start executions yourself).
    :param manage_application: start the application before the run and stop it after.
        Default: ``True`` when the application's auto-start is off, else ``False``.
    :param log_uri: the S3 log location (``s3://bucket/prefix/``) sent with each run.
        Default: the application's (``EmrServerlessApplication.log_uri``), else none (the application's setting).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        application: IEmrServerlessApplication,
        spec: ServerlessJobSpec,
        schedule: events.Schedule | None = None,
        manage_application: bool | None = None,
        log_uri: str | None = None,
    ) -> None:
        app_spec: ServerlessApplicationSpec | None = getattr(application, "spec", None)
        problems = job_on_application_problems(spec, app_spec) if app_spec is not None else []
        if problems:
            raise ValueError(f"EmrServerlessJob {id!r}: " + "; ".join(p.describe() for p in problems))
        role = application.execution_role
        if role is None:
            raise ValueError(
                f"EmrServerlessJob {id!r}: application {application.application_name} has no known execution role. "
                "Fix: import it with execution_role=iam.Role.from_role_arn(...)"
            )
        super().__init__(scope, id)
        self.spec = spec
        self.application = application
        stack = cdk.Stack.of(self)
        if manage_application is None:
            manage_application = app_spec is not None and not app_spec.auto_start
        self.manage_application = manage_application
        log_uri = log_uri or getattr(application, "log_uri", None)
        log_key = application.log_key
        self._log_key = log_key
        self.request = start_job_run_request(
            application_id=application.application_id,
            execution_role_arn=role.role_arn,
            name=spec.name,
            driver=self._driver(role),
            timeout_minutes=spec.timeout_minutes,
            max_attempts=spec.max_attempts,
            configurations=spec.configurations,
            log_uri=log_uri,
            log_key_arn=log_key.key_arn if log_key is not None and log_uri is not None else None,
        )
        queue = (
            app_spec.scheduler.queue_timeout_minutes if app_spec and app_spec.scheduler else QUEUE_TIMEOUT_MINUTES[1]
        )
        task_timeout = task_timeout_seconds(spec.timeout_minutes, spec.max_attempts, queue)
        parts = job_runner(
            self,
            kind="EMR Serverless",
            job_name=spec.name,
            statements=lambda topic, key: self._statements(stack, role.role_arn),
            definition=lambda topic: build_definition(
                partition=stack.partition,
                request=self.request,
                job_name=spec.name,
                topic_arn=topic.topic_arn,
                task_timeout=task_timeout,
                manage_application=manage_application,
                log_location=log_uri,
            ),
        )
        self.topic, self.topic_key = parts.topic, parts.topic_key
        self.log_group, self.log_group_key = parts.log_group, parts.log_group_key
        self.state_machine_role, self.policy, self.state_machine = parts.role, parts.policy, parts.state_machine
        self._acknowledge(stack)
        chosen = schedule or (events.Schedule.expression(spec.schedule) if spec.schedule else None)
        self.schedule_rule: events.Rule | None = None
        if chosen is not None:
            self.schedule_rule = schedule_job_flow(
                self, self.state_machine, chosen, subject=f"EMR Serverless job {spec.name}"
            )

    def _driver(self, role: iam.IRole) -> dict[str, object]:
        spark, hive = self.spec.spark, self.spec.hive
        if spark is not None:
            return spark_driver(
                script_location(self, "Script", spark.script, role), spark.args, spark.conf, spark.main_class
            )
        assert hive is not None  # the spec holds exactly one driver
        init = script_location(self, "InitQuery", hive.init_query_file, role) if hive.init_query_file else None
        return hive_driver(script_location(self, "Query", hive.query, role), init, hive.parameters)

    def _statements(self, stack: cdk.Stack, role_arn: str) -> list[iam.PolicyStatement]:
        """Step Functions Developer Guide, "IAM policies for Amazon EMR Serverless" (startJobRun.sync,
        startApplication.sync, stopApplication.sync), with the topic, log delivery and tracing."""
        application = self.application.application_arn

        def rule(name: str) -> str:
            return stack.format_arn(service="events", resource="rule", resource_name=name)

        statements = [
            iam.PolicyStatement(sid="StartJobRun", actions=["emr-serverless:StartJobRun"], resources=[application]),
            iam.PolicyStatement(
                sid="FollowAndCancelJobRuns",
                actions=["emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"],
                resources=[f"{application}/jobruns/*"],
            ),
            iam.PolicyStatement(
                sid="PassExecutionRole",
                actions=["iam:PassRole"],
                resources=[role_arn],
                conditions={"StringEquals": {"iam:PassedToService": SERVICE}},
            ),
            iam.PolicyStatement(sid="ManagedRuleForJobRuns", actions=list(RULE_ACTIONS), resources=[rule(JOB_RULE)]),
        ]
        if self._log_key is not None:
            # "Encrypting logs": EMR Serverless rejects a run whose submitter may not use the log key.
            statements.append(
                iam.PolicyStatement(
                    sid="UseLogKey", actions=list(LOG_KEY_SUBMITTER_ACTIONS), resources=[self._log_key.key_arn]
                )
            )
        if self.manage_application:
            statements += [
                iam.PolicyStatement(
                    sid="StartAndStopApplication",
                    actions=[
                        "emr-serverless:StartApplication",
                        "emr-serverless:StopApplication",
                        "emr-serverless:GetApplication",
                    ],
                    resources=[application],
                ),
                iam.PolicyStatement(
                    sid="ManagedRuleForApplications", actions=list(RULE_ACTIONS), resources=[rule(APPLICATION_RULE)]
                ),
            ]
        return statements

    def _acknowledge(self, stack: cdk.Stack) -> None:
        policy = self.policy.node.default_child
        assert policy is not None  # an iam.ManagedPolicy always has its L1
        acknowledge_resource_finding(
            policy,
            "AwsSolutions::AwsSolutions-IAM5",
            f"{self.application.application_arn}/jobruns/*",
            reason="Job run ids exist only once a run starts; GetJobRun and CancelJobRun (what startJobRun.sync "
            "needs to follow and cancel its run) are limited to this one application's job runs.",
        )

    # --- accessors ---------------------------------------------------------------------------------------------

    @property
    def state_machine_arn(self) -> str:
        return self.state_machine.state_machine_arn

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` start the job (``states:StartExecution`` on its state machine)."""
        return self.state_machine.grant_start_execution(grantee)
