"""``emr-constructs check PATH...``: the EMR rules and cfn-lint over synthesised templates, offline.

Exit status: 0 clean; 1 findings (an unwaived EMR rule finding, or a cfn-lint error or warning); 2 usage error or
unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from emr_constructs.policy.engine import check_templates
from emr_constructs.policy.report import as_json, as_sarif, as_text
from emr_constructs.policy.rules import Options
from emr_constructs.policy.templates import TemplateError, TemplateSet, load_templates
from emr_constructs.spec.release import ReleaseLabel


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="cdk.out directories or template files")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output (default text)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report here instead of stdout")
    parser.add_argument("--region", default="us-east-1", help="region cfn-lint validates against (default us-east-1)")
    parser.add_argument("--no-cfn-lint", action="store_true", help="run the EMR rules only")
    parser.add_argument("--release-floor", metavar="LABEL", help="oldest acceptable release, e.g. emr-7.0.0")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="judge release support at this date (default: the support table's own date, not today)",
    )


def _cfn_lint(templates: TemplateSet, region: str) -> list[str]:
    """cfn-lint's errors and warnings; one runner (its rules loaded once) lints every template, as its command line
    does."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner

    runner = Runner(ConfigMixIn(regions=[region]))
    found = []
    for template in templates.templates.values():
        decoded, errors = decode_str(json.dumps(template.body))
        matches = errors or list(runner.validate_template(decoded))
        for match in matches:
            if match.rule.severity in ("error", "warning"):
                path = "/".join(str(p) for p in match.path)
                found.append(f"{template.path}: {match.rule.id} {match.message} ({path})")
    return found


def run_check(arguments: argparse.Namespace) -> int:
    try:
        floor = ReleaseLabel.of(arguments.release_floor) if arguments.release_floor else None
    except ValueError as error:
        print(f"error: --release-floor: {error}", file=sys.stderr)
        return 2
    try:
        templates = load_templates(arguments.paths)
    except TemplateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    options = Options(release_floor=floor) if arguments.as_of is None else Options(arguments.as_of, floor)
    findings = check_templates(templates, options)
    lint = [] if arguments.no_cfn_lint else _cfn_lint(templates, arguments.region)
    if arguments.format == "json":
        report = as_json(findings, lint)
    elif arguments.format == "sarif":
        try:
            tool_version = version("emr-constructs")
        except PackageNotFoundError:
            tool_version = "0"
        report = as_sarif(findings, tool_version)
    else:
        report = as_text(findings, lint)
    if arguments.output is not None:
        arguments.output.write_text(report + "\n")
        print(as_text(findings, lint).splitlines()[-1])
    else:
        print(report)
    active = [f for f in findings if f.waived_reason is None]
    return 1 if active or lint else 0
