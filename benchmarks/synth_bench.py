"""Synth-time benchmark: our stacks against the same clusters written directly on ``CfnCluster``.

Run from the repository root: ``.venv/bin/python benchmarks/synth_bench.py`` (or ``make bench``).
Everything runs in this process with ``aws_cdk.App(outdir=<tempdir>, context=<cdk.json context>).synth()``
(``cdk.json`` turns version reporting off for ``make synth`` too); offline, with a fixed environment and no
context lookups (a synth that asks for context fails the benchmark).

Scenarios (``--scenarios``):

- ``default``: ``stacks.build_app(DEFAULT_CONFIG, app)``, the cdk-nag packs included, as ``make synth``.
- ``default-nochecks``: the same with ``policy_checks=False``.
- ``ours``: config/dev.yaml with its cluster copied N times (``c001``..``cNNN``) and nothing else to deploy,
  built by ``stacks.app_builder.build_stacks``: the stateful stack (VPC, endpoints, flow logs, KMS keys, log and
  data buckets) and one cluster stack per cluster; no policy checks.
- ``l1-equal``: the equal-content baseline: the very templates ``ours`` synthesises at the same N (the stateful
  stack and every cluster stack, synthesised once untimed beforehand), rebuilt as an L1 user writes them: one
  ``CfnResource`` per resource, of the same type, with the same logical id and its properties written out as data
  in one call (references as ``Ref`` / ``Fn::GetAtt`` / ``Fn::GetStackOutput``), the same ``DependsOn``,
  deletion policies and metadata, and the same outputs. Same resource types and counts per stack, same JSON: the
  ``ours/L1=`` ratio is what the constructs cost above writing the template by hand.
- ``l1``: the baseline, N stacks (one per cluster) as a user writing raw ``CfnCluster`` would, each with
  exactly: ``Vpc.from_vpc_attributes`` (literal VPC and subnet ids, one private subnet per configured zone);
  an ``s3.Bucket`` for logs (S3-managed encryption, public access blocked, ``enforce_ssl``, so a bucket
  policy); a service role (L2 ``iam.Role``, ``AmazonEMRServicePolicy_v2``, an inline ``iam:PassRole`` on the
  instance role); an instance role (L2, ``grant_read_write`` on the log bucket, ``grant_encrypt_decrypt`` on
  an imported KMS key); a ``CfnInstanceProfile``; three ``ec2.SecurityGroup`` (primary, core,
  service access with the 9443 and 8443 rules EMR documents, tagged for the v2 policy); and one
  ``CfnCluster`` whose properties are ours (``render_cluster_properties`` then ``cfn_cluster_kwargs``)
  wired to those resources, the log key a literal ARN. The app's tags are applied as ours are. The baseline
  has no stateful stack, no VPC, endpoints, flow logs or KMS key of its own: the ``ours/L1`` ratio includes
  that content, on top of the cost of our constructs.

Each timed run covers building the stacks and synthesising them (``default`` also reads the YAML, as
``build_app`` does); the configs of ``ours`` and ``l1`` are prepared untimed. The first synth in the process
(the ``default`` app, after importing aws-cdk-lib, cdk-nag and the library) is reported as the cold start
and timed nowhere else. Every (scenario, N) then runs ``--warmup`` times untimed (default once: Node's JIT
keeps speeding up over the first runs), and the timed runs go round-robin over them so that drift and the
load of other processes spread evenly. Context given through ``CDK_CONTEXT_JSON`` (as ``cdk synth`` passes
``cdk.context.json``) is used and named in the report.
"""

# The heavy imports come after the clock starts (their cost is part of the cold start), hence:
# ruff: noqa: E402
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

_IMPORT_STARTED = time.perf_counter()
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# Deprecation warnings (Stack.add_dependency) would print once per cluster stack and run.
os.environ.setdefault("JSII_DEPRECATED", "quiet")
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emr as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from benchmarks.l1_equal import Templates, build_l1_equal
from emr_constructs.cluster.cfn_props import cfn_cluster_kwargs
from emr_constructs.render import ClusterWiring, render_cluster_properties
from emr_constructs.spec import AppConfig, load_config
from stacks import DEFAULT_CONFIG, build_app, project_context
from stacks.app_builder import build_stacks

