"""EBS data volumes (per volume type) and the root volume (size per release, IOPS, throughput, ratios)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from emr_constructs.spec import EbsSpec, EbsVolumeSpec
from tests.spec.payloads import fleet_cluster, rejects, valid, with_

VOLUME = "instance_fleets.core.instance_types[0].ebs.volumes[0]"
VOLUME_RE = VOLUME.replace(".", r"\.").replace("[", r"\[").replace("]", r"\]")
EBS_RE = VOLUME_RE.removesuffix(r"\.volumes\[0\]")


def _volume(**fields: Any) -> dict[str, Any]:
    return with_(fleet_cluster(), VOLUME, fields)


# -- data volumes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volume_type", "size", "low", "high", "extra"),
    [
        ("gp3", 16385, 1, 16384, {}),
        ("gp2", 16385, 1, 16384, {}),
        ("io1", 3, 4, 16384, {"iops": 200}),
        ("io1", 16385, 4, 16384, {"iops": 200}),
        ("st1", 124, 125, 16384, {}),
        ("st1", 16385, 125, 16384, {}),
        ("sc1", 124, 125, 16384, {}),
        ("standard", 1025, 1, 1024, {}),
    ],
)
def test_fails_volume_size_out_of_range_for_its_type(
    volume_type: str, size: int, low: int, high: int, extra: dict[str, int]
) -> None:
    rejects(
        _volume(volume_type=volume_type, size_gib=size, **extra),
        rf"^  - {VOLUME_RE}\.size_gib: {volume_type} size must be between {low} and {high} \(got {size}\)\. "
        rf"Fix: set a value from {low} to {high}",
    )


@pytest.mark.parametrize(
    ("volume_type", "size", "extra"),
    [
        ("gp3", 1, {}),
        ("gp3", 16384, {}),
        ("gp2", 1, {}),
        ("gp2", 16384, {}),
        ("io1", 4, {"iops": 100}),
        ("io1", 16384, {"iops": 100}),
        ("st1", 125, {}),
        ("st1", 16384, {}),
        ("sc1", 125, {}),
        ("sc1", 16384, {}),
        ("standard", 1, {}),
        ("standard", 1024, {}),
    ],
)
def test_volume_size_bounds_are_accepted(volume_type: str, size: int, extra: dict[str, int]) -> None:
    spec = valid(_volume(volume_type=volume_type, size_gib=size, **extra))
    assert spec.instance_fleets and spec.instance_fleets.core
    ebs = spec.instance_fleets.core.instance_types[0].ebs
    assert ebs and ebs.volumes[0] == EbsVolumeSpec(volume_type=volume_type, size_gib=size, **extra)


def test_fails_volume_size_zero() -> None:
    rejects(
        _volume(size_gib=0),
        rf"^  - {VOLUME_RE}\.size_gib: must be at least 1 \(got 0\)",
    )


@pytest.mark.parametrize("volume_type", ["io2", "gp1", "GP3", "magnetic"])
def test_fails_unknown_volume_type(volume_type: str) -> None:
    rejects(
        _volume(volume_type=volume_type, size_gib=100),
        rf"^  - {VOLUME_RE}\.volume_type: must be 'gp3', 'gp2', 'io1', 'st1', 'sc1' or 'standard' "
        rf"\(got '{volume_type}'\)",
    )


@pytest.mark.parametrize(
    ("volume_type", "iops", "low", "high"),
    [
        ("gp3", 2999, 3000, 16000),
        ("gp3", 16001, 3000, 16000),
        ("io1", 99, 100, 64000),
        ("io1", 64001, 100, 64000),
    ],
)
def test_fails_iops_out_of_range(volume_type: str, iops: int, low: int, high: int) -> None:
    rejects(
        _volume(volume_type=volume_type, size_gib=2000, iops=iops),
        rf"^  - {VOLUME_RE}\.iops: {volume_type} IOPS must be between {low} and {high} \(got {iops}\)\. "
        rf"Fix: set a value from {low} to {high}",
    )


@pytest.mark.parametrize(("volume_type", "iops"), [("gp3", 3000), ("gp3", 16000), ("io1", 100), ("io1", 64000)])
def test_iops_bounds_are_accepted(volume_type: str, iops: int) -> None:
    valid(_volume(volume_type=volume_type, size_gib=2000, iops=iops))


@pytest.mark.parametrize("volume_type", ["gp2", "st1", "sc1", "standard"])
def test_fails_iops_on_a_type_without_provisioned_iops(volume_type: str) -> None:
    rejects(
        _volume(volume_type=volume_type, size_gib=500, iops=3000),
        rf"^  - {VOLUME_RE}\.iops: IOPS can only be set for gp3 and io1, not {volume_type} \(got 3000\)\. "
        r"Fix: remove iops or use gp3/io1",
    )


def test_fails_io1_without_iops() -> None:
    rejects(
        _volume(volume_type="io1", size_gib=100),
        rf"^  - {VOLUME_RE}\.iops: io1 volumes need provisioned IOPS \(got None\)\. Fix: set iops \(100 to "
        rf"64000\)",
    )


@pytest.mark.parametrize("throughput", [124, 1001])
def test_fails_gp3_throughput_out_of_range(throughput: int) -> None:
    rejects(
        _volume(volume_type="gp3", size_gib=500, iops=16000, throughput=throughput),
        rf"^  - {VOLUME_RE}\.throughput: gp3 throughput \(MiB/s\) must be between 125 and 1000 \(got "
        rf"{throughput}\)\. "
        r"Fix: set a value from 125 to 1000",
    )


@pytest.mark.parametrize("throughput", [125, 1000])
def test_gp3_throughput_bounds_are_accepted(throughput: int) -> None:
    valid(_volume(volume_type="gp3", size_gib=500, iops=16000, throughput=throughput))


@pytest.mark.parametrize(("volume_type", "extra"), [("gp2", {}), ("io1", {"iops": 1000}), ("st1", {})])
def test_fails_throughput_on_a_type_other_than_gp3(volume_type: str, extra: dict[str, int]) -> None:
    rejects(
        _volume(volume_type=volume_type, size_gib=500, throughput=250, **extra),
        rf"^  - {VOLUME_RE}\.throughput: throughput can only be set for gp3, not {volume_type} \(got 250\)\. "
        r"Fix: remove throughput or use gp3",
    )


@pytest.mark.parametrize(("count", "bound"), [(0, "at least 1"), (26, "at most 25")])
def test_fails_volumes_per_instance_out_of_range(count: int, bound: str) -> None:
    rejects(
        _volume(size_gib=100, volumes_per_instance=count),
        rf"^  - {VOLUME_RE}\.volumes_per_instance: must be {bound} \(got {count}\)",
    )


def test_fails_more_than_25_volumes_in_total() -> None:
    volumes = [{"size_gib": 100, "volumes_per_instance": 13}, {"size_gib": 200, "volumes_per_instance": 13}]
    rejects(
        with_(fleet_cluster(), "instance_fleets.core.instance_types[0].ebs.volumes", volumes),
        rf"^  - {EBS_RE}\.volumes: at most 25 EBS volumes per instance \(got 26\)\. "
        r"Fix: reduce volumes_per_instance or use larger volumes",
    )


def test_25_volumes_in_total_are_accepted() -> None:
    ebs = EbsSpec(
        volumes=(
            EbsVolumeSpec(size_gib=100, volumes_per_instance=12),
            EbsVolumeSpec(size_gib=200, volumes_per_instance=13),
        )
    )
    assert sum(v.volumes_per_instance for v in ebs.volumes) == 25


def test_data_volume_problems_are_all_reported() -> None:
    with pytest.raises(ValidationError) as info:
        EbsVolumeSpec(volume_type="gp2", size_gib=20000, iops=100, throughput=100)
    text = str(info.value)
    assert all(name in text for name in ("size_gib:", "iops:", "throughput:"))


@pytest.mark.parametrize(
    "fields",
    [
        {"volume_type": "gp3", "size_gib": 10, "iops": 16000},
        {"volume_type": "gp3", "size_gib": 500, "iops": 3000, "throughput": 1000},
        {"volume_type": "io1", "size_gib": 10, "iops": 10000},
    ],
)
def test_fails_data_volume_ratio_limits(fields: dict[str, Any]) -> None:
    rejects(_volume(**fields), rf"^  - {VOLUME_RE}\.(iops|throughput): .*per (GiB|IOPS)")


# -- root volume ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "size", "low"),
    [
        ("emr-6.9.1", 9, 10),
        ("emr-6.10.0", 14, 15),
        ("emr-7.5.0", 14, 15),
        ("emr-7.5.0", 101, 15),
        ("emr-6.9.1", 101, 10),
    ],
)
def test_fails_root_volume_size_out_of_range(release: str, size: int, low: int) -> None:
    rejects(
        fleet_cluster(release_label=release, root_volume={"size_gib": size}),
        rf"^  - root_volume\.size_gib: root volume size on {release} \(GiB\) must be between {low} and 100 "
        rf"\(got {size}\)\. Fix: set a value from {low} to 100",
    )


@pytest.mark.parametrize(
    ("release", "size"), [("emr-6.9.1", 10), ("emr-6.10.0", 15), ("emr-7.5.0", 15), ("emr-7.5.0", 100)]
)
def test_root_volume_size_bounds_are_accepted(release: str, size: int) -> None:
    spec = valid(fleet_cluster(release_label=release, root_volume={"size_gib": size}))
    assert spec.root_volume and spec.root_volume.size_gib == size


@pytest.mark.parametrize("iops", [2999, 16001])
def test_fails_root_volume_iops_out_of_range(iops: int) -> None:
    rejects(
        fleet_cluster(root_volume={"size_gib": 100, "iops": iops}),
        rf"^  - root_volume\.iops: root volume IOPS must be between 3000 and 16000 \(got {iops}\)\. "
        r"Fix: set a value from 3000 to 16000",
    )


@pytest.mark.parametrize("throughput", [124, 1001])
def test_fails_root_volume_throughput_out_of_range(throughput: int) -> None:
    rejects(
        fleet_cluster(root_volume={"size_gib": 100, "iops": 16000, "throughput": throughput}),
        rf"^  - root_volume\.throughput: root volume throughput \(MiB/s\) must be between 125 and 1000 "
        rf"\(got {throughput}\)\. Fix: set a value from 125 to 1000",
    )


@pytest.mark.parametrize(
    "root",
    [
        {"iops": 3000},
        {"size_gib": 32, "iops": 16000},
        {"throughput": 125},
        {"throughput": 750},
        {"size_gib": 100, "iops": 16000, "throughput": 1000},
        {"iops": 4000, "throughput": 1000},
    ],
)
def test_root_volume_iops_and_throughput_bounds_are_accepted(root: dict[str, int]) -> None:
    spec = valid(fleet_cluster(root_volume=root))
    assert spec.root_volume and spec.root_volume.model_dump(exclude_none=True) == root


@pytest.mark.parametrize(
    ("root", "limit", "size"),
    [
        ({"size_gib": 20, "iops": 10001}, 10000, 20),
        ({"iops": 7501}, 7500, 15),
        ({"size_gib": 31, "iops": 16000}, 15500, 31),
    ],
)
def test_fails_root_volume_iops_per_gib(root: dict[str, int], limit: int, size: int) -> None:
    rejects(
        fleet_cluster(root_volume=root),
        rf"^  - root_volume\.iops: IOPS may be at most 500 per GiB \({limit} for {size} GiB\) \(got "
        rf"{root['iops']}\)\. "
        r"Fix: raise size_gib or lower iops",
    )


@pytest.mark.parametrize(
    ("root", "limit", "iops"),
    [({"throughput": 751}, 750, 3000), ({"iops": 3999, "throughput": 1000}, 999.75, 3999)],
)
def test_fails_root_volume_throughput_per_iops(root: dict[str, int], limit: float, iops: int) -> None:
    rejects(
        fleet_cluster(root_volume=root),
        rf"^  - root_volume\.throughput: throughput may be at most 0\.25 MiB/s per IOPS \({limit:g} for "
        rf"{iops} IOPS\) "
        rf"\(got {root['throughput']}\)\. Fix: raise iops or lower throughput",
    )


def test_fails_root_volume_size_zero() -> None:
    rejects(
        fleet_cluster(root_volume={"size_gib": 0}),
        r"^  - root_volume\.size_gib: must be at least 1 \(got 0\)",
    )
