"""Instance groups, the alternative to fleets; the only shape that takes custom automatic scaling rules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.fleets import AMI_PATTERN, InstanceTypeName
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.storage import EbsSpec
from emr_constructs.spec.tokens import TOKENS_ALLOWED

ComparisonOperator = Literal["GREATER_THAN_OR_EQUAL", "GREATER_THAN", "LESS_THAN", "LESS_THAN_OR_EQUAL"]
AdjustmentType = Literal["CHANGE_IN_CAPACITY", "PERCENT_CHANGE_IN_CAPACITY", "EXACT_CAPACITY"]
Statistic = Literal["SAMPLE_COUNT", "AVERAGE", "SUM", "MINIMUM", "MAXIMUM"]


class ScalingRuleSpec(SpecModel):
    """A custom automatic scaling rule on a CloudWatch metric (EMR Management Guide, "Using automatic scaling
    with a custom policy"). Defaults: namespace AWS/ElasticMapReduce, 5-minute period, one evaluation period,
    average, cool-down 300 s, dimension JobFlowId = the cluster."""

    name: str = Field(min_length=1, max_length=256)
    description: str | None = None
    metric_name: str = Field(min_length=1)
    comparison_operator: ComparisonOperator
    threshold: float = Field(ge=0)
    scaling_adjustment: int
    adjustment_type: AdjustmentType = "CHANGE_IN_CAPACITY"
    cool_down_seconds: int = Field(default=300, ge=0)
    namespace: str = "AWS/ElasticMapReduce"
    period_seconds: int = Field(default=300, ge=60)
    evaluation_periods: int = Field(default=1, ge=1)
    statistic: Statistic = "AVERAGE"
    unit: str | None = None


class AutoScalingSpec(SpecModel):
    """Custom automatic scaling of an instance group between ``min_capacity`` and ``max_capacity`` instances."""

    min_capacity: int = Field(ge=0)
    max_capacity: int = Field(ge=1)
    rules: tuple[ScalingRuleSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> AutoScalingSpec:
        if self.min_capacity > self.max_capacity:
            problems = ProblemCollector(self)
            problems.add(
                "min_capacity",
                self.min_capacity,
                f"min_capacity exceeds max_capacity ({self.max_capacity})",
                "make min_capacity at most max_capacity",
            )
            problems.raise_if_any()
        return self


class InstanceGroupSpec(SpecModel):
    """One instance group: a single instance type, on-demand by default."""

    name: str | None = Field(default=None, max_length=256)
    instance_type: InstanceTypeName
    instance_count: int = Field(ge=0)
    market: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    bid_price: str | None = Field(default=None, pattern=r"^\d+(\.\d+)?$")
    custom_ami_id: Annotated[str, Field(pattern=AMI_PATTERN), TOKENS_ALLOWED] | None = None
    ebs: EbsSpec | None = None
    configurations: tuple[ConfigurationSpec, ...] = ()
    auto_scaling: AutoScalingSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> InstanceGroupSpec:
        problems = ProblemCollector(self)
        if self.bid_price is not None and self.market != "SPOT":
            problems.add("bid_price", self.bid_price, "a bid price only applies to SPOT groups", "set market: SPOT")
        problems.raise_if_any()
        return self
