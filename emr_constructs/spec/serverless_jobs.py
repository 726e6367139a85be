"""EMR Serverless jobs: a Spark or Hive job run on a Serverless application, started by Step Functions.

Limits (each a named constant) come from the EMR Serverless API Reference (``StartJobRun``, through botocore's
``emr-serverless`` model) and the EMR Serverless User Guide (page names in the comments).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.configurations import ConfigurationSpec, as_emr_string
from emr_constructs.spec.jobs import Script
from emr_constructs.spec.problems import Problem, ProblemCollector
from emr_constructs.spec.schedule import checked_schedule
from emr_constructs.spec.serverless import ServerlessApplicationSpec, release_version

#: StartJobRun ``executionTimeoutMinutes``: EMR's default is 720 minutes (12 hours).
DEFAULT_TIMEOUT_MINUTES = 720
#: release-version-7110: from emr-7.11.0 a batch job's timeout is at most 7 days, and 0 (no timeout) is rejected.
TIMEOUT_CAP_RELEASE = (7, 11, 0)
SEVEN_DAYS_MINUTES = 7 * 24 * 60
#: jobs-resiliency: a batch job's retry policy needs emr-7.1.0 and allows at most 10 attempts.
RETRY_RELEASE = (7, 1, 0)
MAX_ATTEMPTS = 10
#: Job names: StartJobRun ``name``, 1-256 characters with a non-blank one; here also the state machine's subject.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


@cache
def api_timeout_maximum() -> int:
    """The largest ``executionTimeoutMinutes`` botocore's ``emr-serverless`` model accepts."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("emr-serverless")
    shape = model.operation_model("StartJobRun").input_shape
    assert shape is not None
    return int(shape.members["executionTimeoutMinutes"].metadata["max"])


def timeout_problem(release_label: str, minutes: int) -> str | None:
    """Why ``minutes`` is not a valid timeout on ``release_label``, else ``None``."""
    version = release_version(release_label)
    if version is not None and version >= TIMEOUT_CAP_RELEASE and minutes > SEVEN_DAYS_MINUTES:
        return f"from emr-7.11.0 a job runs at most 7 days ({SEVEN_DAYS_MINUTES} minutes)"
    if minutes > api_timeout_maximum():
        return f"StartJobRun takes at most {api_timeout_maximum()} minutes"
    return None


def _as_strings(value: Any) -> Any:
    """YAML numbers and booleans as the strings spark-submit and Hive take (``4``, ``true``)."""
    if isinstance(value, dict):
        return {str(k): as_emr_string(v) if isinstance(v, bool | int | float) else v for k, v in value.items()}
    return value


def _no_blanks(values: dict[str, str]) -> dict[str, str]:
    """spark-submit and Hive parameters are one string split at blanks: keys and values may hold none."""
    for key, value in values.items():
        if not key or any(c.isspace() for c in key + value):
            raise ValueError(
                f"{key}={value!r} holds a blank, which would split it in the submit parameters. "
                "Fix: remove the blanks (use commas for lists)"
            )
    return values


#: ``--conf`` or ``--hiveconf`` settings: strings (YAML numbers and booleans converted), without blanks.
SubmitParameters = Annotated[dict[str, str], BeforeValidator(_as_strings), AfterValidator(_no_blanks)]


class ServerlessSparkSpec(SpecModel):
    """``spark-submit`` of a PySpark file or a JAR (with ``main_class``): a repository file (shipped as an asset,
    readable only by the application's execution role) or an S3 object. ``conf`` becomes ``--conf`` settings."""

    script: Script
    main_class: str | None = Field(default=None, pattern=r"^[A-Za-z_$][\w$.]*$")
    args: tuple[str, ...] = Field(default=(), max_length=1024)
    conf: SubmitParameters = Field(default_factory=dict)


class ServerlessHiveSpec(SpecModel):
    """A Hive query file (repository file or S3 object), an optional initialization query file, and
    ``--hiveconf`` parameters."""

    query: Script
    init_query_file: Script | None = None
    parameters: SubmitParameters = Field(default_factory=dict)


class ServerlessJobSpec(SpecModel):
    """A batch job run on the Serverless application named ``application``: exactly one of ``spark`` and ``hive``.

    Defaults: no schedule (start executions yourself), a timeout of 720 minutes (EMR's own default), one attempt
    (``max_attempts`` above 1 lets EMR retry a failed run), no configuration overrides.
    """

    name: str = Field(pattern=NAME_PATTERN)
    application: str = Field(min_length=1, max_length=64)
    schedule: str | None = Field(default=None, max_length=256)
    spark: ServerlessSparkSpec | None = None
    hive: ServerlessHiveSpec | None = None
    timeout_minutes: int = Field(default=DEFAULT_TIMEOUT_MINUTES, ge=1)
    max_attempts: int = Field(default=1, ge=1, le=MAX_ATTEMPTS)
    configurations: tuple[ConfigurationSpec, ...] = ()

    _schedule = field_validator("schedule")(checked_schedule)

    @model_validator(mode="after")
    def _check(self) -> ServerlessJobSpec:
        problems = ProblemCollector(self)
        if (self.spark is None) == (self.hive is None):
            problems.add(
                "spark",
                "both" if self.spark else None,
                "a serverless job runs exactly one of spark and hive",
                "give spark (for a Spark application) or hive (for a Hive application)",
            )
        problems.raise_if_any()
        return self

    @property
    def type(self) -> Literal["Spark", "Hive"]:
        """The application type this job needs."""
        return "Spark" if self.spark is not None else "Hive"


def job_on_application_problems(job: ServerlessJobSpec, application: ServerlessApplicationSpec) -> list[Problem]:
    """What keeps ``job`` from running on ``application``: its type, its timeout and its retries on that release."""
    found = ProblemCollector()
    release = application.release_label
    if application.type != job.type:
        found.add(
            job.type.lower(),
            "set",
            f"application {application.name} runs {application.type}, this job is a {job.type} job",
            f"run it on a {job.type} application or give it {application.type.lower()} instead",
        )
    problem = timeout_problem(release, job.timeout_minutes)
    if problem is not None:
        found.add(
            "timeout_minutes",
            job.timeout_minutes,
            f"{problem} (application {application.name} runs {release})",
            "lower timeout_minutes",
        )
    version = release_version(release)
    if job.max_attempts > 1 and version is not None and version < RETRY_RELEASE:
        found.add(
            "max_attempts",
            job.max_attempts,
            f"job retries need emr-7.1.0 or later (application {application.name} runs {release})",
            "set max_attempts: 1 or raise the application's release_label",
        )
    return found.problems
