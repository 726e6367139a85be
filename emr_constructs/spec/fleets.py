"""Instance fleets: instance types with weights, Spot and on-demand provisioning (emr-instance-fleet.html)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from emr_constructs.spec import aws_data
from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.capabilities import (
    FLEET_TYPES_WITH_STRATEGY,
    RESIZE_TIMEOUT_MINUTES,
    SPOT_TIMEOUT_MINUTES,
)
from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.storage import EbsSpec
from emr_constructs.spec.tokens import TOKENS_ALLOWED

SpotAllocationStrategy = Literal[
    "price-capacity-optimized",
    "capacity-optimized",
    "capacity-optimized-prioritized",
    "lowest-price",
    "diversified",
]
OnDemandAllocationStrategy = Literal["lowest-price", "prioritized"]
SpotTimeoutAction = Literal["SWITCH_TO_ON_DEMAND", "TERMINATE_CLUSTER"]
PRIORITY_STRATEGIES = frozenset({"capacity-optimized-prioritized", "prioritized"})

INSTANCE_TYPE_PATTERN = r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"


def known_instance_type(value: str) -> str:
    """``value`` when botocore's EC2 model lists it as an instance type; else an error with the nearest names."""
    if value not in aws_data.instance_types():
        near = aws_data.closest(value, aws_data.instance_types())
        hint = f"did you mean {' or '.join(repr(n) for n in near)}?" if near else "use a name such as 'm7g.xlarge'"
        raise ValueError(
            f"{value!r} is not an EC2 instance type (botocore {aws_data.botocore_version()} EC2 model). Fix: {hint}"
        )
    return value


#: An EC2 instance type name, checked against botocore's EC2 model.
InstanceTypeName = Annotated[str, Field(pattern=INSTANCE_TYPE_PATTERN), AfterValidator(known_instance_type)]
AMI_PATTERN = r"^ami-[0-9a-f]{8,17}$"
_FAMILY = re.compile(r"^(?P<series>[a-z]+)(?P<generation>\d+)(?P<options>[a-z-]*)$")


def is_graviton(instance_type: str) -> bool:
    """True for AWS Graviton (arm64) types: a1, and families with a ``g`` after the generation (m7g, c6gn)."""
    family = instance_type.split(".", 1)[0]
    match = _FAMILY.match(family)
    if match is None:
        return False
    if match["series"] == "a" and match["generation"] == "1":
        return True
    return "g" in match["options"]


