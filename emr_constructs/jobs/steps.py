"""Steps: Spark, Hive, ``command-runner.jar`` commands and custom JARs.

``execution_role_arn`` (a runtime role) applies where the API carries it: ``TransientJobFlow`` and
``emr-constructs submit``. CloudFormation's steps have no such property, so ``EmrCluster`` rejects it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.jobs.bootstrap import script_location
from emr_constructs.render.steps import (
    COMMAND_RUNNER,
    hadoop_jar_step,
    hive_script_args,
    spark_submit_args,
    step_config,
)
from emr_constructs.spec.jobs import StepSpec


@dataclass(frozen=True)
class SparkStep:
    """``spark-submit --deploy-mode cluster`` of a PySpark file or JAR (local files become assets).

    :param name: the step's name (required).
    :param script: a local PySpark file or JAR, shipped as an asset, or a script in S3
        (``s3://bucket/key``); required.
    :param main_class: the main class of a JAR.
        Default: ``None``.
    :param args: arguments of the application.
        Default: ``()``, none.
    :param conf: ``--conf`` settings of ``spark-submit``.
        Default: ``{}``, none.
    :param action_on_failure: ``CONTINUE``, ``CANCEL_AND_WAIT`` or ``TERMINATE_CLUSTER``; only ``CONTINUE``
        with step concurrency above 1.
        Default: ``"CONTINUE"``.
    :param execution_role_arn: a runtime role to run the step under; only ``TransientJobFlow`` and
        ``emr-constructs submit`` carry it, ``EmrCluster`` rejects it.
        Default: ``None``, the instance role.
    """

    name: str
    script: str
    main_class: str | None = None
    args: tuple[str, ...] = ()
    conf: Mapping[str, str] = field(default_factory=dict)
    action_on_failure: str = "CONTINUE"
    execution_role_arn: str | None = None

    def bind(self, scope: Construct, grantee: iam.IGrantable) -> dict[str, Any]:
        uri = script_location(scope, f"StepScript-{self.name}", self.script, grantee)
        args = spark_submit_args(uri, main_class=self.main_class, args=self.args, conf=self.conf)
        return step_config(self.name, self.action_on_failure, hadoop_jar_step(COMMAND_RUNNER, args))


@dataclass(frozen=True)
class HiveStep:
    """A Hive script (local files become assets).

    :param name: the step's name (required).
    :param script: a local Hive script, shipped as an asset, or a script in S3
        (``s3://bucket/key``); required.
    :param args: arguments of ``hive-script``.
        Default: ``()``, none.
    :param action_on_failure: ``CONTINUE``, ``CANCEL_AND_WAIT`` or ``TERMINATE_CLUSTER``; only ``CONTINUE``
        with step concurrency above 1.
        Default: ``"CONTINUE"``.
    :param execution_role_arn: a runtime role to run the step under; only ``TransientJobFlow`` and
        ``emr-constructs submit`` carry it, ``EmrCluster`` rejects it.
        Default: ``None``, the instance role.
    """

    name: str
    script: str
    args: tuple[str, ...] = ()
    action_on_failure: str = "CONTINUE"
    execution_role_arn: str | None = None

    def bind(self, scope: Construct, grantee: iam.IGrantable) -> dict[str, Any]:
        uri = script_location(scope, f"StepScript-{self.name}", self.script, grantee)
        return step_config(
            self.name, self.action_on_failure, hadoop_jar_step(COMMAND_RUNNER, hive_script_args(uri, self.args))
        )


@dataclass(frozen=True)
class CommandStep:
    """Any command through ``command-runner.jar`` (EMR Release Guide, "Run commands and scripts").

    :param name: the step's name (required).
    :param command: the command and its arguments (required).
    :param action_on_failure: ``CONTINUE``, ``CANCEL_AND_WAIT`` or ``TERMINATE_CLUSTER``; only ``CONTINUE``
        with step concurrency above 1.
        Default: ``"CONTINUE"``.
    :param execution_role_arn: a runtime role to run the step under; only ``TransientJobFlow`` and
        ``emr-constructs submit`` carry it, ``EmrCluster`` rejects it.
        Default: ``None``, the instance role.
    """

    name: str
    command: tuple[str, ...]
    action_on_failure: str = "CONTINUE"
    execution_role_arn: str | None = None

    def bind(self, scope: Construct, grantee: iam.IGrantable) -> dict[str, Any]:
        return step_config(self.name, self.action_on_failure, hadoop_jar_step(COMMAND_RUNNER, self.command))


@dataclass(frozen=True)
class JarStep:
    """A custom JAR in S3 with its main class and arguments.

    :param name: the step's name (required).
    :param jar: the JAR in S3 (required)
        as ``s3://bucket/key``.
    :param main_class: the class to run.
        Default: ``None``, the JAR manifest's ``Main-Class``.
    :param args: arguments of the main class.
        Default: ``()``, none.
    :param action_on_failure: ``CONTINUE``, ``CANCEL_AND_WAIT`` or ``TERMINATE_CLUSTER``; only ``CONTINUE``
        with step concurrency above 1.
        Default: ``"CONTINUE"``.
    :param execution_role_arn: a runtime role to run the step under; only ``TransientJobFlow`` and
        ``emr-constructs submit`` carry it, ``EmrCluster`` rejects it.
        Default: ``None``, the instance role.
    """

    name: str
    jar: str
    main_class: str | None = None
    args: tuple[str, ...] = ()
    action_on_failure: str = "CONTINUE"
    execution_role_arn: str | None = None

    def bind(self, scope: Construct, grantee: iam.IGrantable) -> dict[str, Any]:
        return step_config(self.name, self.action_on_failure, hadoop_jar_step(self.jar, self.args, self.main_class))


Step = SparkStep | HiveStep | CommandStep | JarStep


def step_from_spec(spec: StepSpec) -> Step:
    """The step object for a YAML step."""
    if spec.spark is not None:
        spark = spec.spark
        return SparkStep(
            spec.name, spark.script, spark.main_class, spark.args, dict(spark.conf), spec.action_on_failure
        )
    if spec.hive is not None:
        return HiveStep(spec.name, spec.hive.script, spec.hive.args, spec.action_on_failure)
    if spec.command is not None:
        return CommandStep(spec.name, spec.command, spec.action_on_failure)
    assert spec.jar is not None
    return JarStep(spec.name, spec.jar.jar, spec.jar.main_class, spec.jar.args, spec.action_on_failure)


def steps_from_specs(specs: Sequence[StepSpec]) -> list[tuple[Step, bool]]:
    """(step, at_creation) pairs for the spec's steps."""
    return [(step_from_spec(spec), spec.at_creation) for spec in specs]
