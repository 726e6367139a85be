"""The spec layer is pure data: importing it must not start jsii or load aws_cdk, and these tests never do."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import emr_constructs.spec
from tests.spec.payloads import fleet_cluster, group_cluster, valid

CDK_MODULES = ("aws_cdk", "constructs", "cdk_nag", "jsii")
REPO = Path(__file__).resolve().parents[2]


def test_importing_the_spec_loads_no_cdk_module() -> None:
    probe = (
        "import sys, emr_constructs.spec\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {CDK_MODULES!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "", f"emr_constructs.spec pulled in CDK modules: {result.stdout.strip()}"


def test_the_spec_modules_import_no_cdk_module() -> None:
    spec_dir = Path(emr_constructs.spec.__file__).parent
    offenders = _cdk_imports(spec_dir.glob("*.py"))
    assert offenders == []


def test_these_tests_import_no_cdk_module() -> None:
    here = Path(__file__).parent
    files = sorted(here.glob("*.py"))
    assert Path(__file__) in files  # the scan sees this directory's files
    assert _cdk_imports(files) == []


def test_the_base_payloads_are_valid() -> None:
    assert valid(fleet_cluster()).instance_fleets is not None
    assert valid(group_cluster()).instance_groups is not None


def _cdk_imports(files: Iterable[Path]) -> list[str]:
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in CDK_MODULES]
    return offenders
