"""Checks that EMR Serverless and EMR on EKS share: jobs that name their target (unique names, the target exists,
the job fits it), and data access entries for targets whose jobs run as one execution role."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from emr_constructs.spec.problems import Problem, ProblemCollector

if TYPE_CHECKING:
    from emr_constructs.spec.app_config import AppConfig


def check_jobs(
    problems: ProblemCollector,
    *,
    field: str,
    jobs: Sequence[Any],
    target_field: str,
    targets: Mapping[str, Any],
    section: str,
    jobs_noun: str,
    kind: str,
    problems_on: Callable[[Any, Any], list[Problem]],
) -> None:
    """``jobs`` (the config's ``field``, ``jobs_noun`` in messages) have unique names, each names (its
    ``target_field``) one of ``targets`` (declared under ``section``, ``kind`` in messages), and fits it
    (``problems_on``)."""
    names: list[str] = []
    for index, job in enumerate(jobs):
        path = f"{field}[{index}]"
        if job.name in names:
            problems.add(f"{path}.name", job.name, f"two {jobs_noun} share a name", "give each a unique name")
        names.append(job.name)
        wanted = getattr(job, target_field)
        target = targets.get(wanted)
        if target is None:
            problems.add(
                f"{path}.{target_field}",
                wanted,
                f"no {kind} has this name",
                f"use one of {sorted(targets)}" if targets else f"declare it under {section}",
            )
            continue
        for found in problems_on(job, target):
            problems.add(f"{path}.{found.path}", found.value, found.message, found.fix)


def check_execution_role_entries(config: AppConfig, problems: ProblemCollector, names: set[str], kind: str) -> None:
    """Data access entries naming one of ``names`` (``kind`` in messages) carry no runtime or instance roles."""
    for index, bucket in enumerate(config.data_buckets):
        for entry_index, entry in enumerate(bucket.access):
            if entry.cluster in names and (entry.runtime_roles or entry.instance_role):
                problems.add(
                    f"data_buckets[{index}].access[{entry_index}]",
                    entry.cluster,
                    f"a {kind}'s jobs run as its execution role: it has no runtime or instance role",
                    "remove runtime_roles and instance_role from this entry",
                )
