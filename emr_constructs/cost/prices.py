"""The price table: hourly USD prices per region and instance type, each with its source and as-of date.

Three kinds of price per instance type: ``ec2_on_demand`` (Linux, shared tenancy), ``emr`` (the EMR uplift per
instance-hour, charged alike on On-Demand and Spot instances) and ``spot`` (a measured average, only from
``refresh``; the Pricing API has no Spot prices). The package ships ``prices.json``; ``emr-constructs cost
--refresh --prices FILE`` rebuilds a table with boto3.

EMR Serverless rates sit beside them, per region and architecture (``ARM64``, ``X86_64``, or ``any`` where the
source names none), in USD per vCPU-hour, per memory GB-hour and per storage GB-hour (``SERVERLESS_DIMENSIONS``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

PriceKind = Literal["ec2_on_demand", "emr", "spot"]
KINDS: tuple[PriceKind, ...] = ("ec2_on_demand", "emr", "spot")
SHIPPED = Path(__file__).resolve().parent / "prices.json"
SERVERLESS_DIMENSIONS = ("vcpu_hour", "memory_gb_hour", "storage_gb_hour")
#: A rate whose source names no architecture; used for ARM64 and X86_64 alike, as a printed assumption.
ANY_ARCHITECTURE = "any"
SERVERLESS_ARCHITECTURES = ("ARM64", "X86_64", ANY_ARCHITECTURE)

#: The EMR price of an instance type is 25 % of its **us-east-1** EC2 On-Demand price, in every commercial region
#: checked (GovCloud differs): a documented rule, not a measured price, used only where the table holds no ``emr``
#: price. Evidence: aws-samples/aws-emr-advisor src/test/scala/com/amazonaws/emr/api/AwsPricingTest.scala
#: (us-east-1 pairs r7g.8xlarge 1.7136/0.4284, m5.xlarge 0.192/0.048) and vantage-sh/ec2instances.info
#: next/utils/mocks/ec2_single_instance.json (one EMR price for x2iedn.32xlarge across many regions).
EMR_RULE_SHARE = 0.25
EMR_RULE_REGION = "us-east-1"
EMR_RULE = (
    "RULE, not a measured price: EMR = 25% of the us-east-1 EC2 On-Demand price of the same type, the same in "
    "every commercial region (evidence: aws-samples/aws-emr-advisor AwsPricingTest.scala; vantage-sh/"
    "ec2instances.info ec2_single_instance.json)"
)


class PriceError(Exception):
    """A price table that cannot be read, or prices that it lacks; the message names them and the fix."""


@dataclass(frozen=True)
class Price:
    usd_per_hour: float
    source: str
    as_of: str


@dataclass
class PriceTable:
    """``regions[region][instance_type][kind]`` -> ``Price``; ``serverless[region][architecture][dimension]`` ->
    ``Price`` (USD per vCPU-, memory GB- or storage GB-hour)."""

    regions: dict[str, dict[str, dict[str, Price]]] = field(default_factory=dict)
    path: Path | None = None
    serverless: dict[str, dict[str, dict[str, Price]]] = field(default_factory=dict)

    def get(self, region: str, instance_type: str, kind: PriceKind) -> Price | None:
        return self.regions.get(region, {}).get(instance_type, {}).get(kind)

    def put(self, region: str, instance_type: str, kind: PriceKind, price: Price) -> None:
        self.regions.setdefault(region, {}).setdefault(instance_type, {})[kind] = price

    def put_serverless(self, region: str, architecture: str, dimension: str, price: Price) -> None:
        self.serverless.setdefault(region, {}).setdefault(architecture, {})[dimension] = price

    def serverless_rates(self, region: str, architecture: str) -> tuple[dict[str, Price], bool] | None:
        """The EMR Serverless rates of ``region`` and whether they are the architecture's own: its own when the
        table holds all three, else the ``any`` rates (``False``); ``None`` when the region has neither."""
        rates = self.serverless.get(region, {})
        for key, own in ((architecture, True), (ANY_ARCHITECTURE, False)):
            found = rates.get(key, {})
            if all(dimension in found for dimension in SERVERLESS_DIMENSIONS):
                return found, own
        return None

    def emr(self, region: str, instance_type: str) -> tuple[Price, bool] | None:
        """The EMR price and whether it is derived by ``EMR_RULE``: the table's measured price when it holds one,
        else 25 % of the us-east-1 EC2 On-Demand price (not in GovCloud, whose EMR prices differ)."""
        measured = self.get(region, instance_type, "emr")
        if measured is not None:
            return measured, False
        base = self.get(EMR_RULE_REGION, instance_type, "ec2_on_demand")
        if base is None or region.startswith("us-gov-"):
            return None
        derived = Price(round(base.usd_per_hour * EMR_RULE_SHARE, 6), f"{EMR_RULE}; base: {base.source}", base.as_of)
        return derived, True

    def require(self, region: str, instance_types: set[str]) -> None:
        """Raise ``PriceError`` naming every missing On-Demand or EMR price (measured or by ``EMR_RULE``)."""
        missing = []
        for instance_type in sorted(instance_types):
            lacking = [] if self.get(region, instance_type, "ec2_on_demand") is not None else ["ec2_on_demand"]
            if self.emr(region, instance_type) is None:
                lacking.append("emr")
            if lacking:
                missing.append(f"{instance_type} ({' and '.join(lacking)})")
        if missing:
            where = self.path or SHIPPED
            raise PriceError(
                f"the price table {where} has no {region} price for: {', '.join(missing)}. Fix: run "
                f"`emr-constructs cost CONFIG --refresh --prices FILE` with AWS credentials (Pricing API and "
                "ec2:DescribeSpotPriceHistory), or add the entries to a table given with --prices, each with its "
                "source and as-of date"
            )

    def sources(self, region: str, instance_types: set[str]) -> list[tuple[str, str]]:
        """The distinct (source, as-of) pairs behind the prices of ``instance_types`` in ``region``, the us-east-1
        On-Demand prices behind rule-derived EMR prices included."""
        found = {
            (price.source, price.as_of)
            for instance_type in instance_types
            for price in self.regions.get(region, {}).get(instance_type, {}).values()
        }
        for instance_type in instance_types:
            emr = self.emr(region, instance_type)
            base = self.get(EMR_RULE_REGION, instance_type, "ec2_on_demand")
            if emr is not None and emr[1] and base is not None:
                found.add((base.source, base.as_of))
        return sorted(found)

    def to_json(self) -> dict[str, Any]:
        """The file's shape; ``serverless`` only when the table holds EMR Serverless rates."""
        data: dict[str, Any] = {"regions": _nested_json(self.regions)}
        if self.serverless:
            data["serverless"] = _nested_json(self.serverless)
        return data

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")


