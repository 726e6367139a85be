"""Hourly cost of a cluster at its minimum and maximum capacity, split into EC2 (On-Demand and Spot) and the EMR
uplift, with the saving against the same capacity all On-Demand.

The model, stated so that a reader can redo the sums (EMR Management Guide, "Using managed scaling"; Amazon EMR
pricing: the EMR price is added to the EC2 price and is the same for On-Demand and Spot instances):

- The primary fleet or group is fixed: its target (or count) at its market.
- Fleets with managed scaling: core and task capacity C runs from ``minimum`` to ``maximum`` units. Core gets
  ``min(C, maximum_core)`` (all of C when unset, as EMR defaults it to the maximum), task the rest. On-Demand
  gets ``min(C, maximum_on_demand)`` (all of C when unset), placed on core first; the rest is Spot.
- Fleets without managed scaling: their configured On-Demand and Spot targets, so minimum = maximum.
- Each fleet is priced per unit at its cheapest instance type per unit (On-Demand price / weighted capacity),
  what the lowest-price and price-capacity-optimized strategies aim for; its EMR price per unit is that type's.
- Instance groups: counts (or custom auto-scaling min and max, or managed scaling's instances, core first) at
  each group's market. Scaling in vCPUs is not estimated.
- Spot: a measured average from the price table when ``refresh`` recorded one; otherwise On-Demand less the
  assumed discount, reported as an assumption. EBS volumes are not included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from emr_constructs.cost.prices import EMR_RULE, PriceError, PriceTable
from emr_constructs.spec import ClusterSpec, InstanceFleetSpec


@dataclass(frozen=True)
class Usage:
    """``instances`` (may be fractional: units / weight) of ``instance_type`` at a market."""

    role: str
    instance_type: str
    instances: float
    spot: bool


@dataclass
class CapacityCost:
    """The hourly cost at one capacity point, in USD."""

    label: str
    capacity: str
    ec2_on_demand: float = 0.0
    ec2_spot: float = 0.0
    emr: float = 0.0
    all_on_demand: float = 0.0
    spot_assumed: bool = False

    @property
    def total(self) -> float:
        return self.ec2_on_demand + self.ec2_spot + self.emr

    @property
    def saving(self) -> float:
        return self.all_on_demand - self.total


@dataclass
class ClusterEstimate:
    cluster: str
    region: str
    points: list[CapacityCost] = field(default_factory=list)
    instance_types: set[str] = field(default_factory=set)
    #: Some EMR price comes from ``EMR_RULE``, not from a measured price.
    emr_by_rule: bool = False


def _cheapest(fleet: InstanceFleetSpec, prices: PriceTable, region: str) -> tuple[str, int]:
    """The fleet's instance type with the lowest On-Demand price per unit, and its weight."""
    best: tuple[float, str, int] | None = None
    for item in fleet.instance_types:
        price = prices.get(region, item.instance_type, "ec2_on_demand")
        assert price is not None  # required before
        per_unit = price.usd_per_hour / item.weighted_capacity
        if best is None or per_unit < best[0]:
            best = (per_unit, item.instance_type, item.weighted_capacity)
    assert best is not None
    return best[1], best[2]


def capacity_points(
    spec: ClusterSpec, pick: Callable[[InstanceFleetSpec], tuple[str, int]]
) -> list[tuple[str, str, list[Usage]]]:
    """The instances at each capacity point (fixed, or minimum and maximum), as (label, capacity, usage); each
    fleet runs the type ``pick`` chooses (its type and weight). ``PriceError`` for scaling it cannot model."""
    if spec.instance_fleets is not None:
        return _fleet_usage(spec, {role: pick(fleet) for role, fleet in spec.instance_fleets.named()})
    return _group_usage(spec)


