"""The ``emr-constructs`` command. Offline subcommands need no AWS credentials."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from emr_constructs.spec import AppConfig, ClusterSpec, ConfigError, load_config


def _capacity(cluster: ClusterSpec) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    if cluster.instance_fleets is not None:
        for role, fleet in cluster.instance_fleets.named():
            types = ", ".join(t.instance_type for t in fleet.instance_types)
            rows.append(
                (
                    role,
                    f"{fleet.target_on_demand} on-demand / {fleet.target_spot} Spot units",
                    fleet.strategy_spot or fleet.strategy_on_demand or "-",
                    types,
                )
            )
    elif cluster.instance_groups is not None:
        groups = cluster.instance_groups
        named = [("primary", groups.primary), ("core", groups.core)] + [("task", g) for g in groups.tasks]
        for role, group in named:
            if group is not None:
                rows.append((role, f"{group.instance_count} x {group.market.lower()}", "-", group.instance_type))
    return rows


def summary(config: AppConfig) -> str:
    """A plain-text table of the clusters, fleets and capacities in ``config``."""
    lines = [
        f"environment {config.environment}: account {config.account}, region {config.region}, "
        f"zones {', '.join(config.availability_zones)}"
    ]
    for cluster in config.clusters:
        scaling = cluster.managed_scaling
        lines.append("")
        lines.append(
            f"cluster {cluster.name}: {cluster.release_label}, {', '.join(a.name for a in cluster.applications)}"
        )
        if scaling is not None:
            lines.append(f"  managed scaling: {scaling.minimum}-{scaling.maximum} {cluster.scaling_unit_type}")
        if cluster.auto_termination_idle_seconds is not None:
            lines.append(f"  auto-termination after {cluster.auto_termination_idle_seconds} s idle")
        rows = [("fleet", "target", "allocation", "instance types"), *_capacity(cluster)]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            lines.append("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
        for warning_id, message in cluster.warnings():
            lines.append(f"  warning [{warning_id}]: {message}")
    return "\n".join(lines)


def _validate(arguments: argparse.Namespace) -> int:
    try:
        config = load_config(arguments.config)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(summary(config))
    print(f"\n{arguments.config}: valid")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="emr-constructs", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="validate a config file offline and summarise its clusters")
    validate.add_argument("config", help="path to an environment's YAML, e.g. config/dev.yaml")
    validate.set_defaults(handler=_validate)
    arguments = parser.parse_args(argv)
    return int(arguments.handler(arguments))


if __name__ == "__main__":
    sys.exit(main())
