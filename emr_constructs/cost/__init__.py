"""Hourly cost estimates of clusters from a price table with sources (no CDK; boto3 only for ``refresh``)."""

from emr_constructs.cost.estimate import CapacityCost, ClusterEstimate, estimate, render
from emr_constructs.cost.prices import Price, PriceError, PriceTable, load_prices

__all__ = ["CapacityCost", "ClusterEstimate", "Price", "PriceError", "PriceTable", "estimate", "load_prices", "render"]