IMPORT_SECONDS = time.perf_counter() - _IMPORT_STARTED

#: The default app without checks plus one pack each: the pack's cost is its median less ``default-nochecks``'.
PACK_SCENARIOS = ("pack-awssolutions", "pack-hipaa", "pack-nist", "pack-emrchecks")
SCENARIOS = ("default", "default-nochecks", *PACK_SCENARIOS, "ours", "l1-equal", "l1")
CLUSTER_COUNTS = (1, 10, 50)
QUICK_CLUSTER_COUNTS = (1, 10)
RESOURCE_LIMIT = 500  # CloudFormation's resources per template

EMR_MANAGED_POLICY_TAG = ("for-use-with-amazon-emr-managed-policies", "true")
BASELINE_VPC_ID = "vpc-0123456789abcdef0"


class BenchmarkError(Exception):
    """A synth that cannot be measured honestly (context lookup, template over the limit)."""


@dataclass(frozen=True)
class Run:
    """One timed build and synth."""

    build_seconds: float
    synth_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.build_seconds + self.synth_seconds


@dataclass
class Result:
    """The runs of one scenario at one N and the resources of each stack it synthesised."""

    scenario: str
    clusters: int
    runs: list[Run] = field(default_factory=list)
    resources: dict[str, int] = field(default_factory=dict)

    def totals(self) -> list[float]:
        return [run.total_seconds for run in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.totals())

    def resources_per_stack(self) -> str:
        """Resource counts by kind of stack, e.g. ``stateful 66, cluster 5 x10``."""
        kinds: dict[str, list[int]] = {}
        for name, count in self.resources.items():
            kinds.setdefault("stateful" if name.endswith("-stateful") else "cluster", []).append(count)
        parts = []
        for kind, counts in sorted(kinds.items(), reverse=True):
            low, high = min(counts), max(counts)
            text = f"{kind} {low}" if low == high else f"{kind} {low}-{high}"
            parts.append(text + (f" x{len(counts)}" if len(counts) > 1 else ""))
        return ", ".join(parts)


Builder = Callable[[cdk.App], None]


def fixed_env(config: AppConfig) -> cdk.Environment:
    return cdk.Environment(account=config.account, region=config.region)


def scaled_config(config: AppConfig, clusters: int) -> AppConfig:
    """``config`` with its first cluster copied ``clusters`` times, named ``c001``..``cNNN``, and nothing else to
    deploy (no job flow, Serverless application, Studio or virtual cluster): the stateful stack and the clusters."""
    spec = config.clusters[0]
    copies = tuple(spec.model_copy(update={"name": f"c{i:03d}"}) for i in range(1, clusters + 1))
    return config.model_copy(
        update={
            "clusters": copies,
            "job_flows": (),
            "serverless_applications": (),
            "serverless_jobs": (),
            "studio": None,
            "virtual_clusters": (),
            "eks_jobs": (),
        }
    )


