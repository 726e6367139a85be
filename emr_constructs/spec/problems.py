"""Collecting spec problems so that one error lists every one, each with its field path, value and fix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

#: While set, models skip their cross-field checks (``ProblemCollector.raise_if_any`` does not raise). Used only to
#: build a model whose own problems are already reported, so that its parents' checks can run in the same pass.
_CHECKS_DEFERRED: ContextVar[bool] = ContextVar("emr_constructs_checks_deferred", default=False)
#: Models whose problems are already reported: their checks stay quiet when a parent is validated again.
_SETTLED: ContextVar[frozenset[int]] = ContextVar("emr_constructs_settled", default=frozenset())


@contextmanager
def settled(models: list[Any]) -> Iterator[None]:
    """Validate parents of ``models`` (built under ``checks_deferred``) without raising those models' problems again."""
    token = _SETTLED.set(frozenset(id(model) for model in models))
    try:
        yield
    finally:
        _SETTLED.reset(token)


@contextmanager
def checks_deferred() -> Iterator[None]:
    """Build models without raising their cross-field problems (field types and limits still apply)."""
    token = _CHECKS_DEFERRED.set(True)
    try:
        yield
    finally:
        _CHECKS_DEFERRED.reset(token)


@dataclass(frozen=True)
class Problem:
    """One invalid value: where it is (a dotted path relative to the model that found it), what, and the fix."""

    path: str
    value: Any
    message: str
    fix: str

    def describe(self, prefix: str = "") -> str:
        where = ".".join(part for part in (prefix, self.path) if part) or "(top level)"
        return f"{where}: {self.message} (got {self.value!r}). Fix: {self.fix}"


class SpecProblems(ValueError):
    """Raised from a model validator with every problem found; pydantic keeps it in the error context."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.describe() for p in problems))


@dataclass
class ProblemCollector:
    """Gathers problems while a validator walks a model, then raises them all at once."""

    owner: Any = None
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, value: Any, message: str, fix: str) -> None:
        self.problems.append(Problem(path, value, message, fix))

    def check_range(self, path: str, value: int | float | None, bounds: tuple[int, int], what: str) -> None:
        if value is None:
            return
        low, high = bounds
        if not low <= value <= high:
            self.add(path, value, f"{what} must be between {low} and {high}", f"set a value from {low} to {high}")

    def raise_if_any(self) -> None:
        quiet = _CHECKS_DEFERRED.get() or (self.owner is not None and id(self.owner) in _SETTLED.get())
        if self.problems and not quiet:
            raise SpecProblems(list(self.problems))


class ConfigError(Exception):
    """An invalid configuration file: every problem, each naming the file, the field path, value and fix."""

    def __init__(self, source: str, lines: list[str]) -> None:
        self.source = source
        self.lines = lines
        body = "\n".join(f"  - {line}" for line in lines)
        super().__init__(f"{source}: invalid configuration ({len(lines)} problem(s)):\n{body}")
