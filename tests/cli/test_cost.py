"""`emr-constructs cost`: the estimate from a price table, and --refresh through botocore's Stubber (the Pricing
API's GetProducts for EC2 and EMR, EC2's DescribeSpotPriceHistory); no request leaves the machine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from emr_constructs.cli import main
from emr_constructs.cost import load_prices
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
