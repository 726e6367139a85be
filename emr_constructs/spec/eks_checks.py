"""Checks of a whole config's EMR on EKS virtual clusters and jobs: unique names and stacks, the OIDC issuer in
the config's region, fixed execution role names IAM accepts, and each job on an existing virtual cluster whose
release allows what it asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emr_constructs.spec import aws_data
from emr_constructs.spec.app_checks import RESERVED_STACK_NAMES
from emr_constructs.spec.eks_jobs import job_on_virtual_cluster_problems
from emr_constructs.spec.eks_templates import JOB_TEMPLATE_TYPE
from emr_constructs.spec.job_checks import check_execution_role_entries, check_jobs
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.serverless_checks import STUDIO_STACK, construct_id

if TYPE_CHECKING:
    from emr_constructs.spec.app_config import AppConfig
    from emr_constructs.spec.eks import VirtualClusterSpec

#: IAM role names: at most 64 characters (IAM API Reference, CreateRole).
ROLE_NAME_LIMIT = 64


def execution_role_name(config: AppConfig, cluster: VirtualClusterSpec) -> str:
    """The job execution role's fixed name: ``execution_role_name``, else ``emr-<environment>-<name>-jobs``."""
    return cluster.execution_role_name or f"emr-{config.environment}-{construct_id(cluster.name)}-jobs"


def cfnlint_version() -> str:
    from importlib.metadata import version

    return version("cfn-lint")


def check_eks(config: AppConfig, problems: ProblemCollector) -> None:
    taken = {c.name: "a cluster" for c in config.clusters} | {f.cluster.name: "a job flow" for f in config.job_flows}
    taken |= {construct_id(a.name): "a serverless application" for a in config.serverless_applications}
    taken |= dict.fromkeys(RESERVED_STACK_NAMES, "the app's own stack")
    if config.studio is not None:
        taken[STUDIO_STACK] = "the EMR Studio"
    for index, cluster in enumerate(config.virtual_clusters):
        path = f"virtual_clusters[{index}]"
        key = construct_id(cluster.name)
        if key in taken:
            problems.add(
                f"{path}.name",
                cluster.name,
                f"its stack {config.stack_name(key)} would be that of {taken[key]} ({key})",
                "give each cluster, job flow, serverless application and virtual cluster a unique name",
            )
        taken.setdefault(key, "another virtual cluster")
        issuer = cluster.oidc_issuer
        if issuer is not None and f".{config.region}." not in issuer:
            problems.add(
                f"{path}.oidc_issuer",
                issuer,
                f"the issuer is not of an EKS cluster in {config.region}, where this config deploys",
                "copy the issuer of the EKS cluster in the config's region (aws eks describe-cluster)",
            )
        if cluster.job_templates and not aws_data.cloudformation_offers(config.region, JOB_TEMPLATE_TYPE):
            problems.add(
                f"{path}.job_templates",
                [t.name for t in cluster.job_templates],
                f"CloudFormation does not offer {JOB_TEMPLATE_TYPE} in {config.region} (its registry schemas, as "
                f"cfn-lint {cfnlint_version()} ships them)",
                "remove job_templates (start runs with the eks_jobs state machines, or create templates with "
                "aws emr-containers create-job-template)",
            )
        role_name = execution_role_name(config, cluster)
        if len(role_name) > ROLE_NAME_LIMIT:
            problems.add(
                f"{path}.execution_role_name",
                role_name,
                f"IAM role names take at most {ROLE_NAME_LIMIT} characters",
                "set a shorter execution_role_name",
            )
    role_names = [execution_role_name(config, c) for c in config.virtual_clusters]
    for index, role_name in enumerate(role_names):
        if role_names.index(role_name) != index:
            problems.add(
                f"virtual_clusters[{index}].execution_role_name",
                role_name,
                "two virtual clusters would create the same IAM role",
                "give each virtual cluster its own execution_role_name",
            )
    clusters = {c.name: c for c in config.virtual_clusters}
    check_execution_role_entries(config, problems, set(clusters), "virtual cluster")
    check_jobs(
        problems,
        field="eks_jobs",
        jobs=config.eks_jobs,
        target_field="virtual_cluster",
        targets=clusters,
        section="virtual_clusters",
        jobs_noun="EMR on EKS jobs",
        kind="virtual cluster",
        problems_on=job_on_virtual_cluster_problems,
    )
