"""EBS volumes for instance types and groups (EMR Management Guide, "Instance storage")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.capabilities import EBS_VOLUMES_PER_INSTANCE
from emr_constructs.spec.problems import ProblemCollector

VolumeType = Literal["gp3", "gp2", "io1", "st1", "sc1", "standard"]

# Size limits per volume type in GiB (Amazon EBS volume types); EMR supports no io2.
_SIZE_GIB: dict[str, tuple[int, int]] = {
    "gp3": (1, 16384),
    "gp2": (1, 16384),
    "io1": (4, 16384),
    "st1": (125, 16384),
    "sc1": (125, 16384),
    "standard": (1, 1024),
}
_IOPS: dict[str, tuple[int, int]] = {"gp3": (3000, 16000), "io1": (100, 64000)}
_GP3_THROUGHPUT = (125, 1000)
_GP3_BASELINE_IOPS = 3000
_GP3_THROUGHPUT_PER_IOPS = 0.25
_IOPS_PER_GIB: dict[str, int] = {"gp3": 500, "io1": 50}


class EbsVolumeSpec(SpecModel):
    """EBS volumes attached to each instance. Defaults: one gp3 volume; IOPS and throughput EBS's defaults."""

    volume_type: VolumeType = "gp3"
    size_gib: int = Field(ge=1)
    iops: int | None = None
    throughput: int | None = None
    volumes_per_instance: int = Field(default=1, ge=1, le=EBS_VOLUMES_PER_INSTANCE)

    @model_validator(mode="after")
    def _check(self) -> EbsVolumeSpec:
        problems = ProblemCollector(self)
        problems.check_range("size_gib", self.size_gib, _SIZE_GIB[self.volume_type], f"{self.volume_type} size")
        if self.iops is not None:
            if self.volume_type not in _IOPS:
                problems.add(
                    "iops",
                    self.iops,
                    f"IOPS can only be set for gp3 and io1, not {self.volume_type}",
                    "remove iops or use gp3/io1",
                )
            else:
                problems.check_range("iops", self.iops, _IOPS[self.volume_type], f"{self.volume_type} IOPS")
        elif self.volume_type == "io1":
            problems.add("iops", None, "io1 volumes need provisioned IOPS", "set iops (100 to 64000)")
        if self.throughput is not None:
            if self.volume_type != "gp3":
                problems.add(
                    "throughput",
                    self.throughput,
                    f"throughput can only be set for gp3, not {self.volume_type}",
                    "remove throughput or use gp3",
                )
            else:
                problems.check_range("throughput", self.throughput, _GP3_THROUGHPUT, "gp3 throughput (MiB/s)")
        self._check_ratios(problems)
        problems.raise_if_any()
        return self

    def _check_ratios(self, problems: ProblemCollector) -> None:
        """EBS ratio limits: gp3 500 IOPS per GiB (3000 always allowed) and 0.25 MiB/s per IOPS; io1 50 IOPS
        per GiB (Amazon EBS User Guide, "Amazon EBS volume types")."""
        per_gib = _IOPS_PER_GIB.get(self.volume_type)
        if self.iops is not None and per_gib is not None:
            allowed = max(self.size_gib * per_gib, _GP3_BASELINE_IOPS if self.volume_type == "gp3" else 0)
            if self.iops > allowed:
                problems.add(
                    "iops",
                    self.iops,
                    f"{self.volume_type} allows at most {per_gib} IOPS per GiB ({allowed} for {self.size_gib} GiB)",
                    "raise size_gib or lower iops",
                )
        if self.volume_type == "gp3" and self.throughput is not None:
            iops = self.iops or _GP3_BASELINE_IOPS
            if self.throughput > iops * _GP3_THROUGHPUT_PER_IOPS:
                problems.add(
                    "throughput",
                    self.throughput,
                    f"gp3 allows at most 0.25 MiB/s per IOPS ({iops * _GP3_THROUGHPUT_PER_IOPS:g} for {iops} IOPS)",
                    "raise iops or lower throughput",
                )


class EbsSpec(SpecModel):
    """EBS configuration of an instance type or group. Default: no extra volumes, EBS optimisation as EMR sets."""

    volumes: tuple[EbsVolumeSpec, ...] = ()
    optimized: bool | None = None

    @model_validator(mode="after")
    def _check(self) -> EbsSpec:
        total = sum(volume.volumes_per_instance for volume in self.volumes)
        if total > EBS_VOLUMES_PER_INSTANCE:
            problems = ProblemCollector(self)
            problems.add(
                "volumes",
                total,
                f"at most {EBS_VOLUMES_PER_INSTANCE} EBS volumes per instance",
                "reduce volumes_per_instance or use larger volumes",
            )
            problems.raise_if_any()
        return self
