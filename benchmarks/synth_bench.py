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

Those warm, in-process runs measure what the constructs cost with Node's JIT warm and the jsii pipe hot. A ``cdk
synth`` is one app in a new process: ``--fresh K`` also times K fresh processes of ``ours`` and ``l1-equal`` at the
smallest and largest N (``benchmarks/fresh.py``) and reports each extra cluster's cost there too.
"""

# The heavy imports come after the clock starts (their cost is part of the cold start), hence:
# ruff: noqa: E402
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
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

from benchmarks.fresh import measure_fresh
from benchmarks.l1_baseline import build_l1_baseline, fixed_env
from benchmarks.l1_equal import Templates, build_l1_equal
from benchmarks.results import PACK_SCENARIOS, Report, Result, Run, format_report, report_json
from emr_constructs.spec import AppConfig, load_config
from stacks import DEFAULT_CONFIG, build_app, project_context
from stacks.app_builder import build_stacks

IMPORT_SECONDS = time.perf_counter() - _IMPORT_STARTED

SCENARIOS = ("default", "default-nochecks", *PACK_SCENARIOS, "ours", "l1-equal", "l1")
CLUSTER_COUNTS = (1, 10, 50)
QUICK_CLUSTER_COUNTS = (1, 10)
RESOURCE_LIMIT = 500  # CloudFormation's resources per template


class BenchmarkError(Exception):
    """A synth that cannot be measured honestly (context lookup, template over the limit)."""


Builder = Callable[[cdk.App], None]


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
    scenarios: Sequence[str],
    counts: Sequence[int],
    repeat: int,
    warmup: int,
    cold_repeat: int = 0,
    fresh_repeat: int = 0,
) -> Report:
    """The cold start, then ``warmup`` untimed and ``repeat`` timed runs of every (scenario, N), then
    ``cold_repeat`` pairs of cold processes and ``fresh_repeat`` fresh processes per scenario and N
    (``benchmarks.fresh``)."""
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
        import_seconds=IMPORT_SECONDS,
        cold_processes=measure_cold(cold_repeat, config) if cold_repeat else {},
        fresh=measure_fresh(fresh_repeat, (min(counts), max(counts))) if fresh_repeat else {},
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
    parser.add_argument(
        "--fresh",
        type=int,
        default=0,
        metavar="K",
        help="also time K fresh processes of ours and L1= at the smallest and largest N (default 0)",
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
        report = run_benchmark(args.scenarios, args.counts, args.repeat, args.warmup, args.cold, args.fresh)
    except BenchmarkError as error:
        print(f"synth_bench: error: {error}", file=sys.stderr)
        return 1
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report_json(report), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
