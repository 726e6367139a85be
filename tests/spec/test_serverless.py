"""ServerlessApplicationSpec: every limit of the EMR Serverless User Guide, each with a failing case."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from emr_constructs.spec.serverless import ServerlessApplicationSpec, WorkerSpec, release_version

BASE: dict[str, Any] = {
    "name": "spark-serverless",
    "release_label": "emr-7.12.0",
    "maximum_capacity": {"cpu_vcpu": 64, "memory_gb": 256, "disk_gb": 1000},
    "initial_capacity": {
        "Driver": {"worker_count": 1, "worker": {"cpu_vcpu": 2, "memory_gb": 8}},
        "Executor": {"worker_count": 2, "worker": {"cpu_vcpu": 4, "memory_gb": 16, "disk_gb": 50}},
    },
}


def _with(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(BASE)
    payload.update(copy.deepcopy(changes))
    return payload


def _rejects(payload: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ValidationError, match=pattern):
        ServerlessApplicationSpec.model_validate(payload)


def test_the_base_application_is_valid_with_its_defaults() -> None:
    spec = ServerlessApplicationSpec.model_validate(BASE)
    assert (spec.type, spec.architecture, spec.auto_start, spec.auto_stop, spec.idle_timeout_minutes) == (
        "Spark",
        "ARM64",
        True,
        True,
        15,
    )
    assert spec.initial_capacity["Executor"].worker.rendered() == {"Cpu": "4 vCPU", "Memory": "16 GB", "Disk": "50 GB"}


@pytest.mark.parametrize(
    ("label", "version"),
    [("emr-6.6.0", (6, 6, 0)), ("emr-7.12.0", (7, 12, 0)), ("emr-spark-8.0.0", (8, 0, 0)), ("emr-7.12", None)],
)
def test_release_labels_of_both_families(label: str, version: tuple[int, int, int] | None) -> None:
    assert release_version(label) == version


def test_the_spark_runtime_label_is_accepted() -> None:
    ServerlessApplicationSpec.model_validate(_with(release_label="emr-spark-8.0.0", scheduler={}, studio=True))


@pytest.mark.parametrize("label", ["emr-6.5.0", "emr-5.36.0", "emr-7.12", "spark-8.0.0"])
def test_fails_a_release_before_serverless(label: str) -> None:
    _rejects(_with(release_label=label), r"EMR Serverless starts at emr-6\.6\.0")


@pytest.mark.parametrize(
    ("field", "value", "floor"),
    [
        ("image_uri", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/spark:1", "6.9.0"),
        ("studio", True, "6.14.0"),
        ("livy", True, "6.14.0"),
        ("scheduler", {"max_concurrent_runs": 5}, "7.0.0"),
    ],
)
def test_fails_a_feature_below_its_release(field: str, value: Any, floor: str) -> None:
    _rejects(_with(release_label="emr-6.8.0", **{field: value}), rf"{field}[\s\S]*need emr-{re_escape(floor)} or later")


def re_escape(text: str) -> str:
    return text.replace(".", r"\.")


def test_fails_shuffle_optimized_disks_before_7_1_0() -> None:
    initial = {
        "Executor": {
            "worker_count": 1,
            "worker": {"cpu_vcpu": 4, "memory_gb": 16, "disk_gb": 500, "disk_type": "SHUFFLE_OPTIMIZED"},
        }
    }
    _rejects(_with(release_label="emr-7.0.0", initial_capacity=initial), r"shuffle-optimized disks need emr-7\.1\.0")
    ServerlessApplicationSpec.model_validate(_with(release_label="emr-7.1.0", initial_capacity=initial))


def test_fails_hive_workers_on_a_spark_application() -> None:
    initial = {"TezTask": {"worker_count": 1, "worker": {"cpu_vcpu": 4, "memory_gb": 16}}}
    _rejects(_with(initial_capacity=initial), r"a Spark application's workers are \['Driver', 'Executor'\]")
    ServerlessApplicationSpec.model_validate(_with(type="Hive", initial_capacity=initial))


@pytest.mark.parametrize(
    ("worker", "pattern"),
    [
        ({"cpu_vcpu": 3, "memory_gb": 8}, "not an EMR Serverless worker size"),
        ({"cpu_vcpu": 1, "memory_gb": 9}, "a 1 vCPU worker takes 2-8 GB in 1 GB steps"),
        ({"cpu_vcpu": 4, "memory_gb": 31}, "a 4 vCPU worker takes 8-30 GB"),
        ({"cpu_vcpu": 8, "memory_gb": 18}, "a 8 vCPU worker takes 16-60 GB in 4 GB steps"),
        ({"cpu_vcpu": 16, "memory_gb": 36}, "a 16 vCPU worker takes 32-120 GB in 8 GB steps"),
        ({"cpu_vcpu": 32, "memory_gb": 128}, "a 32 vCPU worker takes 60 or 120 or 244 GB"),
        ({"cpu_vcpu": 4, "memory_gb": 16, "disk_gb": 19}, "STANDARD disk"),
        ({"cpu_vcpu": 4, "memory_gb": 16, "disk_gb": 201}, "STANDARD disk"),
        ({"cpu_vcpu": 4, "memory_gb": 16, "disk_gb": 2001, "disk_type": "SHUFFLE_OPTIMIZED"}, "SHUFFLE_OPTIMIZED disk"),
    ],
)
def test_fails_worker_sizes_outside_the_matrix(worker: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ValidationError, match=pattern):
        WorkerSpec.model_validate(worker)


@pytest.mark.parametrize(("cpu", "memory"), [(1, 2), (2, 16), (4, 30), (8, 60), (16, 120), (16, 40), (32, 244)])
def test_worker_sizes_on_the_matrix(cpu: int, memory: int) -> None:
    WorkerSpec.model_validate({"cpu_vcpu": cpu, "memory_gb": memory})


def test_fails_without_a_maximum_capacity() -> None:
    payload = _with()
    del payload["maximum_capacity"]
    _rejects(payload, "no maximum capacity")
    payload["unbounded_capacity_reason"] = "a benchmark account with its own budget alarm"
    ServerlessApplicationSpec.model_validate(payload)


def test_fails_an_initial_capacity_above_the_maximum() -> None:
    # Initial: 1 x 2 + 2 x 4 = 10 vCPUs, 1 x 8 + 2 x 16 = 40 GB, 1 x 20 + 2 x 50 = 120 GB disk.
    _rejects(
        _with(maximum_capacity={"cpu_vcpu": 8, "memory_gb": 32, "disk_gb": 100}),
        r"maximum_capacity\.cpu_vcpu[\s\S]*initial capacity alone needs 10[\s\S]*needs 40[\s\S]*needs 120",
    )


@pytest.mark.parametrize("minutes", [0, 10_081])
def test_fails_an_idle_timeout_outside_1_to_10080(minutes: int) -> None:
    _rejects(_with(idle_timeout_minutes=minutes), "idle_timeout_minutes")


@pytest.mark.parametrize(
    "scheduler",
    [
        {"max_concurrent_runs": 0},
        {"max_concurrent_runs": 1001},
        {"queue_timeout_minutes": 14},
        {"queue_timeout_minutes": 721},
    ],
)
def test_fails_a_scheduler_outside_its_limits(scheduler: dict[str, int]) -> None:
    _rejects(_with(scheduler=scheduler), "scheduler")


@pytest.mark.parametrize("name", ["", "a" * 65, "spark serverless", "spark@prod"])
def test_fails_a_bad_name(name: str) -> None:
    _rejects(_with(name=name), "name")


def test_fails_interactive_endpoints_on_hive() -> None:
    _rejects(_with(type="Hive", initial_capacity={}, studio=True), "interactive endpoints are for Spark applications")


def test_fails_a_worker_count_of_zero() -> None:
    initial = {"Driver": {"worker_count": 0, "worker": {"cpu_vcpu": 2, "memory_gb": 8}}}
    _rejects(_with(initial_capacity=initial), "worker_count")


def test_fails_in_a_config_file_with_the_field_path(tmp_path: Any) -> None:
    """In a config file, a Serverless problem names the file, the field path, the value and the fix."""
    from emr_constructs.spec import ConfigError, load_config
    from tests.spec.test_load_config import _APP, _write

    app = copy.deepcopy(_APP)
    app["serverless_applications"] = [_with(idle_timeout_minutes=0, release_label="emr-6.5.0")]
    with pytest.raises(ConfigError) as error:
        load_config(_write(tmp_path, app))
    text = str(error.value)
    assert "serverless_applications[0].idle_timeout_minutes" in text
    assert "serverless_applications[0].release_label" in text and "emr-6.5.0" in text


def test_a_config_file_loads_its_applications(tmp_path: Any) -> None:
    from emr_constructs.spec import load_config
    from tests.spec.test_load_config import _APP, _write

    app = copy.deepcopy(_APP)
    app["serverless_applications"] = [BASE]
    (loaded,) = load_config(_write(tmp_path, app)).serverless_applications
    assert loaded.maximum_capacity is not None and loaded.maximum_capacity.cpu_vcpu == 64
