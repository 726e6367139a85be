"""The release capability table and every release gate the cluster spec applies."""

from __future__ import annotations

from typing import Any

import pytest

from emr_constructs.spec import ReleaseLabel, Version
from emr_constructs.spec import capabilities as cap
from tests.spec.payloads import fleet_cluster, group_cluster, old_fleet_cluster, rejects, valid, with_


def _release(label: str) -> ReleaseLabel:
    return ReleaseLabel.of(f"emr-{label}")


# -- the table itself ---------------------------------------------------------------------------------------


def test_major_lines_above_the_table_have_the_feature_and_below_do_not() -> None:
    feature = cap.Capability("x", {5: Version(5, 10, 0), 6: Version(6, 2, 0)}, "src")
    releases = ("4.9.0", "5.9.9", "5.10.0", "6.1.0", "6.2.0", "7.0.0")
    supported = [v for v in releases if feature.supported(_release(v))]
    assert supported == ["5.10.0", "6.2.0", "7.0.0"]


def test_also_and_excluded_override_the_per_major_minimum() -> None:
    feature = cap.Capability(
        "x",
        {6: Version(6, 5, 0)},
        "src",
        also=frozenset({Version(5, 1, 1)}),
        excluded=frozenset({Version(6, 6, 0)}),
    )
    assert feature.supported(_release("5.1.1"))
    assert not feature.supported(_release("5.1.2"))
    assert not feature.supported(_release("6.6.0"))
    assert feature.supported(_release("6.7.0"))
    assert feature.requirement() == "emr-5.1.1 or emr-6.5.0+ (not emr-6.6.0)"


@pytest.mark.parametrize(
    ("capability", "text"),
    [
        (cap.MANAGED_SCALING, "emr-5.30.0+ or emr-6.1.0+"),
        (cap.INSTANCE_FLEETS, "emr-4.8.0+ or emr-5.1.0+"),
        (cap.ROOT_VOLUME_IOPS_THROUGHPUT, "emr-6.15.0+"),
        (
            cap.MULTI_PRIMARY_FLEETS,
            "emr-5.36.1 or emr-5.36.2 or emr-6.8.1 or emr-6.9.1 or emr-6.10.1 or emr-6.11.1 or emr-6.12.0+",
        ),
    ],
)
def test_requirement_text(capability: cap.Capability, text: str) -> None:
    assert capability.requirement() == text


@pytest.mark.parametrize(
    ("capability", "supported", "unsupported"),
    [
        (cap.INSTANCE_FLEETS, ["4.8.0", "4.9.6", "5.1.0", "6.0.0", "7.5.0"], ["4.7.4", "5.0.0", "5.0.3"]),
        (
            cap.FLEET_ALLOCATION_STRATEGY,
            ["5.12.1", "5.36.2", "6.0.0", "7.0.0"],
            ["4.9.6", "5.12.0", "5.11.4"],
        ),
        (cap.MANAGED_SCALING, ["5.30.0", "5.36.2", "6.1.0", "7.13.0"], ["4.9.6", "5.29.0", "6.0.0"]),
        (cap.AUTO_TERMINATION, ["5.30.0", "6.1.0", "7.0.0"], ["5.29.0", "6.0.0", "4.9.6"]),
        (cap.STEP_CONCURRENCY, ["5.28.0", "6.0.0", "7.5.0"], ["5.27.0", "4.9.6"]),
        (cap.ROOT_VOLUME_IOPS_THROUGHPUT, ["6.15.0", "7.0.0"], ["6.14.0", "5.36.2"]),
        (cap.ADVANCED_SCALING, ["7.0.0", "7.13.0"], ["6.15.0", "5.36.2"]),
        (cap.MULTI_PRIMARY_GROUPS, ["5.23.0", "6.0.0", "7.0.0"], ["5.22.0", "4.9.6"]),
        (
            cap.MULTI_PRIMARY_FLEETS,
            ["5.36.1", "5.36.2", "6.8.1", "6.9.1", "6.10.1", "6.11.1", "6.12.0", "6.15.0", "7.0.0", "7.13.0"],
            ["5.36.0", "6.8.0", "6.9.0", "6.10.0", "6.11.0", "5.35.0"],
        ),
        (cap.LARGE_FLEETS, ["7.7.0", "7.13.0"], ["7.6.0", "6.15.0"]),
    ],
    ids=lambda value: value.name if isinstance(value, cap.Capability) else None,
)
def test_capability_table(capability: cap.Capability, supported: list[str], unsupported: list[str]) -> None:
    assert [v for v in supported if not capability.supported(_release(v))] == []
    assert [v for v in unsupported if capability.supported(_release(v))] == []


