"""Build the CDK app from one environment's configuration file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

from emr_constructs.policy.nag_pack import EmrChecks
from emr_constructs.spec import AppConfig, load_config
from emr_constructs.spec.serverless_checks import STUDIO_STACK, construct_id
from stacks.cluster_stack import ClusterStack
from stacks.eks_stack import EksStack
from stacks.job_flow_stack import JobFlowStack
from stacks.serverless_stack import ServerlessStack
from stacks.stateful_stack import StatefulStack
from stacks.studio_stack import StudioStack

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "dev.yaml"


def project_context() -> dict[str, Any]:
    """The feature flags and settings of cdk.json's ``context``, for apps built outside the CDK CLI (tests,
    benchmarks) so that they synthesise exactly what ``cdk synth`` does."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def add_policy_checks(app: cdk.App) -> None:
    """Register the packs every synth must pass: cdk-nag's AwsSolutions, HIPAA Security and NIST 800-53 R5, and the
    library's EmrChecks."""
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app), EmrChecks(app)
    )


def build_stacks(app: cdk.App, config: AppConfig) -> tuple[StatefulStack, list[ClusterStack]]:
    """Add the stateful stack and one stack per configured cluster, job flow, serverless application and virtual
    cluster (and the Studio's) to ``app``."""
    env = cdk.Environment(account=config.account, region=config.region)

    def placed(what: str) -> dict[str, Any]:
        """Where every stack goes: the environment, a synthesizer of its own, and its description."""
        synthesizer = cdk.DefaultStackSynthesizer(qualifier=config.bootstrap_qualifier)
        return {"env": env, "synthesizer": synthesizer, "description": f"emr-constructs {config.environment}: {what}"}

    stateful = StatefulStack(
        app, config.stack_name("stateful"), config=config, **placed("network, keys, logs (stateful)")
    )
    baseline = None
    if config.account_baseline.enabled:
        # Imported here: its custom resource (aws_cdk.custom_resources and the AWS CLI layer it loads) adds about
        # 0.9 seconds to every start of an app that has no account baseline.
        from stacks.account_baseline_stack import AccountBaselineStack

        baseline = AccountBaselineStack(
            app,
            config.stack_name("account-baseline"),
            baseline=config.account_baseline,
            **placed("EMR block public access of the account and region"),
        )
    catalog_key = baseline.glue_catalog_key if baseline is not None else None

    def after_shared(stack: cdk.Stack) -> None:
        stack.add_stack_dependency(stateful)
        if baseline is not None:
            stack.add_stack_dependency(baseline)

    clusters = []
    for spec in config.clusters:
        stack = ClusterStack(
            app,
            config.stack_name(spec.name),
            config=config,
            cluster=spec,
            stateful=stateful,
            catalog_key=catalog_key,
            **placed(f"EMR cluster {spec.name}"),
        )
        after_shared(stack)
        clusters.append(stack)
    for flow in config.job_flows:
        flow_stack = JobFlowStack(
            app,
            config.stack_name(flow.cluster.name),
            config=config,
            job_flow=flow,
            stateful=stateful,
            catalog_key=catalog_key,
            **placed(f"transient job flow {flow.cluster.name}"),
        )
        after_shared(flow_stack)
    serverless_stacks: dict[str, ServerlessStack] = {}
    for application in config.serverless_applications:
        serverless = ServerlessStack(
            app,
            config.stack_name(construct_id(application.name)),
            config=config,
            application=application,
            stateful=stateful,
            catalog_key=catalog_key,
            **placed(f"EMR Serverless application {application.name}"),
        )
        after_shared(serverless)
        serverless_stacks[application.name] = serverless
    for virtual_cluster in config.virtual_clusters:
        eks_stack = EksStack(
            app,
            config.stack_name(construct_id(virtual_cluster.name)),
            config=config,
            virtual_cluster=virtual_cluster,
            stateful=stateful,
            **placed(f"EMR on EKS virtual cluster {virtual_cluster.name}"),
        )
        after_shared(eks_stack)
    if config.studio is not None:
        studio = StudioStack(
            app,
            config.stack_name(STUDIO_STACK),
            config=config,
            stateful=stateful,
            clusters={stack.cluster.spec.name: stack for stack in clusters},
            serverless=serverless_stacks,
            **placed(f"EMR Studio {config.studio.name}"),
        )
        studio.add_stack_dependency(stateful)
    for key, value in config.tags.items():
        cdk.Tags.of(app).add(key, value)
    return stateful, clusters


def build_app(
    config_path: str | Path | None = None, app: cdk.App | None = None, *, policy_checks: bool = True
) -> cdk.App:
    """The app for ``config_path`` (default: ``config/dev.yaml`` or ``-c config=...``), policy checks included."""
    app = app or cdk.App()
    path = config_path or app.node.try_get_context("config") or DEFAULT_CONFIG
    config = load_config(path)
    build_stacks(app, config)
    if policy_checks:
        add_policy_checks(app)
    return app
