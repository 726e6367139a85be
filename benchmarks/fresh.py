"""Per extra cluster stack in fresh processes (``synth_bench.py --fresh K``): one app per process, as ``cdk synth``.

The in-process scenarios of ``synth_bench.py`` build many apps in one process after warm-up runs, so Node's JIT is
warm and the jsii pipe is hot. A ``cdk synth`` builds one app in a new process. Here each (scenario, N) runs K
times in a fresh child (``python -m benchmarks.fresh child ...``), which times only building and synthesising the
app (its imports and the jsii kernel's start are the cold start's business) and prints the seconds as JSON. The
scenarios are ``ours`` (no policy checks) and ``l1-equal`` (the rebuild of the very templates ``ours`` makes at
the same N, prepared by the parent, untimed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("ours", "l1-equal")


def measure_fresh(repeat: int, counts: Sequence[int]) -> dict[str, dict[int, list[float]]]:
    """Build-and-synth seconds of ``repeat`` fresh processes per scenario and N, alternating the scenarios."""
    from benchmarks.synth_bench import fixed_env, scaled_config, synthesised_templates
    from emr_constructs.spec import load_config
    from stacks import DEFAULT_CONFIG
    from stacks.app_builder import build_stacks

    config = load_config(DEFAULT_CONFIG)
    timings: dict[str, dict[int, list[float]]] = {scenario: {n: [] for n in counts} for scenario in SCENARIOS}
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with tempfile.TemporaryDirectory(prefix="synth-bench-fresh-") as work:
        sources = {}
        for n in counts:
            scaled = scaled_config(config, n)
            env = fixed_env(scaled)
            sources[n] = Path(work) / f"templates-{n}.json"
            sources[n].write_text(
                json.dumps(
                    {
                        "account": env.account,
                        "region": env.region,
                        "qualifier": scaled.bootstrap_qualifier,
                        "templates": synthesised_templates(lambda app, scaled=scaled: build_stacks(app, scaled)),
                    }
                )
            )
        for index in range(repeat):
            for n in counts:
                for scenario in SCENARIOS:
                    outdir = Path(work) / f"{scenario}-{n}-{index}"
                    command = [sys.executable, "-m", "benchmarks.fresh", "child", scenario, str(n), str(outdir)]
                    done = subprocess.run(
                        [*command, str(sources[n])], cwd=REPO_ROOT, env=environment, check=True, capture_output=True
                    )
                    timings[scenario][n].append(json.loads(done.stdout.decode().strip().splitlines()[-1])["seconds"])
    return timings


def child(scenario: str, clusters: int, outdir: str, source: str) -> float:
    """Build and synthesise one app of ``scenario`` with ``clusters`` clusters; the seconds it took."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ.setdefault("JSII_DEPRECATED", "quiet")
    import aws_cdk as cdk

    from benchmarks.l1_equal import build_l1_equal
    from benchmarks.synth_bench import scaled_config
    from emr_constructs.spec import load_config
    from stacks import DEFAULT_CONFIG, project_context
    from stacks.app_builder import build_stacks

    app = cdk.App(outdir=outdir, analytics_reporting=False, context=project_context())
    if scenario == "ours":
        scaled = scaled_config(load_config(DEFAULT_CONFIG), clusters)
        started = time.perf_counter()
        build_stacks(app, scaled)
    else:
        data = json.loads(Path(source).read_text())
        templates = {name: (body, artifact) for name, (body, artifact) in data["templates"].items()}
        env = cdk.Environment(account=data["account"], region=data["region"])
        started = time.perf_counter()
        build_l1_equal(app, templates, env, data["qualifier"])
    app.synth()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT))
    if len(sys.argv) != 6 or sys.argv[1] != "child" or sys.argv[2] not in SCENARIOS:
        sys.exit("usage: python -m benchmarks.fresh child ours|l1-equal N OUTDIR TEMPLATES.json")
    print(json.dumps({"seconds": child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])}))
