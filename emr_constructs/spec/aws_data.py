"""Offline AWS facts from botocore's own data (shipped with boto3, read from disk, no network).

- EC2 instance type names: the ``InstanceType`` enum of botocore's EC2 service model.
- The EMR Serverless image URI pattern: botocore's ``emr-serverless`` model.
- Regions and their partitions: botocore's endpoint data (``endpoints.json``); a region counts only where EMR
  (``elasticmapreduce``) has an endpoint.
"""

from __future__ import annotations

import difflib
from functools import cache, lru_cache

from botocore.loaders import Loader


@lru_cache(maxsize=1)
def _loader() -> Loader:
    return Loader()


@lru_cache(maxsize=1)
def instance_types() -> frozenset[str]:
    """Every EC2 instance type name botocore knows (``m5.xlarge``, ``m7g.2xlarge``, ...)."""
    model = _loader().load_service_model("ec2", "service-2")
    return frozenset(model["shapes"]["InstanceType"]["enum"])


@lru_cache(maxsize=1)
def serverless_image_uri_pattern() -> str:
    """The pattern of an EMR Serverless image URI (``ImageConfigurationInput.imageUri`` in botocore's model)."""
    model = _loader().load_service_model("emr-serverless", "service-2")
    member = model["shapes"]["ImageConfigurationInput"]["members"]["imageUri"]["shape"]
    return str(model["shapes"][member]["pattern"])


@cache
def shape_constraints(service: str, shape: str) -> tuple[str, int, int]:
    """``(pattern, min, max)`` of a string shape of botocore's ``service`` model (the pattern anchored)."""
    model = _loader().load_service_model(service, "service-2")
    found = model["shapes"][shape]
    return f"^(?:{found['pattern']})$", int(found.get("min", 0)), int(found["max"])


@cache
def shape_maximum(service: str, shape: str) -> int:
    """The ``max`` of a list, map or string shape of botocore's ``service`` model."""
    return int(_loader().load_service_model(service, "service-2")["shapes"][shape]["max"])


@cache
def cloudformation_offers(region: str, resource_type: str) -> bool:
    """Whether CloudFormation offers ``resource_type`` in ``region``: the registry schemas cfn-lint ships for each
    region (``cfnlint/data/schemas/providers``)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

    try:
        PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type)
    except ResourceNotFoundError:
        return False
    return True


def closest(value: str, choices: frozenset[str] | list[str] | tuple[str, ...], count: int = 3) -> list[str]:
    """The nearest names to ``value`` (for "did you mean"), best first."""
    return difflib.get_close_matches(value, sorted(choices), n=count, cutoff=0.6)


@lru_cache(maxsize=1)
def emr_regions() -> dict[str, str]:
    """Region name -> partition (``aws``, ``aws-cn``, ``aws-us-gov``, ...) for every region with an EMR endpoint."""
    found: dict[str, str] = {}
    for partition in _loader().load_data("endpoints")["partitions"]:
        endpoints = partition["services"].get("elasticmapreduce", {}).get("endpoints", {})
        for region in partition["regions"]:
            if region in endpoints:
                found[region] = partition["partition"]
    return found


def partition_of(region: str) -> str | None:
    """The partition of an EMR region, or None for a region botocore does not know."""
    return emr_regions().get(region)


def botocore_version() -> str:
    import botocore

    return str(botocore.__version__)
