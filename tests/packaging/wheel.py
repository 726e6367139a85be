"""The built wheel, installed with its core dependencies only (``pip install emr-constructs``) in a fresh venv: built
and installed once per test session, shared by ``tests/packaging`` and ``tests/examples``.

The install resolves the core dependencies, pinned by ``requirements.lock``, from the package index pip is configured
with (the one ``make setup`` used for ``.venv``; a local mirror or pip's cache serves it where there is one); it takes
about 15 seconds with the wheel build. When the index cannot be reached the tests that use it are skipped with that
reason; any other failure of the build or the install fails them.
"""

from __future__ import annotations

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

#: Variables that would point a subprocess at this checkout's interpreter or packages instead of the venv's.
_LEAKING = frozenset({"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONUSERBASE"})


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


def _step(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        network = _NETWORK.search(output)
        if network is not None:
            pytest.skip(f"{what}: the package index is unreachable ({network[0]})")
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{output[-4000:]}")


def _build_and_install(root: Path) -> Installed:
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
    workdir = root / "work"
    workdir.mkdir()
    return Installed(venv=venv, workdir=workdir)


#: The one installation of the session, or the skip or failure that building it ended in (repeated, not retried).
_SESSION: list[Installed | pytest.skip.Exception | pytest.fail.Exception] = []


def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel and install it in a fresh venv, once per session (every later call returns the same one)."""
    if not _SESSION:
        try:
            _SESSION.append(_build_and_install(tmp_path_factory.mktemp("wheel")))
        except (pytest.skip.Exception, pytest.fail.Exception) as outcome:
            _SESSION.append(outcome)
    result = _SESSION[0]
    if isinstance(result, Installed):
        return result
    raise result