def _fleet_usage(spec: ClusterSpec, chosen: dict[str, tuple[str, int]]) -> list[tuple[str, str, list[Usage]]]:
    fleets = spec.instance_fleets
    assert fleets is not None

    def usage(role: str, units: float, spot: bool) -> Usage:
        instance_type, weight = chosen[role]
        return Usage(role, instance_type, units / weight, spot)

    primary = fleets.primary
    fixed = [usage("primary", primary.target_on_demand, False), usage("primary", primary.target_spot, True)]
    scaling = spec.managed_scaling
    if scaling is None:
        workers = [
            usage(role, units, spot)
            for role, fleet in fleets.named()
            if role != "primary"
            for units, spot in ((fleet.target_on_demand, False), (fleet.target_spot, True))
        ]
        total = sum(f.target_on_demand + f.target_spot for r, f in fleets.named() if r != "primary")
        return [("fixed", f"{total} core and task units", fixed + workers)]
    points = []
    for label, capacity in (("minimum", scaling.minimum), ("maximum", scaling.maximum)):
        core = min(capacity, scaling.maximum_core) if scaling.maximum_core is not None else capacity
        if fleets.task is None:
            core = capacity
        task = capacity - core
        on_demand = min(capacity, scaling.maximum_on_demand) if scaling.maximum_on_demand is not None else capacity
        core_on_demand = min(core, on_demand)
        task_on_demand = on_demand - core_on_demand
        workers = [usage("core", core_on_demand, False), usage("core", core - core_on_demand, True)]
        if fleets.task is not None:
            workers += [usage("task", task_on_demand, False), usage("task", task - task_on_demand, True)]
        points.append((label, f"{capacity} core and task units", fixed + workers))
    return points


def _group_usage(spec: ClusterSpec) -> list[tuple[str, str, list[Usage]]]:
    groups = spec.instance_groups
    assert groups is not None
    primary = groups.primary
    fixed = [Usage("primary", primary.instance_type, primary.instance_count, primary.market == "SPOT")]
    workers = [g for g in (groups.core, *groups.tasks) if g is not None]
    scaling = spec.managed_scaling
    if scaling is not None:
        if spec.scaling_unit_type != "Instances":
            raise PriceError(
                f"cluster {spec.name}: managed scaling in {spec.scaling_unit_type} is not estimated. Fix: estimate "
                "with unit_type: Instances, or read the instance counts from `emr-constructs status`"
            )
        points = []
        for label, capacity in (("minimum", scaling.minimum), ("maximum", scaling.maximum)):
            core_group = groups.core
            core = 0
            if core_group is not None:
                core = min(capacity, scaling.maximum_core) if scaling.maximum_core is not None else capacity
                if not groups.tasks:
                    core = capacity
            usage = list(fixed)
            if core_group is not None:
                usage.append(Usage("core", core_group.instance_type, core, core_group.market == "SPOT"))
            if groups.tasks:
                task = groups.tasks[0]
                usage.append(Usage("task", task.instance_type, capacity - core, task.market == "SPOT"))
            points.append((label, f"{capacity} core and task instances", usage))
        return points
    scaled = any(g.auto_scaling is not None for g in workers)
    if not scaled:
        usage = fixed + [
            Usage(_role(groups, g), g.instance_type, g.instance_count, g.market == "SPOT") for g in workers
        ]
        return [("fixed", f"{sum(g.instance_count for g in workers)} core and task instances", usage)]
    points = []
    for label in ("minimum", "maximum"):
        usage = list(fixed)
        count = 0
        for group in workers:
            policy = group.auto_scaling
            instances = group.instance_count
            if policy is not None:
                instances = policy.min_capacity if label == "minimum" else policy.max_capacity
            count += instances
            usage.append(Usage(_role(groups, group), group.instance_type, instances, group.market == "SPOT"))
        points.append((label, f"{count} core and task instances", usage))
    return points


def _role(groups: object, group: object) -> str:
    return "core" if group is getattr(groups, "core", None) else "task"


def instance_types(spec: ClusterSpec) -> set[str]:
    """Every instance type the cluster may launch."""
    if spec.instance_fleets is not None:
        return {t.instance_type for _, fleet in spec.instance_fleets.named() for t in fleet.instance_types}
    groups = spec.instance_groups
    assert groups is not None
    return {g.instance_type for g in (groups.primary, groups.core, *groups.tasks) if g is not None}


