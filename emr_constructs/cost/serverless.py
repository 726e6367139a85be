"""Cost of EMR Serverless applications from the price table's rates (no CDK, no AWS call).

The model, so that a reader can redo the sums. Rates per region: V USD per vCPU-hour, G per memory GB-hour, S per
storage GB-hour; EMR Serverless bills each worker's ephemeral storage beyond its first 20 GB (``FREE_STORAGE_GB``).

- A worker of c vCPU, m GB and d GB disk costs ``c*V + m*G + max(0, d - 20)*S`` per hour.
- Initial (pre-initialized) capacity: the sum over its worker keys of count x worker-hour; billed while the
  application is started, idle time included, until it stops (auto-stop after ``idle_timeout_minutes``).
- Worst-case hour at maximum capacity (C vCPU, M GB, D GB of disk in total, all in use):
  ``C*V + M*G + max(0, D - 20*W)*S``, W the workers that hold it. With a worker shape (c, m, d):
  ``W = max(1, min(C // c, M // m))`` and, when D is unset, ``D = W*d``. Without a shape: ``W = 1`` (one worker's
  20 GB free, the most storage that can be billed), and an unset D leaves storage out (printed).
- A job of H hours: at most ``H x`` the worst-case hour; with N workers of the shape (driver included),
  ``H * min(N, W) * worker-hour`` (capped at what maximum capacity holds).
- The worker shape: ``--serverless-worker`` (default none), else the application's initial-capacity executor
  worker (``Executor`` for Spark, ``TezTask`` for Hive), else none.
- Rates: the architecture's own when the table has them, else the region's ``any`` rates, priced as a printed
  ASSUMPTION. A table given with ``--prices`` that holds no EMR Serverless rate at all borrows the shipped ones.
  Not modelled: per-second billing's one-minute minimum per worker; other AWS charges (S3, CloudWatch, network).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from emr_constructs.cost.prices import ANY_ARCHITECTURE, SHIPPED, PriceError, PriceTable, load_prices
from emr_constructs.spec import AppConfig, ServerlessApplicationSpec

FREE_STORAGE_GB = 20
"""Ephemeral storage each worker gets without charge (aws.amazon.com/emr/pricing, EMR Serverless)."""
EXECUTOR_KEYS = {"Spark": "Executor", "Hive": "TezTask"}
"""The initial-capacity worker key whose shape stands for the application's workers."""


@dataclass(frozen=True)
class WorkerShape:
    """One worker: vCPUs, memory GB, disk GB. Default disk: 20 GB (the free allowance)."""

    cpu_vcpu: int
    memory_gb: int
    disk_gb: int = FREE_STORAGE_GB

    def label(self) -> str:
        return f"{self.cpu_vcpu} vCPU, {self.memory_gb} GB, {self.disk_gb} GB disk"


def parse_worker(text: str) -> WorkerShape:
    """``VCPU,MEMORY_GB[,DISK_GB]`` (disk default 20) to a shape; ``argparse.ArgumentTypeError`` if malformed."""
    parts = text.split(",")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        numbers = []
    if len(parts) not in (2, 3) or len(numbers) != len(parts) or min(numbers) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not VCPU,MEMORY_GB[,DISK_GB] (e.g. 4,16 or 4,16,50)")
    shape = WorkerShape(*numbers)
    if shape.disk_gb < FREE_STORAGE_GB:
        raise argparse.ArgumentTypeError(f"{text!r}: a worker's disk is at least {FREE_STORAGE_GB} GB")
    return shape


def _positive_hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        hours = 0.0
    if not 0 < hours < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of hours")
    return hours


def _positive_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of workers from 1")
    return int(text)