def build_l1_baseline(app: cdk.App, config: AppConfig) -> None:
    """One stack per cluster of ``config`` with what a raw ``CfnCluster`` user writes (module docstring)."""
    zones = list(config.availability_zones)
    subnet_ids = [f"subnet-{index:017x}" for index in range(1, len(zones) + 1)]
    log_key_arn = f"arn:aws:kms:{config.region}:{config.account}:key/00000000-0000-0000-0000-000000000000"
    for spec in config.clusters:
        stack = cdk.Stack(
            app,
            f"l1-{config.environment}-{spec.name}",
            env=fixed_env(config),
            synthesizer=cdk.DefaultStackSynthesizer(qualifier=config.bootstrap_qualifier),
        )
        vpc = ec2.Vpc.from_vpc_attributes(
            stack, "Vpc", vpc_id=BASELINE_VPC_ID, availability_zones=zones, private_subnet_ids=subnet_ids
        )
        logs = s3.Bucket(
            stack,
            "Logs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        log_key = kms.Key.from_key_arn(stack, "LogKey", log_key_arn)
        instance_role = iam.Role(stack, "InstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
        logs.grant_read_write(instance_role)
        log_key.grant_encrypt_decrypt(instance_role)
        service_role = iam.Role(
            stack,
            "ServiceRole",
            assumed_by=iam.ServicePrincipal("elasticmapreduce.amazonaws.com"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonEMRServicePolicy_v2")],
        )
        service_role.add_to_policy(iam.PolicyStatement(actions=["iam:PassRole"], resources=[instance_role.role_arn]))
        profile = iam.CfnInstanceProfile(
            stack,
            "InstanceProfile",
            roles=[instance_role.role_name],
            instance_profile_name=instance_role.role_name,
        )
        primary = ec2.SecurityGroup(stack, "Primary", vpc=vpc, allow_all_outbound=True)
        core = ec2.SecurityGroup(stack, "Core", vpc=vpc, allow_all_outbound=True)
        service_access = ec2.SecurityGroup(stack, "ServiceAccess", vpc=vpc, allow_all_outbound=False)
        service_access.add_ingress_rule(primary, ec2.Port.tcp(9443))
        service_access.connections.allow_to(primary, ec2.Port.tcp(8443))
        service_access.connections.allow_to(core, ec2.Port.tcp(8443))
        for group in (primary, core, service_access):
            cdk.Tags.of(group).add(*EMR_MANAGED_POLICY_TAG)
        wiring = ClusterWiring(
            service_role=service_role.role_arn,
            job_flow_role=profile.ref,
            subnet_ids=subnet_ids,
            primary_security_group=primary.security_group_id,
            core_security_group=core.security_group_id,
            service_access_security_group=service_access.security_group_id,
            log_uri=f"s3://{logs.bucket_name}/emr/{spec.name}/",
            log_encryption_kms_key_id=log_key_arn,
        )
        emr.CfnCluster(stack, "Cluster", **cfn_cluster_kwargs(render_cluster_properties(spec, wiring)))
    for key, value in config.tags.items():
        cdk.Tags.of(app).add(key, value)


def synthesised_templates(build: Builder) -> Templates:
    """Stack name -> (template, artifact id) of the app ``build`` makes, synthesised once (untimed)."""
    with tempfile.TemporaryDirectory(prefix="synth-bench-source-") as outdir:
        app = cdk.App(outdir=outdir, analytics_reporting=False, context=project_context())
        build(app)
        assembly = app.synth()
        return {stack.stack_name: (stack.template, stack.id) for stack in assembly.stacks}


def pack_plugin(scenario: str, app: cdk.App) -> Any:
    from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

    from emr_constructs.policy.nag_pack import EmrChecks

    packs = {
        "pack-awssolutions": AwsSolutionsChecks,
        "pack-hipaa": HIPAASecurityChecks,
        "pack-nist": NIST80053R5Checks,
        "pack-emrchecks": EmrChecks,
    }
    return packs[scenario](app)


def builder(scenario: str, clusters: int, config: AppConfig) -> Builder:
    """What to add to a fresh app for ``scenario`` with ``clusters`` clusters (configs prepared here)."""
    if scenario in PACK_SCENARIOS:

        def build_one_pack(app: cdk.App) -> None:
            build_app(DEFAULT_CONFIG, app, policy_checks=False)
            cdk.Validations.of(app).add_plugins(pack_plugin(scenario, app))

        return build_one_pack
    if scenario in ("default", "default-nochecks"):
        checks = scenario == "default"

        def build_default(app: cdk.App) -> None:
            build_app(DEFAULT_CONFIG, app, policy_checks=checks)

        return build_default
    scaled = scaled_config(config, clusters)
    if scenario == "ours":

        def build_ours(app: cdk.App) -> None:
            build_stacks(app, scaled)

        return build_ours
    if scenario == "l1-equal":
        templates = synthesised_templates(lambda app: build_stacks(app, scaled))

        def build_equal(app: cdk.App) -> None:
            build_l1_equal(app, templates, fixed_env(scaled), scaled.bootstrap_qualifier)

        return build_equal
    if scenario == "l1":

        def build_l1(app: cdk.App) -> None:
            build_l1_baseline(app, scaled)

        return build_l1
    raise ValueError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")


def check_assembly(outdir: Path) -> dict[str, int]:
    """Resources per stack of the assembly in ``outdir``; fails on missing context or a full template."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    missing = manifest.get("missing") or []
    if missing:
        keys = ", ".join(entry["key"] for entry in missing)
        raise BenchmarkError(
            f"synth asked for context ({keys}): `cdk synth` would look it up in AWS. The benchmark "
            "measures offline synths only; fix the app so that it names these values itself."
        )
    resources: dict[str, int] = {}
    for name, artifact in manifest["artifacts"].items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        template = json.loads((outdir / artifact["properties"]["templateFile"]).read_text())
        resources[name] = count = len(template.get("Resources", {}))
        if count >= RESOURCE_LIMIT:
            raise BenchmarkError(f"{name}: {count} resources, CloudFormation's limit is {RESOURCE_LIMIT}")
    return resources


def synth_once(label: str, build: Builder) -> tuple[Run, dict[str, int]]:
    """Build and synthesise one fresh app in a temporary directory; the timing and resources per stack."""
    gc.collect()
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as outdir:
        started = time.perf_counter()
        app = cdk.App(outdir=outdir, analytics_reporting=False, context=project_context())
        build(app)
        built = time.perf_counter()
        app.synth()
        done = time.perf_counter()
        try:
            resources = check_assembly(Path(outdir))
        except BenchmarkError as error:
            raise BenchmarkError(f"{label}: {error}") from None
    return Run(build_seconds=built - started, synth_seconds=done - built), resources


def cases(scenarios: Sequence[str], counts: Sequence[int], config: AppConfig) -> list[tuple[str, int]]:
    """(scenario, N) pairs; the default app has as many clusters as ``config``."""
    return [
        (scenario, count)
        for scenario in scenarios
        for count in ((len(config.clusters),) if scenario.startswith(("default", "pack-")) else counts)
    ]


@dataclass(frozen=True)
class Report:
    """Everything one benchmark run prints."""

    info: dict[str, str]
    repeat: int
    warmup: int
    cold: Run
    results: list[Result]
    external_context: list[str]
    load_average: tuple[float, float]
    cold_processes: dict[str, list[float]] = field(default_factory=dict)

    def pack_costs(self) -> dict[str, float]:
        """Seconds each pack (and all of them, ``default``) adds to the synth of ``default-nochecks`` (medians of
        the synth phase alone, where the plugins run: the build is the same app and only adds noise)."""
        medians = {r.scenario: statistics.median(run.synth_seconds for run in r.runs) for r in self.results}
        base = medians.get("default-nochecks")
        if base is None:
            return {}
        return {name: medians[name] - base for name in ("default", *PACK_SCENARIOS) if name in medians}

    def per_extra_cluster(self) -> dict[str, float]:
        """Seconds each extra cluster adds to ``ours`` and ``l1`` (median slope, smallest to largest N)."""
        slopes = {}
        for scenario in ("ours", "l1-equal", "l1"):
            rows = sorted((r.clusters, r.median) for r in self.results if r.scenario == scenario)
            if len(rows) > 1:
                (low_n, low_s), (high_n, high_s) = rows[0], rows[-1]
                slopes[scenario] = (high_s - low_s) / (high_n - low_n)
        return slopes

    def ratios(self, baseline: str = "l1") -> dict[int, float]:
        """ours / ``baseline`` of the median times, per N present in both."""
        medians = {(r.scenario, r.clusters): r.median for r in self.results}
        return {
            n: medians[("ours", n)] / medians[(baseline, n)]
            for (scenario, n) in medians
            if scenario == "ours" and (baseline, n) in medians
        }


def measure_cold(repeat: int, config: AppConfig) -> dict[str, list[float]]:
    """Wall seconds of fresh processes (Python, imports, the jsii kernel, build, synth): the default app with every
    pack (``ours``) against the equal-content L1 rebuild of its templates with cdk-nag's three packs (``l1``),
    alternating, ``repeat`` times each."""
    templates = synthesised_templates(builder("default-nochecks", len(config.clusters), config))
    timings: dict[str, list[float]] = {"ours": [], "l1": []}
    with tempfile.TemporaryDirectory(prefix="synth-bench-cold-") as work:
        source = Path(work) / "templates.json"
        source.write_text(
            json.dumps(
                {
                    "account": config.account,
                    "region": config.region,
                    "qualifier": config.bootstrap_qualifier,
                    "templates": templates,
                }
            )
        )
        environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        for index in range(repeat):
            for mode in ("ours", "l1"):
                outdir = Path(work) / f"{mode}-{index}"
                command = [sys.executable, "-m", "benchmarks.cold_child", mode, str(outdir), str(source)]
                started = time.perf_counter()
                subprocess.run(command, cwd=REPO_ROOT, env=environment, check=True, capture_output=True)
                timings[mode].append(time.perf_counter() - started)
    return timings


def run_benchmark(
    scenarios: Sequence[str], counts: Sequence[int], repeat: int, warmup: int, cold_repeat: int = 0
) -> Report:
    """The cold start, then ``warmup`` untimed and ``repeat`` timed runs of every (scenario, N), then
    ``cold_repeat`` pairs of cold processes."""
    load_before = os.getloadavg()[0]
    config = load_config(DEFAULT_CONFIG)
    cold, _ = synth_once("default (cold start)", builder("default", len(config.clusters), config))
    pairs = cases(scenarios, counts, config)
    builders = {pair: builder(*pair, config) for pair in pairs}
    results = {pair: Result(*pair) for pair in pairs}
    for round_ in range(warmup + repeat):
        for pair in pairs:
            run, resources = synth_once(f"{pair[0]} N={pair[1]}", builders[pair])
            if round_ >= warmup:
                results[pair].runs.append(run)
                results[pair].resources = resources
    return Report(
        cold_processes=measure_cold(cold_repeat, config) if cold_repeat else {},
        info=versions(),
        repeat=repeat,
        warmup=warmup,
        cold=cold,
        results=list(results.values()),
        external_context=sorted(json.loads(os.environ.get("CDK_CONTEXT_JSON") or "{}")),
        load_average=(load_before, os.getloadavg()[0]),
    )


def versions() -> dict[str, str]:
    """Python, library and Node versions and the CPU count of this run."""
    found = {"python": platform.python_version()}
    for package in ("aws-cdk-lib", "jsii", "constructs", "cdk-nag"):
        found[package] = metadata.version(package)
    try:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
        found["node"] = node.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        found["node"] = "unknown"
    found["cpus"] = str(os.cpu_count())
    found["platform"] = platform.platform()
    return found


def format_report(report: Report) -> str:
    """The printed table and the lines about versions, cold start and conditions above it."""
    info, cold, ratio, equal = report.info, report.cold, report.ratios(), report.ratios("l1-equal")
    lines = [
        f"python {info['python']} | aws-cdk-lib {info['aws-cdk-lib']} | jsii {info['jsii']} | "
        f"constructs {info['constructs']} | cdk-nag {info['cdk-nag']} | node {info['node']} | "
        f"cpus {info['cpus']}",
        f"cold start: imports {IMPORT_SECONDS:.2f} s (jsii kernel, aws-cdk-lib, cdk-nag, library) "
        f"+ first synth of the default app {cold.total_seconds:.2f} s "
        f"= {IMPORT_SECONDS + cold.total_seconds:.2f} s",
        f"timed runs per row: {report.repeat} after {report.warmup} untimed (seconds: build + synth); "
        f"1-min load average {report.load_average[0]:.2f} before, {report.load_average[1]:.2f} after",
    ]
    if report.external_context:
        lines.append(f"context from CDK_CONTEXT_JSON: {', '.join(report.external_context)}")
    lines.append("")
    header = ("scenario", "N", "median s", "min s", "max s", "resources per stack", "ours/L1", "ours/L1=")
    rows = [
        (
            r.scenario,
            str(r.clusters),
            f"{r.median:.3f}",
            f"{min(r.totals()):.3f}",
            f"{max(r.totals()):.3f}",
            r.resources_per_stack(),
            f"{ratio[r.clusters]:.2f}" if r.scenario == "ours" and r.clusters in ratio else "",
            f"{equal[r.clusters]:.2f}" if r.scenario == "ours" and r.clusters in equal else "",
        )
        for r in report.results
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    right = {1, 2, 3, 4, 6, 7}
    for row in (header, *rows):
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    slopes = report.per_extra_cluster()
    if slopes:
        text = ", ".join(f"{scenario} {seconds * 1000:.0f} ms" for scenario, seconds in slopes.items())
        for baseline, label in (("l1-equal", "ours/L1="), ("l1", "ours/L1")):
            if "ours" in slopes and baseline in slopes:
                text += f"; {label} {slopes['ours'] / slopes[baseline]:.2f}"
        lines += ["", f"each extra cluster adds (median, smallest to largest N): {text}"]
    costs = report.pack_costs()
    if costs:
        base = next(r.median for r in report.results if r.scenario == "default-nochecks")  # build and synth
        text = ", ".join(
            f"{'all packs' if name == 'default' else name.removeprefix('pack-')} +{seconds:.3f} s "
            f"({100 * seconds / base:.0f} %)"
            for name, seconds in costs.items()
        )
        lines += ["", f"policy packs, added to the synth of default-nochecks (whole warm run {base:.3f} s): {text}"]
    if report.cold_processes:
        ours = statistics.median(report.cold_processes["ours"])
        l1 = statistics.median(report.cold_processes["l1"])
        lines += [
            "",
            f"cold process, default app (Python, imports, jsii, build, synth; median of "
            f"{len(report.cold_processes['ours'])}): ours with every pack {ours:.2f} s, equal-content L1 with "
            f"cdk-nag's three packs {l1:.2f} s (ours/L1= {ours / l1:.2f})",
        ]
    return "\n".join(lines)


def report_json(report: Report) -> dict[str, Any]:
    """The same figures as the table, with every run's build and synth seconds."""
    return {
        "versions": report.info,
        "repeat": report.repeat,
        "warmup": report.warmup,
        "load_average": list(report.load_average),
        "external_context": report.external_context,
        "cold_start": {"import_seconds": IMPORT_SECONDS, "first_synth": asdict(report.cold)},
        "results": [
            {
                "scenario": r.scenario,
                "clusters": r.clusters,
                "median_seconds": r.median,
                "min_seconds": min(r.totals()),
                "max_seconds": max(r.totals()),
                "resources": r.resources,
                "runs": [asdict(run) | {"total_seconds": run.total_seconds} for run in r.runs],
            }
            for r in report.results
        ],
        "ours_over_l1": {str(n): value for n, value in report.ratios().items()},
        "seconds_per_extra_cluster": report.per_extra_cluster(),
        "ours_over_l1_equal": {str(n): value for n, value in report.ratios("l1-equal").items()},
        "pack_costs_seconds": report.pack_costs(),
        "cold_processes_seconds": report.cold_processes,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per scenario and N (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs per scenario and N (default 1)")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated subset of {','.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="repeat 1, N in 1 and 10")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument(
        "--cold", type=int, default=0, metavar="K", help="also time K fresh processes of ours and of L1= (default 0)"
    )
    args = parser.parse_args(argv)
    args.scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = sorted(set(args.scenarios) - set(SCENARIOS))
    if unknown or not args.scenarios:
        parser.error(f"--scenarios: unknown {unknown or 'empty'}; choose from {','.join(SCENARIOS)}")
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    if args.quick:
        args.repeat = 1
    args.counts = QUICK_CLUSTER_COUNTS if args.quick else CLUSTER_COUNTS
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = run_benchmark(args.scenarios, args.counts, args.repeat, args.warmup, args.cold)
    except BenchmarkError as error:
        print(f"synth_bench: error: {error}", file=sys.stderr)
        return 1
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report_json(report), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
