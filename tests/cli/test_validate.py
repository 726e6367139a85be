from __future__ import annotations

from pathlib import Path

import pytest

from emr_constructs.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_validate_prints_a_summary_of_the_default_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "config" / "dev.yaml")]) == 0
    out = capsys.readouterr().out
    assert "cluster analytics: emr-7.12.0, Spark, Hadoop, Hive, Livy" in out
    assert "managed scaling: 6-40 InstanceFleetUnits" in out
    assert "0 on-demand / 4 Spot units" in out
    assert "price-capacity-optimized" in out
    assert "serverless application spark-serverless: emr-7.12.0, Spark on ARM64" in out
    assert "maximum capacity 32 vCPU, 128 GB; auto-stop after 15 min; auto-start on" in out
    assert "job nightly-totals: schedule cron(0 4 * * ? *), timeout 120 min" in out
    assert "studio dev-notebooks: IAM mode, attaches analytics, spark-serverless" in out


def test_validate_lists_virtual_clusters_their_roles_and_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "config" / "examples" / "emr-on-eks.yaml")]) == 0
    out = capsys.readouterr().out
    assert (
        "virtual cluster spark-batch: emr-7.5.0-latest on EKS cluster analytics-eks, namespace emr-batch, irsa, "
        "role emr-ex-eks-spark-batch-jobs"
    ) in out
    assert "job nightly-orders: schedule cron(0 3 * * ? *), wait 180 min" in out
    assert "pod_identity, role emr-ex-eks-adhoc-jobs" in out


def test_fails_validate_on_invalid_config_with_the_field_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "config" / "dev.yaml").read_text().replace("timeout_minutes: 30", "timeout_minutes: 2000")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)
    assert main(["validate", str(broken)]) == 1
    err = capsys.readouterr().err
    assert str(broken) in err
    assert "clusters[0].instance_fleets.task.spot.timeout_minutes" in err
    assert "2000" in err and "Fix:" in err
