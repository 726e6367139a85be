"""`emr-constructs cost`: the estimate from a price table, and --refresh through botocore's Stubber (the Pricing
API's GetProducts for EC2 and EMR, EC2's DescribeSpotPriceHistory); no request leaves the machine. EMR Serverless
applications are priced from temporary configs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.stub import Stubber

from emr_constructs.cli import main
from emr_constructs.cost import Price, load_prices
from emr_constructs.operations import clients
from emr_constructs.operations.clients import make_client
from tests.cost.test_estimate import FIXTURE_PRICES, fixture_table

CONFIG = "config/dev.yaml"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class Stubs:
    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}
        self.stubbers: dict[str, Stubber] = {}
        self.regions: dict[str, str | None] = {}

    def __call__(self, service: str, region: str | None) -> Any:
        self.regions[service] = region
        return self.clients[service]

    def add(self, service: str, region: str) -> Stubber:
        client = make_client(service, region)
        stubber = Stubber(client)
        stubber.activate()
        self.clients[service], self.stubbers[service] = client, stubber
        return stubber


@pytest.fixture
def stubs(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubs]:
    fake = Stubs()
    monkeypatch.setattr(clients, "client_factory", fake)
    monkeypatch.setattr("emr_constructs.cost.refresh.datetime", _FrozenDatetime)
    yield fake
    for stubber in fake.stubbers.values():
        stubber.assert_no_pending_responses()


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return NOW


def _price_item(usd: float) -> str:
    return json.dumps(
        {
            "product": {"attributes": {"instanceType": "x"}},
            "terms": {
                "OnDemand": {
                    "SKU.T": {"priceDimensions": {"SKU.T.R": {"unit": "Hrs", "pricePerUnit": {"USD": f"{usd:.6f}"}}}}
                }
            },
        }
    )


def _types() -> list[str]:
    return sorted(FIXTURE_PRICES)


def _expect_refresh(stubs: Stubs, spot: dict[str, list[tuple[str, float, int]]]) -> None:
    pricing = stubs.add("pricing", "us-east-1")
    ec2 = stubs.add("ec2", "eu-west-1")
    for instance_type in _types():
        ec2_price, emr_price = FIXTURE_PRICES[instance_type]
        pricing.add_response(
            "get_products",
            {"PriceList": [_price_item(ec2_price)], "FormatVersion": "aws_v1"},
            {
                "ServiceCode": "AmazonEC2",
                "Filters": [
                    {"Type": "TERM_MATCH", "Field": "instanceType", "Value": instance_type},
                    {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
                    {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "Linux"},
                    {"Type": "TERM_MATCH", "Field": "tenancy", "Value": "Shared"},
                    {"Type": "TERM_MATCH", "Field": "preInstalledSw", "Value": "NA"},
                    {"Type": "TERM_MATCH", "Field": "capacitystatus", "Value": "Used"},
                ],
                "MaxResults": 100,
            },
        )
        pricing.add_response(
            "get_products",
            {"PriceList": [_price_item(emr_price)], "FormatVersion": "aws_v1"},
            {
                "ServiceCode": "ElasticMapReduce",
                "Filters": [
                    {"Type": "TERM_MATCH", "Field": "instanceType", "Value": instance_type},
                    {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
                    {"Type": "TERM_MATCH", "Field": "softwareType", "Value": "EMR"},
                ],
                "MaxResults": 100,
            },
        )
        history = [
            {
                "AvailabilityZone": zone,
                "InstanceType": instance_type,
                "ProductDescription": "Linux/UNIX",
                "SpotPrice": f"{price:.4f}",
                "Timestamp": NOW - timedelta(hours=hours),
            }
            for zone, price, hours in spot.get(instance_type, [])
        ]
        ec2.add_response(
            "describe_spot_price_history",
            {"SpotPriceHistory": history},
            {
                "InstanceTypes": [instance_type],
                "ProductDescriptions": ["Linux/UNIX"],
                "StartTime": NOW - timedelta(hours=24),
                "EndTime": NOW,
                "MaxResults": 1000,
            },
        )


def test_refresh_writes_prices_with_sources_and_estimates(
    stubs: Stubs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # c7g.4xlarge: latest price per zone 0.20 (a: 2 h old, beats the 5 h old 0.30) and 0.22 (b): mean 0.21.
    _expect_refresh(stubs, {"c7g.4xlarge": [("eu-west-1a", 0.30, 5), ("eu-west-1a", 0.20, 2), ("eu-west-1b", 0.22, 1)]})
    prices = tmp_path / "prices.json"

    assert main(["cost", CONFIG, "--refresh", "--prices", str(prices)]) == 0

    out = capsys.readouterr().out
    assert stubs.regions == {"pricing": "us-east-1", "ec2": "eu-west-1"}
    table = load_prices(prices)
    assert table.get("eu-west-1", "m7g.2xlarge", "ec2_on_demand").usd_per_hour == 0.40  # type: ignore[union-attr]
    emr = table.get("eu-west-1", "c7g.4xlarge", "emr")
    assert emr is not None and emr.usd_per_hour == 0.17 and emr.source == "AWS Price List API, ElasticMapReduce"
    assert emr.as_of == "2026-11-20"
    spot = table.get("eu-west-1", "c7g.4xlarge", "spot")
    assert spot is not None and round(spot.usd_per_hour, 4) == 0.21 and "DescribeSpotPriceHistory" in spot.source
    assert f"wrote 12 instance types' prices for eu-west-1 to {prices}" in out
    assert "no Spot price history for: c7g.2xlarge" not in out and "m5.2xlarge" in out
    # The analytics cluster's maximum is the hand-computed one (tests/cost/test_estimate.py): measured Spot.
    assert "$11.31" in out and "$6.86 (38%)" in out


def test_estimate_from_a_given_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prices = tmp_path / "prices.json"
    fixture_table().save(prices)

    assert main(["cost", CONFIG, "--prices", str(prices), "--spot-discount", "60"]) == 0

    out = capsys.readouterr().out
    assert "cluster analytics (eu-west-1), USD per hour" in out
    assert "cluster daily-totals (eu-west-1)" in out, "job flows are estimated too"
    assert "Spot is an ASSUMPTION: On-Demand less 60%" in out
    assert "$12.29" in out and "$5.88 (32%)" in out


def test_fails_when_the_table_lacks_the_config_prices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A table with one us-east-1 price: every type of the config lacks its eu-west-1 price, and its EMR price
    (no measured one, and no us-east-1 price to derive it from)."""
    table = tmp_path / "prices.json"
    one = {"usd_per_hour": 0.192, "source": "test fixture", "as_of": "2026-12-01"}
    table.write_text(json.dumps({"regions": {"us-east-1": {"m6i.xlarge": {"ec2_on_demand": one}}}}))
    assert main(["cost", CONFIG, "--prices", str(table)]) == 1
    err = capsys.readouterr().err
    assert "has no eu-west-1 price for: c7g.4xlarge (ec2_on_demand and emr)" in err
    assert "--refresh --prices FILE" in err and "Traceback" not in err


