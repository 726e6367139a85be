"""Price tables from files that exist offline: SkyPilot's AWS catalog (``vms.csv``) or an AWS EC2 offer file, and
PerfKitBenchmarker's EMR Serverless price list.

``scripts/build_price_table.py`` turns them into ``prices.json``. Only EC2 On-Demand prices are read (Linux, shared
tenancy, no pre-installed software); EMR prices follow ``EMR_RULE`` unless a table holds a measured one
(``emr-constructs cost --refresh``).
"""

from __future__ import annotations

import ast
import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from emr_constructs.cost.prices import ANY_ARCHITECTURE, Price, PriceError, PriceTable

#: The SkyPilot catalog's columns that are read (``catalogs/v8/aws/vms.csv``).
CATALOG_COLUMNS = ("InstanceType", "Price", "Region")
#: The AWS EC2 offer file's (bulk CSV, Price List) columns and the values that select Linux On-Demand prices.
OFFER_FILTER = {
    "TermType": "OnDemand",
    "Unit": "Hrs",
    "Tenancy": "Shared",
    "Operating System": "Linux",
    "Pre Installed S/W": "NA",
    "CapacityStatus": "Used",
    "License Model": "No License required",
}
OFFER_COLUMNS = ("Instance Type", "Region Code", "PricePerUnit", *OFFER_FILTER)
#: PerfKitBenchmarker's ``aws_dpb_emr_serverless_prices.py``: the dict it assigns, and its keys -> our dimensions.
SERVERLESS_NAME = "EMR_SERVERLESS_PRICES"
SERVERLESS_KEYS = {
    "vcpu_hours": "vcpu_hour",
    "memory_gb_hours": "memory_gb_hour",
    "storage_gb_hours": "storage_gb_hour",
}


def _rows(text: str, first_column: str, path: Path) -> Iterator[dict[str, str]]:
    """The CSV rows of ``text`` below its header line (the first line that starts with ``first_column``; AWS offer
    files carry a few lines of metadata above it)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.lstrip('"').startswith(first_column):
            yield from csv.DictReader(io.StringIO("\n".join(lines[index:])))
            return
    raise PriceError(f"{path}: no header line starting with {first_column!r}. Fix: give the file as downloaded")


def _require_columns(row: dict[str, str], columns: Iterable[str], path: Path) -> None:
    missing = [column for column in columns if column not in row]
    if missing:
        raise PriceError(f"{path}: no column {missing}. Fix: give SkyPilot's vms.csv or an AWS EC2 offer file")


def add_prices(
    table: PriceTable,
    path: Path,
    *,
    source: str,
    as_of: str,
    regions: set[str],
    instance_types: set[str] | None = None,
) -> int:
    """Put the EC2 On-Demand prices of ``path`` for ``regions`` (and ``instance_types``, default all) into
    ``table``, each with ``source`` and ``as_of``; the number of prices put. A type whose zones disagree within a
    region is an error (On-Demand prices are per region)."""
    text = path.read_text(encoding="utf-8")
    offer = not text.startswith("InstanceType")  # the catalog's header is its first line
    rows = _rows(text, "SKU" if offer else "InstanceType", path)
    seen: dict[tuple[str, str], float] = {}
    for row in rows:
        _require_columns(row, OFFER_COLUMNS if offer else CATALOG_COLUMNS, path)
        if offer and any(row[column] != value for column, value in OFFER_FILTER.items()):
            continue
        instance_type = row["Instance Type" if offer else "InstanceType"]
        region = row["Region Code" if offer else "Region"]
        if region not in regions or (instance_types is not None and instance_type not in instance_types):
            continue
        try:
            usd = float(row["PricePerUnit" if offer else "Price"])
        except ValueError:
            continue  # a type the catalog lists without a price
        key = (region, instance_type)
        if key in seen and seen[key] != usd:
            raise PriceError(f"{path}: {instance_type} in {region} has two On-Demand prices, {seen[key]} and {usd}")
        seen[key] = usd
        table.put(region, instance_type, "ec2_on_demand", Price(usd, source, as_of))
    return len(seen)


def add_serverless_prices(
    table: PriceTable, path: Path, *, source: str, as_of: str, regions: set[str] | None = None
) -> int:
    """Put the EMR Serverless rates of PerfKitBenchmarker's price list at ``path`` (its ``EMR_SERVERLESS_PRICES``
    literal, read without running the file) for ``regions`` (default all) into ``table``; the number of regions.
    The list names no architecture, so its rates go under ``any``."""
    try:
        module = ast.parse(path.read_text(encoding="utf-8"))
        literal = next(
            node.value
            for node in module.body
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == SERVERLESS_NAME for t in node.targets)
        )
        rates = ast.literal_eval(literal)
        count = 0
        for region, entry in sorted(rates.items()):
            if regions is not None and region not in regions:
                continue
            for key, dimension in SERVERLESS_KEYS.items():
                table.put_serverless(region, ANY_ARCHITECTURE, dimension, Price(float(entry[key]), source, as_of))
            count += 1
        return count
    except (OSError, SyntaxError, ValueError, StopIteration, KeyError, TypeError, AttributeError) as error:
        keys = ", ".join(SERVERLESS_KEYS)
        raise PriceError(
            f"{path}: not PerfKitBenchmarker's EMR Serverless price list ({error!r}). Fix: give "
            f"aws_dpb_emr_serverless_prices.py as published: {SERVERLESS_NAME} = {{REGION: {{{keys}}}}}"
        ) from error
