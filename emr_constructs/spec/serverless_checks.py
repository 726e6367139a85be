"""Checks of a whole config's EMR Serverless applications and jobs: unique names, each job on an application of
its type with a timeout its release allows, and data access that names an application."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from emr_constructs.spec.app_checks import RESERVED_STACK_NAMES
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.serverless_jobs import job_on_application_problems

if TYPE_CHECKING:
    from emr_constructs.spec.app_config import AppConfig


def construct_id(name: str) -> str:
    """The construct id and stack name part of an application name (which may hold ``/``, ``#``, ``.`` and ``_``,
    unlike construct ids and stack names): ``emr-<environment>-<this>`` is always a valid stack name, as an
    environment is at most 20 characters and a name 64."""
    return re.sub(r"[^A-Za-z0-9-]", "-", name)


def check_serverless(config: AppConfig, problems: ProblemCollector) -> None:
    applications = {app.name: app for app in config.serverless_applications}
    taken = {c.name: "a cluster" for c in config.clusters} | {f.cluster.name: "a job flow" for f in config.job_flows}
    taken |= dict.fromkeys(RESERVED_STACK_NAMES, "the app's own stack")
    for index, app in enumerate(config.serverless_applications):
        key = construct_id(app.name)
        path = f"serverless_applications[{index}].name"
        stack = config.stack_name(key)
        if key in taken:
            problems.add(
                path,
                app.name,
                f"its stack {stack} would be that of {taken[key]} ({key})",
                "give each cluster, job flow and serverless application a unique name (. / # count as -)",
            )
        taken.setdefault(key, "another serverless application")
        iceberg = app.data_lake.iceberg
        declared = {config.bucket_name(b.name) for b in config.data_buckets}
        if iceberg is not None and iceberg.warehouse.removeprefix("s3://").split("/", 1)[0] not in declared:
            problems.add(
                f"serverless_applications[{index}].data_lake.iceberg.warehouse",
                iceberg.warehouse,
                "the location is not in a data bucket of this config",
                f"declare the bucket under data_buckets (names are {config.bucket_name('<name>')})",
            )
    names: list[str] = []
    for index, job in enumerate(config.serverless_jobs):
        path = f"serverless_jobs[{index}]"
        if job.name in names:
            problems.add(f"{path}.name", job.name, "two serverless jobs share a name", "give each a unique name")
        names.append(job.name)
        target = applications.get(job.application)
        if target is None:
            problems.add(
                f"{path}.application",
                job.application,
                "no serverless application has this name",
                f"use one of {sorted(applications)}" if applications else "declare it under serverless_applications",
            )
            continue
        for found in job_on_application_problems(job, target):
            problems.add(f"{path}.{found.path}", found.value, found.message, found.fix)
    for index, bucket in enumerate(config.data_buckets):
        for entry_index, entry in enumerate(bucket.access):
            if entry.cluster in applications and (entry.runtime_roles or entry.instance_role):
                problems.add(
                    f"data_buckets[{index}].access[{entry_index}]",
                    entry.cluster,
                    "a serverless application's jobs run as its execution role: it has no runtime or instance role",
                    "remove runtime_roles and instance_role from this entry",
                )
