"""EMR release labels: an open, enum-like set (``ReleaseLabel.of("emr-7.5.0")``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering
from typing import ClassVar

_LABEL = re.compile(r"^emr-(?:(?P<flavour>[a-z]+)-)?(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)$")


@total_ordering
@dataclass(frozen=True)
class Version:
    """A release's numeric version (major, minor, patch)."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        major, minor, patch = (int(part) for part in text.split("."))
        return cls(major, minor, patch)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.as_tuple() < other.as_tuple()

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class ReleaseLabel:
    """An EMR release label such as ``emr-7.5.0`` or the newer ``emr-spark-8.0.0`` form.

    Use the constants for common releases or ``ReleaseLabel.of("emr-X.Y.Z")`` for any other; labels newer than
    the capability table are accepted (the spec warns about them) so that the library never goes stale.
    """

    label: str
    version: Version
    flavour: str | None = None

    EMR_6_15_0: ClassVar[ReleaseLabel]
    EMR_7_5_0: ClassVar[ReleaseLabel]
    EMR_7_10_0: ClassVar[ReleaseLabel]
    EMR_7_13_0: ClassVar[ReleaseLabel]

    @classmethod
    def of(cls, label: str) -> ReleaseLabel:
        """Parse ``label``; raises ``ValueError`` with the accepted forms when it is malformed."""
        match = _LABEL.match(label.strip()) if isinstance(label, str) else None
        if match is None:
            raise ValueError(
                f"release label {label!r} is not an EMR release label. "
                "Fix: use the form 'emr-X.Y.Z' (for example 'emr-7.5.0') or 'emr-<flavour>-X.Y.Z' "
                "(for example 'emr-spark-8.0.0')"
            )
        version = Version(int(match["major"]), int(match["minor"]), int(match["patch"]))
        return cls(label=label.strip(), version=version, flavour=match["flavour"])

    def at_least(self, version: str) -> bool:
        return self.version >= Version.parse(version)

    def __str__(self) -> str:
        return self.label


ReleaseLabel.EMR_6_15_0 = ReleaseLabel.of("emr-6.15.0")
ReleaseLabel.EMR_7_5_0 = ReleaseLabel.of("emr-7.5.0")
ReleaseLabel.EMR_7_10_0 = ReleaseLabel.of("emr-7.10.0")
ReleaseLabel.EMR_7_13_0 = ReleaseLabel.of("emr-7.13.0")
