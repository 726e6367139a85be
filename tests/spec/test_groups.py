"""Instance groups: market, custom auto-scaling (groups only, never with managed scaling), primary rules."""

from __future__ import annotations

import pytest

from emr_constructs.spec import AutoScalingSpec
from tests.spec.payloads import auto_scaling, fleet_cluster, group_cluster, rejects, valid, with_

GROUPS = "instance_groups"


@pytest.mark.parametrize("market", ["RESERVED", "spot", "SPOT_BLOCK"])
def test_fails_unknown_market(market: str) -> None:
    rejects(
        with_(group_cluster(), f"{GROUPS}.core.market", market),
        rf"^  - {GROUPS}\.core\.market: must be 'ON_DEMAND' or 'SPOT' \(got '{market}'\)\. Fix:",
    )


@pytest.mark.parametrize("market", ["ON_DEMAND", "SPOT"])
def test_both_markets_are_accepted(market: str) -> None:
    spec = valid(with_(group_cluster(), f"{GROUPS}.core.market", market))
    assert spec.instance_groups and spec.instance_groups.core and spec.instance_groups.core.market == market


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        (
            "comparison_operator",
            "GREATER",
            "'GREATER_THAN_OR_EQUAL', 'GREATER_THAN', 'LESS_THAN' or 'LESS_THAN_OR_EQUAL'",
        ),
        ("comparison_operator", ">=", "'GREATER_THAN_OR_EQUAL', .* or 'LESS_THAN_OR_EQUAL'"),
        (
            "adjustment_type",
            "ABSOLUTE",
            "'CHANGE_IN_CAPACITY', 'PERCENT_CHANGE_IN_CAPACITY' or 'EXACT_CAPACITY'",
        ),
        ("statistic", "P99", "'SAMPLE_COUNT', 'AVERAGE', 'SUM', 'MINIMUM' or 'MAXIMUM'"),
    ],
)
def test_fails_unknown_scaling_rule_value(field: str, value: str, allowed: str) -> None:
    rule = {**auto_scaling()["rules"][0], field: value}
    payload = with_(group_cluster(), f"{GROUPS}.core.auto_scaling", auto_scaling(rules=[rule]))
    rejects(
        payload,
        rf"^  - {GROUPS}\.core\.auto_scaling\.rules\[0\]\.{field}: must be {allowed} \(got "
        rf"'{value}'\)",
    )


@pytest.mark.parametrize("operator", ["GREATER_THAN_OR_EQUAL", "GREATER_THAN", "LESS_THAN", "LESS_THAN_OR_EQUAL"])
def test_every_comparison_operator_is_accepted(operator: str) -> None:
    rule = {**auto_scaling()["rules"][0], "comparison_operator": operator}
    spec = valid(with_(group_cluster(), f"{GROUPS}.core.auto_scaling", auto_scaling(rules=[rule])))
    assert spec.instance_groups and spec.instance_groups.core and spec.instance_groups.core.auto_scaling
    assert spec.instance_groups.core.auto_scaling.rules[0].comparison_operator == operator


@pytest.mark.parametrize(("field", "value", "bound"), [("period_seconds", 59, 60), ("evaluation_periods", 0, 1)])
def test_fails_scaling_rule_below_its_minimum(field: str, value: int, bound: int) -> None:
    rule = {**auto_scaling()["rules"][0], field: value}
    rejects(
        with_(group_cluster(), f"{GROUPS}.core.auto_scaling", auto_scaling(rules=[rule])),
        rf"^  - {GROUPS}\.core\.auto_scaling\.rules\[0\]\.{field}: must be at least "
        rf"{bound}",
    )


def test_custom_auto_scaling_on_core_and_task_groups_is_accepted() -> None:
    payload = with_(group_cluster(), f"{GROUPS}.core.auto_scaling", auto_scaling())
    payload = with_(payload, f"{GROUPS}.tasks[0].auto_scaling", auto_scaling(min_capacity=0))
    spec = valid(payload)
    assert spec.uses_custom_auto_scaling
    assert not valid(group_cluster()).uses_custom_auto_scaling


def test_fails_auto_scaling_min_above_max() -> None:
    rejects(
        with_(group_cluster(), f"{GROUPS}.core.auto_scaling", auto_scaling(min_capacity=5, max_capacity=4)),
        rf"^  - {GROUPS}\.core\.auto_scaling\.min_capacity: min_capacity exceeds max_capacity \(4\) \(got "
        rf"5\)\. "
        r"Fix: make min_capacity at most max_capacity",
    )


def test_auto_scaling_min_equal_to_max_is_accepted() -> None:
    assert AutoScalingSpec.model_validate(auto_scaling(min_capacity=4, max_capacity=4)).min_capacity == 4


def test_fails_auto_scaling_without_rules() -> None:
    rejects(
        with_(group_cluster(), f"{GROUPS}.core.auto_scaling", auto_scaling(rules=[])),
        rf"^  - {GROUPS}\.core\.auto_scaling\.rules: .*at least 1 item",
    )


