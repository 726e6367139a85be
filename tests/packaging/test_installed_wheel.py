"""The built wheel, installed with its core dependencies only (``pip install emr-constructs``) in a fresh venv.

Run from a directory outside the repository, so only the installed package is importable. ``validate``, ``check``,
``guard`` and ``cost`` must work there (cfn-lint is a core dependency); the AWS subcommands must name the ``cli``
extra (boto3, cryptography) instead of ending in a traceback. One wheel and one venv serve the whole module.

The install needs the package index (pip's cache serves most of it). When the index cannot be reached the module
is skipped with that reason; any other failure of the build or the install fails the tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cost.test_estimate import fixture_table
from tests.policy.fixtures import as_json, template

REPO = Path(__file__).resolve().parents[2]
HINT = "error: this command needs the cli extra: pip install 'emr-constructs[cli]'"

#: pip's messages when the index (or the build backend's download) cannot be reached; nothing else skips.
_NETWORK = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|"
    r"Name or service not known|Network is unreachable|ConnectTimeout|ReadTimeout|ProxyError|"
    r"Max retries exceeded|Could not fetch URL|connection broken|SSLError|No route to host|Connection refused"
)


@dataclass(frozen=True)
class Installed:
    bin: Path
    workdir: Path

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
        env.update(JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", AWS_EC2_METADATA_DISABLED="true")
        return subprocess.run(
            [str(self.bin / argv[0]), *argv[1:]],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def _step(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        network = _NETWORK.search(output)
        if network is not None:
            pytest.skip(f"{what}: the package index is unreachable ({network[0]})")
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{output[-4000:]}")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    # Build from a copy: an in-tree build would leave build/ in the checkout, and stale files there end up in wheels.
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "emr_constructs", source / "emr_constructs", ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", "--timeout", "30", "--retries", "2"]
    _step([*pip, "wheel", "--no-deps", "--wheel-dir", str(root / "dist"), str(source)], "building the wheel")
    (wheel,) = (root / "dist").glob("emr_constructs-*.whl")
    venv = root / "venv"
    # No pip inside the venv: this interpreter's pip installs into it (--python), which saves seeding pip.
    _step([sys.executable, "-m", "venv", "--without-pip", str(venv)], "creating the venv")
    python = venv / "bin" / "python"
    # --no-compile: byte-compiling aws-cdk-lib is most of an install's time, and the commands run only a few times.
    _step(
        [*pip, "--python", str(python), "install", "--no-compile", "-c", str(REPO / "requirements.lock"), str(wheel)],
        "installing the wheel with its core dependencies",
    )
    workdir = root / "work"
    workdir.mkdir()
    return Installed(bin=venv / "bin", workdir=workdir)


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