def add_serverless_cost_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``cost`` options for EMR Serverless applications (each default: none)."""
    parser.add_argument(
        "--serverless-job-hours",
        type=_positive_hours,
        metavar="H",
        help="also price a job of H hours on each Serverless application (at most: its maximum capacity)",
    )
    parser.add_argument(
        "--serverless-job-workers",
        type=_positive_count,
        metavar="N",
        help="the job runs N workers of the worker shape, driver included (default: the maximum-capacity bound)",
    )
    parser.add_argument(
        "--serverless-worker",
        type=parse_worker,
        metavar="VCPU,GB[,DISK_GB]",
        help="the worker shape (default: the application's initial-capacity Executor or TezTask worker)",
    )


@dataclass
class ServerlessEstimate:
    """The figures for one application, in USD; ``None`` where the model has no figure (unbounded capacity)."""

    application: str
    region: str
    app_type: str
    architecture: str
    rates: dict[str, float]
    architecture_own_rates: bool
    sources: list[tuple[str, str]]
    worker: WorkerShape | None = None
    worker_from: str = ""
    maximum_hour: float | None = None
    maximum_workers: int | None = None
    maximum_formula: str = ""
    initial_hour: float = 0.0
    initial_formula: str = ""
    job_hours: float | None = None
    job_at_most: float | None = None
    job_workers: int | None = None
    job_with_workers: float | None = None
    notes: list[str] = field(default_factory=list)

    def worker_hour(self, shape: WorkerShape) -> float:
        return _worker_hour(shape, self.rates)


def _worker_hour(shape: WorkerShape, rates: dict[str, float]) -> float:
    storage = max(0, shape.disk_gb - FREE_STORAGE_GB) * rates["storage_gb_hour"]
    return shape.cpu_vcpu * rates["vcpu_hour"] + shape.memory_gb * rates["memory_gb_hour"] + storage


def serverless_table(prices: PriceTable) -> PriceTable:
    """``prices`` when it holds EMR Serverless rates, else the shipped table (a refreshed table has none)."""
    return prices if prices.serverless else load_prices()


def estimate_application(
    app: ServerlessApplicationSpec,
    region: str,
    prices: PriceTable,
    *,
    worker: WorkerShape | None = None,
    job_hours: float | None = None,
    job_workers: int | None = None,
) -> ServerlessEstimate:
    """The initial-capacity hour, the worst-case hour at maximum capacity and, with ``job_hours``, a job's cost."""
    found = prices.serverless_rates(region, app.architecture)
    if found is None:
        where = prices.path or SHIPPED
        raise PriceError(
            f"serverless application {app.name}: the price table {where} has no EMR Serverless rate for {region} "
            f"(it has: {', '.join(sorted(prices.serverless)) or 'none'}). Fix: add serverless.{region}."
            f"{app.architecture} (or .{ANY_ARCHITECTURE}) vcpu_hour, memory_gb_hour and storage_gb_hour, each with "
            "its source and as-of date, to a table given with --prices"
        )
    rates_found, own = found
    rates = {dimension: price.usd_per_hour for dimension, price in rates_found.items()}
    sources = sorted({(price.source, price.as_of) for price in rates_found.values()})
    result = ServerlessEstimate(app.name, region, app.type, app.architecture, rates, own, sources)
    executor = app.initial_capacity.get(EXECUTOR_KEYS[app.type])
    if worker is not None:
        result.worker, result.worker_from = worker, "--serverless-worker"
    elif executor is not None:
        spec = executor.worker
        result.worker = WorkerShape(spec.cpu_vcpu, spec.memory_gb, spec.disk_gb)
        result.worker_from = f"initial_capacity.{EXECUTOR_KEYS[app.type]}"
    terms = []
    for key, workers in sorted(app.initial_capacity.items()):
        shape = WorkerShape(workers.worker.cpu_vcpu, workers.worker.memory_gb, workers.worker.disk_gb)
        result.initial_hour += workers.worker_count * _worker_hour(shape, rates)
        terms.append(f"{key} {workers.worker_count} x ${_worker_hour(shape, rates):.4f} ({shape.label()})")
    result.initial_formula = " + ".join(terms) or "no initial capacity"
    if terms and app.auto_stop:
        idle = result.initial_hour * app.idle_timeout_minutes / 60
        result.notes.append(f"initial capacity idles {app.idle_timeout_minutes} min before auto-stop: ${idle:,.2f}")
    elif terms:
        result.notes.append("auto-stop is off: initial capacity is billed until the application is stopped")
    _maximum(app, result)
    if job_hours is not None:
        _job(app, result, job_hours, job_workers)
    return result


