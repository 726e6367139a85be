"""Bootstrap actions and steps of a cluster (EMR Management Guide, "Create bootstrap actions", "Work with steps").

Both ``BootstrapActions`` and the cluster's ``Steps`` property are create-only: changing them replaces the
cluster. Steps declared here become ``AWS::EMR::Step`` resources by default (``at_creation: false``), which
CloudFormation replaces on change without touching the cluster.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.local_files import checked_local_file
from emr_constructs.spec.problems import ProblemCollector

#: EMR runs at most 16 bootstrap actions per cluster (EMR Management Guide, "Create bootstrap actions").
MAX_BOOTSTRAP_ACTIONS = 16
#: A local file (shipped as an asset; relative to the project root, the directory holding cdk.json) or an S3 object.
SCRIPT = r"^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S+|[A-Za-z0-9_./-]+)$"
#: A script path, checked against the project root when the config is loaded from a file.
Script = Annotated[str, Field(pattern=SCRIPT), AfterValidator(checked_local_file)]
ActionOnFailure = Literal["CONTINUE", "CANCEL_AND_WAIT", "TERMINATE_CLUSTER"]


class BootstrapActionSpec(SpecModel):
    """A script every node runs before applications start: a repository file (shipped as an asset) or an S3
    object, with arguments. ``run_if`` (for example ``instance.isMaster=true``) wraps it in EMR's run-if action."""

    name: str = Field(min_length=1, max_length=256)
    script: Script
    args: tuple[str, ...] = ()
    run_if: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.]+(=|!=)\S+$")


class SparkStepSpec(SpecModel):
    """``spark-submit --deploy-mode cluster`` of a PySpark file or a JAR with ``main_class``."""

    script: Script
    main_class: str | None = Field(default=None, pattern=r"^[A-Za-z_$][\w$.]*$")
    args: tuple[str, ...] = ()
    conf: dict[str, str] = Field(default_factory=dict)


class HiveStepSpec(SpecModel):
    """A Hive script run with ``hive-script --run-hive-script``."""

    script: Script
    args: tuple[str, ...] = ()


class JarStepSpec(SpecModel):
    """A custom JAR in S3 with its main class."""

    jar: str = Field(pattern=r"^s3://\S+\.jar$")
    main_class: str | None = Field(default=None, pattern=r"^[A-Za-z_$][\w$.]*$")
    args: tuple[str, ...] = ()


class StepSpec(SpecModel):
    """A step: exactly one of ``spark``, ``hive``, ``command`` (``command-runner.jar``) and ``jar``.

    Default: an ``AWS::EMR::Step`` resource with ActionOnFailure CONTINUE; ``at_creation: true`` puts it in the
    cluster's create-only ``Steps`` property instead.
    """

    name: str = Field(min_length=1, max_length=256)
    action_on_failure: ActionOnFailure = "CONTINUE"
    at_creation: bool = False
    spark: SparkStepSpec | None = None
    hive: HiveStepSpec | None = None
    command: tuple[str, ...] | None = Field(default=None, min_length=1)
    jar: JarStepSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> StepSpec:
        kinds = [k for k in ("spark", "hive", "command", "jar") if getattr(self, k) is not None]
        if len(kinds) != 1:
            problems = ProblemCollector(self)
            problems.add(
                "spark",
                kinds,
                "a step is exactly one of spark, hive, command and jar",
                "keep one of them in this step",
            )
            problems.raise_if_any()
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("spark", "hive", "command", "jar") if getattr(self, k) is not None)

    def local_files(self) -> list[str]:
        """Repository files the step needs shipped as assets."""
        script = self.spark.script if self.spark else self.hive.script if self.hive else None
        return [script] if script is not None and not script.startswith("s3://") else []


def check_jobs(
    problems: ProblemCollector,
    bootstrap_actions: tuple[BootstrapActionSpec, ...],
    steps: tuple[StepSpec, ...],
    step_concurrency: int,
) -> None:
    """Cluster-level rules for bootstrap actions and steps."""
    if len(bootstrap_actions) > MAX_BOOTSTRAP_ACTIONS:
        problems.add(
            "bootstrap_actions",
            len(bootstrap_actions),
            f"EMR runs at most {MAX_BOOTSTRAP_ACTIONS} bootstrap actions",
            "combine scripts or remove some",
        )
    for field, items in (("bootstrap_actions", bootstrap_actions), ("steps", steps)):
        names = [item.name for item in items]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            problems.add(field, repeated, "two entries share a name", "give each a unique name")
    if step_concurrency > 1:
        for index, step in enumerate(steps):
            if step.action_on_failure != "CONTINUE":
                problems.add(
                    f"steps[{index}].action_on_failure",
                    step.action_on_failure,
                    f"with step concurrency {step_concurrency}, EMR accepts only CONTINUE",
                    "set action_on_failure: CONTINUE or step_concurrency: 1",
                )
