"""Release labels: accepted and rejected forms, ordering, and the warning for labels newer than the table."""

from __future__ import annotations

import pytest

from emr_constructs.spec import ReleaseLabel, Version
from emr_constructs.spec.capabilities import NEWEST_KNOWN
from tests.spec.payloads import fleet_cluster, rejects, valid


@pytest.mark.parametrize(
    ("label", "version", "flavour"),
    [
        ("emr-7.5.0", Version(7, 5, 0), None),
        ("emr-5.36.2", Version(5, 36, 2), None),
        ("emr-6.15.0", Version(6, 15, 0), None),
        ("emr-spark-8.0.0", Version(8, 0, 0), "spark"),
        ("  emr-7.10.0 ", Version(7, 10, 0), None),
    ],
)
def test_release_label_forms_are_parsed(label: str, version: Version, flavour: str | None) -> None:
    release = ReleaseLabel.of(label)
    assert (release.version, release.flavour, release.label) == (version, flavour, label.strip())
    assert str(release) == label.strip()


@pytest.mark.parametrize(
    "label",
    ["7.5.0", "emr-7.5", "emr-7.5.0.1", "EMR-7.5.0", "emr-7.x.0", "emr-", "garbage", "", "emr-Spark-8.0.0"],
)
def test_fails_malformed_release_label(label: str) -> None:
    with pytest.raises(ValueError, match=r"not an EMR release label\. Fix: use the form 'emr-X\.Y\.Z'"):
        ReleaseLabel.of(label)


@pytest.mark.parametrize("label", ["emr-7.5", "garbage", "emr_7.5.0"])
def test_fails_malformed_release_label_in_a_cluster(label: str) -> None:
    rejects(
        fleet_cluster(release_label=label),
        rf"^  - release_label: release label '{label}' is not an EMR release label\. Fix: use the form "
        rf"'emr-X\.Y\.Z'",
    )


def test_fails_release_label_of_the_wrong_type() -> None:
    rejects(fleet_cluster(release_label=7.5), r"release_label: .*\(got 7\.5\)")


def test_release_constants_match_their_names() -> None:
    assert ReleaseLabel.of("emr-6.15.0") == ReleaseLabel.EMR_6_15_0
    assert ReleaseLabel.EMR_7_5_0.version == Version(7, 5, 0)
    assert ReleaseLabel.EMR_7_10_0.version == Version(7, 10, 0)
    assert ReleaseLabel.EMR_7_13_0.version == Version(7, 13, 0)


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("5.36.2", "6.0.0"),
        ("6.9.1", "6.10.0"),
        ("7.9.0", "7.10.0"),
        ("7.13.0", "8.0.0"),
        ("6.15.0", "6.15.1"),
    ],
)
def test_versions_order_numerically(lower: str, higher: str) -> None:
    assert Version.parse(lower) < Version.parse(higher)
    assert not Version.parse(higher) < Version.parse(lower)
    assert Version.parse(higher) >= Version.parse(lower)


@pytest.mark.parametrize(
    ("label", "minimum", "expected"),
    [("emr-6.10.0", "6.10.0", True), ("emr-6.9.1", "6.10.0", False), ("emr-spark-8.0.0", "7.13.0", True)],
)
def test_at_least(label: str, minimum: str, expected: bool) -> None:
    assert ReleaseLabel.of(label).at_least(minimum) is expected


def test_cluster_accepts_a_release_label_object() -> None:
    spec = valid(fleet_cluster(release_label=ReleaseLabel.EMR_7_10_0))
    assert spec.release_label == ReleaseLabel.EMR_7_10_0


@pytest.mark.parametrize("label", ["emr-spark-8.0.0", "emr-7.14.0", "emr-8.0.0"])
def test_a_label_newer_than_the_table_warns_instead_of_failing(label: str) -> None:
    spec = valid(fleet_cluster(release_label=label))
    ids = [warning_id for warning_id, _ in spec.warnings()]
    assert ids == ["release-newer-than-table"]
    message = dict(spec.warnings())["release-newer-than-table"]
    assert label in message and f"emr-{NEWEST_KNOWN}" in message


@pytest.mark.parametrize("label", ["emr-7.13.0", "emr-7.5.0", "emr-6.15.0"])
def test_a_label_in_the_table_does_not_warn(label: str) -> None:
    spec = valid(fleet_cluster(release_label=label))
    assert "release-newer-than-table" not in dict(spec.warnings())


def test_a_newer_label_keeps_every_gated_feature() -> None:
    spec = valid(
        fleet_cluster(
            release_label="emr-spark-8.0.0",
            managed_scaling={"minimum": 1, "maximum": 10, "scaling_strategy": "ADVANCED"},
            auto_termination_idle_seconds=3600,
            step_concurrency=10,
            root_volume={"size_gib": 20, "iops": 4000, "throughput": 250},
        )
    )
    assert spec.release_label.flavour == "spark"
