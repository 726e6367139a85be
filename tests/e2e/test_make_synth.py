"""`make synth` end to end through the CDK CLI: a bad config fails cleanly, the default app synthesises."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _without_aws_credentials() -> dict[str, str]:
    """The environment with every AWS credential and profile setting removed: synth must not need them."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment["AWS_CONFIG_FILE"] = environment["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    environment["AWS_EC2_METADATA_DISABLED"] = "true"
    return environment


def _make_synth(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "synth", f"CONFIG={config}"],
        cwd=ROOT,
        env=_without_aws_credentials(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _stray_outputs() -> list[Path]:
    return sorted(ROOT.glob(".cdk.out.*"))


@pytest.fixture(scope="module")
def invalid_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = yaml.safe_load((ROOT / "config" / "dev.yaml").read_text())
    data["clusters"][0]["instance_fleets"]["task"]["spot"]["timeout_minutes"] = 2
    path = tmp_path_factory.mktemp("config") / "broken.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_fails_synth_with_invalid_config_names_field_and_leaves_no_template(invalid_config: Path) -> None:
    before = sorted(p.name for p in (ROOT / "cdk.out").glob("*.template.json")) if (ROOT / "cdk.out").exists() else None
    result = _make_synth(invalid_config)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert str(invalid_config) in output
    assert "clusters[0].instance_fleets.task.spot.timeout_minutes" in output
    assert "between 5 and 1440" in output
    assert "Traceback" not in output
    assert _stray_outputs() == []
    after = sorted(p.name for p in (ROOT / "cdk.out").glob("*.template.json")) if (ROOT / "cdk.out").exists() else None
    assert after == before, "a failed synth must not touch cdk.out"


def test_make_synth_default_app_writes_templates() -> None:
    result = _make_synth(ROOT / "config" / "dev.yaml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    templates = sorted(p.name for p in (ROOT / "cdk.out").glob("*.template.json"))
    assert templates == [
        "emr-dev-analytics.template.json",
        "emr-dev-daily-totals.template.json",
        "emr-dev-spark-serverless.template.json",
        "emr-dev-stateful.template.json",
        "emr-dev-studio.template.json",
    ]
    cluster = json.loads((ROOT / "cdk.out" / "emr-dev-analytics.template.json").read_text())
    assert any(r["Type"] == "AWS::EMR::Cluster" for r in cluster["Resources"].values())
    serverless = json.loads((ROOT / "cdk.out" / "emr-dev-spark-serverless.template.json").read_text())
    kinds = [r["Type"] for r in serverless["Resources"].values()]
    assert kinds.count("AWS::EMRServerless::Application") == kinds.count("AWS::StepFunctions::StateMachine") == 1
    assert "emr-serverless:startJobRun.sync" in json.dumps(serverless)
    assert _stray_outputs() == []


@pytest.fixture(scope="module")
def escaping_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config whose bootstrap script points outside the project and whose job flow name makes an invalid stack
    name: both used to pass validation (the first shipped /etc/passwd as an asset, the second failed inside CDK)."""
    data = yaml.safe_load((ROOT / "config" / "dev.yaml").read_text())
    data["clusters"][0]["bootstrap_actions"][0]["script"] = "../../../../etc/passwd"
    data["job_flows"][0]["cluster"]["name"] = "daily_totals"
    data["serverless_jobs"][0]["spark"]["script"] = "/etc/passwd"
    path = tmp_path_factory.mktemp("config") / "escaping.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_fails_synth_on_a_file_outside_the_project_with_exit_2_and_no_asset(escaping_config: Path) -> None:
    result = _make_synth(escaping_config)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-3000:]
    assert "clusters[0].bootstrap_actions[0].script: the file lies outside the project" in output
    assert "job_flows[0].cluster.name: the CloudFormation stack name 'emr-dev-daily_totals' is invalid" in output
    assert "serverless_jobs[0].spark.script: the file lies outside the project" in output
    assert "Traceback" not in output
    assert _stray_outputs() == []
    copied = [p for p in ROOT.glob("cdk.out/asset.*") if p.is_file() and p.read_bytes().startswith(b"root:")]
    assert copied == [], "no file from outside the project may become an asset"
