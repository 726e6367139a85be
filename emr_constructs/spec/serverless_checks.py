"""Checks of a whole config's EMR Serverless applications and jobs (unique names, each job on an application of
its type with a timeout its release allows, data access that names an application) and of its EMR Studio (what it
attaches exists and can be attached)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from emr_constructs.spec.app_checks import RESERVED_STACK_NAMES
from emr_constructs.spec.job_checks import check_execution_role_entries, check_jobs
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.serverless_jobs import job_on_application_problems
from emr_constructs.spec.studio import cluster_attach_problems, serverless_attach_problems

if TYPE_CHECKING:
    from emr_constructs.spec.app_config import AppConfig


#: The EMR Studio's stack is ``emr-<environment>-studio``.
STUDIO_STACK = "studio"


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
    check_jobs(
        problems,
        field="serverless_jobs",
        jobs=config.serverless_jobs,
        target_field="application",
        targets=applications,
        section="serverless_applications",
        jobs_noun="serverless jobs",
        kind="serverless application",
        problems_on=job_on_application_problems,
    )
    check_execution_role_entries(config, problems, set(applications), "serverless application")


def check_studio(config: AppConfig, problems: ProblemCollector) -> None:
    """The Studio's clusters exist and can be attached; its Serverless applications exist with Studio use on."""
    studio = config.studio
    if studio is None:
        return
    named = [(f"clusters[{i}].name", c.name) for i, c in enumerate(config.clusters)]
    named += [(f"job_flows[{i}].cluster.name", f.cluster.name) for i, f in enumerate(config.job_flows)]
    named += [
        (f"serverless_applications[{i}].name", construct_id(a.name))
        for i, a in enumerate(config.serverless_applications)
    ]
    for path, name in named:
        if name == STUDIO_STACK:
            problems.add(
                path,
                name,
                f"the EMR Studio's stack is emr-{config.environment}-{STUDIO_STACK}",
                f"name it other than {STUDIO_STACK} while the config has a studio",
            )
    clusters = {cluster.name: cluster for cluster in config.clusters}
    for index, name in enumerate(studio.clusters):
        path = f"studio.clusters[{index}]"
        cluster = clusters.get(name)
        if cluster is None:
            problems.add(path, name, "no long-running cluster has this name", f"use one of {sorted(clusters)}")
            continue
        for field, message, fix in cluster_attach_problems(cluster):
            problems.add(path, name, f"{message} (cluster field {field})", fix)
    applications = {app.name: app for app in config.serverless_applications}
    for index, name in enumerate(studio.serverless_applications):
        path = f"studio.serverless_applications[{index}]"
        application = applications.get(name)
        if application is None:
            problems.add(path, name, "no serverless application has this name", f"use one of {sorted(applications)}")
            continue
        for field, message, fix in serverless_attach_problems(application):
            problems.add(path, name, f"{message} (application field {field})", fix)
