"""The built wheel, installed with its core dependencies only (``pip install emr-constructs``) in a fresh venv: built
and installed once per test session, shared by ``tests/packaging`` and ``tests/examples`` and, under pytest-xdist,
by every worker (the first one builds it under a file lock; the others wait and reuse it, or its skip or failure).

The install resolves the core dependencies, pinned by ``requirements.lock``, from the package index pip is configured
with (the one ``make setup`` used for ``.venv``; a local mirror or pip's cache serves it where there is one); it takes
about 25 seconds with the wheel build and the first import, which compiles what the tests use. When the index cannot
be reached the tests that use it are skipped with that reason; any other failure of the build or the install fails
them.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: pip's messages when the index (or the build backend's download) cannot be reached; nothing else skips.
_NETWORK = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|"
    r"Name or service not known|Network is unreachable|ConnectTimeout|ReadTimeout|ProxyError|"
    r"Max retries exceeded|Could not fetch URL|connection broken|SSLError|No route to host|Connection refused"
)

#: Variables that would point a subprocess at this checkout's interpreter or packages instead of the venv's, or
#: (PYTHONDONTWRITEBYTECODE) make every process of the venv compile aws-cdk-lib's sources again: about 3.7 seconds
#: of each cold start, which a user's installation pays once.
_LEAKING = frozenset(
    {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONDONTWRITEBYTECODE"}
)
#: What the apps and commands of the tests import: compiled once after the install, before any test runs them.
_WARM_UP = "import aws_cdk.aws_eks, cdk_nag, cfnlint.api, emr_constructs, emr_constructs.cli"


@dataclass(frozen=True)
class Installed:
    """The venv holding the installed wheel (``venv``), its ``bin`` directory and a scratch ``workdir`` outside the
    repository."""

    venv: Path
    workdir: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def environment(self, **extra: str) -> dict[str, str]:
        """This process's environment without anything that points into the checkout, quiet and offline for jsii and
        the AWS SDKs, plus ``extra``."""
        env = {k: v for k, v in os.environ.items() if k not in _LEAKING}
        env.update(JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", AWS_EC2_METADATA_DISABLED="true")
        env.update(extra)
        return env

    def run(
        self, *argv: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: int = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv[0]`` from the venv's ``bin`` (in ``workdir`` unless ``cwd`` is given)."""
        return subprocess.run(
            [str(self.bin / argv[0]), *argv[1:]],
            cwd=cwd or self.workdir,
            env=dict(env) if env is not None else self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _step(argv: list[str], what: str, env: Mapping[str, str] | None = None) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False, env=env)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        network = _NETWORK.search(output)
        if network is not None:
            pytest.skip(f"{what}: the package index is unreachable ({network[0]})")
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{output[-4000:]}")


def _build_and_install(root: Path) -> Path:
    """The venv (``root/venv``) with the wheel built from this checkout installed."""
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
    # --no-compile: byte-compiling aws-cdk-lib is most of an install's time; Python compiles what it imports.
    _step(
        [
            *pip,
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-compile",
            "-c",
            str(REPO / "requirements.lock"),
            str(wheel),
        ],
        "installing the wheel with its core dependencies",
    )
    # pip's --no-compile leaves the byte-compiling to the first import; do it now, once, for what the tests import.
    bytecode = {k: v for k, v in os.environ.items() if k not in _LEAKING}
    _step([str(venv / "bin" / "python"), "-c", _WARM_UP], "importing the installed package", bytecode)
    return venv


#: A built venv, or the skip or failure that building it ended in.
_Outcome = Path | pytest.skip.Exception | pytest.fail.Exception
#: The one installation of the session, or the skip or failure that building it ended in (repeated, not retried).
_SESSION: list[Installed | pytest.skip.Exception | pytest.fail.Exception] = []


def _attempt(root: Path) -> _Outcome:
    try:
        return _build_and_install(root)
    except (pytest.skip.Exception, pytest.fail.Exception) as outcome:
        return outcome


def _shared(tmp_path_factory: pytest.TempPathFactory) -> _Outcome:
    """Under pytest-xdist: the installation in the session's common temporary directory, built by the first
    worker to get here while the others wait on the lock, then read back from ``outcome.json``."""
    common = tmp_path_factory.getbasetemp().parent / "wheel"
    common.mkdir(exist_ok=True)
    record = common / "outcome.json"
    with (common / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            outcome = _attempt(common)
            if isinstance(outcome, Path):
                kind, message = "venv", str(outcome)
            else:
                kind, message = "skip" if isinstance(outcome, pytest.skip.Exception) else "fail", str(outcome.msg)
            record.write_text(json.dumps({"kind": kind, "message": message}))
    data = json.loads(record.read_text())
    if data["kind"] == "skip":
        return pytest.skip.Exception(data["message"])
    if data["kind"] == "fail":
        return pytest.fail.Exception(data["message"])
    return Path(data["message"])


def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel and install it in a fresh venv, once per session (every later call returns the same one);
    each worker gets its own scratch ``workdir``."""
    if not _SESSION:
        shared = "PYTEST_XDIST_WORKER" in os.environ
        outcome = _shared(tmp_path_factory) if shared else _attempt(tmp_path_factory.mktemp("wheel"))
        _SESSION.append(Installed(outcome, tmp_path_factory.mktemp("work")) if isinstance(outcome, Path) else outcome)
    result = _SESSION[0]
    if isinstance(result, Installed):
        return result
    raise result
