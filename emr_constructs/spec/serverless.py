"""EMR Serverless applications: release, type, workers, capacity, auto-start/stop, scheduler, image, interactive use.

Every limit is a named constant with its source in the EMR Serverless User Guide (page names in the comments).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from emr_constructs.spec import aws_data
from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.configurations import ConfigurationConflict, ConfigurationSpec, merge_configurations
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.serverless_datalake import ServerlessDataLakeSpec
from emr_constructs.spec.tokens import TOKENS_ALLOWED

#: release-versions: EMR Serverless starts at 6.6.0. The "AWS runtime for Apache Spark" labels (``emr-spark-8.0.0``)
#: are a second family; both are ``emr-[spark-]X.Y.Z``.
RELEASE_PATTERN = re.compile(r"^emr-(?:spark-)?(\d+)\.(\d+)\.(\d+)$")
MIN_RELEASE = (6, 6, 0)
CUSTOM_IMAGE_RELEASE = (6, 9, 0)  # application-custom-image
INTERACTIVE_RELEASE = (6, 14, 0)  # interactive-workloads, interactive-workloads-livy-endpoints
SCHEDULER_RELEASE = (7, 0, 0)  # applications-concurrency-queuing
SHUFFLE_OPTIMIZED_RELEASE = (7, 1, 0)  # jobs-shuffle-optimized-disks
PROMETHEUS_RELEASE = (7, 1, 0)  # monitor-with-prometheus
#: PrometheusMonitoringConfiguration remoteWriteUrl (EMR Serverless API Reference); group 1 is the region and
#: group 2 the workspace id.
PROMETHEUS_URL_PATTERN = (
    r"^https://aps-workspaces\.([a-z]{2}-[a-z-]{1,20}-[1-9])\.amazonaws(?:\.[0-9A-Za-z]{2,4})+"
    r"/workspaces/([-_.0-9A-Za-z]{1,100})/api/v1/remote_write$"
)
#: workerTypeSpecifications: the worker keys each application type allows.
WORKER_KEYS = {"Spark": ("Driver", "Executor"), "Hive": ("HiveDriver", "TezTask")}
#: app-behavior, "Supported worker configurations": vCPU -> (memory GB minimum, maximum, step).
WORKER_MEMORY = {1: (2, 8, 1), 2: (4, 16, 1), 4: (8, 30, 1), 8: (16, 60, 4), 16: (32, 120, 8)}
#: The same page's newer 32 vCPU worker takes one of three memory sizes only.
WORKER_32_VCPU_MEMORY = (60, 120, 244)
#: Disk per worker in GB: standard 20-200, shuffle-optimized 20-2000 (jobs-shuffle-optimized-disks).
DISK_GB = {"STANDARD": (20, 200), "SHUFFLE_OPTIMIZED": (20, 2000)}
WORKER_COUNT = (1, 1_000_000)
IDLE_TIMEOUT_MINUTES = (1, 10_080)  # AutoStopConfig idleTimeoutMinutes; default 15
MAX_CONCURRENT_RUNS = (1, 1000)  # SchedulerConfiguration; default 15
QUEUE_TIMEOUT_MINUTES = (15, 720)  # SchedulerConfiguration; default 360
NAME_PATTERN = r"^[A-Za-z0-9._/#-]{1,64}$"  # Application Name
MAX_RUNTIME_CONFIGURATIONS = 100  # RuntimeConfiguration: at most 100 items (AWS::EMRServerless::Application schema)


#: An Amazon ECR image URI, as botocore's ``emr-serverless`` model writes its pattern (application-custom-image).
ImageUri = Annotated[
    str, Field(pattern=f"^(?:{aws_data.serverless_image_uri_pattern()})$", max_length=1024), TOKENS_ALLOWED
]


def release_version(label: str) -> tuple[int, int, int] | None:
    """``(X, Y, Z)`` of ``emr-X.Y.Z`` or ``emr-spark-X.Y.Z``, else ``None``."""
    match = RELEASE_PATTERN.match(label)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def _text(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))


class WorkerSpec(SpecModel):
    """One worker size: vCPUs, memory and disk in GB, disk type. Default disk: 20 GB standard."""

    cpu_vcpu: int
    memory_gb: int
    disk_gb: int = 20
    disk_type: Literal["STANDARD", "SHUFFLE_OPTIMIZED"] = "STANDARD"

    @model_validator(mode="after")
    def _check(self) -> WorkerSpec:
        problems = ProblemCollector(self)
        memory = WORKER_MEMORY.get(self.cpu_vcpu)
        if self.cpu_vcpu == 32:
            if self.memory_gb not in WORKER_32_VCPU_MEMORY:
                problems.add(
                    "memory_gb",
                    self.memory_gb,
                    f"a 32 vCPU worker takes {' or '.join(map(str, WORKER_32_VCPU_MEMORY))} GB",
                    f"pick one of {list(WORKER_32_VCPU_MEMORY)}",
                )
        elif memory is None:
            problems.add(
                "cpu_vcpu",
                self.cpu_vcpu,
                "not an EMR Serverless worker size",
                f"use one of {[*sorted(WORKER_MEMORY), 32]}",
            )
        else:
            low, high, step = memory
            if not low <= self.memory_gb <= high or (self.memory_gb - low) % step:
                problems.add(
                    "memory_gb",
                    self.memory_gb,
                    f"a {self.cpu_vcpu} vCPU worker takes {low}-{high} GB in {step} GB steps",
                    f"pick a memory from {low} to {high} GB in {step} GB steps",
                )
        problems.check_range("disk_gb", self.disk_gb, DISK_GB[self.disk_type], f"{self.disk_type} disk (GB)")
        problems.raise_if_any()
        return self

    def rendered(self) -> dict[str, str]:
        """``WorkerConfiguration``: capacity strings with units (the disk needs its ``GB``)."""
        worker = {"Cpu": f"{self.cpu_vcpu} vCPU", "Memory": f"{self.memory_gb} GB", "Disk": f"{self.disk_gb} GB"}
        if self.disk_type != "STANDARD":
            worker["DiskType"] = self.disk_type
        return worker


class InitialWorkersSpec(SpecModel):
    """Pre-initialized workers of one worker key."""

    worker_count: int = Field(ge=WORKER_COUNT[0], le=WORKER_COUNT[1])
    worker: WorkerSpec


class MaximumCapacitySpec(SpecModel):
    """The most the application may use at once, across all its jobs: a cost guardrail. Disk default: none."""

    cpu_vcpu: int = Field(ge=1)
    memory_gb: int = Field(ge=1)
    disk_gb: int | None = Field(default=None, ge=1)


class SchedulerSpec(SpecModel):
    """Job concurrency and queueing (7.0.0+). Defaults: 15 concurrent runs, 360 minutes in the queue."""

    max_concurrent_runs: int = Field(default=15, ge=MAX_CONCURRENT_RUNS[0], le=MAX_CONCURRENT_RUNS[1])
    queue_timeout_minutes: int = Field(default=360, ge=QUEUE_TIMEOUT_MINUTES[0], le=QUEUE_TIMEOUT_MINUTES[1])


class ServerlessApplicationSpec(SpecModel):
    """An EMR Serverless application.

    Defaults: type Spark, architecture ARM64 (Graviton costs less), auto-start on, auto-stop after 15 idle
    minutes, no initial capacity, no scheduler configuration (EMR's own from 7.3.0), no custom image, interactive
    endpoints off, no data lake, no Prometheus. ``worker_images`` sets an image per worker key (``Driver``, ...).
    ``maximum_capacity`` is required unless ``unbounded_capacity_reason`` says why not, and turning ``auto_stop``
    off needs ``always_on_reason``. The runtime configuration is ``merged_configurations()``.
    """

    name: str = Field(pattern=NAME_PATTERN)
    release_label: str
    type: Literal["Spark", "Hive"] = "Spark"
    architecture: Literal["ARM64", "X86_64"] = "ARM64"
    maximum_capacity: MaximumCapacitySpec | None = None
    unbounded_capacity_reason: str | None = Field(default=None, min_length=10)
    initial_capacity: dict[str, InitialWorkersSpec] = Field(default_factory=dict)
    auto_start: bool = True
    auto_stop: bool = True
    always_on_reason: str | None = Field(default=None, min_length=10)
    idle_timeout_minutes: int = Field(default=15, ge=IDLE_TIMEOUT_MINUTES[0], le=IDLE_TIMEOUT_MINUTES[1])
    scheduler: SchedulerSpec | None = None
    image_uri: ImageUri | None = None
    worker_images: dict[str, ImageUri] = Field(default_factory=dict)
    studio: bool = False
    livy: bool = False
    configurations: tuple[ConfigurationSpec, ...] = ()
    data_lake: ServerlessDataLakeSpec = Field(default_factory=ServerlessDataLakeSpec)
    prometheus_remote_write_url: str | None = Field(default=None, pattern=PROMETHEUS_URL_PATTERN)

    def merged_configurations(self) -> tuple[ConfigurationSpec, ...]:
        """The runtime configuration: the application's own entries merged with what its data lake needs."""
        own = [(f"configurations[{index}]", (spec,)) for index, spec in enumerate(self.configurations)]
        return merge_configurations(*own, ("data_lake", self.data_lake.configurations(self.type)))

    @model_validator(mode="after")
    def _check(self) -> ServerlessApplicationSpec:
        problems = ProblemCollector(self)
        version = release_version(self.release_label)
        if version is None or version < MIN_RELEASE:
            problems.add(
                "release_label",
                self.release_label,
                f"EMR Serverless starts at emr-{_text(MIN_RELEASE)} (labels emr-X.Y.Z or emr-spark-X.Y.Z)",
                "use a release such as emr-7.12.0",
            )
        else:
            floors = [
                ("image_uri", self.image_uri, CUSTOM_IMAGE_RELEASE, "custom images"),
                ("worker_images", self.worker_images or None, CUSTOM_IMAGE_RELEASE, "custom images"),
                ("studio", self.studio or None, INTERACTIVE_RELEASE, "EMR Studio interactive use"),
                ("livy", self.livy or None, INTERACTIVE_RELEASE, "Livy endpoints"),
                ("scheduler", self.scheduler, SCHEDULER_RELEASE, "the scheduler configuration"),
                ("prometheus_remote_write_url", self.prometheus_remote_write_url, PROMETHEUS_RELEASE, "Prometheus"),
            ]
            if any(i.worker.disk_type == "SHUFFLE_OPTIMIZED" for i in self.initial_capacity.values()):
                floors.append(
                    ("initial_capacity", "SHUFFLE_OPTIMIZED", SHUFFLE_OPTIMIZED_RELEASE, "shuffle-optimized disks")
                )
            for path, value, floor, what in floors:
                if value is not None and version < floor:
                    problems.add(
                        path, value, f"{what} need emr-{_text(floor)} or later", f"raise release_label or remove {path}"
                    )
        allowed = WORKER_KEYS[self.type]
        for field, keys in (("initial_capacity", self.initial_capacity), ("worker_images", self.worker_images)):
            for key in keys:
                if key not in allowed:
                    problems.add(
                        f"{field}.{key}",
                        key,
                        f"a {self.type} application's workers are {list(allowed)}",
                        f"use {' or '.join(allowed)}",
                    )

        if not self.auto_stop and self.always_on_reason is None:
            problems.add(
                "auto_stop",
                False,
                "without auto-stop an idle application with initial capacity keeps paying for its workers",
                "keep auto_stop on, or state why not in always_on_reason",
            )
        if self.maximum_capacity is None and self.unbounded_capacity_reason is None:
            problems.add(
                "maximum_capacity",
                None,
                "no maximum capacity: the application could scale without bound (and cost without bound)",
                "set maximum_capacity (cpu_vcpu, memory_gb), or state why not in unbounded_capacity_reason",
            )
        maximum = self.maximum_capacity
        if maximum is not None:
            for what, total, bound in (
                ("cpu_vcpu", self._initial("cpu_vcpu"), maximum.cpu_vcpu),
                ("memory_gb", self._initial("memory_gb"), maximum.memory_gb),
                ("disk_gb", self._initial("disk_gb"), maximum.disk_gb),
            ):
                if bound is not None and total > bound:
                    problems.add(
                        f"maximum_capacity.{what}",
                        bound,
                        f"the initial capacity alone needs {total}",
                        f"raise maximum_capacity.{what} to at least {total}, or lower initial_capacity",
                    )
        if self.data_lake.iceberg is not None and self.type != "Spark":
            problems.add("data_lake.iceberg", "set", "Iceberg tables are read and written by Spark", "set type: Spark")
        try:
            merged = self.merged_configurations()
        except ConfigurationConflict as conflict:
            problems.add("configurations", conflict.values, conflict.summary, "set it in one place only")
        else:
            if len(merged) > MAX_RUNTIME_CONFIGURATIONS:
                problems.add(
                    "configurations",
                    len(merged),
                    f"an application takes at most {MAX_RUNTIME_CONFIGURATIONS} runtime configurations",
                    "merge entries of the same classification",
                )
        if (self.studio or self.livy) and self.type != "Spark":
            problems.add(
                "studio" if self.studio else "livy",
                True,
                "interactive endpoints are for Spark applications",
                "set type: Spark or remove them",
            )
        problems.raise_if_any()
        return self

    def _initial(self, what: str) -> int:
        return sum(i.worker_count * int(getattr(i.worker, what)) for i in self.initial_capacity.values())
