"""Build the shipped price table (``emr_constructs/cost/prices.json``) from files that exist offline.

    python scripts/build_price_table.py data/prices/skypilot-vms-*.csv            # the shipped extracts
    python scripts/build_price_table.py vms.csv --source "..." --as-of 2026-12-01  # a whole downloaded catalog
    python scripts/build_price_table.py ec2-offer.csv --source "AWS Price List ..." --as-of 2026-12-01

Each input is SkyPilot's AWS catalog (``catalogs/v8/aws/vms.csv``, or rows of it with its header) or an AWS EC2
offer file (bulk CSV from the Price List). Only the regions of ``REGIONS`` (or ``--region``) are kept. EMR prices
are not written: ``emr-constructs cost`` derives them by its documented rule unless a table measures them
(``cost --refresh``). ``docs/command-line.md`` ("Cost estimates") describes the refresh.

EMR Serverless rates come from PerfKitBenchmarker's price list (``--serverless``, default the verbatim copy in
``data/prices/``), every region of it unless ``--region`` is given:

    python scripts/build_price_table.py data/prices/skypilot-vms-*.csv \
        --serverless aws_dpb_emr_serverless_prices.py --serverless-source "..." --serverless-as-of "..."
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from emr_constructs.cost.prices import SHIPPED, PriceError, PriceTable  # noqa: E402
from emr_constructs.cost.sources import add_prices, add_serverless_prices  # noqa: E402

REGIONS = ("eu-central-1", "eu-west-1", "us-east-1", "us-west-2")
#: Where the shipped extracts come from (the rows of data/prices/skypilot-vms-*.csv are copied from it verbatim).
CATALOG = (
    "skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv @00148f2af3672e2229b4f7bf8157d5a3f36e3c35 "
    "(column Price, generated from the AWS Price List: On-Demand, Linux, shared tenancy)"
)
CATALOG_AS_OF = "catalog commit 00148f2a"
#: The verbatim copy of PerfKitBenchmarker's EMR Serverless price list (Apache-2.0), and where it comes from.
SERVERLESS_FILE = REPO / "data" / "prices" / "perfkitbenchmarker-aws_dpb_emr_serverless_prices.py.txt"
SERVERLESS_SOURCE = (
    "GoogleCloudPlatform/PerfKitBenchmarker perfkitbenchmarker/providers/aws/aws_dpb_emr_serverless_prices.py "
    "@441d2f97131c9b6baf6f9664a9860d9a6bd4b204 (generated from aws.amazon.com/emr/pricing; one rate per region, "
    "no architecture named)"
)
SERVERLESS_AS_OF = "PerfKitBenchmarker commit 441d2f97"


def build(
    inputs: list[Path],
    *,
    source: str,
    as_of: str,
    regions: set[str],
    serverless: tuple[Path, str, str] | None = None,
    serverless_regions: set[str] | None = None,
) -> PriceTable:
    """The table of ``inputs``' EC2 prices, plus the EMR Serverless rates of ``serverless`` (path, source, as-of)."""
    table = PriceTable()
    for path in inputs:
        if add_prices(table, path, source=source, as_of=as_of, regions=regions) == 0:
            raise PriceError(f"{path}: no On-Demand price for {sorted(regions)}. Fix: check the file and --region")
    if serverless is not None:
        path, serverless_source, serverless_as_of = serverless
        found = add_serverless_prices(
            table, path, source=serverless_source, as_of=serverless_as_of, regions=serverless_regions
        )
        if found == 0:
            raise PriceError(f"{path}: no EMR Serverless rate for the regions asked. Fix: check the file and --region")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", type=Path, help="catalog CSV(s) or EC2 offer file(s)")
    parser.add_argument("--source", default=CATALOG, help="what the prices are read from (repo, path, commit)")
    parser.add_argument("--as-of", default=CATALOG_AS_OF, help="the date (or commit) the prices are as of")
    parser.add_argument("--region", action="append", help=f"regions to keep (default: {' '.join(REGIONS)})")
    parser.add_argument("--output", type=Path, default=SHIPPED, help="table to write (default: the shipped one)")
    parser.add_argument(
        "--serverless", type=Path, default=SERVERLESS_FILE, help="PerfKitBenchmarker's EMR Serverless price list"
    )
    parser.add_argument("--serverless-source", default=SERVERLESS_SOURCE, help="where that list is read from")
    parser.add_argument("--serverless-as-of", default=SERVERLESS_AS_OF, help="the date (or commit) of that list")
    parser.add_argument("--no-serverless", action="store_true", help="write no EMR Serverless rates")
    arguments = parser.parse_args(argv)
    serverless = (arguments.serverless, arguments.serverless_source, arguments.serverless_as_of)
    try:
        table = build(
            arguments.inputs,
            source=arguments.source,
            as_of=arguments.as_of,
            regions=set(arguments.region or REGIONS),
            serverless=None if arguments.no_serverless else serverless,
            serverless_regions=set(arguments.region) if arguments.region else None,
        )
    except (OSError, PriceError) as error:
        print(f"build_price_table: {error}", file=sys.stderr)
        return 1
    table.save(arguments.output)
    count = sum(len(types) for types in table.regions.values())
    print(
        f"wrote {count} prices for {len(table.regions)} regions and EMR Serverless rates for "
        f"{len(table.serverless)} regions to {arguments.output}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
