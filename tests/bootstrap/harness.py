"""Run the bootstrap scripts under bash with stub commands first on PATH, offline and without sudo.

Every stub records its arguments (one call a line, arguments separated by tabs) in ``<logs>/<name>.log``:

- ``aws``: copies ``$AWS_STUB_FIXTURE`` to its last argument; ``AWS_STUB_EXIT=N`` fails like the CLI does.
- ``sudo``: drops its options (``-n``) and runs the rest; ``SUDO_STUB_EXIT=N`` fails like a password prompt would.
- ``uname``: prints ``$UNAME_STUB_ARCH`` for ``-m``.
- ``systemctl``: records only; ``SYSTEMCTL_STUB_EXIT=N`` fails.
- ``curl``: answers the IMDSv2 token and instance-id requests (``$CURL_STUB_INSTANCE_ID``); ``CURL_STUB_EXIT=N``
  fails.
- ``rpm``/``yum``: ``yum install`` marks the package installed in ``$STUB_STATE``, ``rpm -q`` reports it;
  ``YUM_STUB_EXIT=N`` fails the install.
- ``amazon-cloudwatch-agent-ctl`` (passed as ``EMR_CONSTRUCTS_AGENT_CTL``): ``fetch-config`` marks the agent
  running, ``status`` reports it; ``AGENT_STUB_EXIT=N`` fails ``fetch-config``.
- ``python`` (a fake interpreter, passed as the PYTHON argument): answers ``-m pip --version`` and records
  ``-m pip install``; ``PIP_STUB_EXIT=N`` fails the install.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BOOTSTRAP = REPO / "bootstrap"
INSTALL_PYTHON_PACKAGES = BOOTSTRAP / "install-python-packages.sh"
CONFIGURE_NODE = BOOTSTRAP / "configure-node.sh"
INSTALL_CLOUDWATCH_AGENT = REPO / "emr_constructs/monitoring/scripts/install-cloudwatch-agent.sh"

_RECORD = "printf '%s\\n' \"$(IFS=$'\\t'; printf '%s' \"$*\")\" >>\"$STUB_LOG/{name}.log\"\n"

STUBS: dict[str, str] = {
    "aws": _RECORD.format(name="aws")
    + """if [ "${AWS_STUB_EXIT:-0}" -ne 0 ]; then
  echo "fatal error: An error occurred (403) when calling the HeadObject operation: Forbidden" >&2
  exit "$AWS_STUB_EXIT"
fi
cp "$AWS_STUB_FIXTURE" "${@: -1}"
""",
    "sudo": _RECORD.format(name="sudo")
    + """if [ "${SUDO_STUB_EXIT:-0}" -ne 0 ]; then
  echo "sudo: a password is required" >&2
  exit "$SUDO_STUB_EXIT"
fi
while [ "$#" -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
exec "$@"
""",
    "uname": _RECORD.format(name="uname")
    + """if [ "${1:-}" = "-m" ]; then printf '%s\\n' "$UNAME_STUB_ARCH"; else echo Linux; fi
""",
    "systemctl": _RECORD.format(name="systemctl") + 'exit "${SYSTEMCTL_STUB_EXIT:-0}"\n',
    "curl": _RECORD.format(name="curl")
    + """if [ "${CURL_STUB_EXIT:-0}" -ne 0 ]; then
  echo "curl: (28) Connection timed out after 5001 milliseconds" >&2
  exit "$CURL_STUB_EXIT"
fi
case "$*" in
  *latest/api/token*) printf 'stub-token' ;;
  *meta-data/instance-id*) printf '%s' "${CURL_STUB_INSTANCE_ID:-i-0123456789abcdef0}" ;;
  *) echo "curl stub: unexpected request $*" >&2; exit 22 ;;
esac
""",
    "rpm": _RECORD.format(name="rpm")
    + """if [ -e "$STUB_STATE/package-installed" ]; then
  echo "amazon-cloudwatch-agent-1.300032.2-1.amzn2.$(uname -m)"
  exit 0