@pytest.mark.parametrize(
    ("label", "gib"), [("emr-6.9.1", 10), ("emr-5.36.2", 10), ("emr-6.10.0", 15), ("emr-7.5.0", 15)]
)
def test_default_root_volume(label: str, gib: int) -> None:
    assert cap.default_root_volume_gib(ReleaseLabel.of(label)) == gib


def test_every_capability_names_its_source_page() -> None:
    capabilities = [value for value in vars(cap).values() if isinstance(value, cap.Capability)]
    assert len(capabilities) >= 11
    assert [c.name for c in capabilities if not c.source.startswith("https://docs.aws.amazon.com/emr/")] == []


# -- the gates, through a cluster ----------------------------------------------------------------------------

_STRATEGY_CORE = {"target_on_demand": 2, "instance_types": [{"instance_type": "m5.2xlarge"}], "on_demand": {}}
_SPOT_TASK = {"target_spot": 2, "instance_types": [{"instance_type": "m5.2xlarge"}]}
_SPOT_TASK_WITH_STRATEGY = {**_SPOT_TASK, "spot": {"allocation_strategy": "price-capacity-optimized"}}
_GATE_CASES: list[tuple[str, dict[str, Any], list[str], list[str], str]] = [
    (
        "instance fleets",
        {},
        ["4.8.0", "5.1.0", "6.0.0"],
        ["4.7.4", "5.0.0", "5.0.3"],
        r"^  - instance_fleets: instance fleets needs emr-4\.8\.0\+ or emr-5\.1\.0\+, not emr-{v}",
    ),
    (
        "Spot allocation strategy",
        {"instance_fleets.task": _SPOT_TASK_WITH_STRATEGY},
        ["5.12.1", "6.0.0"],
        ["5.12.0", "4.9.6"],
        r"^  - instance_fleets\.task\.spot\.allocation_strategy: "
        r"instance fleet allocation strategies needs emr-5\.12\.1\+, not "
        r"emr-{v}"
        r" \(got 'price-capacity-optimized'\)\. Fix: use a release that supports it or remove "
        r"instance_fleets\.task\.spot",
    ),
    (
        "managed scaling",
        {"managed_scaling": {"minimum": 1, "maximum": 10}},
        ["5.30.0", "6.1.0", "7.0.0"],
        ["5.29.0", "6.0.0", "4.9.6"],
        r"^  - managed_scaling: managed scaling needs emr-5\.30\.0\+ or emr-6\.1\.0\+, not emr-{v}",
    ),
    (
        "auto-termination",
        {"auto_termination_idle_seconds": 3600},
        ["5.30.0", "6.1.0", "7.0.0"],
        ["5.29.0", "6.0.0"],
        r"^  - auto_termination_idle_seconds: auto-termination policy needs emr-5\.30\.0\+ or emr-6\.1\.0\+, "
        r"not emr-{v} \(got 3600\)",
    ),
    (
        "step concurrency",
        {"step_concurrency": 2},
        ["5.28.0", "6.0.0"],
        ["5.27.0", "4.9.6"],
        r"^  - step_concurrency: step concurrency above 1 needs emr-5\.28\.0\+, not emr-{v} \(got 2\)",
    ),
    (
        "root volume IOPS and throughput",
        {"root_volume": {"iops": 3000, "throughput": 125}},
        ["6.15.0", "7.0.0"],
        ["6.14.0", "5.36.2"],
        r"^  - root_volume: root volume IOPS and throughput needs emr-6\.15\.0\+, not emr-{v}",
    ),
    (
        "advanced scaling",
        {"managed_scaling": {"minimum": 1, "maximum": 10, "scaling_strategy": "ADVANCED"}},
        ["7.0.0", "7.13.0"],
        ["6.15.0", "6.1.0"],
        r"^  - managed_scaling\.scaling_strategy: advanced scaling .* needs emr-7\.0\.0\+, not emr-{v}",
    ),
    (
        "three primaries on fleets",
        {"instance_fleets.primary.target_on_demand": 3},
        ["5.36.1", "5.36.2", "6.8.1", "6.9.1", "6.10.1", "6.11.1", "6.12.0", "6.15.0", "7.0.0", "7.13.0"],
        ["6.9.0", "6.10.0", "6.11.0", "5.36.0", "6.8.0"],
        r"^  - instance_fleets\.primary: three primary nodes \(instance fleets\) needs emr-5\.36\.1 or .* or "
        r"emr-6\.12\.0\+, not emr-{v} \(got 3\)",
    ),
]


