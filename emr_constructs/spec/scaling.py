"""Managed scaling (emr-managed-scaling.html)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.capabilities import UTILIZATION_PERFORMANCE_INDEX
from emr_constructs.spec.problems import ProblemCollector

UnitType = Literal["InstanceFleetUnits", "Instances", "VCPU"]


class ManagedScalingSpec(SpecModel):
    """EMR managed scaling limits. ``unit_type`` defaults to the cluster's shape: InstanceFleetUnits for
    fleets, Instances for groups. The optional on-demand and core limits must not exceed ``maximum``."""

    minimum: int = Field(ge=1)
    maximum: int = Field(ge=1)
    maximum_on_demand: int | None = Field(default=None, ge=0)
    maximum_core: int | None = Field(default=None, ge=0)
    unit_type: UnitType | None = None
    scaling_strategy: Literal["DEFAULT", "ADVANCED"] | None = None
    utilization_performance_index: int | None = None

    @model_validator(mode="after")
    def _check(self) -> ManagedScalingSpec:
        problems = ProblemCollector(self)
        if self.minimum > self.maximum:
            problems.add(
                "minimum",
                self.minimum,
                f"minimum exceeds maximum ({self.maximum})",
                "make minimum at most maximum",
            )
        for name in ("maximum_on_demand", "maximum_core"):
            value = getattr(self, name)
            if value is not None and value > self.maximum:
                problems.add(name, value, f"{name} exceeds maximum ({self.maximum})", f"make {name} at most maximum")
        index = self.utilization_performance_index
        if index is not None and index not in UTILIZATION_PERFORMANCE_INDEX:
            problems.add(
                "utilization_performance_index",
                index,
                f"utilization performance index must be one of {', '.join(map(str, UTILIZATION_PERFORMANCE_INDEX))}",
                "pick one of those values",
            )
        if index is not None and self.scaling_strategy != "ADVANCED":
            problems.add(
                "utilization_performance_index",
                index,
                "a utilization performance index needs scaling_strategy ADVANCED",
                "set scaling_strategy: ADVANCED",
            )
        problems.raise_if_any()
        return self