fi
echo "package amazon-cloudwatch-agent is not installed"
exit 1
""",
    "yum": _RECORD.format(name="yum")
    + """if [ "${YUM_STUB_EXIT:-0}" -ne 0 ]; then
  echo "One of the configured repositories failed (Amazon Linux 2 core)" >&2
  exit "$YUM_STUB_EXIT"
fi
touch "$STUB_STATE/package-installed"
""",
    "amazon-cloudwatch-agent-ctl": _RECORD.format(name="amazon-cloudwatch-agent-ctl")
    + """case "$*" in
  *"-a status"*)
    if [ -e "$STUB_STATE/agent-running" ]; then echo '{"status": "running"}'; else echo '{"status": "stopped"}'; fi ;;
  *"-a fetch-config"*)
    if [ "${AGENT_STUB_EXIT:-0}" -ne 0 ]; then
      echo "E! Invalid Json input schema." >&2
      exit "$AGENT_STUB_EXIT"
    fi
    touch "$STUB_STATE/agent-running" ;;
esac
""",
    "python": _RECORD.format(name="python")
    + """if [ "$*" = "-m pip --version" ]; then
  echo "pip 23.0.1 from /usr/lib/python3.9/site-packages/pip (python 3.9)"
  exit 0
fi
if [ "${PIP_STUB_EXIT:-0}" -ne 0 ]; then
  echo "ERROR: Could not find a version that satisfies the requirement" >&2
  exit "$PIP_STUB_EXIT"
fi
echo "Successfully installed (stub)"
""",
}


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Node:
    """A fake EMR node rooted in a temporary directory."""

    base: Path
    arch: str = "x86_64"
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = self.base / "root"
        self.stubs = self.base / "stubs"
        self.logs = self.base / "calls"
        self.tmp = self.base / "tmp"
        self.state = self.base / "state"
        self.fixture = self.base / "requirements.txt"
        for directory in (self.root, self.stubs, self.logs, self.tmp, self.state):
            directory.mkdir(parents=True)
        for name, body in STUBS.items():
            stub = self.stubs / name
            stub.write_text("#!/usr/bin/env bash\nset -u\n" + body)
            stub.chmod(0o755)
        self.python = self.stubs / "python"

    @property
    def state_dir(self) -> Path:
        return self.root / "var/lib/emr-constructs"

    @property
    def log_file(self) -> Path:
        return self.root / "var/log/emr-constructs/bootstrap.log"

    @property
    def limits_file(self) -> Path:
        return self.root / "etc/security/limits.d/90-emr-constructs.conf"

    @property
    def journald_file(self) -> Path:
        return self.root / "etc/systemd/journald.conf.d/90-emr-constructs.conf"

    def run(self, script: Path, *args: str, **env: str) -> Result:
        full_env = {
            "PATH": f"{self.stubs}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.base),
            "LC_ALL": "C",
            "TMPDIR": str(self.tmp),
            "STUB_LOG": str(self.logs),
            "STUB_STATE": str(self.state),
            "EMR_CONSTRUCTS_AGENT_CTL": str(self.stubs / "amazon-cloudwatch-agent-ctl"),
            "EMR_CONSTRUCTS_ROOT": str(self.root),
            "UNAME_STUB_ARCH": self.arch,
            "AWS_STUB_FIXTURE": str(self.fixture),
            **self.env,
            **env,
        }
        completed = subprocess.run(
            ["bash", str(script), *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)

    def calls(self, stub: str) -> list[list[str]]:
        """The argument lists the stub was called with, in order."""
        log = self.logs / f"{stub}.log"
        if not log.exists():
            return []
        return [line.split("\t") for line in log.read_text().splitlines()]

    def pip_installs(self) -> list[list[str]]:
        return [call for call in self.calls("python") if call[:3] == ["-m", "pip", "install"]]

    def leftover_tmp(self) -> list[Path]:
        return sorted(self.tmp.iterdir())
