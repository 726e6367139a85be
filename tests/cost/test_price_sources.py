"""The shipped price table is rebuilt from the extracts it cites, covers the configs, and derives EMR prices by a
printed rule unless it measures them."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from emr_constructs.cost import Price, PriceError, PriceTable, estimate, load_prices
from emr_constructs.cost.estimate import as_json
from emr_constructs.cost.prices import EMR_RULE, SHIPPED
from emr_constructs.cost.sources import add_prices
from emr_constructs.spec import load_config

REPO = Path(__file__).resolve().parents[2]
EXTRACTS = sorted((REPO / "data" / "prices").glob("skypilot-vms-*.csv"))
REGIONS = ("eu-central-1", "eu-west-1", "us-east-1", "us-west-2")
TYPE = re.compile(r"\b[a-z]\d[a-z]*\.\d*x?large\b")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_price_table", REPO / "scripts" / "build_price_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_table_is_what_the_script_builds_from_the_extracts(tmp_path: Path) -> None:
    output = tmp_path / "prices.json"
    assert _script().main([*map(str, EXTRACTS), "--output", str(output)]) == 0
    assert json.loads(output.read_text()) == json.loads(SHIPPED.read_text())


def test_every_shipped_row_is_cited() -> None:
    table = load_prices()
    for region in REGIONS:
        for kinds in table.regions[region].values():
            assert kinds["ec2_on_demand"].source.startswith("skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv @")


def test_the_configs_and_examples_are_covered_in_four_regions() -> None:
    used = set()
    for path in [*REPO.glob("config/*.yaml"), *REPO.glob("examples/*/app.py")]:
        used |= set(TYPE.findall(path.read_text()))
    table = load_prices()
    for region in REGIONS:
        table.require(region, used)


@pytest.mark.parametrize(
    "family",
    ["m5", "m6a", "m6i", "m6g", "m7i", "m7g", "c6i", "c6g", "c7i", "c7g", "r5", "r6a", "r6i", "r6g", "r7i", "r7g"],
)
def test_common_families_are_covered_from_xlarge_to_8xlarge(family: str) -> None:
    table = load_prices()
    types = {f"{family}.{size}" for size in ("xlarge", "2xlarge", "4xlarge", "8xlarge")}
    for region in REGIONS:
        table.require(region, types)


def test_known_catalog_rows() -> None:
    """Copied by hand from the catalog rows (m6i.xlarge: eu-west-1 0.214, us-east-1 0.192, eu-central-1 0.23)."""
    table = load_prices()
    assert [table.get(r, "m6i.xlarge", "ec2_on_demand").usd_per_hour for r in REGIONS] == [0.23, 0.214, 0.192, 0.192]  # type: ignore[union-attr]


def test_emr_is_a_quarter_of_the_us_east_1_price_and_says_so() -> None:
    table = load_prices()
    price, derived = table.emr("eu-west-1", "m6i.xlarge")  # type: ignore[misc]
    assert derived and price.usd_per_hour == 0.048  # 0.25 x 0.192, not 0.25 x 0.214
    assert price.source.startswith(EMR_RULE)


def test_a_measured_emr_price_wins() -> None:
    table = PriceTable()
    table.put("us-east-1", "m6i.xlarge", "ec2_on_demand", Price(0.192, "fixture", "2026-12-01"))
    table.put("eu-west-1", "m6i.xlarge", "emr", Price(0.05, "measured fixture", "2026-12-01"))
    assert table.emr("eu-west-1", "m6i.xlarge") == (Price(0.05, "measured fixture", "2026-12-01"), False)


def test_fails_govcloud_without_a_measured_emr_price() -> None:
    table = PriceTable()
    for region in ("us-east-1", "us-gov-west-1"):
        table.put(region, "m6i.xlarge", "ec2_on_demand", Price(0.2, "fixture", "2026-12-01"))
    with pytest.raises(PriceError, match=r"us-gov-west-1 price for: m6i.xlarge \(emr\)"):
        table.require("us-gov-west-1", {"m6i.xlarge"})


#: The shape of an AWS EC2 offer file (bulk CSV): metadata lines, then the header; Linux, Windows, Dedicated and
#: Reserved rows of one type, of which only the first is a Linux On-Demand price.
OFFER = Path(__file__).with_name("ec2-offer-sample.csv")


def test_an_aws_offer_file_gives_the_linux_on_demand_price() -> None:
    table = PriceTable()
    assert add_prices(table, OFFER, source="AWS offer", as_of="2026-11-30", regions={"eu-west-1"}) == 1
    assert table.get("eu-west-1", "m6i.xlarge", "ec2_on_demand") == Price(0.214, "AWS offer", "2026-11-30")


def test_fails_a_file_without_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("InstanceType,Cost\nm6i.xlarge,0.2\n")
    with pytest.raises(PriceError, match=r"no column \['Price', 'Region'\]"):
        add_prices(PriceTable(), path, source="x", as_of="y", regions={"eu-west-1"})


def test_fails_two_prices_for_one_region(tmp_path: Path) -> None:
    path = tmp_path / "vms.csv"
    path.write_text("InstanceType,Price,Region\nm6i.xlarge,0.214,eu-west-1\nm6i.xlarge,0.3,eu-west-1\n")
    with pytest.raises(PriceError, match="two On-Demand prices"):
        add_prices(PriceTable(), path, source="x", as_of="y", regions={"eu-west-1"})


def test_fails_a_file_without_a_header(tmp_path: Path) -> None:
    path = tmp_path / "offer.csv"
    path.write_text('"FormatVersion","v1.0"\n')
    with pytest.raises(PriceError, match="no header line"):
        add_prices(PriceTable(), path, source="x", as_of="y", regions={"eu-west-1"})


@pytest.mark.parametrize("config", ["config/dev.yaml", "config/prod.yaml"])
def test_cost_runs_offline_and_prints_the_rule(config: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "emr_constructs.cli", "cost", config], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "EMR uplift is a RULE, not a measured price" in done.stdout


def _dev_estimate(region: str) -> dict[str, Any]:
    cluster = load_config(REPO / "config" / "dev.yaml").clusters[0]
    prices = load_prices()
    return as_json(estimate(cluster, region, prices, 0.6), prices, 0.6)


def test_dev_in_eu_west_1_by_hand() -> None:
    """config/dev.yaml with the shipped table (rows of data/prices: eu-west-1 m7g.xlarge 0.1819, m7g.2xlarge 0.3638,
    c7g.4xlarge 0.6202; us-east-1 m7g.xlarge 0.1632, m7g.2xlarge 0.3264, c7g.4xlarge 0.58), 60 % Spot assumption.

    Minimum 6 units, all core On-Demand (maximum_core 8, maximum_on_demand 12), cheapest per unit: primary
    m7g.xlarge, core m7g.2xlarge. EC2 0.1819 + 6 x 0.3638 = 2.3647; EMR 0.25 x (0.1632 + 6 x 0.3264) = 0.5304.
    Maximum 40 units: core 8 On-Demand, task 4 units On-Demand and 28 Spot of c7g.4xlarge (weight 2: 2 and 14
    instances). EC2 On-Demand 0.1819 + 8 x 0.3638 + 2 x 0.6202 = 4.3327; Spot 14 x 0.6202 x 0.4 = 3.47312;
    EMR 0.25 x (0.1632 + 8 x 0.3264 + 16 x 0.58) = 3.0136; all On-Demand 0.1819 + 2.9104 + 16 x 0.6202 + 3.0136
    = 16.0291.
    """
    result = _dev_estimate("eu-west-1")
    minimum, maximum = result["usd_per_hour"]
    assert (minimum["ec2_on_demand"], minimum["emr"], minimum["ec2_spot"]) == (2.3647, 0.5304, 0.0)
    assert (maximum["ec2_on_demand"], maximum["ec2_spot"], maximum["emr"]) == (4.3327, 3.47312, 3.0136)
    assert maximum["all_on_demand"] == 16.0291
    assert maximum["spot_saving"] == round(16.0291 - (4.3327 + 3.47312 + 3.0136), 6)
    assert result["emr_rule"] == EMR_RULE and result["spot_assumption"] == "On-Demand less 60%"


def test_dev_in_us_east_1_by_hand() -> None:
    """The same cluster in us-east-1: EC2 0.1632 + 6 x 0.3264 = 2.1216 at minimum; the EMR price is the same as in
    eu-west-1 (0.5304), since the rule reads us-east-1 prices everywhere."""
    minimum, _ = _dev_estimate("us-east-1")["usd_per_hour"]
    assert (minimum["ec2_on_demand"], minimum["emr"], minimum["total"]) == (2.1216, 0.5304, 2.652)


def test_cost_prints_json() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "emr_constructs.cli", "cost", "config/dev.yaml", "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    config = load_config(REPO / "config" / "dev.yaml")
    estimates = json.loads(done.stdout)
    names = [c.name for c in config.clusters] + [flow.cluster.name for flow in config.job_flows]
    assert [e["cluster"] for e in estimates if "cluster" in e] == names and len(names) == 2  # cluster and job flow
    assert estimates[0]["usd_per_hour"][0]["ec2_on_demand"] == 2.3647
    # Serverless applications follow the clusters, one entry each.
    applications = [e["serverless_application"] for e in estimates if "serverless_application" in e]
    assert applications == [app.name for app in config.serverless_applications]
    assert len(estimates) == len(names) + len(applications)


def test_prod_in_eu_west_1_by_hand() -> None:
    """config/prod.yaml's platform cluster at minimum (14 units: core 12 On-Demand, maximum_core 12; task 2 units
    On-Demand, maximum_on_demand 30). Cheapest per unit in eu-west-1: primary m6g.2xlarge 0.344, core r7g.2xlarge
    0.4794, task m7g.8xlarge 1.4552 / 4 = 0.3638 (0.5 instances). EC2 0.344 + 12 x 0.4794 + 0.5 x 1.4552 = 6.8244;
    EMR 0.25 x (0.308 + 12 x 0.4284 + 0.5 x 1.3056) = 1.5254 (us-east-1 prices of the same types)."""
    cluster = load_config(REPO / "config" / "prod.yaml").clusters[0]
    prices = load_prices()
    minimum = as_json(estimate(cluster, "eu-west-1", prices, 0.6), prices, 0.6)["usd_per_hour"][0]
    assert (minimum["ec2_on_demand"], minimum["emr"], minimum["ec2_spot"]) == (6.8244, 1.5254, 0.0)
    assert minimum["total"] == 8.3498
