"""Managed scaling: limits, unit types per cluster shape, advanced scaling, and the YARN-only warning."""

from __future__ import annotations

from typing import Any

import pytest

from emr_constructs.spec import ManagedScalingSpec
from tests.spec.payloads import fleet_cluster, group_cluster, rejects, valid


def _scaling(**fields: Any) -> dict[str, Any]:
    return {"minimum": 2, "maximum": 20, **fields}


@pytest.mark.parametrize("shape", [fleet_cluster, group_cluster])
def test_fails_minimum_above_maximum(shape: Any) -> None:
    rejects(
        shape(managed_scaling=_scaling(minimum=21)),
        r"^  - managed_scaling\.minimum: minimum exceeds maximum \(20\) \(got 21\)\. Fix: make minimum at "
        r"most maximum",
    )


@pytest.mark.parametrize("field", ["maximum_on_demand", "maximum_core"])
def test_fails_partial_maximum_above_maximum(field: str) -> None:
    rejects(
        fleet_cluster(managed_scaling=_scaling(**{field: 21})),
        rf"^  - managed_scaling\.{field}: {field} exceeds maximum \(20\) \(got 21\)\. Fix: make {field} at "
        rf"most maximum",
    )


@pytest.mark.parametrize(
    "limits",
    [
        {"minimum": 20, "maximum": 20},
        {"minimum": 1, "maximum": 1},
        _scaling(maximum_on_demand=20, maximum_core=20),
        _scaling(maximum_on_demand=0, maximum_core=0),
    ],
)
def test_limits_at_their_bounds_are_accepted(limits: dict[str, int]) -> None:
    spec = valid(fleet_cluster(managed_scaling=limits))
    assert spec.managed_scaling == ManagedScalingSpec(**limits)


@pytest.mark.parametrize(("field", "value", "bound"), [("minimum", 0, 1), ("maximum", 0, 1), ("maximum_core", -1, 0)])
def test_fails_limit_below_its_floor(field: str, value: int, bound: int) -> None:
    rejects(
        fleet_cluster(managed_scaling=_scaling(**{field: value})),
        rf"^  - managed_scaling\.{field}: must be at least {bound} \(got {value}\)",
    )


def test_all_scaling_problems_are_reported_together() -> None:
    error = rejects(
        fleet_cluster(managed_scaling={"minimum": 30, "maximum": 20, "maximum_on_demand": 25, "maximum_core": 25}),
        r"managed_scaling\.minimum",
    )
    assert [line.split(":")[0] for line in error.lines] == [
        "managed_scaling.minimum",
        "managed_scaling.maximum_on_demand",
        "managed_scaling.maximum_core",
    ]


# -- unit types ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["Instances", "VCPU"])
def test_fails_fleets_scaled_in_group_units(unit: str) -> None:
    rejects(
        fleet_cluster(managed_scaling=_scaling(unit_type=unit)),
        rf"^  - managed_scaling\.unit_type: instance fleets scale in InstanceFleetUnits \(got '{unit}'\)\. "
        r"Fix: set unit_type: InstanceFleetUnits or leave it out",
    )


def test_fails_groups_scaled_in_fleet_units() -> None:
    rejects(
        group_cluster(managed_scaling=_scaling(unit_type="InstanceFleetUnits")),
        r"^  - managed_scaling\.unit_type: instance groups scale in Instances or VCPU \(got "
        r"'InstanceFleetUnits'\)\. "
        r"Fix: set unit_type: Instances \(or VCPU\)",
    )


@pytest.mark.parametrize(
    ("shape", "unit", "effective"),
    [
        (fleet_cluster, None, "InstanceFleetUnits"),
        (fleet_cluster, "InstanceFleetUnits", "InstanceFleetUnits"),
        (group_cluster, None, "Instances"),
        (group_cluster, "Instances", "Instances"),
        (group_cluster, "VCPU", "VCPU"),
    ],
)
def test_unit_type_matching_the_shape_is_accepted(shape: Any, unit: str | None, effective: str) -> None:
    assert valid(shape(managed_scaling=_scaling(unit_type=unit))).scaling_unit_type == effective


def test_no_unit_type_without_managed_scaling() -> None:
    assert valid(fleet_cluster()).scaling_unit_type is None


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("unit_type", "Units", "'InstanceFleetUnits', 'Instances' or 'VCPU'"),
        ("unit_type", "vcpu", "'InstanceFleetUnits', 'Instances' or 'VCPU'"),
        ("scaling_strategy", "AGGRESSIVE", "'DEFAULT' or 'ADVANCED'"),
    ],
)
def test_fails_unknown_scaling_enumeration(field: str, value: str, allowed: str) -> None:
    rejects(
        fleet_cluster(managed_scaling=_scaling(**{field: value})),
        rf"^  - managed_scaling\.{field}: must be {allowed} \(got '{value}'\)",
    )


# -- advanced scaling ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 10, 60, 101])
def test_fails_utilization_performance_index_not_in_the_set(index: int) -> None:
    rejects(
        fleet_cluster(managed_scaling=_scaling(scaling_strategy="ADVANCED", utilization_performance_index=index)),
        rf"^  - managed_scaling\.utilization_performance_index: utilization performance index must be one of "
        rf"1, 25, 50, 75, 100 \(got {index}\)\. Fix: pick one of those values",
    )


@pytest.mark.parametrize("index", [1, 25, 50, 75, 100])
def test_every_utilization_performance_index_is_accepted(index: int) -> None:
    spec = valid(
        fleet_cluster(managed_scaling=_scaling(scaling_strategy="ADVANCED", utilization_performance_index=index))
    )
    assert spec.managed_scaling and spec.managed_scaling.utilization_performance_index == index


@pytest.mark.parametrize("strategy", [None, "DEFAULT"])
def test_fails_utilization_performance_index_without_advanced(strategy: str | None) -> None:
    rejects(
        fleet_cluster(managed_scaling=_scaling(scaling_strategy=strategy, utilization_performance_index=50)),
        r"^  - managed_scaling\.utilization_performance_index: a utilization performance index needs "
        r"scaling_strategy ADVANCED \(got 50\)\. Fix: set scaling_strategy: ADVANCED",
    )


def test_fails_utilization_performance_index_before_7_0() -> None:
    rejects(
        fleet_cluster(
            release_label="emr-6.15.0",
            managed_scaling=_scaling(scaling_strategy="ADVANCED", utilization_performance_index=50),
        ),
        r"^  - managed_scaling\.scaling_strategy: advanced scaling .* needs emr-7\.0\.0\+, not emr-6\.15\.0",
    )


# -- warnings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("app", ["Trino", "HBase", "Presto"])
def test_managed_scaling_with_a_non_yarn_application_warns(app: str) -> None:
    spec = valid(fleet_cluster(applications=["Spark", app], managed_scaling=_scaling()))
    warnings = dict(spec.warnings())
    assert app in warnings["managed-scaling-not-yarn"]


def test_managed_scaling_with_yarn_applications_does_not_warn() -> None:
    spec = valid(fleet_cluster(managed_scaling=_scaling()))
    assert spec.warnings() == []
    assert valid(fleet_cluster(applications=["Spark", "Trino"])).warnings() == []
