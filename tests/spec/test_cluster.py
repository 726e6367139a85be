"""ClusterSpec: shape, applications, tags, lifecycle ranges, custom AMIs, and how problems are reported."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from emr_constructs.spec import Application, ClusterSpec
from tests.spec.payloads import fleet_cluster, group_cluster, rejects, valid, with_, without

AMI = "ami-0123456789abcdef0"
OTHER_AMI = "ami-0fedcba9876543210"


# -- shape ---------------------------------------------------------------------------------------------------


def test_fails_without_fleets_or_groups() -> None:
    rejects(
        without(fleet_cluster(), "instance_fleets"),
        r"^  - instance_fleets: give exactly one of instance_fleets and instance_groups \(got 'neither'\)\. "
        r"Fix: describe the cluster's instances with instance_fleets \(recommended\) or instance_groups",
    )


def test_fails_with_both_fleets_and_groups() -> None:
    both = fleet_cluster(instance_groups=group_cluster()["instance_groups"])
    rejects(
        both,
        r"^  - instance_fleets: give exactly one of instance_fleets and instance_groups "
        r"\(got 'instance_fleets and instance_groups'\)",
    )


def test_fails_direct_construction_with_a_pydantic_error() -> None:
    with pytest.raises(ValidationError, match=r"instance_fleets\.task\.spot\n.*timeout_minutes: Spot timeout"):
        ClusterSpec.model_validate(with_(fleet_cluster(), "instance_fleets.task.spot.timeout_minutes", 1))


def test_fails_unknown_top_level_field() -> None:
    rejects(
        fleet_cluster(instance_count=3),
        r"^  - instance_count: unknown field\. Fix: did you mean 'instance_groups' or 'instance_fleets'\? "
        r"\(valid here: acknowledge_replacement, ",
    )


def test_spec_is_frozen() -> None:
    spec = valid(fleet_cluster())
    with pytest.raises(ValidationError, match="frozen"):
        spec.step_concurrency = 2  # type: ignore[misc]


def test_every_cluster_level_problem_is_reported_at_once() -> None:
    payload = fleet_cluster(
        step_concurrency=0, auto_termination_idle_seconds=10, root_volume={"size_gib": 500}, custom_ami_id=AMI
    )
    payload = with_(payload, "instance_fleets.core.instance_types[1].instance_type", "m6i.2xlarge")
    error = rejects(payload, r"step_concurrency")
    assert sorted(line.split(":")[0] for line in error.lines) == [
        "auto_termination_idle_seconds",
        "custom_ami_id",
        "root_volume.size_gib",
        "step_concurrency",
    ]
    assert all("Fix: " in line for line in error.lines)


def test_every_nested_problem_is_reported_at_once() -> None:
    payload = with_(fleet_cluster(), "instance_fleets.task.spot.timeout_minutes", 2)
    payload = with_(payload, "instance_fleets.core.instance_types[0].ebs.volumes[0].size_gib", 0)
    payload = with_(payload, "managed_scaling", {"minimum": 5, "maximum": 4})
    error = rejects(payload, r"timeout_minutes")
    assert sorted(line.split(":")[0] for line in error.lines) == [
        "instance_fleets.core.instance_types[0].ebs.volumes[0].size_gib",
        "instance_fleets.task.spot.timeout_minutes",
        "managed_scaling.minimum",
    ]


@pytest.mark.parametrize(("name", "ok"), [("", False), ("x" * 257, False), ("x" * 256, True), ("a", True)])
def test_cluster_name_length(name: str, ok: bool) -> None:
    if ok:
        assert valid(fleet_cluster(name=name)).name == name
    else:
        rejects(fleet_cluster(name=name), r"^  - name: must have at (least 1|most 256) character")


# -- applications --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("release", ["emr-6.3.0", "emr-5.36.2", "emr-6.1.0"])
def test_fails_trino_before_6_4_0(release: str) -> None:
    rejects(
        fleet_cluster(release_label=release, applications=["Spark", "Trino"]),
        r"^  - applications\[1\]: Trino needs emr-6\.4\.0 or later \(got 'Trino'\)\. "
        r"Fix: pick a release that ships it or drop it",
    )


@pytest.mark.parametrize("release", ["emr-6.4.0", "emr-7.5.0"])
def test_trino_from_6_4_0_is_accepted(release: str) -> None:
    assert (
        Application.TRINO in valid(fleet_cluster(release_label=release, applications=["Spark", "Trino"])).applications
    )


@pytest.mark.parametrize(
    ("release", "app", "reason"),
    [
        ("emr-6.4.0", "PrestoSQL", r"PrestoSQL is not shipped after the emr-6\.3 line"),
        ("emr-6.0.0", "PrestoSQL", r"PrestoSQL needs emr-6\.1\.0 or later"),
        ("emr-7.0.0", "Ganglia", r"Ganglia is not shipped after the emr-6\.15 line"),
        ("emr-6.15.0", "AmazonCloudWatchAgent", r"AmazonCloudWatchAgent needs emr-7\.0\.0 or later"),
        ("emr-5.8.0", "Livy", r"Livy needs emr-5\.9\.0 or later"),
    ],
)
def test_fails_application_not_on_the_release(release: str, app: str, reason: str) -> None:
    rejects(
        fleet_cluster(release_label=release, applications=["Hadoop", app]),
        rf"^  - applications\[1\]: {reason}",
    )


@pytest.mark.parametrize(
    ("release", "app"),
    [("emr-6.15.0", "Ganglia"), ("emr-6.3.0", "PrestoSQL"), ("emr-7.0.0", "AmazonCloudWatchAgent")],
)
def test_application_on_its_last_or_first_line_is_accepted(release: str, app: str) -> None:
    valid(fleet_cluster(release_label=release, applications=["Hadoop", app]))


@pytest.mark.parametrize("apps", [["Spark", "Hive", "Spark"], ["Spark", "spark"], ["SPARK", " spark "]])
def test_fails_duplicate_application(apps: list[str]) -> None:
    rejects(
        fleet_cluster(applications=apps),
        r"^  - applications: an application is listed twice \(got \['Spark'\]\)\. Fix: list each application "
        r"once",
    )


def test_application_names_are_normalised() -> None:
    spec = valid(fleet_cluster(applications=["spark", "HADOOP", "jupyterenterprisegateway"]))
    assert [a.name for a in spec.applications] == ["Spark", "Hadoop", "JupyterEnterpriseGateway"]


@pytest.mark.parametrize("name", ["", "Spark!", "Spark Hive", "  "])
def test_fails_malformed_application_name(name: str) -> None:
    rejects(
        fleet_cluster(applications=["Hadoop", name]),
        rf"^  - applications: application name '{name}' is not valid\. Fix: use an EMR application name",
    )


def test_unknown_application_passes_with_a_warning() -> None:
    spec = valid(fleet_cluster(applications=["Spark", "Sparkle"]))
    assert not Application.of("Sparkle").known
    assert "'Sparkle'" in dict(spec.warnings())["unknown-application"]


def test_default_applications() -> None:
    spec = valid(without(fleet_cluster(), "applications"))
    assert [a.name for a in spec.applications] == ["Spark", "Hadoop", "Hive", "Livy"]


# -- tags ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tags", [{"aws:cost": "x"}, {"AWS:team": "x"}, {"": "x"}, {"k" * 129: "x"}, {"team": "v" * 257}]
)
def test_fails_invalid_tag(tags: dict[str, str]) -> None:
    key = next(iter(tags))
    rejects(
        fleet_cluster(tags=tags),
        rf"^  - tags: tag '{key}'='v*x?' is not a valid tag\. Fix: keys 1-128 characters not starting with "
        rf"'aws:'",
    )


def test_tags_at_their_limits_are_accepted() -> None:
    tags = {"k" * 128: "v" * 256, "team": "", "awsome": "yes"}
    assert valid(fleet_cluster(tags=tags)).tags == tags


# -- lifecycle -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [59, 604801, 0])
def test_fails_idle_timeout_out_of_range(seconds: int) -> None:
    rejects(
        fleet_cluster(auto_termination_idle_seconds=seconds),
        rf"^  - auto_termination_idle_seconds: auto-termination idle timeout \(seconds\) must be between 60 "
        rf"and "
        rf"604800 \(got {seconds}\)\. Fix: set a value from 60 to 604800",
    )


@pytest.mark.parametrize("seconds", [60, 604800])
def test_idle_timeout_bounds_are_accepted(seconds: int) -> None:
    assert valid(fleet_cluster(auto_termination_idle_seconds=seconds)).auto_termination_idle_seconds == seconds


@pytest.mark.parametrize("level", [0, 257, -1])
def test_fails_step_concurrency_out_of_range(level: int) -> None:
    rejects(
        fleet_cluster(step_concurrency=level),
        rf"^  - step_concurrency: step concurrency must be between 1 and 256 \(got {level}\)\. "
        r"Fix: set a value from 1 to 256",
    )


@pytest.mark.parametrize("level", [1, 256])
def test_step_concurrency_bounds_are_accepted(level: int) -> None:
    assert valid(fleet_cluster(step_concurrency=level)).step_concurrency == level


@pytest.mark.parametrize("behaviour", ["TERMINATE_IMMEDIATELY", "terminate_at_task_completion"])
def test_fails_unknown_scale_down_behaviour(behaviour: str) -> None:
    rejects(
        fleet_cluster(scale_down_behavior=behaviour),
        rf"^  - scale_down_behavior: must be 'TERMINATE_AT_INSTANCE_HOUR' or "
        rf"'TERMINATE_AT_TASK_COMPLETION' "
        rf"\(got '{behaviour}'\)",
    )


@pytest.mark.parametrize("behaviour", ["TERMINATE_AT_INSTANCE_HOUR", "TERMINATE_AT_TASK_COMPLETION"])
def test_scale_down_behaviours_are_accepted(behaviour: str) -> None:
    assert valid(fleet_cluster(scale_down_behavior=behaviour)).scale_down_behavior == behaviour


# -- custom AMIs ---------------------------------------------------------------------------------------------


def _mixed() -> dict[str, object]:
    return with_(
        fleet_cluster(custom_ami_id=AMI),
        "instance_fleets.core.instance_types[1].instance_type",
        "m6i.2xlarge",
    )


def test_fails_cluster_custom_ami_with_mixed_architectures() -> None:
    rejects(
        _mixed(),
        rf"^  - custom_ami_id: the fleets mix Graviton \(arm64\) and x86_64 instance types, so one "
        rf"cluster-level AMI "
        rf"cannot boot them all \(got '{AMI}'\)\. Fix: set custom_ami_id per instance type instead",
    )


def test_mixed_architectures_with_per_type_amis_are_accepted() -> None:
    payload = with_(_mixed(), "instance_fleets.core.instance_types[1].custom_ami_id", OTHER_AMI)
    spec = valid(payload)
    assert spec.custom_ami_id == AMI


def test_mixed_architectures_without_a_custom_ami_are_accepted() -> None:
    valid(without(_mixed(), "custom_ami_id"))


def test_one_architecture_with_a_cluster_custom_ami_is_accepted() -> None:
    assert valid(fleet_cluster(custom_ami_id=AMI)).custom_ami_id == AMI


@pytest.mark.parametrize("ami", ["ami-123", "ami-0123456789ABCDEF0", "img-0123456789abcdef0"])
def test_fails_malformed_custom_ami_id(ami: str) -> None:
    rejects(
        fleet_cluster(custom_ami_id=ami),
        rf"^  - custom_ami_id: does not match the required form.* \(got '{ami}'\)",
    )


@pytest.mark.parametrize(("label", "ok"), [("2023.6.20250115.0", True), ("2.0.20240709.1", True), ("latest", False)])
def test_os_release_label(label: str, ok: bool) -> None:
    if ok:
        assert valid(fleet_cluster(os_release_label=label)).os_release_label == label
    else:
        rejects(fleet_cluster(os_release_label=label), r"^  - os_release_label: does not match the required form")
