"""Instance fleets: Spot and resize timeouts, enumerations, types per fleet, primary rules, priorities."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from emr_constructs.spec import InstanceFleetSpec, InstanceTypeSpec, ResizeSpec, SpotSpec, is_graviton
from tests.spec.payloads import fleet_cluster, old_fleet_cluster, rejects, valid, with_, without

TASK = "instance_fleets.task"
PRIMARY = "instance_fleets.primary"


def _types(count: int, **extra: Any) -> list[dict[str, Any]]:
    families = [
        "m5",
        "m5a",
        "m5d",
        "m6i",
        "m6a",
        "m6id",
        "m7i",
        "m7a",
        "r5",
        "r5a",
        "r6i",
        "r6a",
        "r7i",
        "c5",
        "c6i",
    ]
    sizes = ["2xlarge", "4xlarge"]
    names = [f"{family}.{size}" for size in sizes for family in families]
    return [{"instance_type": name, **extra} for name in names[:count]]


# -- ranges --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [4, 1441, 0, -5])
def test_fails_spot_timeout_out_of_range(minutes: int) -> None:
    rejects(
        with_(fleet_cluster(), f"{TASK}.spot.timeout_minutes", minutes),
        rf"^  - {TASK}\.spot\.timeout_minutes: Spot timeout must be between 5 and 1440 \(got {minutes}\)\. "
        r"Fix: set a value from 5 to 1440",
    )


@pytest.mark.parametrize("minutes", [5, 1440])
def test_spot_timeout_bounds_are_accepted(minutes: int) -> None:
    spec = valid(with_(fleet_cluster(), f"{TASK}.spot.timeout_minutes", minutes))
    assert spec.instance_fleets and spec.instance_fleets.task and spec.instance_fleets.task.spot
    assert spec.instance_fleets.task.spot.timeout_minutes == minutes


@pytest.mark.parametrize("field", ["spot_timeout_minutes", "on_demand_timeout_minutes"])
@pytest.mark.parametrize("minutes", [4, 10081])
def test_fails_resize_timeout_out_of_range(field: str, minutes: int) -> None:
    rejects(
        with_(fleet_cluster(), f"{TASK}.resize", {field: minutes}),
        rf"^  - {TASK}\.resize\.{field}: resize timeout must be between 5 and 10080 \(got {minutes}\)\. "
        r"Fix: set a value from 5 to 10080",
    )


@pytest.mark.parametrize("minutes", [5, 10080])
def test_resize_timeout_bounds_are_accepted(minutes: int) -> None:
    resize = {"spot_timeout_minutes": minutes, "on_demand_timeout_minutes": minutes}
    spec = valid(with_(fleet_cluster(), f"{TASK}.resize", resize))
    assert spec.instance_fleets and spec.instance_fleets.task
    assert spec.instance_fleets.task.resize == ResizeSpec(**resize)


def test_resize_problems_are_all_reported() -> None:
    with pytest.raises(ValidationError) as info:
        ResizeSpec(spot_timeout_minutes=1, on_demand_timeout_minutes=20000)
    assert "spot_timeout_minutes" in str(info.value) and "on_demand_timeout_minutes" in str(info.value)


@pytest.mark.parametrize("weight", [0, -1])
def test_fails_weighted_capacity_below_one(weight: int) -> None:
    rejects(
        with_(fleet_cluster(), f"{TASK}.instance_types[1].weighted_capacity", weight),
        rf"^  - {TASK}\.instance_types\[1\]\.weighted_capacity: must be at least 1 "
        rf"\(got {weight}\)\. Fix:",
    )


def test_weighted_capacity_one_is_accepted() -> None:
    spec = valid(with_(fleet_cluster(), f"{TASK}.instance_types[1].weighted_capacity", 1))
    assert spec.instance_fleets and spec.instance_fleets.task
    assert spec.instance_fleets.task.instance_types[1].weighted_capacity == 1


@pytest.mark.parametrize(("field", "value"), [("target_on_demand", -1), ("target_spot", -2)])
def test_fails_negative_target(field: str, value: int) -> None:
    rejects(
        with_(fleet_cluster(), f"{TASK}.{field}", value),
        rf"^  - {TASK}\.{field}: must be at least 0 \(got {value}\)",
    )


# -- enumerations --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "allowed"),
    [
        (f"{TASK}.spot.allocation_strategy", "cheapest", "'price-capacity-optimized', 'capacity-optimized'"),
        (f"{TASK}.spot.allocation_strategy", "prioritized", "'lowest-price' or 'diversified'"),
        (
            "instance_fleets.core.on_demand.allocation_strategy",
            "capacity-optimized",
            "'lowest-price' or 'prioritized'",
        ),
        (f"{TASK}.spot.timeout_action", "TERMINATE", "'SWITCH_TO_ON_DEMAND' or 'TERMINATE_CLUSTER'"),
        (
            f"{TASK}.spot.timeout_action",
            "switch_to_on_demand",
            "'SWITCH_TO_ON_DEMAND' or 'TERMINATE_CLUSTER'",
        ),
        ("instance_fleets.core.on_demand.capacity_reservation.preference", "closed", "'open' or 'none'"),
    ],
)
def test_fails_unknown_enumerated_value(path: str, value: str, allowed: str) -> None:
    escaped = path.replace(".", r"\.")
    rejects(
        with_(fleet_cluster(), path, value),
        rf"^  - {escaped}: must be .*{allowed}.* \(got '{value}'\)",
    )


@pytest.mark.parametrize("strategy", ["price-capacity-optimized", "capacity-optimized", "lowest-price", "diversified"])
@pytest.mark.parametrize("action", ["SWITCH_TO_ON_DEMAND", "TERMINATE_CLUSTER"])
def test_every_spot_strategy_and_timeout_action_is_accepted(strategy: str, action: str) -> None:
    spot = {"allocation_strategy": strategy, "timeout_minutes": 10, "timeout_action": action}
    spec = valid(with_(fleet_cluster(), f"{TASK}.spot", spot))
    assert spec.instance_fleets and spec.instance_fleets.task
    assert spec.instance_fleets.task.spot == SpotSpec(**spot)


# -- instance types per fleet --------------------------------------------------------------------------------


def test_fails_more_than_five_types_without_an_allocation_strategy() -> None:
    payload = with_(old_fleet_cluster("emr-7.5.0"), "instance_fleets.core.instance_types", _types(6))
    rejects(
        payload,
        r"^  - instance_fleets\.core\.instance_types: a fleet without an allocation strategy takes at most 5 "
        r"instance types \(30 with one\) \(got 6\)\. Fix: add an on_demand or spot allocation strategy",
    )


def test_five_types_without_an_allocation_strategy_are_accepted() -> None:
    spec = valid(with_(old_fleet_cluster("emr-7.5.0"), "instance_fleets.core.instance_types", _types(5)))
    assert spec.instance_fleets and spec.instance_fleets.core
    assert not spec.instance_fleets.core.has_allocation_strategy


@pytest.mark.parametrize("fleet", ["core", "task"])
def test_thirty_types_with_an_allocation_strategy_are_accepted(fleet: str) -> None:
    spec = valid(with_(fleet_cluster(), f"instance_fleets.{fleet}.instance_types", _types(30)))
    assert spec.instance_fleets
    assert len(dict(spec.instance_fleets.named())[fleet].instance_types) == 30


def test_fails_more_than_thirty_types() -> None:
    types = [*_types(30), {"instance_type": "z1d.2xlarge"}]
    rejects(
        with_(fleet_cluster(), f"{TASK}.instance_types", types),
        rf"^  - {TASK}\.instance_types: must have at most 30 items, not 31",
    )


def test_fails_fleet_without_instance_types() -> None:
    rejects(
        with_(fleet_cluster(), f"{TASK}.instance_types", []),
        rf"^  - {TASK}\.instance_types: .*at least 1 item",
    )


def test_fails_duplicate_instance_type() -> None:
    types = [
        {"instance_type": "m7g.4xlarge"},
        {"instance_type": "c7g.4xlarge"},
        {"instance_type": "m7g.4xlarge"},
    ]
    rejects(
        with_(fleet_cluster(), f"{TASK}.instance_types", types),
        rf"^  - {TASK}\.instance_types: an instance type may appear once per fleet \(got "
        rf"\['m7g\.4xlarge'\]\)\. "
        r"Fix: remove the repeats",
    )


@pytest.mark.parametrize("name", ["M5.xlarge", "m5", "m5.", "m5 .xlarge", ".xlarge"])
def test_fails_malformed_instance_type(name: str) -> None:
    rejects(
        with_(fleet_cluster(), f"{TASK}.instance_types[0].instance_type", name),
        rf"^  - {TASK}\.instance_types\[0\]\.instance_type: does not match the required form",
    )


# -- targets -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fleet", ["primary", "core", "task"])
def test_fails_fleet_with_no_target_above_zero(fleet: str) -> None:
    payload = fleet_cluster()
    payload["instance_fleets"][fleet].update(target_on_demand=0, target_spot=0)
    rejects(
        payload,
        rf"^  - instance_fleets\.{fleet}\.target_on_demand: a fleet needs target_on_demand or target_spot "
        rf"above 0 "
        r"\(got 0\)\. Fix: set target_on_demand and/or target_spot",
    )


@pytest.mark.parametrize(
    "targets",
    [
        {"target_on_demand": 2},
        {"target_on_demand": 1, "target_spot": 1},
        {"target_spot": 2},
        {"target_on_demand": 4},
        {"target_on_demand": 3, "target_spot": 3},
    ],
)
def test_fails_primary_fleet_targets(targets: dict[str, int]) -> None:
    payload = with_(fleet_cluster(), PRIMARY, {"instance_types": [{"instance_type": "m7g.xlarge"}], **targets})
    rejects(
        payload,
        rf"^  - {PRIMARY}: the primary fleet needs exactly one target set, to 1 \(or 3 for three primaries\) "
        r"\(got \{'target_on_demand': \d, 'target_spot': \d\}\)\. Fix: set target_on_demand: 1",
    )


@pytest.mark.parametrize("targets", [{"target_on_demand": 1}, {"target_spot": 1}, {"target_on_demand": 3}])
def test_primary_fleet_targets_accepted(targets: dict[str, int]) -> None:
    payload = with_(fleet_cluster(), PRIMARY, {"instance_types": [{"instance_type": "m7g.xlarge"}], **targets})
    spec = valid(payload)
    assert spec.multi_primary is (targets.get("target_on_demand") == 3)


def test_fails_primary_fleet_weighted_capacity_other_than_one() -> None:
    payload = with_(
        fleet_cluster(),
        f"{PRIMARY}.instance_types",
        [
            {"instance_type": "m7g.xlarge"},
            {"instance_type": "m6i.xlarge", "weighted_capacity": 2},
        ],
    )
    rejects(
        payload,
        rf"^  - {PRIMARY}\.instance_types\[1\]\.weighted_capacity: primary fleet instance types must have "
        rf"weighted "
        r"capacity 1 \(got 2\)\. Fix: remove weighted_capacity",
    )


def test_fails_three_spot_primaries() -> None:
    payload = with_(fleet_cluster(), PRIMARY, {"target_spot": 3, "instance_types": [{"instance_type": "m7g.xlarge"}]})
    rejects(
        payload,
        rf"^  - {PRIMARY}\.target_spot: three primaries must be on-demand \(got 3\)\. Fix: use "
        rf"target_on_demand: 3",
    )


def test_fails_three_primaries_with_several_types() -> None:
    payload = with_(
        fleet_cluster(),
        PRIMARY,
        {
            "target_on_demand": 3,
            "instance_types": [{"instance_type": "m7g.xlarge"}, {"instance_type": "m6g.xlarge"}],
        },
    )
    rejects(
        payload,
        rf"^  - {PRIMARY}\.instance_types: three primaries take exactly one instance type \(got 2\)\. "
        r"Fix: list one instance type",
    )


def test_fails_three_primaries_without_termination_protection() -> None:
    payload = with_(fleet_cluster(termination_protection=False), f"{PRIMARY}.target_on_demand", 3)
    rejects(
        payload,
        r"^  - termination_protection: EMR forces termination protection on with three primaries \(got "
        r"False\)\. "
        r"Fix: remove termination_protection: false",
    )


def test_three_primaries_force_termination_protection() -> None:
    spec = valid(with_(fleet_cluster(), f"{PRIMARY}.target_on_demand", 3))
    assert spec.termination_protection is None
    assert spec.termination_protected
    assert not valid(fleet_cluster()).termination_protected


# -- Spot settings -------------------------------------------------------------------------------------------


def test_fails_block_duration_minutes() -> None:
    rejects(
        with_(fleet_cluster(), f"{TASK}.spot.block_duration_minutes", 60),
        rf"^  - {TASK}\.spot\.block_duration_minutes: Spot blocks \(defined duration\) are retired and EMR "
        rf"rejects "
        r"them \(got 60\)\. Fix: remove block_duration_minutes",
    )


def test_spot_spec_defaults_when_a_spot_target_is_set() -> None:
    spec = valid(without(fleet_cluster(), f"{TASK}.spot"))
    assert spec.instance_fleets and spec.instance_fleets.task
    assert spec.instance_fleets.task.spot == SpotSpec()
    assert SpotSpec() == SpotSpec(
        allocation_strategy="price-capacity-optimized",
        timeout_minutes=60,
        timeout_action="SWITCH_TO_ON_DEMAND",
    )


def test_no_spot_spec_without_a_spot_target() -> None:
    fleet = InstanceFleetSpec(target_on_demand=1, instance_types=(InstanceTypeSpec(instance_type="m5.xlarge"),))
    assert fleet.spot is None and not fleet.has_allocation_strategy


@pytest.mark.parametrize(
    ("path", "strategy"),
    [
        (f"{TASK}.spot.allocation_strategy", "capacity-optimized-prioritized"),
        ("instance_fleets.core.on_demand.allocation_strategy", "prioritized"),
    ],
)
def test_fails_prioritized_strategy_without_a_priority(path: str, strategy: str) -> None:
    fleet = path.split(".")[1]
    rejects(
        with_(fleet_cluster(), path, strategy),
        rf"^  - instance_fleets\.{fleet}\.instance_types: allocation strategy {strategy} needs a priority on "
        rf"at "
        r"least one instance type \(got \[.*\]\)\. Fix: set priority \(0 is highest\)",
    )


@pytest.mark.parametrize(
    ("path", "strategy"),
    [
        (f"{TASK}.spot.allocation_strategy", "capacity-optimized-prioritized"),
        ("instance_fleets.core.on_demand.allocation_strategy", "prioritized"),
    ],
)
def test_prioritized_strategy_with_a_priority_is_accepted(path: str, strategy: str) -> None:
    fleet = path.split(".")[1]
    payload = with_(with_(fleet_cluster(), path, strategy), f"instance_fleets.{fleet}.instance_types[0].priority", 0)
    valid(payload)


def test_fails_negative_priority() -> None:
    rejects(
        with_(fleet_cluster(), f"{TASK}.instance_types[0].priority", -1),
        rf"^  - {TASK}\.instance_types\[0\]\.priority: must be at least 0 \(got -1\)",
    )


def test_fails_bid_price_with_bid_price_percent() -> None:
    payload = with_(
        fleet_cluster(),
        f"{TASK}.instance_types[0]",
        {
            "instance_type": "m7g.4xlarge",
            "weighted_capacity": 2,
            "bid_price": "0.5",
            "bid_price_percent": 80,
        },
    )
    rejects(
        payload,
        rf"^  - {TASK}\.instance_types\[0\]\.bid_price: bid_price and bid_price_percent exclude each other "
        r"\(got '0\.5'\)\. Fix: keep one of them",
    )


@pytest.mark.parametrize(
    ("field", "value"), [("bid_price_percent", 0), ("bid_price_percent", 1001), ("bid_price", "$1")]
)
def test_fails_bad_bid(field: str, value: object) -> None:
    rejects(
        with_(fleet_cluster(), f"{TASK}.instance_types[0].{field}", value),
        rf"^  - {TASK}\.instance_types\[0\]\.{field}: (?:must be|does not match)",
    )


# -- fleet size ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("release", "limit"), [("emr-7.6.0", 2000), ("emr-7.7.0", 4000)])
def test_fails_targets_beyond_the_instances_per_fleet(release: str, limit: int) -> None:
    payload = with_(fleet_cluster(release_label=release), f"{TASK}.target_spot", 2 * limit + 2)
    rejects(
        payload,
        rf"^  - {TASK}: the targets can need {limit + 1} instances; a fleet takes at most {limit} on "
        rf"{release}",
    )


@pytest.mark.parametrize(("release", "limit"), [("emr-7.6.0", 2000), ("emr-7.7.0", 4000)])
def test_targets_at_the_instances_per_fleet_are_accepted(release: str, limit: int) -> None:
    valid(with_(fleet_cluster(release_label=release), f"{TASK}.target_spot", 2 * limit))


# -- architecture --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance_type", "graviton"),
    [
        ("m7g.xlarge", True),
        ("c6gn.16xlarge", True),
        ("r6gd.2xlarge", True),
        ("a1.large", True),
        ("g5g.xlarge", True),
        ("im4gn.large", True),
        ("x8g.xlarge", True),
        ("m5.xlarge", False),
        ("g5.xlarge", False),
        ("g4dn.xlarge", False),
        ("m7i-flex.large", False),
        ("c7a.xlarge", False),
    ],
)
def test_is_graviton(instance_type: str, graviton: bool) -> None:
    assert is_graviton("a2.large") is False  # not a real type, but not Graviton by its name either
    assert is_graviton(instance_type) is graviton
    assert InstanceTypeSpec(instance_type=instance_type).graviton is graviton


@pytest.mark.parametrize(
    ("typo", "suggestion"), [("m5.xlarg", "'m5.xlarge'"), ("m7g.2xlarg", "'m7g.2xlarge'"), ("r7.xlarge", "'r7")]
)
def test_fails_unknown_instance_type_with_the_nearest_names(typo: str, suggestion: str) -> None:
    rejects(
        with_(fleet_cluster(), "instance_fleets.task.instance_types[0].instance_type", typo),
        rf"^  - instance_fleets\.task\.instance_types\[0\]\.instance_type: '{re.escape(typo)}' is not an EC2 instance "
        rf"type \(botocore [\d.]+ EC2 model\)\. Fix: did you mean {re.escape(suggestion)}",
    )


def test_every_instance_type_in_botocore_is_accepted() -> None:
    from emr_constructs.spec.aws_data import instance_types

    assert {"m5.xlarge", "m7g.2xlarge", "r8g.4xlarge"} <= instance_types()
    assert InstanceTypeSpec(instance_type="m8g.xlarge").instance_type == "m8g.xlarge"
