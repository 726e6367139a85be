"""The ``emr-constructs`` command. Offline subcommands need no AWS credentials.

``validate``, ``check``, ``guard`` and ``cost`` run on the core dependencies. ``certs``, ``submit``, ``status`` and
``cost --refresh`` also need boto3 and cryptography, from the ``cli`` extra: ``pip install 'emr-constructs[cli]'``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from emr_constructs.cost.serverless import add_serverless_cost_arguments
from emr_constructs.operations import add_status_arguments, add_submit_arguments, run_status, run_submit
from emr_constructs.security.certs import (
    KEY_TYPES,
    MAX_DAYS,
    MIN_DAYS,
    ZIP_MEMBERS,
    domain_for_region,
    generate_pem_zip,
    normalize_domain,
    parse_s3_uri,
    upload_pem_zip,
    write_pem_zip,
)
from emr_constructs.spec import AppConfig, ClusterSpec, ConfigError, load_config
from emr_constructs.spec.eks_checks import execution_role_name

CLI_EXTRA_MODULES = ("boto3", "cryptography")
"""The top-level modules the ``cli`` extra installs; the offline subcommands never import them."""
CLI_EXTRA_HINT = "this command needs the cli extra: pip install 'emr-constructs[cli]'"


def _cli_extra_missing(*modules: str) -> bool:
    """True, after an ``error:`` line naming the extra, when one of ``modules`` is not installed."""
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        print(f"error: {CLI_EXTRA_HINT} ({', '.join(missing)} not installed)", file=sys.stderr)
    return bool(missing)


def _capacity(cluster: ClusterSpec) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    if cluster.instance_fleets is not None:
        for role, fleet in cluster.instance_fleets.named():
            types = ", ".join(t.instance_type for t in fleet.instance_types)
            rows.append(
                (
                    role,
                    f"{fleet.target_on_demand} on-demand / {fleet.target_spot} Spot units",
                    fleet.strategy_spot or fleet.strategy_on_demand or "-",
                    types,
                )
            )
    elif cluster.instance_groups is not None:
        groups = cluster.instance_groups
        named = [("primary", groups.primary), ("core", groups.core)] + [("task", g) for g in groups.tasks]
        for role, group in named:
            if group is not None:
                rows.append((role, f"{group.instance_count} x {group.market.lower()}", "-", group.instance_type))
    return rows


def summary(config: AppConfig) -> str:
    """A plain-text table of the clusters, fleets and capacities in ``config``."""
    lines = [
        f"environment {config.environment}: account {config.account}, region {config.region}, "
        f"zones {', '.join(config.availability_zones)}"
    ]
    for cluster in config.clusters:
        scaling = cluster.managed_scaling
        lines.append("")
        installed = ", ".join(a.name for a in cluster.installed_applications)
        lines.append(f"cluster {cluster.name}: {cluster.release_label}, {installed}")
        if scaling is not None:
            lines.append(f"  managed scaling: {scaling.minimum}-{scaling.maximum} {cluster.scaling_unit_type}")
        if cluster.auto_termination_idle_seconds is not None:
            lines.append(f"  auto-termination after {cluster.auto_termination_idle_seconds} s idle")
        rows = [("fleet", "target", "allocation", "instance types"), *_capacity(cluster)]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            lines.append("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
        for warning_id, message in cluster.warnings():
            lines.append(f"  warning [{warning_id}]: {message}")
    for flow in config.job_flows:
        lines.append("")
        lines.append(
            f"job flow {flow.cluster.name}: {flow.cluster.release_label}, {len(flow.cluster.steps)} step(s), "
            f"schedule {flow.schedule or 'none (start executions yourself)'}"
        )
    for app in config.serverless_applications:
        maximum = app.maximum_capacity
        bound = f"{maximum.cpu_vcpu} vCPU, {maximum.memory_gb} GB" if maximum else "unbounded"
        stop = f"auto-stop after {app.idle_timeout_minutes} min" if app.auto_stop else "no auto-stop"
        lines.append("")
        lines.append(f"serverless application {app.name}: {app.release_label}, {app.type} on {app.architecture}")
        lines.append(f"  maximum capacity {bound}; {stop}; auto-start {'on' if app.auto_start else 'off'}")
        for job in (j for j in config.serverless_jobs if j.application == app.name):
            lines.append(f"  job {job.name}: schedule {job.schedule or 'none'}, timeout {job.timeout_minutes} min")
    for virtual in config.virtual_clusters:
        lines.append("")
        lines.append(
            f"virtual cluster {virtual.name}: {virtual.release_label} on EKS cluster {virtual.eks_cluster}, "
            f"namespace {virtual.namespace}, {virtual.identity}, role {execution_role_name(config, virtual)}"
        )
        for eks_job in (j for j in config.eks_jobs if j.virtual_cluster == virtual.name):
            lines.append(
                f"  job {eks_job.name}: schedule {eks_job.schedule or 'none'}, wait {eks_job.timeout_minutes} min"
            )
    if config.studio is not None:
        attached = [*config.studio.clusters, *config.studio.serverless_applications]
        lines.append("")
        lines.append(
            f"studio {config.studio.name}: {config.studio.auth_mode} mode, attaches {', '.join(attached) or 'nothing'}"
        )
    return "\n".join(lines)


def _validate(arguments: argparse.Namespace) -> int:
    try:
        config = load_config(arguments.config)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(summary(config))
    print(f"\n{arguments.config}: valid")
    return 0


def _certs(arguments: argparse.Namespace) -> int:
    """Generate the PEM zip for in-transit encryption; write it, upload it, or both. Never prints the key."""
    usage_error: Callable[[str], NoReturn] = arguments.usage_error  # argparse's error(): prints usage, exits 2
    if _cli_extra_missing("cryptography", *(("boto3",) if arguments.upload is not None else ())):
        return 2
    if not MIN_DAYS <= arguments.days <= MAX_DAYS:
        usage_error(f"--days {arguments.days} is out of range; choose {MIN_DAYS}..{MAX_DAYS}")
    if arguments.domain is None and arguments.region is None:
        usage_error("give --domain (the nodes' private DNS domain) or --region to derive it")
    if arguments.out is None and arguments.upload is None:
        usage_error("give --out PATH.zip, --upload s3://bucket/key.zip, or both")
    if arguments.upload is not None and not arguments.kms_key_id:
        usage_error("--upload needs --kms-key-id: the zip holds a private key and is stored with SSE-KMS only")
    if arguments.kms_key_id and arguments.upload is None:
        usage_error("--kms-key-id applies only with --upload")
    try:
        # Check --region even beside --domain: it is also the S3 client's region.
        derived = domain_for_region(arguments.region) if arguments.region is not None else ""
        domain = normalize_domain(arguments.domain if arguments.domain is not None else derived)
        if arguments.upload is not None:
            parse_s3_uri(arguments.upload)
    except ValueError as error:
        usage_error(str(error))
    out: Path | None = arguments.out
    if out is not None and not arguments.force and (out.exists() or out.is_symlink()):
        print(f"error: {out} exists; pass --force to overwrite it", file=sys.stderr)
        return 1

    data = generate_pem_zip(domain, days=arguments.days, key_type=arguments.key_type)
    contents = f"{', '.join(ZIP_MEMBERS)} for *.{domain}, valid {arguments.days} days"
    if out is not None:
        try:
            write_pem_zip(out, data, force=arguments.force)
        except FileExistsError:
            print(f"error: {out} exists; pass --force to overwrite it", file=sys.stderr)
            return 1
        except OSError as error:
            print(f"error: cannot write {out}: {error.strerror or error}", file=sys.stderr)
            return 1
        print(f"wrote {out} (mode 0600, holds an unencrypted private key): {contents}")
    if arguments.upload is not None:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            client = boto3.client("s3", region_name=arguments.region)
            uri = upload_pem_zip(data, arguments.upload, arguments.kms_key_id, client=client)
        except NoCredentialsError:
            print("error: no AWS credentials: run with credentials or drop --upload", file=sys.stderr)
            return 1
        except ClientError as error:
            details = error.response.get("Error", {})
            code, message = details.get("Code", "Unknown"), details.get("Message", str(error))
            print(f"error: uploading to {arguments.upload} failed: {code}: {message}", file=sys.stderr)
            return 1
        except BotoCoreError as error:
            print(f"error: uploading to {arguments.upload} failed: {error}", file=sys.stderr)
            return 1
        print(f"uploaded {uri} with SSE-KMS key {arguments.kms_key_id}: {contents}")
        print(f"security.in_transit.pem_s3_uri: {uri}")
    return 0


def _submit(arguments: argparse.Namespace) -> int:
    """Add a Spark step to a deployed cluster (boto3); optionally follow it to its end."""
    if _cli_extra_missing("boto3"):
        return 2
    return run_submit(arguments)


def _status(arguments: argparse.Namespace) -> int:
    """Report a deployed cluster's state, capacity, scaling and recent steps (boto3)."""
    if _cli_extra_missing("boto3"):
        return 2
    return run_status(arguments)