def _nested_json(prices: dict[str, dict[str, dict[str, Price]]]) -> dict[str, Any]:
    return {
        outer: {
            inner: {
                kind: {"usd_per_hour": p.usd_per_hour, "source": p.source, "as_of": p.as_of}
                for kind, p in sorted(kinds.items())
            }
            for inner, kinds in sorted(middle.items())
        }
        for outer, middle in sorted(prices.items())
    }


def _price(entry: Any, where: str) -> Price:
    price = Price(float(entry["usd_per_hour"]), str(entry["source"]), str(entry["as_of"]))
    if price.usd_per_hour < 0 or not price.source or not price.as_of:
        raise ValueError(f"{where}: needs a price >= 0, a source and a date")
    return price


def load_prices(path: Path | None = None) -> PriceTable:
    """The table at ``path`` (default: the shipped one). A missing file is an empty table when it is to be
    written by ``refresh``; a malformed one is a ``PriceError``."""
    source = path or SHIPPED
    if path is not None and not path.exists():
        return PriceTable(path=path)
    try:
        data = json.loads(source.read_text())
        table = PriceTable(path=path)
        for region, types in data["regions"].items():
            for instance_type, kinds in types.items():
                for kind, entry in kinds.items():
                    if kind not in KINDS:
                        raise ValueError(f"unknown price kind {kind!r} for {region} {instance_type}")
                    table.put(region, instance_type, kind, _price(entry, f"{region} {instance_type} {kind}"))
        for region, architectures in data.get("serverless", {}).items():
            for architecture, dimensions in architectures.items():
                for dimension, entry in dimensions.items():
                    if architecture not in SERVERLESS_ARCHITECTURES or dimension not in SERVERLESS_DIMENSIONS:
                        raise ValueError(f"unknown serverless rate {region} {architecture} {dimension}")
                    price = _price(entry, f"serverless {region} {architecture} {dimension}")
                    table.put_serverless(region, architecture, dimension, price)
        return table
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PriceError(
            f"{source}: not a price table ({error}). Fix: give a file written by `emr-constructs cost --refresh "
            '--prices FILE`, shaped {"regions": {REGION: {TYPE: {KIND: {"usd_per_hour", "source", "as_of"}}}}} (and '
            '"serverless": {REGION: {ARCHITECTURE: {DIMENSION: {...}}}})'
        ) from error
