"""Cost estimates checked against sums done by hand (the working is in each test), on a fixture price table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emr_constructs.cost import Price, PriceError, PriceTable, estimate, load_prices, render
from emr_constructs.cost.prices import SHIPPED
from emr_constructs.spec import load_config, parse_cluster
from tests.spec.payloads import group_cluster

REGION = "eu-west-1"
FIXTURE = "test fixture (round numbers, not AWS prices)"
#: type -> (EC2 On-Demand, EMR) in USD per hour.
FIXTURE_PRICES = {
    "m7g.xlarge": (0.20, 0.05),
    "m6i.xlarge": (0.25, 0.06),
    "m7g.2xlarge": (0.40, 0.10),
    "m6i.2xlarge": (0.45, 0.11),
    "r7g.2xlarge": (0.50, 0.12),
    "m5.2xlarge": (0.46, 0.10),
    "m7g.4xlarge": (0.80, 0.20),
    "c7g.4xlarge": (0.70, 0.17),
    "r7g.4xlarge": (1.00, 0.25),
    "m6i.4xlarge": (0.90, 0.22),
    "m5.4xlarge": (0.92, 0.20),
    "m6a.4xlarge": (0.85, 0.20),
}


def fixture_table(spot: dict[str, float] | None = None) -> PriceTable:
    table = PriceTable()
    for instance_type, (ec2, emr) in FIXTURE_PRICES.items():
        table.put(REGION, instance_type, "ec2_on_demand", Price(ec2, FIXTURE, "2026-11-01"))
        table.put(REGION, instance_type, "emr", Price(emr, FIXTURE, "2026-11-01"))
    for instance_type, price in (spot or {}).items():
        table.put(REGION, instance_type, "spot", Price(price, FIXTURE, "2026-11-01"))
    return table


def _dev_cluster() -> Any:
    return load_config(Path("config/dev.yaml")).clusters[0]


def _figures(point: Any) -> tuple[float, float, float, float, float, float]:
    return tuple(  # type: ignore[return-value]
        round(v, 4)
        for v in (point.ec2_on_demand, point.ec2_spot, point.emr, point.total, point.all_on_demand, point.saving)
    )


def test_dev_cluster_with_a_measured_spot_price() -> None:
    # Cheapest per unit: primary m7g.xlarge (0.20), core m7g.2xlarge (0.40/unit), task c7g.4xlarge (0.70 / 2 units).
    # Minimum, 6 units: core min(6, maximum_core 8) = 6, On-Demand min(6, 12) = 6, all on core.
    #   EC2 On-Demand 0.20 + 6 * 0.40 = 2.60; EMR 0.05 + 6 * 0.10 = 0.65; total 3.25; no Spot, no saving.
    # Maximum, 40 units: core 8, task 32; On-Demand 12 = core 8 + task 4; Spot = task 28 units = 14 instances.
    #   EC2 On-Demand 0.20 + 8 * 0.40 + 2 * 0.70 = 4.80; Spot 14 * 0.21 = 2.94;
    #   EMR 0.05 + 8 * 0.10 + 2 * 0.17 + 14 * 0.17 = 3.57; total 11.31;
    #   all On-Demand 0.20 + 3.20 + 16 * 0.70 + 3.57 = 18.17; saving 6.86.
    result = estimate(_dev_cluster(), REGION, fixture_table({"c7g.4xlarge": 0.21}), spot_discount=0.6)
    minimum, maximum = result.points
    assert (minimum.label, minimum.capacity) == ("minimum", "6 core and task units")
    assert _figures(minimum) == (2.60, 0.0, 0.65, 3.25, 3.25, 0.0)
    assert (maximum.label, maximum.capacity) == ("maximum", "40 core and task units")
    assert _figures(maximum) == (4.80, 2.94, 3.57, 11.31, 18.17, 6.86)
    assert not maximum.spot_assumed


def test_dev_cluster_with_the_assumed_spot_discount() -> None:
    # As above, Spot at On-Demand less 60 %: 14 * 0.70 * 0.4 = 3.92; total 4.80 + 3.92 + 3.57 = 12.29; saving 5.88.
    result = estimate(_dev_cluster(), REGION, fixture_table(), spot_discount=0.6)
    assert _figures(result.points[1]) == (4.80, 3.92, 3.57, 12.29, 18.17, 5.88)
    assert result.points[1].spot_assumed and not result.points[0].spot_assumed
    text = render(result, fixture_table(), 0.6)
    assert "Spot is an ASSUMPTION: On-Demand less 60%" in text
    assert "$12.29" in text and "$5.88 (32%)" in text
    assert f"prices: {FIXTURE} (as of 2026-11-01)" in text


def test_instance_groups_with_custom_auto_scaling() -> None:
    # primary m7g.xlarge On-Demand, core 2 x m7g.2xlarge On-Demand, task m7g.2xlarge Spot scaling 0..10.
    # Minimum: EC2 On-Demand 0.20 + 2 * 0.40 = 1.00; EMR 0.05 + 2 * 0.10 = 0.25; total 1.25.
    # Maximum: + 10 Spot task at 0.40 * 0.4 = 1.60 and EMR 10 * 0.10; EMR 1.25; total 1.00 + 1.60 + 1.25 = 3.85;
    #   all On-Demand 1.00 + 10 * 0.40 + 1.25 = 6.25; saving 2.40.
    payload = group_cluster()
    payload["instance_groups"]["tasks"][0]["auto_scaling"] = {
        "min_capacity": 0,
        "max_capacity": 10,
        "rules": [
            {
                "name": "out",
                "metric_name": "YARNMemoryAvailablePercentage",
                "comparison_operator": "LESS_THAN",
                "threshold": 15,
                "scaling_adjustment": 2,
            }
        ],
    }
    result = estimate(parse_cluster(payload), REGION, fixture_table(), spot_discount=0.6)
    minimum, maximum = result.points
    assert minimum.capacity == "2 core and task instances"
    assert _figures(minimum) == (1.00, 0.0, 0.25, 1.25, 1.25, 0.0)
    assert maximum.capacity == "12 core and task instances"
    assert _figures(maximum) == (1.00, 1.60, 1.25, 3.85, 6.25, 2.40)


def test_fixed_fleets_price_their_targets() -> None:
    cluster = _dev_cluster().model_copy(update={"managed_scaling": None})
    # primary 0.20/0.05; core 2 On-Demand units 0.80/0.20; task 4 Spot units = 2 c7g.4xlarge at 0.28 = 0.56, EMR 0.34.
    (point,) = estimate(cluster, REGION, fixture_table(), spot_discount=0.6).points
    assert point.label == "fixed" and point.capacity == "6 core and task units"
    assert _figures(point) == (1.00, 0.56, 0.59, 2.15, 2.99, 0.84)


def test_the_shipped_table_has_a_source_and_date_for_every_price() -> None:
    table = load_prices()
    data = json.loads(SHIPPED.read_text())
    entries = [e for types in data["regions"].values() for kinds in types.values() for e in kinds.values()]
    assert entries and all(e["source"] and e["as_of"] for e in entries)
    assert table.get("us-east-1", "m7g.xlarge", "ec2_on_demand") is not None


def test_a_table_round_trips(tmp_path: Path) -> None:
    table = fixture_table({"c7g.4xlarge": 0.21})
    path = tmp_path / "prices.json"
    table.save(path)
    assert load_prices(path).to_json() == table.to_json()


# -- failures ------------------------------------------------------------------------------------------------


def test_fails_on_an_instance_type_without_prices() -> None:
    table = fixture_table()
    del table.regions[REGION]["r7g.4xlarge"]
    table.regions[REGION]["m5.4xlarge"].pop("emr")
    with pytest.raises(
        PriceError,
        match=r"no eu-west-1 price for: m5\.4xlarge \(emr\), r7g\.4xlarge \(ec2_on_demand "
        r"and emr\)\. Fix: run `emr-constructs cost CONFIG --refresh --prices FILE`",
    ):
        estimate(_dev_cluster(), REGION, table, spot_discount=0.6)


def test_fails_on_another_region() -> None:
    with pytest.raises(PriceError, match="no us-west-2 price for"):
        estimate(_dev_cluster(), "us-west-2", fixture_table(), spot_discount=0.6)


@pytest.mark.parametrize("discount", [-0.1, 1.0])
def test_fails_on_an_impossible_spot_discount(discount: float) -> None:
    with pytest.raises(PriceError, match="Spot discount must be from 0 to 99 percent"):
        estimate(_dev_cluster(), REGION, fixture_table(), spot_discount=discount)


def test_fails_on_vcpu_managed_scaling() -> None:
    payload = group_cluster(managed_scaling={"minimum": 8, "maximum": 64, "unit_type": "VCPU"})
    with pytest.raises(PriceError, match="managed scaling in VCPU is not estimated"):
        estimate(parse_cluster(payload), REGION, fixture_table(), spot_discount=0.6)


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"regions": {"eu-west-1": {"m7g.xlarge": {"ec2_on_demand": {"usd_per_hour": 0.2}}}}}',
        '{"regions": {"eu-west-1": {"m7g.xlarge": {"reserved": {"usd_per_hour": 0.2, "source": "x", "as_of": "y"}}}}}',
        '{"regions": {"eu-west-1": {"m7g.xlarge": {"emr": {"usd_per_hour": -1, "source": "x", "as_of": "y"}}}}}',
    ],
)
def test_fails_on_a_malformed_table(tmp_path: Path, content: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(PriceError, match=rf"{path}: not a price table"):
        load_prices(path)
