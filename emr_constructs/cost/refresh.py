"""Rebuild price-table entries with boto3: On-Demand EC2 and EMR prices from the AWS Price List API
(``pricing:GetProducts``, ServiceCode ``AmazonEC2`` and ``ElasticMapReduce``), Spot prices from
``ec2:DescribeSpotPriceHistory`` (the Price List API has none). Every entry records its source and date."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from emr_constructs.cost.prices import Price, PriceTable
from emr_constructs.operations.clients import OperationError, new_client

#: The Price List API answers in these regions only (botocore endpoints, service ``api.pricing``).
PRICING_REGION = "us-east-1"
SPOT_WINDOW = timedelta(hours=24)


def _term(field: str, value: str) -> dict[str, str]:
    return {"Type": "TERM_MATCH", "Field": field, "Value": value}


def _on_demand_prices(price_list: Iterable[str]) -> list[float]:
    """Every hourly USD On-Demand price in a ``GetProducts`` page (each item is a JSON string)."""
    found: list[float] = []
    for item in price_list:
        product = json.loads(item)
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                usd = dimension.get("pricePerUnit", {}).get("USD")
                if usd is not None and float(usd) > 0:
                    found.append(float(usd))
    return found


def _one_price(pricing: Any, service: str, filters: list[dict[str, str]], what: str) -> float:
    response = pricing.get_products(ServiceCode=service, Filters=filters, MaxResults=100)
    prices = sorted(set(_on_demand_prices(response.get("PriceList", []))))
    if len(prices) != 1:
        raise OperationError(
            f"the Price List API returned {len(prices) or 'no'} On-Demand price(s) for {what} ({prices}); expected "
            "exactly one. Check the instance type and region"
        )
    return prices[0]


def _spot_average(ec2: Any, instance_type: str, now: datetime) -> float | None:
    """The mean of the latest Spot price in each availability zone over the last day, or None if none."""
    response = ec2.describe_spot_price_history(
        InstanceTypes=[instance_type],
        ProductDescriptions=["Linux/UNIX"],
        StartTime=now - SPOT_WINDOW,
        EndTime=now,
        MaxResults=1000,
    )
    latest: dict[str, tuple[datetime, float]] = {}
    for entry in response.get("SpotPriceHistory", []):
        zone, stamp, price = entry["AvailabilityZone"], entry["Timestamp"], float(entry["SpotPrice"])
        if zone not in latest or stamp > latest[zone][0]:
            latest[zone] = (stamp, price)
    if not latest:
        return None
    return sum(price for _, price in latest.values()) / len(latest)


def refresh_prices(
    table: PriceTable, region: str, instance_types: Iterable[str], now: datetime | None = None
) -> list[str]:
    """Write On-Demand EC2, EMR and (where any) Spot prices for ``instance_types`` in ``region`` into ``table``.
    Returns the instance types without a Spot price (their Spot cost stays an assumption)."""
    now = now or datetime.now(UTC)
    today = now.date().isoformat()
    pricing = new_client("pricing", PRICING_REGION)
    ec2 = new_client("ec2", region)
    without_spot: list[str] = []
    for instance_type in sorted(set(instance_types)):
        ec2_price = _one_price(
            pricing,
            "AmazonEC2",
            [
                _term("instanceType", instance_type),
                _term("regionCode", region),
                _term("operatingSystem", "Linux"),
                _term("tenancy", "Shared"),
                _term("preInstalledSw", "NA"),
                _term("capacitystatus", "Used"),
            ],
            f"EC2 {instance_type} in {region}",
        )
        table.put(region, instance_type, "ec2_on_demand", Price(ec2_price, "AWS Price List API, AmazonEC2", today))
        emr_price = _one_price(
            pricing,
            "ElasticMapReduce",
            [
                _term("instanceType", instance_type),
                _term("regionCode", region),
                _term("softwareType", "EMR"),
            ],
            f"EMR {instance_type} in {region}",
        )
        table.put(region, instance_type, "emr", Price(emr_price, "AWS Price List API, ElasticMapReduce", today))
        spot = _spot_average(ec2, instance_type, now)
        if spot is None:
            without_spot.append(instance_type)
        else:
            source = "ec2:DescribeSpotPriceHistory, mean of the latest price per availability zone over 24 h"
            table.put(region, instance_type, "spot", Price(spot, source, today))
    return without_spot
