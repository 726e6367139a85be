"""The built wheel, installed with its core dependencies only (``pip install emr-constructs``) in a fresh venv.

Run from a directory outside the repository, so only the installed package is importable. ``validate``, ``check``,
``guard`` and ``cost`` must work there (cfn-lint is a core dependency); the AWS subcommands must name the ``cli``
extra (boto3, cryptography) instead of ending in a traceback.

The wheel is built and installed once per session (``tests.packaging.wheel``, shared with ``tests/examples``). The
install needs the package index (pip's cache serves most of it). When the index cannot be reached the tests are
skipped with that reason; any other failure of the build or the install fails them.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.cost.test_estimate import fixture_table
from tests.packaging.wheel import REPO, Installed
from tests.policy.fixtures import as_json, template

HINT = "error: this command needs the cli extra: pip install 'emr-constructs[cli]'"


def _no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "ModuleNotFoundError" not in done.stderr, done.stderr


def test_the_core_install_has_cfn_lint_but_not_the_cli_extra(installed: Installed) -> None:
    probe = (
        "import importlib.metadata as m, importlib.util as u, json, emr_constructs; "
        "print(json.dumps({'file': emr_constructs.__file__, 'requires': m.requires('emr-constructs'), "
        "'found': {n: u.find_spec(n) is not None for n in ('cfnlint', 'botocore', 'boto3', 'cryptography')}}))"
    )
    done = installed.run("python", "-c", probe)
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert str(installed.bin.parent) in facts["file"], "the installed package, not the source tree, was imported"
    assert facts["found"] == {"cfnlint": True, "botocore": True, "boto3": False, "cryptography": False}
    requires = facts["requires"]
    assert any(r.startswith("cfn-lint") and "extra" not in r for r in requires), requires
    assert any(r.startswith("boto3") and 'extra == "cli"' in r for r in requires), requires
    assert any(r.startswith("cryptography") and 'extra == "cli"' in r for r in requires), requires


def test_validate(installed: Installed) -> None:
    done = installed.run("emr-constructs", "validate", str(REPO / "config" / "dev.yaml"))
    _no_traceback(done)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("dev.yaml: valid")


def test_check_and_guard(installed: Installed) -> None:
    templates = installed.workdir / "templates"
    templates.mkdir()
    (templates / "cluster.template.json").write_text(as_json(template()))

    check = installed.run("emr-constructs", "check", str(templates))
    _no_traceback(check)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 error(s), 0 warning(s), 0 waived, 0 cfn-lint finding(s)" in check.stdout

    guard = installed.run("emr-constructs", "guard", "--baseline", str(templates), "--candidate", str(templates))
    _no_traceback(guard)
    assert guard.returncode == 0, guard.stdout + guard.stderr
    assert "no EMR resource is replaced or removed" in guard.stdout


def test_cost_without_refresh(installed: Installed) -> None:
    prices = installed.workdir / "prices.json"
    fixture_table().save(prices)
    done = installed.run("emr-constructs", "cost", str(REPO / "config" / "dev.yaml"), "--prices", str(prices))
    _no_traceback(done)
    assert done.returncode == 0, done.stderr
    assert "cluster analytics (eu-west-1), USD per hour" in done.stdout


@pytest.mark.parametrize(
    ("argv", "missing"),
    [
        (["certs", "--domain", "ec2.internal", "--out", "certs.zip"], "cryptography"),
        (["status", "--cluster-id", "j-ABCDEFGHIJKL", "--region", "eu-west-1"], "boto3"),
        (["submit", "--cluster-id", "j-ABCDEFGHIJKL", "--spark", "s3://bucket-x/job.py"], "boto3"),
        (["cost", str(REPO / "config" / "dev.yaml"), "--refresh", "--prices", "prices.json"], "boto3"),
    ],
    ids=["certs", "status", "submit", "cost-refresh"],
)
def test_aws_commands_name_the_cli_extra(installed: Installed, argv: list[str], missing: str) -> None:
    done = installed.run("emr-constructs", *argv)
    _no_traceback(done)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(HINT) and f"({missing} not installed)" in done.stderr, done.stderr


def test_certs_help_needs_no_extra(installed: Installed) -> None:
    done = installed.run("emr-constructs", "certs", "--help")
    assert done.returncode == 0, done.stderr
    assert "--kms-key-id" in done.stdout