def estimate(spec: ClusterSpec, region: str, prices: PriceTable, spot_discount: float) -> ClusterEstimate:
    """The hourly cost of ``spec`` in ``region``. ``spot_discount`` (0..1) is the assumed Spot discount below
    On-Demand where the table has no measured Spot price."""
    if not 0 <= spot_discount < 1:
        raise PriceError(f"the Spot discount must be from 0 to 99 percent, got {spot_discount * 100:g}")
    types = instance_types(spec)
    prices.require(region, types)
    result = ClusterEstimate(spec.name, region, instance_types=types)
    shapes = capacity_points(spec, lambda fleet: _cheapest(fleet, prices, region))
    for label, capacity, usage in shapes:
        point = CapacityCost(label, capacity)
        for item in usage:
            if item.instances <= 0:
                continue
            on_demand = prices.get(region, item.instance_type, "ec2_on_demand")
            emr_price = prices.emr(region, item.instance_type)
            assert on_demand is not None and emr_price is not None
            emr, derived = emr_price
            result.emr_by_rule = result.emr_by_rule or derived
            point.emr += item.instances * emr.usd_per_hour
            point.all_on_demand += item.instances * (on_demand.usd_per_hour + emr.usd_per_hour)
            if not item.spot:
                point.ec2_on_demand += item.instances * on_demand.usd_per_hour
                continue
            measured = prices.get(region, item.instance_type, "spot")
            if measured is not None:
                point.ec2_spot += item.instances * measured.usd_per_hour
            else:
                point.ec2_spot += item.instances * on_demand.usd_per_hour * (1 - spot_discount)
                point.spot_assumed = True
        result.points.append(point)
    return result


def render(result: ClusterEstimate, prices: PriceTable, spot_discount: float) -> str:
    """The estimate as a table, with its price sources and the Spot assumption."""
    lines = [f"cluster {result.cluster} ({result.region}), USD per hour"]
    headers = [f"{p.label} ({p.capacity})" for p in result.points]
    width = max(len(h) for h in headers) + 2
    rows = [
        ("EC2 On-Demand", [p.ec2_on_demand for p in result.points]),
        ("EC2 Spot", [p.ec2_spot for p in result.points]),
        ("EMR uplift", [p.emr for p in result.points]),
        ("total", [p.total for p in result.points]),
        ("all On-Demand", [p.all_on_demand for p in result.points]),
        ("Spot saving", [p.saving for p in result.points]),
    ]
    lines.append(f"  {'':<16}" + "".join(f"{h:>{width}}" for h in headers))
    for name, values in rows:
        cells = []
        for point, value in zip(result.points, values, strict=True):
            text = f"${value:,.2f}"
            if name == "Spot saving" and point.all_on_demand:
                text += f" ({value / point.all_on_demand:.0%})"
            cells.append(f"{text:>{width}}")
        lines.append(f"  {name:<16}" + "".join(cells))
    if any(p.spot_assumed for p in result.points):
        lines.append(
            f"  Spot is an ASSUMPTION: On-Demand less {spot_discount:.0%} (no measured Spot price in the table; "
            "--refresh records one, --spot-discount changes the assumption)"
        )
    if result.emr_by_rule:
        lines.append(f"  EMR uplift is a {EMR_RULE}")
    lines.append("  EBS volumes are not included.")
    for source, as_of in prices.sources(result.region, result.instance_types):
        lines.append(f"  prices: {source} (as of {as_of})")
    return "\n".join(lines)


def as_json(result: ClusterEstimate, prices: PriceTable, spot_discount: float) -> dict[str, object]:
    """The estimate as JSON-ready data: the same figures as ``render``, its assumptions and sources."""
    spot_assumed = any(p.spot_assumed for p in result.points)
    return {
        "cluster": result.cluster,
        "region": result.region,
        "usd_per_hour": [
            {
                "label": p.label,
                "capacity": p.capacity,
                "ec2_on_demand": round(p.ec2_on_demand, 6),
                "ec2_spot": round(p.ec2_spot, 6),
                "emr": round(p.emr, 6),
                "total": round(p.total, 6),
                "all_on_demand": round(p.all_on_demand, 6),
                "spot_saving": round(p.saving, 6),
            }
            for p in result.points
        ],
        "spot_assumption": f"On-Demand less {spot_discount:.0%}" if spot_assumed else None,
        "emr_rule": EMR_RULE if result.emr_by_rule else None,
        "ebs_included": False,
        "sources": [
            {"source": source, "as_of": as_of} for source, as_of in prices.sources(result.region, result.instance_types)
        ],
    }