class InstanceTypeSpec(SpecModel):
    """One instance type in a fleet. Defaults: weight 1, Spot bid at 100% of the on-demand price."""

    instance_type: InstanceTypeName
    weighted_capacity: int = Field(default=1, ge=1)
    bid_price_percent: float | None = Field(default=None, gt=0, le=1000)
    bid_price: str | None = Field(default=None, pattern=r"^\d+(\.\d+)?$")
    priority: float | None = Field(default=None, ge=0)
    custom_ami_id: Annotated[str, Field(pattern=AMI_PATTERN), TOKENS_ALLOWED] | None = None
    ebs: EbsSpec | None = None
    configurations: tuple[ConfigurationSpec, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> InstanceTypeSpec:
        if self.bid_price is not None and self.bid_price_percent is not None:
            problems = ProblemCollector(self)
            problems.add(
                "bid_price",
                self.bid_price,
                "bid_price and bid_price_percent exclude each other",
                "keep one of them (bid_price_percent is the usual choice)",
            )
            problems.raise_if_any()
        return self

    @property
    def graviton(self) -> bool:
        return is_graviton(self.instance_type)


class CapacityReservationSpec(SpecModel):
    """On-demand capacity reservation options. Default: open reservations are used when they match."""

    preference: Literal["open", "none"] | None = None
    usage_strategy: Literal["use-capacity-reservations-first"] | None = None
    resource_group_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:resource-groups:")


class OnDemandSpec(SpecModel):
    """On-demand provisioning. Default allocation strategy: lowest-price (EMR's default)."""

    allocation_strategy: OnDemandAllocationStrategy = "lowest-price"
    capacity_reservation: CapacityReservationSpec | None = None


class SpotSpec(SpecModel):
    """Spot provisioning. Defaults: price-capacity-optimized, switch to on-demand after 60 minutes.

    ``block_duration_minutes`` (Spot blocks) was retired by AWS and is rejected.
    """

    allocation_strategy: SpotAllocationStrategy = "price-capacity-optimized"
    timeout_minutes: int = 60
    timeout_action: SpotTimeoutAction = "SWITCH_TO_ON_DEMAND"
    block_duration_minutes: int | None = None

    @model_validator(mode="after")
    def _check(self) -> SpotSpec:
        problems = ProblemCollector(self)
        problems.check_range("timeout_minutes", self.timeout_minutes, SPOT_TIMEOUT_MINUTES, "Spot timeout")
        if self.block_duration_minutes is not None:
            problems.add(
                "block_duration_minutes",
                self.block_duration_minutes,
                "Spot blocks (defined duration) are retired and EMR rejects them",
                "remove block_duration_minutes",
            )
        problems.raise_if_any()
        return self


class ResizeSpec(SpecModel):
    """How long a resize may wait for Spot or on-demand capacity. Default: EMR's (unset)."""

    spot_timeout_minutes: int | None = None
    on_demand_timeout_minutes: int | None = None

    @model_validator(mode="after")
    def _check(self) -> ResizeSpec:
        problems = ProblemCollector(self)
        problems.check_range(
            "spot_timeout_minutes", self.spot_timeout_minutes, RESIZE_TIMEOUT_MINUTES, "resize timeout"
        )
        problems.check_range(
            "on_demand_timeout_minutes",
            self.on_demand_timeout_minutes,
            RESIZE_TIMEOUT_MINUTES,
            "resize timeout",
        )
        problems.raise_if_any()
        return self


class InstanceFleetSpec(SpecModel):
    """An instance fleet: target capacities in units of weighted capacity across up to 30 instance types.

    Defaults: no Spot (``spot`` is filled with ``SpotSpec()`` when ``target_spot`` > 0), on-demand lowest-price.
    Role-dependent limits (primary target 1 or 3, types per fleet by release) are checked by ``ClusterSpec``.
    """

    name: str | None = Field(default=None, max_length=256)
    instance_types: tuple[InstanceTypeSpec, ...] = Field(min_length=1, max_length=FLEET_TYPES_WITH_STRATEGY)
    target_on_demand: int = Field(default=0, ge=0)
    target_spot: int = Field(default=0, ge=0)
    on_demand: OnDemandSpec | None = None
    spot: SpotSpec | None = None
    resize: ResizeSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_spot(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("target_spot") and data.get("spot") is None:
            return {**data, "spot": {}}
        return data

    @model_validator(mode="after")
    def _check(self) -> InstanceFleetSpec:
        problems = ProblemCollector(self)
        if self.target_on_demand == 0 and self.target_spot == 0:
            problems.add(
                "target_on_demand",
                0,
                "a fleet needs target_on_demand or target_spot above 0",
                "set target_on_demand and/or target_spot",
            )
        names = [t.instance_type for t in self.instance_types]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.add(
                "instance_types",
                duplicates,
                "an instance type may appear once per fleet",
                "remove the repeats",
            )
        strategies = {s for s in (self.strategy_spot, self.strategy_on_demand) if s}
        if strategies & PRIORITY_STRATEGIES and all(t.priority is None for t in self.instance_types):
            problems.add(
                "instance_types",
                names,
                f"allocation strategy {sorted(strategies & PRIORITY_STRATEGIES)[0]} "
                "needs a priority on at least one instance type",
                "set priority (0 is highest) on the preferred types",
            )
        problems.raise_if_any()
        return self

    @property
    def strategy_spot(self) -> str | None:
        return self.spot.allocation_strategy if self.spot else None

    @property
    def strategy_on_demand(self) -> str | None:
        return self.on_demand.allocation_strategy if self.on_demand else None

    @property
    def has_allocation_strategy(self) -> bool:
        return self.spot is not None or self.on_demand is not None

    @property
    def explicit_allocation_strategy(self) -> tuple[str, str] | None:
        """(field, strategy) that the user set, or None when only defaults would apply.

        An ``on_demand`` block always carries a strategy (CloudFormation requires it); a Spot strategy counts
        only when written out, so that Spot fleets stay expressible on releases before strategies existed.
        """
        if self.spot is not None and "allocation_strategy" in self.spot.model_fields_set:
            return ("spot", self.spot.allocation_strategy)
        if self.on_demand is not None:
            return ("on_demand", self.on_demand.allocation_strategy)
        return None

    def uses_allocation_strategy(self, strategies_supported: bool) -> bool:
        """Whether the rendered fleet carries an allocation strategy on a release with or without them."""
        if strategies_supported:
            return self.has_allocation_strategy
        return self.explicit_allocation_strategy is not None
