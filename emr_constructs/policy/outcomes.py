"""What a rule returns and how a rule is described (shared by the cluster rules and the resource rules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from emr_constructs.policy.clusters import ClusterView
from emr_constructs.spec import capabilities as cap
from emr_constructs.spec.release import ReleaseLabel

Status = Literal["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"]
Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Outcome:
    status: Status
    message: str = ""


COMPLIANT = Outcome("COMPLIANT")


def fail(message: str) -> Outcome:
    return Outcome("NON_COMPLIANT", message)


def skip(reason: str = "") -> Outcome:
    return Outcome("NOT_APPLICABLE", reason)


@dataclass(frozen=True)
class Options:
    """``release_floor``: the oldest acceptable release (default: the oldest whose support has not ended at
    ``as_of``); ``as_of`` defaults to the support table's own date, so results do not drift with the calendar."""

    as_of: date = cap.SUPPORT_AS_OF
    release_floor: ReleaseLabel | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    title: str
    explanation: str
    fix: str
    check: Callable[[ClusterView, Options], Outcome]
