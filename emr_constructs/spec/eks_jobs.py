"""EMR on EKS jobs: a Spark job run on a virtual cluster, started by Step Functions (``startJobRun.sync``).

Limits from botocore's ``emr-containers`` model (``StartJobRun``) and the EMR on EKS Development Guide ("Using job
retry policies", jobruns-using-retry-policies: emr-6.9.0 and later). StartJobRun has no timeout of its own, so
``timeout_minutes`` bounds the state machine's wait for each attempt.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from emr_constructs.spec import aws_data
from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.eks import POD_IDENTITY_RELEASE, VirtualClusterSpec, release_version
from emr_constructs.spec.problems import Problem, ProblemCollector
from emr_constructs.spec.schedule import checked_schedule
from emr_constructs.spec.serverless_jobs import NAME_PATTERN, ServerlessSparkSpec

#: jobruns-using-retry-policies: a job driver retry policy needs emr-6.9.0 or later.
RETRY_RELEASE = (6, 9, 0)
#: This library's cap on attempts: each adds a full ``timeout_minutes`` to the state machine's wait.
MAX_ATTEMPTS = 10
#: StartJobRun ``configurationOverrides.applicationConfiguration``: at most 100 classifications.
MAX_CONFIGURATIONS = aws_data.shape_maximum("emr-containers", "ConfigurationList")
#: The longest wait of one attempt: a Step Functions task's timeout is at most a year; a week is the sane bound.
MAX_TIMEOUT_MINUTES = 7 * 24 * 60


class EksJobSpec(SpecModel):
    """A Spark batch job on the virtual cluster named ``virtual_cluster``, run with its execution role and
    release (``release_label`` overrides it).

    Defaults: no schedule (start executions yourself), the state machine waits at most 720 minutes per attempt,
    one attempt (``max_attempts`` above 1 lets EMR restart a failed driver, emr-6.9.0+), no configuration overrides.
    """

    name: str = Field(pattern=NAME_PATTERN)
    virtual_cluster: str = Field(min_length=1, max_length=64)
    schedule: str | None = Field(default=None, max_length=256)
    spark: ServerlessSparkSpec
    release_label: str | None = Field(default=None, pattern=r"^emr-\d+\.\d+\.\d+-(latest|\d{8})$")
    timeout_minutes: int = Field(default=720, ge=1, le=MAX_TIMEOUT_MINUTES)
    max_attempts: int = Field(default=1, ge=1, le=MAX_ATTEMPTS)
    configurations: tuple[ConfigurationSpec, ...] = Field(default=(), max_length=MAX_CONFIGURATIONS)

    _schedule = field_validator("schedule")(checked_schedule)

    def release_on(self, cluster: VirtualClusterSpec) -> str:
        """The release this job runs: its own, else the virtual cluster's."""
        return self.release_label or cluster.release_label


def job_on_virtual_cluster_problems(job: EksJobSpec, cluster: VirtualClusterSpec) -> list[Problem]:
    """What keeps ``job`` from running on ``cluster`` as configured: retries and Pod Identity need newer releases."""
    found = ProblemCollector()
    release = job.release_on(cluster)
    version = release_version(release)
    if job.max_attempts > 1 and version < RETRY_RELEASE:
        found.add(
            "max_attempts",
            job.max_attempts,
            f"job retry policies need emr-6.9.0 or later (the job runs {release})",
            "set max_attempts: 1 or raise the release",
        )
    if cluster.identity == "pod_identity" and version < POD_IDENTITY_RELEASE:
        found.add(
            "release_label",
            release,
            f"virtual cluster {cluster.name} uses EKS Pod Identity, which needs emr-7.3.0 or later",
            "raise the job's release_label",
        )
    return found.problems
