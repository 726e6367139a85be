"""The account baseline: EMR block public access, one setting per account and Region (emr-block-public-access).

EMR's block public access (BPA) configuration is set with ``PutBlockPublicAccessConfiguration`` and applies to
every cluster created in the account and Region. Because it is a singleton, it is managed by an opt-in baseline
stack, never by each app: ``AccountBaselineSpec.enabled`` is off by default.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.problems import ProblemCollector

MAX_PORT = 65535


class PortRangeSpec(SpecModel):
    """Ports on which a cluster security group may allow inbound traffic from 0.0.0.0/0 or ::/0 (a BPA exception).

    ``min`` and ``max`` are 0-65535 and ``min`` must not exceed ``max``. ``max`` defaults to ``None``: the single
    port ``min``, rendered as ``MaxRange`` equal to ``MinRange`` (EMR's own form for one port).
    """

    min: int = Field(ge=0, le=MAX_PORT)
    max: int | None = Field(default=None, ge=0, le=MAX_PORT)

    @property
    def upper(self) -> int:
        """The highest port of the range (``min`` for a single port)."""
        return self.min if self.max is None else self.max

    def to_port_range(self) -> dict[str, int]:
        """The EMR API ``PortRange`` shape: ``{"MinRange": ..., "MaxRange": ...}``."""
        return {"MinRange": self.min, "MaxRange": self.upper}

    def describe(self) -> str:
        return str(self.min) if self.upper == self.min else f"{self.min}-{self.upper}"

    @model_validator(mode="after")
    def _check(self) -> PortRangeSpec:
        if self.max is not None and self.min > self.max:
            problems = ProblemCollector(self)
            problems.add(
                "min",
                self.min,
                f"min exceeds max ({self.max})",
                "make min at most max, or leave max out for a single port",
            )
            problems.raise_if_any()
        return self


def emr_default_block_public_access_configuration() -> dict[str, Any]:
    """EMR's documented default ``BlockPublicAccessConfiguration``: blocking on, port 22 (SSH) the only exception.

    A fresh dict on every call. Source: the EMR API reference (``BlockPublicAccessConfiguration``) and the EMR
    Management Guide, "Using Amazon EMR block public access".
    """
    return {
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}],
    }


class AccountBaselineSpec(SpecModel):
    """Account- and Region-wide EMR settings, applied by the opt-in ``AccountBaselineStack``.

    - ``enabled`` (default ``False``): whether the app manages these settings at all. BPA is one setting per
      account and Region, so exactly one app (or one stack) per account and Region should turn this on.
    - ``block_public_security_group_rules`` (default ``True``, EMR's default): refuse to launch a cluster whose
      security groups allow inbound traffic from 0.0.0.0/0 or ::/0 on any port outside the permitted ranges.
    - ``permitted_public_port_ranges`` (default port 22 only, EMR's default exception): the exceptions. An empty
      tuple permits no public port at all (the strictest setting). The ranges only mean something while
      blocking is on: setting them together with ``block_public_security_group_rules: false`` is an error, and
      the default is then ignored. Ranges must not overlap.
    - ``glue_catalog_encryption`` (default ``False``): encrypt the account's Glue Data Catalog (metadata at
      rest and connection passwords) with a customer-managed key made by the baseline stack; clusters that use
      the catalog are then granted that key. Also one setting per account and Region.
    """

    enabled: bool = False
    glue_catalog_encryption: bool = False
    block_public_security_group_rules: bool = True
    permitted_public_port_ranges: tuple[PortRangeSpec, ...] = (PortRangeSpec(min=22, max=22),)

    @property
    def effective_port_ranges(self) -> tuple[PortRangeSpec, ...]:
        """The exceptions EMR applies: none when blocking is off."""
        return self.permitted_public_port_ranges if self.block_public_security_group_rules else ()

    def block_public_access_configuration(self) -> dict[str, Any]:
        """The ``BlockPublicAccessConfiguration`` parameter of ``PutBlockPublicAccessConfiguration``.

        With blocking off, ``PermittedPublicSecurityGroupRuleRanges`` is left out (EMR ignores it then); with
        blocking on it is always present, empty when no port is permitted.
        """
        configuration: dict[str, Any] = {"BlockPublicSecurityGroupRules": self.block_public_security_group_rules}
        if self.block_public_security_group_rules:
            configuration["PermittedPublicSecurityGroupRuleRanges"] = [
                port_range.to_port_range() for port_range in self.permitted_public_port_ranges
            ]
        return configuration

    @model_validator(mode="after")
    def _check(self) -> AccountBaselineSpec:
        problems = ProblemCollector(self)
        ranges = self.permitted_public_port_ranges
        if (
            not self.block_public_security_group_rules
            and "permitted_public_port_ranges" in self.model_fields_set
            and ranges
        ):
            problems.add(
                "permitted_public_port_ranges",
                [port_range.describe() for port_range in ranges],
                "permitted public port ranges are exceptions to blocking, which is off "
                "(block_public_security_group_rules: false)",
                "remove permitted_public_port_ranges, or set block_public_security_group_rules: true",
            )
        # Sorted by first port, each range is compared with the one reaching highest so far: that one overlaps
        # it if any earlier range does.
        reach: tuple[int, PortRangeSpec] | None = None
        for index, current in sorted(enumerate(ranges), key=lambda item: (item[1].min, item[1].upper, item[0])):
            if reach is not None and current.min <= reach[1].upper:
                earlier, other = sorted((reach[0], index))
                problems.add(
                    f"permitted_public_port_ranges[{other}]",
                    ranges[other].describe(),
                    f"overlaps permitted_public_port_ranges[{earlier}] ({ranges[earlier].describe()})",
                    "list each port once: merge the two ranges or make them disjoint",
                )
            if reach is None or current.upper > reach[1].upper:
                reach = (index, current)
        problems.raise_if_any()
        return self