def test_fails_refresh_without_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", CONFIG, "--refresh"]) == 2
    assert "give the file with --prices FILE" in capsys.readouterr().err


def test_fails_refresh_without_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert main(["cost", CONFIG, "--refresh", "--prices", str(tmp_path / "p.json")]) == 1
    err = capsys.readouterr().err
    assert "no AWS credentials" in err and "Traceback" not in err
    assert not (tmp_path / "p.json").exists()


def test_fails_on_an_ambiguous_price(stubs: Stubs, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pricing = stubs.add("pricing", "us-east-1")
    stubs.add("ec2", "eu-west-1")
    pricing.add_response("get_products", {"PriceList": [_price_item(0.1), _price_item(0.2)]})
    assert main(["cost", CONFIG, "--refresh", "--prices", str(tmp_path / "p.json")]) == 1
    err = capsys.readouterr().err
    assert "returned 2 On-Demand price(s) for EC2 c7g.4xlarge in eu-west-1" in err


# --- EMR Serverless applications ---------------------------------------------------------------------------------


def _serverless_config(tmp_path: Path) -> Path:
    """config/dev.yaml plus two applications of known shapes (written to a temporary YAML)."""
    data = yaml.safe_load(Path(CONFIG).read_text())
    data.setdefault("serverless_applications", [])
    data["serverless_applications"] += [
        {
            "name": "etl-x86",
            "release_label": "emr-7.12.0",
            "architecture": "X86_64",
            "maximum_capacity": {"cpu_vcpu": 400, "memory_gb": 1600, "disk_gb": 20000},
            "initial_capacity": {"Executor": {"worker_count": 4, "worker": {"cpu_vcpu": 4, "memory_gb": 16}}},
        },
        {"name": "adhoc", "release_label": "emr-7.12.0", "maximum_capacity": {"cpu_vcpu": 16, "memory_gb": 64}},
    ]
    path = tmp_path / "env.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_cost_prices_serverless_applications(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Shipped eu-west-1 rates 0.052624 / 0.0057785 / 0.000122. etl-x86, workers of its Executor (4 vCPU, 16 GB,
    20 GB): W = 100, storage 20000 - 2000 = 18000 GB; 400 * 0.052624 + 1600 * 0.0057785 + 18000 * 0.000122
    = 21.0496 + 9.2456 + 2.196 = 32.4912. Initial: 4 * (0.210496 + 0.092456) = 1.211808. A 2 h job: at most 64.9824;
    3 workers: 2 * 3 * 0.302952 = 1.817712."""
    config = _serverless_config(tmp_path)
    argv = ["cost", str(config), "--serverless-job-hours", "2", "--serverless-job-workers", "3"]
    assert main([*argv, "--serverless-worker", "4,16", "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    items = {e["serverless_application"]: e for e in entries if "serverless_application" in e}
    etl = items["etl-x86"]
    assert etl["usd_per_hour"] == {
        "maximum_capacity": 32.4912,
        "maximum_capacity_workers": 100,
        "initial_capacity": 1.211808,
    }
    assert etl["job"] == {"hours": 2.0, "at_most_usd": 64.9824, "workers": 3, "with_workers_usd": 1.817712}
    assert etl["worker"] == {"cpu_vcpu": 4, "memory_gb": 16, "disk_gb": 20, "from": "--serverless-worker"}
    assert "this X86_64 application is priced at it" in etl["architecture_assumption"]
    assert etl["sources"][0]["source"].startswith("GoogleCloudPlatform/PerfKitBenchmarker")

    # Without --serverless-worker, an application with no initial Executor cannot price N workers: it says how to.
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "--serverless-job-workers needs a worker shape" in err and "Fix: give --serverless-worker" in err
    # Without N, each application's own shape (or none) and the maximum-capacity bound.
    assert main(["cost", str(config), "--serverless-job-hours", "2"]) == 0
    out = capsys.readouterr().out
    assert "serverless application etl-x86 (eu-west-1, Spark, X86_64), USD" in out
    assert "  worker shape: 4 vCPU, 16 GB, 20 GB disk (initial_capacity.Executor)" in out
    assert "  maximum capacity, worst-case hour         $32.49" in out
    assert "  job of 2 h, at most                       $64.98  2 h x $32.49 (maximum capacity)" in out
    assert "serverless application adhoc (eu-west-1, Spark, ARM64), USD" in out
    assert "  worker shape: none given" in out


def test_fails_serverless_region_without_a_rate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A table with the clusters' prices and EMR Serverless rates for another region only: one error line."""
    table = fixture_table()
    for dimension in ("vcpu_hour", "memory_gb_hour", "storage_gb_hour"):
        table.put_serverless("us-east-1", "any", dimension, Price(0.05, "test fixture", "2026-11-01"))
    prices = tmp_path / "prices.json"
    table.save(prices)
    assert main(["cost", str(_serverless_config(tmp_path)), "--prices", str(prices)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: serverless application ")
    assert f"the price table {prices} has no EMR Serverless rate for eu-west-1 (it has: us-east-1)" in err
    assert "Traceback" not in err


def test_a_refreshed_table_borrows_the_shipped_serverless_rates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = tmp_path / "prices.json"
    fixture_table().save(prices)
    assert main(["cost", str(_serverless_config(tmp_path)), "--prices", str(prices)]) == 0
    out = capsys.readouterr().out
    assert "serverless application etl-x86" in out and "aws_dpb_emr_serverless_prices.py @441d2f97" in out


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--serverless-job-hours", "0", "is not a positive number of hours"),
        ("--serverless-job-workers", "-2", "is not a whole number of workers from 1"),
        ("--serverless-worker", "4", "is not VCPU,MEMORY_GB[,DISK_GB]"),
        ("--serverless-worker", "4,16,10", "a worker's disk is at least 20 GB"),
    ],
)
def test_fails_serverless_cost_usage_exit_2(
    option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["cost", CONFIG, f"{option}={value}"])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
