"""Round trips between Python and the jsii kernel (Node), per cluster stack: what the constructs cost in calls.

Run from the repository root: ``.venv/bin/python benchmarks/round_trips.py [N]`` (default N = 10). It builds the
``ours`` app of ``synth_bench.py`` with N clusters and counts every kernel request (create, invoke, get, set, static
calls) and every callback from Node into Python, while building and while synthesising, and reports them per extra
cluster stack (the count at N less the count at 1, over N - 1), beside the same for the ``l1-equal`` rebuild of the
same templates. Offline and deterministic: the counts do not depend on the machine.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_DEPRECATED", "quiet")

import aws_cdk as cdk

from benchmarks.kernel_time import timed
from benchmarks.l1_equal import build_l1_equal
from benchmarks.synth_bench import fixed_env, scaled_config, synthesised_templates
from emr_constructs.spec import load_config
from stacks import DEFAULT_CONFIG, project_context
from stacks.app_builder import build_stacks


def measure(build: Callable[[cdk.App], None]) -> tuple[int, int]:
    """(build requests + callbacks, synth requests + callbacks) of one app."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="round-trips-"), analytics_reporting=False, context=project_context())
    with timed() as (_, building):
        build(app)
    with timed() as (_, synthesising):
        app.synth()
    return sum(building.values()), sum(synthesising.values())


def main() -> int:
    clusters = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    config = load_config(DEFAULT_CONFIG)
    rows = []
    for label in ("ours", "l1-equal"):
        counts = {}
        for n in (1, clusters):
            scaled = scaled_config(config, n)
            if label == "ours":
                counts[n] = measure(lambda app, scaled=scaled: build_stacks(app, scaled))
            else:
                templates = synthesised_templates(lambda app, scaled=scaled: build_stacks(app, scaled))
                counts[n] = measure(
                    lambda app, scaled=scaled, templates=templates: build_l1_equal(
                        app, templates, fixed_env(scaled), scaled.bootstrap_qualifier
                    )
                )
        per = [(counts[clusters][i] - counts[1][i]) / (clusters - 1) for i in (0, 1)]
        rows.append((label, per[0], per[1]))
    print(f"round trips per extra cluster stack (N = 1 to {clusters}): build, synth, total")
    for label, build, synth in rows:
        print(f"  {label:9} {build:6.0f} {synth:6.0f} {build + synth:6.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
