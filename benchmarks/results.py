"""The figures of one benchmark run (``synth_bench.py``) and how they are printed and written as JSON."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

#: The default app without checks plus one pack each: the pack's cost is its synth less ``default-nochecks``'.
PACK_SCENARIOS = ("pack-awssolutions", "pack-hipaa", "pack-nist", "pack-emrchecks")


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
    import_seconds: float
    cold_processes: dict[str, list[float]] = field(default_factory=dict)
    #: scenario -> N -> build-and-synth seconds of fresh processes (``benchmarks.fresh``).
    fresh: dict[str, dict[int, list[float]]] = field(default_factory=dict)

    def fresh_per_extra_cluster(self) -> dict[str, float]:
        """Seconds each extra cluster adds in fresh processes (median slope, smallest to largest N)."""
        slopes = {}
        for scenario, by_n in self.fresh.items():
            low, high = min(by_n), max(by_n)
            if high > low:
                slopes[scenario] = (statistics.median(by_n[high]) - statistics.median(by_n[low])) / (high - low)
        return slopes

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


def format_report(report: Report) -> str:
    """The printed table and the lines about versions, cold start and conditions above it."""
    info, cold, ratio, equal = report.info, report.cold, report.ratios(), report.ratios("l1-equal")
    lines = [
        f"python {info['python']} | aws-cdk-lib {info['aws-cdk-lib']} | jsii {info['jsii']} | "
        f"constructs {info['constructs']} | cdk-nag {info['cdk-nag']} | node {info['node']} | "
        f"cpus {info['cpus']}",
        f"cold start: imports {report.import_seconds:.2f} s (jsii kernel, aws-cdk-lib, cdk-nag, library) "
        f"+ first synth of the default app {cold.total_seconds:.2f} s "
        f"= {report.import_seconds + cold.total_seconds:.2f} s",
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
    fresh = report.fresh_per_extra_cluster()
    if len(fresh) == 2:
        counts = sorted(report.fresh["ours"])
        runs = len(report.fresh["ours"][counts[0]])
        lines += [
            "",
            f"fresh processes, one app each as cdk synth (build and synth, median of {runs}, N = {counts[0]} to "
            f"{counts[-1]}): each extra cluster adds ours {fresh['ours'] * 1e3:.0f} ms, L1= "
            f"{fresh['l1-equal'] * 1e3:.0f} ms (ours/L1= {fresh['ours'] / fresh['l1-equal']:.2f})",
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
        "cold_start": {"import_seconds": report.import_seconds, "first_synth": asdict(report.cold)},
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
        "fresh_processes_seconds": {
            scenario: {str(n): t for n, t in by_n.items()} for scenario, by_n in report.fresh.items()
        },
        "fresh_seconds_per_extra_cluster": report.fresh_per_extra_cluster(),
    }
