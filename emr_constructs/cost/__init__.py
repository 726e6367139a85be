"""Hourly cost estimates of clusters and EMR Serverless applications from a price table with sources (no CDK; boto3
only for ``refresh``)."""

from emr_constructs.cost.estimate import CapacityCost, ClusterEstimate, estimate, render
from emr_constructs.cost.prices import Price, PriceError, PriceTable, load_prices
from emr_constructs.cost.serverless import (
    ServerlessEstimate,
    WorkerShape,
    estimate_application,
    render_serverless,
    serverless_json,
)

__all__ = [
    "CapacityCost",
    "ClusterEstimate",
    "Price",
    "PriceError",
    "PriceTable",
    "ServerlessEstimate",
    "WorkerShape",
    "estimate",
    "estimate_application",
    "load_prices",
    "render",
    "render_serverless",
    "serverless_json",
]
