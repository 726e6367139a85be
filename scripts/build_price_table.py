"""Build the shipped price table (``emr_constructs/cost/prices.json``) from files that exist offline.

    python scripts/build_price_table.py data/prices/skypilot-vms-*.csv            # the shipped extracts
    python scripts/build_price_table.py vms.csv --source "..." --as-of 2026-12-01  # a whole downloaded catalog
    python scripts/build_price_table.py ec2-offer.csv --source "AWS Price List ..." --as-of 2026-12-01

Each input is SkyPilot's AWS catalog (``catalogs/v8/aws/vms.csv``, or rows of it with its header) or an AWS EC2
offer file (bulk CSV from the Price List). Only the regions of ``REGIONS`` (or ``--region``) are kept. EMR prices
are not written: ``emr-constructs cost`` derives them by its documented rule unless a table measures them
(``cost --refresh``). ``docs/command-line.md`` ("Cost estimates") describes the refresh.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from emr_constructs.cost.prices import SHIPPED, PriceError, PriceTable  # noqa: E402
from emr_constructs.cost.sources import add_prices  # noqa: E402

REGIONS = ("eu-central-1", "eu-west-1", "us-east-1", "us-west-2")
#: Where the shipped extracts come from (the rows of data/prices/skypilot-vms-*.csv are copied from it verbatim).
CATALOG = (
    "skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv @00148f2af3672e2229b4f7bf8157d5a3f36e3c35 "
    "(column Price, generated from the AWS Price List: On-Demand, Linux, shared tenancy)"
)
CATALOG_AS_OF = "catalog commit 00148f2a"


def build(inputs: list[Path], *, source: str, as_of: str, regions: set[str]) -> PriceTable:
    table = PriceTable()
    for path in inputs:
        if add_prices(table, path, source=source, as_of=as_of, regions=regions) == 0:
            raise PriceError(f"{path}: no On-Demand price for {sorted(regions)}. Fix: check the file and --region")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", type=Path, help="catalog CSV(s) or EC2 offer file(s)")
    parser.add_argument("--source", default=CATALOG, help="what the prices are read from (repo, path, commit)")
    parser.add_argument("--as-of", default=CATALOG_AS_OF, help="the date (or commit) the prices are as of")
    parser.add_argument("--region", action="append", help=f"regions to keep (default: {' '.join(REGIONS)})")
    parser.add_argument("--output", type=Path, default=SHIPPED, help="table to write (default: the shipped one)")
    arguments = parser.parse_args(argv)
    try:
        table = build(
            arguments.inputs, source=arguments.source, as_of=arguments.as_of, regions=set(arguments.region or REGIONS)
        )
    except (OSError, PriceError) as error:
        print(f"build_price_table: {error}", file=sys.stderr)
        return 1
    table.save(arguments.output)
    count = sum(len(types) for types in table.regions.values())
    print(f"wrote {count} prices for {len(table.regions)} regions to {arguments.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
