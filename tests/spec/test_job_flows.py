"""App-level job flows: schedule, steps, names."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from emr_constructs.spec import AppConfig
from emr_constructs.spec.app_config import validation_messages

DEV = yaml.safe_load((Path(__file__).resolve().parents[2] / "config" / "dev.yaml").read_text())


def _with_flow(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(DEV)
    flow = data["job_flows"][0]
    for key, value in changes.items():
        if key == "cluster":
            flow["cluster"].update(value)
        else:
            flow[key] = value
    return data


def _messages(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        AppConfig.model_validate(data)
    return validation_messages(info.value)


def test_the_default_config_has_a_scheduled_job_flow() -> None:
    (flow,) = AppConfig.model_validate(DEV).job_flows
    assert flow.schedule == "cron(0 3 * * ? *)"
    assert [step.name for step in flow.cluster.steps] == ["daily-totals"]


@pytest.mark.parametrize("schedule", ["rate(1 day)", "rate(15 minutes)", "cron(0/30 * * * ? *)"])
def test_schedules_are_accepted(schedule: str) -> None:
    assert AppConfig.model_validate(_with_flow(schedule=schedule)).job_flows[0].schedule == schedule


@pytest.mark.parametrize("schedule", ["daily", "rate(1 fortnight)", "cron 0 3 * * ? *"])
def test_fails_bad_schedule(schedule: str) -> None:
    (line,) = _messages(_with_flow(schedule=schedule))
    assert line.startswith("job_flows[0].schedule: not an EventBridge schedule expression")


def test_fails_job_flow_without_steps() -> None:
    (line,) = _messages(_with_flow(cluster={"steps": []}))
    assert line.startswith("job_flows[0].cluster.steps: a job flow runs steps and has none")


def test_fails_job_flow_named_like_a_cluster() -> None:
    data = _with_flow(cluster={"name": "analytics"})
    for bucket in data["data_buckets"]:
        bucket["access"] = [entry for entry in bucket["access"] if entry["cluster"] != "daily-totals"]
    (line,) = _messages(data)
    assert line.startswith("job_flows[0].cluster.name: a cluster or job flow has this name already (got 'analytics')")
