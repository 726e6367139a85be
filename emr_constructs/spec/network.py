"""The cluster network of a config, and the network rules that ``EmrNetwork`` applies to props given in code.

Each rule is written once here (pure data, no CDK): ``AppConfig`` applies it to a config, ``EmrNetwork`` to its
props (skipping unresolved tokens).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from pydantic import Field, field_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.problems import Problem

#: What follows the region in an availability zone name: ``a`` (eu-west-1a) or a Local/Wavelength zone suffix.
ZONE_SUFFIX = re.compile(r"[a-z]|-[a-z0-9-]+")
VPC_PREFIX_LENGTHS = (16, 24)
SUBNET_ID = re.compile(r"subnet-[0-9a-f]{8,17}")


class ExistingNetworkSpec(SpecModel):
    """An existing VPC, imported with ``Vpc.from_vpc_attributes`` (never a lookup)."""

    vpc_id: str = Field(pattern=r"^vpc-[0-9a-f]{8,17}$")
    private_subnet_ids: tuple[str, ...] = Field(min_length=1)
    cidr: str | None = None

    @field_validator("private_subnet_ids")
    @classmethod
    def _subnets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for subnet in value:
            if not SUBNET_ID.fullmatch(subnet):
                raise ValueError(f"{subnet!r} is not a subnet id. Fix: use ids such as 'subnet-0123456789abcdef0'")
        return value


class NetworkSpec(SpecModel):
    """The cluster network. Default: a new VPC, no NAT gateway (private subnets reach AWS via endpoints)."""

    cidr: str = "10.0.0.0/16"
    nat_gateways: int = Field(default=0, ge=0, le=3)
    existing: ExistingNetworkSpec | None = None

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        problem = cidr_problem(value)
        if problem is not None:
            raise ValueError(f"{problem.message}. Fix: {problem.fix}")
        return value


def cidr_problem(cidr: str, path: str = "cidr") -> Problem | None:
    """A VPC CIDR must be an IPv4 network from /16 to /24."""
    low, high = VPC_PREFIX_LENGTHS
    try:
        network = ipaddress.IPv4Network(cidr)
    except ValueError as error:
        return Problem(path, cidr, f"is not an IPv4 CIDR block ({error})", "use e.g. '10.0.0.0/16'")
    if not low <= network.prefixlen <= high:
        return Problem(path, cidr, f"a VPC CIDR must have a prefix from /{low} to /{high}", "use e.g. '10.0.0.0/16'")
    return None


def zone_problems(region: str | None, zones: Sequence[str | None], path: str = "availability_zones") -> list[Problem]:
    """The zones must be given, once each, and lie in ``region`` (None: zones or region unknown, not checked)."""
    problems = []
    if not zones:
        problems.append(
            Problem(path, [], "must name at least one availability zone", "give the zones to use, e.g. ['eu-west-1a']")
        )
    for index, zone in enumerate(zones):
        if region is None or zone is None:
            continue
        if not (zone.startswith(region) and ZONE_SUFFIX.fullmatch(zone[len(region) :])):
            problems.append(
                Problem(
                    f"{path}[{index}]",
                    zone,
                    f"is not an availability zone of the region {region}",
                    f"use zones of {region}, such as '{region}a'",
                )
            )
    known = [zone for zone in zones if zone is not None]
    if len(set(known)) != len(known):
        problems.append(Problem(path, list(known), "zones repeat", "name each zone once"))
    return problems


def nat_gateway_problem(nat_gateways: int, zone_count: int, path: str = "nat_gateways") -> Problem | None:
    """CDK places at most one NAT gateway per availability zone."""
    if 0 <= nat_gateways <= max(zone_count, 1):
        return None
    return Problem(
        path,
        nat_gateways,
        f"must be from 0 to the number of availability zones ({zone_count}): one NAT gateway per zone at most",
        "use 0 (endpoints only), 1, or one per zone",
    )


def subnet_count_problem(subnet_count: int, zone_count: int, path: str = "private_subnet_ids") -> Problem | None:
    """Existing private subnets come as the same number per zone, in zone order."""
    if subnet_count == 0:
        return Problem(path, [], "must name at least one private subnet", "give the ids of the subnets to use")
    if zone_count and subnet_count % zone_count:
        return Problem(
            path,
            subnet_count,
            f"{subnet_count} subnet(s) for {zone_count} availability zone(s)",
            "give the same number of subnets in each zone, in zone order",
        )
    return None
