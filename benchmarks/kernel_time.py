"""Where the time of an extra cluster stack goes: Node (aws-cdk-lib's JavaScript, by jsii request) or Python.

Run from the repository root: ``.venv/bin/python benchmarks/kernel_time.py [N] [TOP] [SCENARIO]`` (defaults 10,
25 and ``ours``; ``l1-equal`` profiles the equal-content rebuild). It builds and synthesises the SCENARIO app of
``synth_bench.py`` at 1 and at N clusters and times every request to the
jsii kernel process (create, invoke, get, set, static calls, and the continuations after a callback into Python).
A request's time is Node's work for it plus the pipe; everything else is Python. The report gives, per extra
cluster stack (the figures at N less those at 1, over N - 1):

- the totals: wall, Node and Python, for building and for synthesising;
- Node's time by aws-cdk-lib module (``aws_iam``, ``aws_cloudwatch``, ...), and the TOP requests by time, e.g.
  ``create aws_cloudwatch.Alarm`` (the L2's constructor running in Node) with their counts.

Time spent in Node on behalf of an L2 construct that the public API exposes (``iam.Role``, ``cloudwatch.Alarm``,
``events.Rule``, ``kms.Key``, ``sns.Topic``) is cost that an L1 rebuild does not pay; the rest of Node's time is
the synthesis every app pays. Timings vary with the machine and its load; the counts do not.
"""

from __future__ import annotations

import collections
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_DEPRECATED", "quiet")

import aws_cdk as cdk
from jsii._kernel import types
from jsii._kernel.providers.process import ProcessProvider

from benchmarks.synth_bench import builder
from emr_constructs.spec import load_config
from stacks import DEFAULT_CONFIG, project_context

_REQUESTS = ("create", "invoke", "get", "set", "sinvoke", "sget", "sset", "sync_complete")


def _short(fqn: str) -> str:
    """``aws-cdk-lib.aws_iam.Role@10045`` -> ``aws_iam.Role``; ``aws-cdk-lib.Stack`` -> ``core.Stack``."""
    name = fqn.split("@")[0].removeprefix("aws-cdk-lib.")
    return name if "." in name else f"core.{name}"


def _label(kind: str, request: Any) -> str:
    if kind == "create":
        return f"create {_short(request.fqn)}"
    if kind in ("invoke", "get", "set"):
        member = request.method if kind == "invoke" else request.property
        return f"{kind} {_short(request.objref.ref)}.{member}"
    member = request.method if kind == "sinvoke" else request.property
    return f"{kind} {_short(request.fqn)}.{member}"


@contextmanager
def timed() -> Iterator[tuple[collections.Counter[str], collections.Counter[str]]]:
    """(seconds, messages) by request label while the block runs. A continuation after a callback (the answer
    Python sends back to Node) is charged, in time and in messages, to the request that made the callback."""
    seconds: collections.Counter[str] = collections.Counter()
    counts: collections.Counter[str] = collections.Counter()
    waiting: list[str] = []  # the requests whose JavaScript is paused on a callback into Python
    originals = {name: getattr(ProcessProvider, name) for name in _REQUESTS}

    def wrap(kind: str) -> Callable[..., Any]:
        original = originals[kind]

        def wrapper(self: ProcessProvider, request: Any, *rest: Any, **options: Any) -> Any:
            label = waiting.pop() if kind == "sync_complete" else _label(kind, request)
            start = time.perf_counter()
            response = original(self, request, *rest, **options)
            seconds[label] += time.perf_counter() - start
            counts[label] += 1
            if isinstance(response, types.Callback):
                waiting.append(label)
            return response

        return wrapper

    for kind in _REQUESTS:
        setattr(ProcessProvider, kind, wrap(kind))
    try:
        yield seconds, counts
    finally:
        for kind, original in originals.items():
            setattr(ProcessProvider, kind, original)


Phase = tuple[float, collections.Counter[str], collections.Counter[str]]


def measure(scenario: str, clusters: int) -> dict[str, Phase]:
    """Per phase (build, synth): wall seconds, Node seconds by label, messages by label."""
    build = builder(scenario, clusters, load_config(DEFAULT_CONFIG))
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="kernel-time-"), analytics_reporting=False, context=project_context())
    phases: dict[str, Phase] = {}
    for phase, run in (("build", lambda: build(app)), ("synth", app.synth)):
        with timed() as (seconds, counts):
            start = time.perf_counter()
            run()
            phases[phase] = (time.perf_counter() - start, seconds, counts)
    return phases


def main() -> int:
    clusters = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    scenario = sys.argv[3] if len(sys.argv) > 3 else "ours"
    measure(scenario, 1)  # warm: imports, the kernel's first loads
    one, many = measure(scenario, 1), measure(scenario, clusters)
    extra = clusters - 1
    print(f"{scenario}: per extra cluster stack (N = 1 to {clusters}), milliseconds")
    print(f"  {'phase':7} {'wall':>7} {'node':>7} {'python':>7} {'messages':>9}")
    modules: collections.Counter[str] = collections.Counter()
    requests: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()
    for phase in ("build", "synth"):
        wall = (many[phase][0] - one[phase][0]) / extra
        node = (sum(many[phase][1].values()) - sum(one[phase][1].values())) / extra
        count = (sum(many[phase][2].values()) - sum(one[phase][2].values())) / extra
        print(f"  {phase:7} {wall * 1e3:7.1f} {node * 1e3:7.1f} {(wall - node) * 1e3:7.1f} {count:9.0f}")
        for label, seconds in many[phase][1].items():
            delta = (seconds - one[phase][1].get(label, 0.0)) / extra
            key = f"{phase} {label}"
            requests[key] += delta
            calls[key] += (many[phase][2][label] - one[phase][2].get(label, 0)) / extra
            modules[f"{phase} {label.split(' ')[1].split('.')[0]}"] += delta
    print("\nNode time by aws-cdk-lib module, milliseconds per extra cluster stack")
    for module, seconds in modules.most_common(12):
        print(f"  {seconds * 1e3:7.1f}  {module}")
    print(f"\nthe {top} requests with the most Node time: milliseconds and messages per extra cluster stack")
    for label, seconds in requests.most_common(top):
        print(f"  {seconds * 1e3:7.1f} {calls[label]:5.1f}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