def _cost(arguments: argparse.Namespace) -> int:
    """Estimate each cluster's and Serverless application's cost from the price table; --refresh rebuilds the
    table's EC2 and EMR prices first (boto3)."""
    import json

    from emr_constructs.cost import PriceError, estimate, load_prices, render
    from emr_constructs.cost.estimate import as_json, instance_types
    from emr_constructs.cost.refresh import refresh_prices
    from emr_constructs.cost.serverless import estimate_applications, render_serverless, serverless_json
    from emr_constructs.operations.clients import run_operation

    if arguments.refresh and _cli_extra_missing("boto3"):
        return 2
    try:
        config = load_config(arguments.config)
        prices = load_prices(arguments.prices)
    except (ConfigError, PriceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    clusters = [*config.clusters, *(flow.cluster for flow in config.job_flows)]
    if arguments.refresh:
        if arguments.prices is None:
            print("error: --refresh writes the prices it fetches: give the file with --prices FILE", file=sys.stderr)
            return 2
        types = {t for cluster in clusters for t in instance_types(cluster)}

        def fetch() -> int:
            without_spot = refresh_prices(prices, config.region, types)
            prices.save(arguments.prices)
            print(f"wrote {len(types)} instance types' prices for {config.region} to {arguments.prices}")
            if without_spot:
                print(f"no Spot price history for: {', '.join(without_spot)}")
            return 0

        status = run_operation(fetch)
        if status:
            return status
    discount = arguments.spot_discount / 100
    try:
        estimates = [estimate(cluster, config.region, prices, discount) for cluster in clusters]
        applications = estimate_applications(config, prices, arguments)
        if arguments.format == "json":
            items = [*(as_json(result, prices, discount) for result in estimates), *map(serverless_json, applications)]
            print(json.dumps(items, indent=2))
        texts = [*(render(result, prices, discount) for result in estimates), *map(render_serverless, applications)]
        for text in texts if arguments.format == "text" else ():
            print(text)
            print()
    except PriceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _preflight(arguments: argparse.Namespace) -> int:
    """Read-only AWS checks that EMR can launch the config's clusters (boto3, from the cli extra)."""
    if _cli_extra_missing("boto3"):
        return 2
    from emr_constructs.preflight.command import run_preflight

    return run_preflight(arguments)


def _check(arguments: argparse.Namespace) -> int:
    """The EMR policy rules and cfn-lint over synthesised templates (offline)."""
    from emr_constructs.policy.check_command import run_check

    return run_check(arguments)


def _guard(arguments: argparse.Namespace) -> int:
    """The EMR resources a change would replace; exit 1 when a long-running cluster is replaced unacknowledged."""
    from emr_constructs.policy.guard import compare, render
    from emr_constructs.policy.templates import TemplateError, load_templates

    try:
        baseline = load_templates([arguments.baseline])
        candidate = load_templates([arguments.candidate])
    except TemplateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    replacements = compare(baseline, candidate)
    print(render(replacements))
    return 1 if any(r.blocking for r in replacements) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="emr-constructs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="validate a config file offline and summarise its clusters")
    validate.add_argument("config", help="path to an environment's YAML, e.g. config/dev.yaml")
    validate.set_defaults(handler=_validate)
    certs = commands.add_parser(
        "certs",
        help="generate the PEM zip for EMR in-transit encryption; write and/or upload it",
        description="Generate a private CA and a wildcard leaf certificate for the cluster nodes' private DNS names, "
        "zipped as EMR's PEM certificate provider expects (privateKey.pem, certificateChain.pem, "
        "trustedCertificates.pem). The private key is never printed.",
    )
    certs.add_argument("--domain", help="nodes' private DNS domain; the certificate covers *.DOMAIN and DOMAIN")
    certs.add_argument(
        "--region",
        help="AWS region: derives the domain when --domain is absent (us-east-1: ec2.internal, else "
        "REGION.compute.internal); also the S3 client's region",
    )
    certs.add_argument("--out", type=Path, metavar="PATH.zip", help="write the zip here, mode 0600")
    certs.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    certs.add_argument("--days", type=int, default=365, help=f"validity in days, {MIN_DAYS}..{MAX_DAYS} (default 365)")
    certs.add_argument("--key-type", choices=KEY_TYPES, default="rsa", help="rsa (2048-bit, default) or ec (P-256)")
    certs.add_argument("--upload", metavar="S3_URI", help="put the zip at s3://bucket/key.zip (in memory if no --out)")
    certs.add_argument("--kms-key-id", help="KMS key id, ARN or alias for SSE-KMS; required with --upload")
    certs.set_defaults(handler=_certs, usage_error=certs.error)
    submit = commands.add_parser("submit", help="add a Spark step to a deployed cluster; --wait to follow it")
    add_submit_arguments(submit)
    submit.set_defaults(handler=_submit)
    status = commands.add_parser("status", help="show a deployed cluster's state, capacity and recent steps")
    add_status_arguments(status)
    status.set_defaults(handler=_status)
    cost = commands.add_parser(
        "cost",
        help="estimate each cluster's hourly cost range, EC2 and EMR, and the Spot saving; and Serverless applications",
        description="Hourly cost from minimum to maximum capacity, split into EC2 On-Demand, EC2 Spot and the EMR "
        "uplift, with the saving against the same capacity all On-Demand. Prices come from the shipped table (or "
        "--prices); --refresh rebuilds them with boto3 (Pricing API, ec2:DescribeSpotPriceHistory). EMR Serverless "
        "applications: the worst-case hour at maximum capacity, the initial capacity's hour and, with "
        "--serverless-job-hours, a job's cost.",
    )
    cost.add_argument("config", help="path to an environment's YAML, e.g. config/dev.yaml")
    cost.add_argument("--prices", type=Path, metavar="FILE", help="price table to read (and, with --refresh, write)")
    cost.add_argument("--refresh", action="store_true", help="fetch the config's prices with AWS credentials first")
    cost.add_argument(
        "--spot-discount",
        type=float,
        default=60.0,
        metavar="PERCENT",
        help="assumed Spot discount below On-Demand where the table has no measured Spot price (default 60)",
    )
    cost.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    add_serverless_cost_arguments(cost)
    cost.set_defaults(handler=_cost)

    preflight = commands.add_parser(
        "preflight",
        help="read-only AWS checks that EMR can launch the config's clusters (quotas, offerings, subnets, keys)",
        description="Checks, for the config's account and region: release and instance types offered, vCPU quotas "
        "at maximum capacity, free subnet addresses, KMS keys, the CDK bootstrap and EMR block public access. "
        "Exit 0 clean, 1 blocking problems, 2 usage or credentials.",
    )
    preflight.add_argument("config", help="path to an environment's YAML, e.g. config/prod.yaml")
    preflight.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    preflight.set_defaults(handler=_preflight)
    check = commands.add_parser(
        "check",
        help="offline: the EMR policy rules and cfn-lint over synthesised templates (cdk.out or files)",
        description="Exit status: 0 clean, 1 findings (EMR rules or cfn-lint errors and warnings), 2 usage error or "
        "unreadable input. Waive a rule on a resource with cdk-nag's Metadata.cdk_nag.rules_to_suppress "
        "({id: EmrChecks-<rule>, reason}).",
    )
    from emr_constructs.policy.check_command import add_check_arguments

    add_check_arguments(check)
    check.set_defaults(handler=_check)
    guard = commands.add_parser(
        "guard",
        help="offline: list the EMR resources CloudFormation would replace between two synths",
        description="Compares two sets of templates (cdk.out directories or files) with the create-only properties of "
        "cfn-lint's resource schemas plus a cited supplement, following references. Exit status: 0 nothing blocking "
        "(transient and acknowledged replacements only warn), 1 a long-running cluster would be replaced without "
        "acknowledge_replacement, 2 unreadable input.",
    )
    guard.add_argument("--baseline", type=Path, required=True, metavar="DIR", help="the templates deployed now")
    guard.add_argument("--candidate", type=Path, required=True, metavar="DIR", help="the templates to deploy")
    guard.set_defaults(handler=_guard)
    arguments = parser.parse_args(argv)
    try:
        return int(arguments.handler(arguments))
    except ModuleNotFoundError as error:
        # A path the checks above did not foresee: still name the extra rather than end in a traceback.
        if (error.name or "").partition(".")[0] not in CLI_EXTRA_MODULES:
            raise
        print(f"error: {CLI_EXTRA_HINT} ({error.name} not installed)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