def _gated(release: str, changes: dict[str, Any]) -> dict[str, Any]:
    payload = old_fleet_cluster(f"emr-{release}")
    for path, value in changes.items():
        payload = with_(payload, path, value)
    return payload


@pytest.mark.parametrize(
    ("changes", "release", "pattern"),
    [
        pytest.param(changes, release, pattern.format(v=release.replace(".", r"\.")), id=f"{name}-{release}")
        for name, changes, _, rejected, pattern in _GATE_CASES
        for release in rejected
    ],
)
def test_fails_feature_on_a_release_without_it(changes: dict[str, Any], release: str, pattern: str) -> None:
    rejects(_gated(release, changes), pattern)


@pytest.mark.parametrize(
    ("changes", "release"),
    [
        pytest.param(changes, release, id=f"{name}-{release}")
        for name, changes, accepted, _, _ in _GATE_CASES
        for release in accepted
    ],
)
def test_feature_on_a_release_with_it(changes: dict[str, Any], release: str) -> None:
    valid(_gated(release, changes))


def test_fails_on_demand_allocation_strategy_before_5_12_1() -> None:
    rejects(
        _gated("5.12.0", {"instance_fleets.core": _STRATEGY_CORE}),
        r"^  - instance_fleets\.core\.on_demand\.allocation_strategy: "
        r"instance fleet allocation strategies needs emr-5\.12\.1\+, "
        r"not emr-5\.12\.0 \(got 'lowest-price'\)",
    )


def test_fails_on_demand_allocation_strategy_names_the_on_demand_field() -> None:
    rejects(
        _gated("5.12.0", {"instance_fleets.core": _STRATEGY_CORE}),
        r"^  - instance_fleets\.core\.on_demand\.allocation_strategy: "
        r"instance fleet allocation strategies needs emr-5\.12\.1\+",
    )


def test_spot_fleet_without_an_explicit_strategy_on_a_release_before_strategies() -> None:
    valid(_gated("5.11.0", {"instance_fleets.task": _SPOT_TASK}))


@pytest.mark.parametrize(("release", "ok"), [("emr-5.22.0", False), ("emr-5.23.0", True), ("emr-6.0.0", True)])
def test_three_primary_groups_need_5_23_0(release: str, ok: bool) -> None:
    payload = with_(
        group_cluster(release_label=release, applications=["Hadoop", "Spark"]),
        "instance_groups.primary.instance_count",
        3,
    )
    if ok:
        assert valid(payload).multi_primary
    else:
        rejects(
            payload,
            r"^  - instance_groups\.primary\.instance_count: three primary nodes \(instance groups\) needs "
            rf"emr-5\.23\.0\+, not {release} \(got 3\)",
        )


def test_gate_errors_name_the_source_page() -> None:
    error = rejects(
        fleet_cluster(release_label="emr-6.0.0", managed_scaling={"minimum": 1, "maximum": 4}),
        r"managed_scaling: managed scaling needs",
    )
    assert any("emr-managed-scaling.html" in line for line in error.lines)