def _maximum(app: ServerlessApplicationSpec, result: ServerlessEstimate) -> None:
    maximum, shape, rates = app.maximum_capacity, result.worker, result.rates
    if maximum is None:
        result.notes.append(f"no maximum capacity ({app.unbounded_capacity_reason}): no worst case to price")
        return
    workers = (
        1 if shape is None else max(1, min(maximum.cpu_vcpu // shape.cpu_vcpu, maximum.memory_gb // shape.memory_gb))
    )
    disk = maximum.disk_gb if maximum.disk_gb is not None else (None if shape is None else workers * shape.disk_gb)
    billed = 0 if disk is None else max(0, disk - FREE_STORAGE_GB * workers)
    result.maximum_workers = workers
    result.maximum_hour = (
        maximum.cpu_vcpu * rates["vcpu_hour"] + maximum.memory_gb * rates["memory_gb_hour"]
    ) + billed * rates["storage_gb_hour"]
    result.maximum_formula = (
        f"{maximum.cpu_vcpu} vCPU x {rates['vcpu_hour']:g} + {maximum.memory_gb} GB x {rates['memory_gb_hour']:g} + "
        f"{billed} storage GB x {rates['storage_gb_hour']:g}"
    )
    if disk is None:
        result.notes.append("maximum_capacity.disk_gb is unset and no worker shape is known: storage is not included")
    elif shape is None:
        result.notes.append(
            f"storage counts one worker's free {FREE_STORAGE_GB} GB (no worker shape known): the most that can be "
            "billed; --serverless-worker counts the workers"
        )
    else:
        result.maximum_formula += f"; disk {disk} GB less {FREE_STORAGE_GB} GB x {workers} workers"


def _job(app: ServerlessApplicationSpec, result: ServerlessEstimate, hours: float, workers: int | None) -> None:
    result.job_hours = hours
    if result.maximum_hour is not None:
        result.job_at_most = hours * result.maximum_hour
    if workers is None:
        return
    if result.worker is None:
        raise PriceError(
            f"serverless application {app.name}: --serverless-job-workers needs a worker shape and the application "
            f"has no initial_capacity.{EXECUTOR_KEYS[app.type]}. Fix: give --serverless-worker VCPU,GB[,DISK_GB]"
        )
    running = workers
    if result.maximum_workers is not None and workers > result.maximum_workers:
        running = result.maximum_workers
        result.notes.append(f"the job's {workers} workers are capped at the {running} that maximum capacity holds")
    result.job_workers = running
    result.job_with_workers = hours * running * result.worker_hour(result.worker)


def estimate_applications(
    config: AppConfig, prices: PriceTable, arguments: argparse.Namespace
) -> list[ServerlessEstimate]:
    """Every Serverless application of ``config``, with the ``cost`` options in ``arguments``."""
    table = serverless_table(prices) if config.serverless_applications else prices
    return [
        estimate_application(
            app,
            config.region,
            table,
            worker=arguments.serverless_worker,
            job_hours=arguments.serverless_job_hours,
            job_workers=arguments.serverless_job_workers,
        )
        for app in config.serverless_applications
    ]


def _money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.2f}"


def _assumption(result: ServerlessEstimate) -> str | None:
    if result.architecture_own_rates:
        return None
    return (
        f"the rates' source gives one rate per region and names no architecture: this {result.architecture} "
        f"application is priced at it (a table given with --prices may hold serverless.{result.region}."
        f"{result.architecture} rates)"
    )


def render_serverless(result: ServerlessEstimate) -> str:
    """The estimate as text, with its formulas, assumptions and sources."""
    rates, worker = result.rates, result.worker

    def row(label: str, value: float | None, formula: str = "") -> str:
        return f"  {label:<36}{_money(value):>12}  {formula}".rstrip()

    lines = [
        f"serverless application {result.application} ({result.region}, {result.app_type}, {result.architecture}), USD",
        f"  rates: {rates['vcpu_hour']:g} per vCPU-hour, {rates['memory_gb_hour']:g} per GB-hour, "
        f"{rates['storage_gb_hour']:g} per storage GB-hour beyond {FREE_STORAGE_GB} GB a worker",
        f"  worker shape: {worker.label()} ({result.worker_from})" if worker else "  worker shape: none given",
        row("maximum capacity, worst-case hour", result.maximum_hour, result.maximum_formula),
        row("initial capacity, per started hour", result.initial_hour, result.initial_formula),
    ]
    if result.job_hours is not None:
        hours = f"{result.job_hours:g} h"
        bound = "" if result.maximum_hour is None else f"{hours} x ${result.maximum_hour:,.2f} (maximum capacity)"
        lines.append(row(f"job of {hours}, at most", result.job_at_most, bound))
        if result.job_with_workers is not None and worker is not None:
            formula = f"{hours} x {result.job_workers} x ${result.worker_hour(worker):.4f}"
            lines.append(row(f"job of {hours}, {result.job_workers} workers", result.job_with_workers, formula))
    lines += [f"  note: {note}" for note in result.notes]
    assumption = _assumption(result)
    if assumption:
        lines.append(f"  ASSUMPTION: {assumption}")
    lines += [f"  prices: {source} (as of {as_of})" for source, as_of in result.sources]
    return "\n".join(lines)


def serverless_json(result: ServerlessEstimate) -> dict[str, Any]:
    """The same figures as ``render_serverless`` as JSON-ready data."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 6)

    worker = result.worker
    return {
        "serverless_application": result.application,
        "region": result.region,
        "type": result.app_type,
        "architecture": result.architecture,
        "rates_usd": dict(sorted(result.rates.items())),
        "free_storage_gb_per_worker": FREE_STORAGE_GB,
        "worker": None if worker is None else {**worker.__dict__, "from": result.worker_from},
        "usd_per_hour": {
            "maximum_capacity": rounded(result.maximum_hour),
            "maximum_capacity_workers": result.maximum_workers,
            "initial_capacity": rounded(result.initial_hour),
        },
        "job": None
        if result.job_hours is None
        else {
            "hours": result.job_hours,
            "at_most_usd": rounded(result.job_at_most),
            "workers": result.job_workers,
            "with_workers_usd": rounded(result.job_with_workers),
        },
        "notes": result.notes,
        "architecture_assumption": _assumption(result),
        "sources": [{"source": source, "as_of": as_of} for source, as_of in result.sources],
    }