def test_fails_primary_group_auto_scaling() -> None:
    rejects(
        with_(group_cluster(), f"{GROUPS}.primary.auto_scaling", auto_scaling()),
        rf"^  - {GROUPS}\.primary\.auto_scaling: the primary group cannot scale \(got 'set'\)\. "
        r"Fix: move auto_scaling to the core or task groups",
    )


@pytest.mark.parametrize("group", ["core", "tasks[0]"])
def test_fails_custom_auto_scaling_with_managed_scaling(group: str) -> None:
    payload = with_(
        group_cluster(managed_scaling={"minimum": 2, "maximum": 10}),
        f"{GROUPS}.{group}.auto_scaling",
        auto_scaling(),
    )
    rejects(
        payload,
        r"^  - managed_scaling: managed scaling cannot be combined with custom automatic scaling rules "
        r"\(got 'set'\)\. Fix: remove managed_scaling or the instance groups' auto_scaling",
    )


@pytest.mark.parametrize("fleet", ["core", "task"])
def test_fails_custom_auto_scaling_on_a_fleet(fleet: str) -> None:
    rejects(
        with_(fleet_cluster(), f"instance_fleets.{fleet}.auto_scaling", auto_scaling()),
        rf"^  - instance_fleets\.{fleet}\.auto_scaling: custom auto-scaling policies apply to instance groups only; "
        r"instance fleets scale with managed scaling\. Fix: remove auto_scaling and set the cluster's managed_scaling",
    )


@pytest.mark.parametrize("count", [0, 2, 4])
def test_fails_primary_group_count(count: int) -> None:
    rejects(
        with_(group_cluster(), f"{GROUPS}.primary.instance_count", count),
        rf"^  - {GROUPS}\.primary\.instance_count: the primary group has 1 instance \(or 3 for three "
        rf"primaries\) "
        rf"\(got {count}\)\. Fix: set instance_count: 1",
    )


def test_fails_negative_instance_count() -> None:
    rejects(
        with_(group_cluster(), f"{GROUPS}.tasks[0].instance_count", -1),
        rf"^  - {GROUPS}\.tasks\[0\]\.instance_count: must be at least 0 \(got -1\)",
    )


def test_fails_bid_price_on_an_on_demand_group() -> None:
    rejects(
        with_(group_cluster(), f"{GROUPS}.core.bid_price", "0.30"),
        rf"^  - {GROUPS}\.core\.bid_price: a bid price only applies to SPOT groups \(got '0\.30'\)\. "
        r"Fix: set market: SPOT",
    )


def test_bid_price_on_a_spot_group_is_accepted() -> None:
    spec = valid(with_(group_cluster(), f"{GROUPS}.tasks[0].bid_price", "0.30"))
    assert spec.instance_groups and spec.instance_groups.tasks[0].bid_price == "0.30"


def test_fails_more_than_48_task_groups() -> None:
    tasks = [{"name": f"t{i}", "instance_type": "m7g.xlarge", "instance_count": 1} for i in range(49)]
    rejects(
        with_(group_cluster(), f"{GROUPS}.tasks", tasks),
        rf"^  - {GROUPS}\.tasks: must have at most 48 items, not 49",
    )


def test_48_task_groups_are_accepted() -> None:
    tasks = [{"name": f"t{i}", "instance_type": "m7g.xlarge", "instance_count": 1} for i in range(48)]
    spec = valid(with_(group_cluster(), f"{GROUPS}.tasks", tasks))
    assert spec.instance_groups and len(spec.instance_groups.tasks) == 48


def test_three_primary_groups_force_termination_protection() -> None:
    spec = valid(with_(group_cluster(), f"{GROUPS}.primary.instance_count", 3))
    assert spec.multi_primary and spec.termination_protected


def test_fails_three_primary_groups_without_termination_protection() -> None:
    payload = with_(group_cluster(termination_protection=False), f"{GROUPS}.primary.instance_count", 3)
    rejects(payload, r"^  - termination_protection: EMR forces termination protection on with three primaries")


def test_fails_mixed_architecture_groups_with_a_cluster_custom_ami() -> None:
    payload = with_(group_cluster(custom_ami_id="ami-0123456789abcdef0"), f"{GROUPS}.core.instance_type", "m6i.2xlarge")
    rejects(payload, r"^  - custom_ami_id: .*mix Graviton \(arm64\) and x86_64")


def test_mixed_architecture_groups_with_per_group_amis_are_accepted() -> None:
    payload = with_(
        group_cluster(custom_ami_id="ami-0123456789abcdef0"),
        f"{GROUPS}.core",
        {
            "instance_type": "m6i.2xlarge",
            "instance_count": 2,
            "custom_ami_id": "ami-0fedcba9876543210",
        },
    )
    valid(payload)
