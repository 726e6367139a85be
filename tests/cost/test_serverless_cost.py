"""EMR Serverless cost, checked against sums done by hand on round fixture rates (the working is in each test), and
the shipped rates against their source (PerfKitBenchmarker's price list, copied verbatim into data/prices/)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from emr_constructs.cost import Price, PriceError, PriceTable, load_prices
from emr_constructs.cost.prices import SERVERLESS_DIMENSIONS
from emr_constructs.cost.serverless import (
    WorkerShape,
    estimate_application,
    parse_worker,
    render_serverless,
    serverless_json,
    serverless_table,
)
from emr_constructs.cost.sources import add_serverless_prices
from emr_constructs.spec import ServerlessApplicationSpec

REPO = Path(__file__).resolve().parents[2]
PKB_COPY = REPO / "data" / "prices" / "perfkitbenchmarker-aws_dpb_emr_serverless_prices.py.txt"
PKB_COMMIT = "441d2f97131c9b6baf6f9664a9860d9a6bd4b204"
REGION = "eu-west-1"
FIXTURE = "test fixture (round numbers, not AWS prices)"
#: V per vCPU-hour, G per GB-hour, S per storage GB-hour.
V, G, S = 0.05, 0.005, 0.0001


def _table(architecture: str = "any", rates: tuple[float, float, float] = (V, G, S)) -> PriceTable:
    table = PriceTable()
    for dimension, usd in zip(SERVERLESS_DIMENSIONS, rates, strict=True):
        table.put_serverless(REGION, architecture, dimension, Price(usd, FIXTURE, "2026-11-01"))
    return table


def _app(**fields: Any) -> ServerlessApplicationSpec:
    return ServerlessApplicationSpec.model_validate({"name": "etl", "release_label": "emr-7.12.0", **fields})


BIG = {
    "maximum_capacity": {"cpu_vcpu": 400, "memory_gb": 1600, "disk_gb": 20000},
    "initial_capacity": {
        "Driver": {"worker_count": 1, "worker": {"cpu_vcpu": 4, "memory_gb": 16}},
        "Executor": {"worker_count": 4, "worker": {"cpu_vcpu": 4, "memory_gb": 16, "disk_gb": 100}},
    },
}


def test_application_with_initial_capacity_by_hand() -> None:
    """Worker shape: the initial Executor (4 vCPU, 16 GB, 100 GB): 4*0.05 + 16*0.005 + 80*0.0001 = 0.288 an hour.
    Driver (20 GB disk, nothing billed): 0.2 + 0.08 = 0.28. Initial capacity: 0.28 + 4 * 0.288 = 1.432; 15 idle
    minutes before auto-stop: 0.358. Maximum: W = min(400 // 4, 1600 // 16) = 100 workers, storage billed
    20000 - 20 * 100 = 18000 GB; 400 * 0.05 + 1600 * 0.005 + 18000 * 0.0001 = 20 + 8 + 1.8 = 29.8."""
    result = estimate_application(_app(**BIG), REGION, _table())
    assert result.worker == WorkerShape(4, 16, 100) and result.worker_from == "initial_capacity.Executor"
    assert round(result.worker_hour(WorkerShape(4, 16, 100)), 6) == 0.288
    assert round(result.initial_hour, 6) == 1.432
    assert result.maximum_workers == 100 and round(result.maximum_hour or 0, 6) == 29.8
    assert "initial capacity idles 15 min before auto-stop: $0.36" in result.notes
    assert result.maximum_formula == (
        "400 vCPU x 0.05 + 1600 GB x 0.005 + 18000 storage GB x 0.0001; disk 20000 GB less 20 GB x 100 workers"
    )


def test_jobs_by_hand() -> None:
    """2 h: at most 2 * 29.8 = 59.6. 11 workers of the shape: 2 * 11 * 0.288 = 6.336. 150 workers: capped at the
    100 that maximum capacity holds, 2 * 100 * 0.288 = 57.6."""
    bound = estimate_application(_app(**BIG), REGION, _table(), job_hours=2)
    assert round(bound.job_at_most or 0, 6) == 59.6 and bound.job_with_workers is None
    eleven = estimate_application(_app(**BIG), REGION, _table(), job_hours=2, job_workers=11)
    assert round(eleven.job_with_workers or 0, 6) == 6.336 and eleven.job_workers == 11
    capped = estimate_application(_app(**BIG), REGION, _table(), job_hours=2, job_workers=150)
    assert capped.job_workers == 100 and round(capped.job_with_workers or 0, 6) == 57.6
    assert "the job's 150 workers are capped at the 100 that maximum capacity holds" in capped.notes


def test_maximum_without_a_worker_shape_counts_one_free_allowance() -> None:
    """No shape: W = 1, so 400 - 20 = 380 GB billed: 32 * 0.05 + 128 * 0.005 + 380 * 0.0001 = 1.6 + 0.64 + 0.038."""
    app = _app(maximum_capacity={"cpu_vcpu": 32, "memory_gb": 128, "disk_gb": 400})
    result = estimate_application(app, REGION, _table())
    assert result.worker is None and result.maximum_workers == 1
    assert round(result.maximum_hour or 0, 6) == 2.278 and result.initial_hour == 0
    assert any("one worker's free 20 GB" in note for note in result.notes)


def test_maximum_without_disk_needs_a_shape_for_storage() -> None:
    """No disk bound: without a shape storage is left out (100 * 0.05 + 400 * 0.005 = 7.0); with 4,16,50 it is
    W = 25 workers of 50 GB = 1250 GB, 1250 - 25 * 20 = 750 GB billed, 7.0 + 0.075 = 7.075."""
    app = _app(maximum_capacity={"cpu_vcpu": 100, "memory_gb": 400})
    bare = estimate_application(app, REGION, _table())
    assert round(bare.maximum_hour or 0, 6) == 7.0
    assert "maximum_capacity.disk_gb is unset and no worker shape is known: storage is not included" in bare.notes
    shaped = estimate_application(app, REGION, _table(), worker=WorkerShape(4, 16, 50))
    assert shaped.maximum_workers == 25 and round(shaped.maximum_hour or 0, 6) == 7.075
    assert shaped.worker_from == "--serverless-worker"


def test_unbounded_application_has_no_worst_case_but_prices_a_stated_job() -> None:
    """3 h x 10 workers of 2 vCPU, 8 GB: 3 * 10 * (0.1 + 0.04) = 4.2."""
    app = _app(unbounded_capacity_reason="bounded by the account's EMR Serverless vCPU quota")
    result = estimate_application(app, REGION, _table(), worker=WorkerShape(2, 8), job_hours=3, job_workers=10)
    assert result.maximum_hour is None and result.job_at_most is None
    assert round(result.job_with_workers or 0, 6) == 4.2
    assert result.notes[0].startswith("no maximum capacity (bounded by the account's")


def test_fails_job_workers_without_a_worker_shape() -> None:
    app = _app(maximum_capacity={"cpu_vcpu": 32, "memory_gb": 128})
    with pytest.raises(PriceError, match=r"--serverless-job-workers needs a worker shape .* initial_capacity.Executor"):
        estimate_application(app, REGION, _table(), job_hours=1, job_workers=4)


def test_architecture_rates_are_used_when_present_else_assumed() -> None:
    app = _app(maximum_capacity={"cpu_vcpu": 10, "memory_gb": 40, "disk_gb": 20})
    assumed = estimate_application(app, REGION, _table())
    assert not assumed.architecture_own_rates
    assert "ASSUMPTION: the rates' source gives one rate per region and names no architecture: this ARM64" in (
        render_serverless(assumed)
    )
    table = _table()
    for dimension, usd in zip(SERVERLESS_DIMENSIONS, (0.04, 0.004, 0.0001), strict=True):
        table.put_serverless(REGION, "ARM64", dimension, Price(usd, FIXTURE, "2026-11-01"))
    own = estimate_application(app, REGION, table)
    assert own.architecture_own_rates and round(own.maximum_hour or 0, 6) == 0.56  # 10 * 0.04 + 40 * 0.004
    assert "ASSUMPTION" not in render_serverless(own) and serverless_json(own)["architecture_assumption"] is None


def test_fails_region_without_a_rate() -> None:
    app = _app(maximum_capacity={"cpu_vcpu": 10, "memory_gb": 40})
    with pytest.raises(PriceError) as info:
        estimate_application(app, "eu-south-2", _table())
    message = str(info.value)
    assert "serverless application etl: the price table" in message
    assert "has no EMR Serverless rate for eu-south-2 (it has: eu-west-1)" in message
    assert "Fix: add serverless.eu-south-2.ARM64 (or .any) vcpu_hour, memory_gb_hour and storage_gb_hour" in message


def test_render_and_json_carry_the_same_figures() -> None:
    result = estimate_application(_app(**BIG), REGION, _table(), job_hours=2, job_workers=11)
    text = render_serverless(result)
    assert text.splitlines()[0] == "serverless application etl (eu-west-1, Spark, ARM64), USD"
    assert "  rates: 0.05 per vCPU-hour, 0.005 per GB-hour, 0.0001 per storage GB-hour beyond 20 GB a worker" in text
    assert "  worker shape: 4 vCPU, 16 GB, 100 GB disk (initial_capacity.Executor)" in text
    assert "  maximum capacity, worst-case hour         $29.80  400 vCPU x 0.05" in text
    assert "  initial capacity, per started hour         $1.43  Driver 1 x $0.2800" in text
    assert "  job of 2 h, at most                       $59.60  2 h x $29.80 (maximum capacity)" in text
    assert "  job of 2 h, 11 workers                     $6.34  2 h x 11 x $0.2880" in text
    assert f"  prices: {FIXTURE} (as of 2026-11-01)" in text
    data = json.loads(json.dumps(serverless_json(result)))
    assert data["usd_per_hour"] == {
        "maximum_capacity": 29.8,
        "maximum_capacity_workers": 100,
        "initial_capacity": 1.432,
    }
    assert data["job"] == {"hours": 2, "at_most_usd": 59.6, "workers": 11, "with_workers_usd": 6.336}
    assert data["worker"] == {"cpu_vcpu": 4, "memory_gb": 16, "disk_gb": 100, "from": "initial_capacity.Executor"}
    assert data["rates_usd"] == {"memory_gb_hour": G, "storage_gb_hour": S, "vcpu_hour": V}


@pytest.mark.parametrize(("text", "shape"), [("4,16", WorkerShape(4, 16, 20)), ("16,64,200", WorkerShape(16, 64, 200))])
def test_parse_worker(text: str, shape: WorkerShape) -> None:
    assert parse_worker(text) == shape


@pytest.mark.parametrize("text", ["4", "4,16,50,1", "four,16", "4,0", "4,16,10"])
def test_fails_parse_worker(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_worker(text)


# --- the shipped rates and their source --------------------------------------------------------------------------


def test_shipped_rates_are_the_sources_figures() -> None:
    """The values the price README quotes: eu-west-1 0.052624 / 0.0057785 / 0.000122; us-east-1 the same but
    storage 0.000111. Sixteen regions, one rate each, under ``any`` (the source names no architecture)."""
    table = load_prices()
    assert len(table.serverless) == 16 and all(set(rates) == {"any"} for rates in table.serverless.values())
    found = table.serverless_rates("eu-west-1", "ARM64")
    assert found is not None
    rates, own = found
    assert not own
    assert {d: p.usd_per_hour for d, p in rates.items()} == {
        "vcpu_hour": 0.052624,
        "memory_gb_hour": 0.0057785,
        "storage_gb_hour": 0.000122,
    }
    assert table.serverless["us-east-1"]["any"]["storage_gb_hour"].usd_per_hour == 0.000111
    for price in rates.values():
        assert price.source.startswith(
            "GoogleCloudPlatform/PerfKitBenchmarker perfkitbenchmarker/providers/aws/aws_dpb_emr_serverless_prices.py "
            f"@{PKB_COMMIT}"
        )
        assert price.as_of == "PerfKitBenchmarker commit 441d2f97"


def test_the_copy_is_read_as_data_not_run(tmp_path: Path) -> None:
    table = PriceTable()
    assert add_serverless_prices(table, PKB_COPY, source="s", as_of="d", regions={"eu-north-1", "mars-1"}) == 1
    assert table.serverless["eu-north-1"]["any"]["vcpu_hour"].usd_per_hour == 0.05785
    hostile = tmp_path / "prices.py"
    hostile.write_text("import os\nEMR_SERVERLESS_PRICES = {'x': os.getcwd()}\n")
    with pytest.raises(PriceError, match="not PerfKitBenchmarker's EMR Serverless price list"):
        add_serverless_prices(PriceTable(), hostile, source="s", as_of="d")


def test_table_round_trip_and_unknown_entries(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    _table("X86_64").save(path)
    assert load_prices(path).serverless == _table("X86_64").serverless
    data = json.loads(path.read_text())
    data["serverless"][REGION]["RISCV"] = data["serverless"][REGION].pop("X86_64")
    path.write_text(json.dumps(data))
    with pytest.raises(PriceError, match="unknown serverless rate eu-west-1 RISCV"):
        load_prices(path)


def test_a_table_without_serverless_rates_borrows_the_shipped_ones() -> None:
    refreshed = PriceTable()
    refreshed.put(REGION, "m7g.xlarge", "ec2_on_demand", Price(0.2, FIXTURE, "2026-11-01"))
    assert serverless_table(refreshed).serverless == load_prices().serverless
    own = _table()
    assert serverless_table(own) is own
