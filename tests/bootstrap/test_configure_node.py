"""bootstrap/configure-node.sh under bash, with stub sudo/uname/systemctl."""

from __future__ import annotations

import re

import pytest

from tests.bootstrap.harness import CONFIGURE_NODE, Node, Result

RESTART = ["restart", "systemd-journald"]
TIMESTAMPED = re.compile(r"^\[emr-constructs\] \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} configure-node\.sh: ")


def configure(node: Node, *args: str, **env: str) -> Result:
    return node.run(CONFIGURE_NODE, *args, **env)


def limits(node: Node) -> list[list[str]]:
    return [line.split() for line in node.limits_file.read_text().splitlines() if not line.startswith("#")]


def journald(node: Node) -> list[str]:
    return [line for line in node.journald_file.read_text().splitlines() if not line.startswith("#")]


# --- success path -------------------------------------------------------------------------------


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_defaults_write_limits_and_journald_and_restart_journald(node: Node, arch: str) -> None:
    node.arch = arch
    result = configure(node)

    assert result.returncode == 0, result.output
    assert f"architecture: {arch}" in result.stdout
    expected = [
        [domain, kind, item, "65536"]
        for domain in ("*", "root")
        for item in ("nofile", "nproc")
        for kind in ("soft", "hard")
    ]
    assert limits(node) == expected
    assert journald(node) == ["[Journal]", "SystemMaxUse=2G", "MaxRetentionSec=7day"]
    assert f"creating: {node.limits_file}" in result.stdout
    assert f"wrote: {node.journald_file}" in result.stdout
    assert node.calls("systemctl") == [RESTART]
    assert ["-n", "systemctl", *RESTART] in node.calls("sudo"), "journald is restarted through sudo -n"
    assert oct(node.limits_file.stat().st_mode & 0o777) == "0o644"
    assert node.leftover_tmp() == []
    assert not list(node.limits_file.parent.glob("*.tmp")), "no staging file is left beside the target"


def test_logs_every_step_with_timestamp_to_stdout_and_log_file(node: Node) -> None:
    result = configure(node)

    assert result.returncode == 0, result.output
    logged = result.stdout.splitlines()
    assert len(logged) >= 8
    assert all(TIMESTAMPED.match(line) for line in logged), logged
    assert node.log_file.read_text().splitlines() == logged


def test_custom_values_in_both_option_forms(node: Node) -> None:
    result = configure(
        node, "--nofile=1048576", "--nproc", "131072", "--journal-max-use", "500M", "--journal-retention=30"
    )

    assert result.returncode == 0, result.output
    assert {(row[2], row[3]) for row in limits(node)} == {("nofile", "1048576"), ("nproc", "131072")}
    assert journald(node) == ["[Journal]", "SystemMaxUse=500M", "MaxRetentionSec=30day"]


# --- idempotency --------------------------------------------------------------------------------


def test_second_run_changes_nothing_restarts_nothing_and_says_so(node: Node) -> None:
    assert configure(node).returncode == 0
    before = (node.limits_file.stat().st_mtime_ns, node.journald_file.stat().st_mtime_ns)

    again = configure(node)

    assert again.returncode == 0, again.output
    assert f"unchanged: {node.limits_file}" in again.stdout
    assert f"unchanged: {node.journald_file}" in again.stdout
    assert "not restarting systemd-journald" in again.stdout
    assert "wrote:" not in again.stdout
    assert node.calls("systemctl") == [RESTART], "only the first run restarts journald"
    assert (node.limits_file.stat().st_mtime_ns, node.journald_file.stat().st_mtime_ns) == before


def test_changing_limits_only_rewrites_limits_without_restarting_journald(node: Node) -> None:
    assert configure(node).returncode == 0

    again = configure(node, "--nofile", "200000")

    assert again.returncode == 0, again.output
    assert f"updating: {node.limits_file} (content differs)" in again.stdout
    assert f"unchanged: {node.journald_file}" in again.stdout
    assert node.calls("systemctl") == [RESTART]
    assert ["*", "soft", "nofile", "200000"] in limits(node)


def test_changing_journald_settings_restarts_journald_again(node: Node) -> None:
    assert configure(node).returncode == 0

    again = configure(node, "--journal-max-use", "4G")

    assert again.returncode == 0, again.output
    assert f"updating: {node.journald_file} (content differs)" in again.stdout
    assert f"unchanged: {node.limits_file}" in again.stdout
    assert node.calls("systemctl") == [RESTART, RESTART]
    assert "SystemMaxUse=4G" in journald(node)


def test_a_hand_edited_file_is_restored(node: Node) -> None:
    assert configure(node).returncode == 0
    node.journald_file.write_text("[Journal]\nSystemMaxUse=100G\n")

    again = configure(node)

    assert again.returncode == 0, again.output
    assert journald(node) == ["[Journal]", "SystemMaxUse=2G", "MaxRetentionSec=7day"]
    assert node.calls("systemctl") == [RESTART, RESTART]


# --- failures -----------------------------------------------------------------------------------


def test_fails_on_unsupported_architecture(node: Node) -> None:
    node.arch = "ppc64le"
    result = configure(node)

    assert result.returncode == 1
    assert "unsupported architecture 'ppc64le'" in result.stderr
    assert "x86_64 or aarch64 (Graviton)" in result.stderr
    assert not node.limits_file.exists()
    assert not node.journald_file.exists()
    assert node.calls("systemctl") == []


@pytest.mark.parametrize("value", ["abc", "0", "-1", "", "065536", "1023", "1048577", "99999999999", "64k", "1e6"])
def test_fails_on_a_bad_nofile_value(node: Node, value: str) -> None:
    result = configure(node, "--nofile", value)

    assert result.returncode == 2, result.output
    assert f"--nofile must be a whole number from 1024 to 1048576, got '{value}'" in result.stderr
    assert "Usage: configure-node.sh" in result.stderr
    assert node.calls("sudo") == [], "nothing touches the node before the arguments are valid"


@pytest.mark.parametrize("value", ["x", "0", "4194305"])
def test_fails_on_a_bad_nproc_value(node: Node, value: str) -> None:
    result = configure(node, f"--nproc={value}")

    assert result.returncode == 2
    assert f"--nproc must be a whole number from 1024 to 4194304, got '{value}'" in result.stderr


@pytest.mark.parametrize("value", ["2GB", "2", "0G", "-5M", "2g", "1.5G", "lots", ""])
def test_fails_on_a_bad_journal_size(node: Node, value: str) -> None:
    result = configure(node, "--journal-max-use", value)

    assert result.returncode == 2
    assert "--journal-max-use must be a whole number followed by K, M, G or T (e.g. 500M, 2G)" in result.stderr


@pytest.mark.parametrize("value", ["0", "7day", "3651", "seven"])
def test_fails_on_a_bad_retention(node: Node, value: str) -> None:
    result = configure(node, "--journal-retention", value)

    assert result.returncode == 2
    assert f"--journal-retention must be a whole number from 1 to 3650, got '{value}'" in result.stderr


def test_fails_on_a_missing_option_value(node: Node) -> None:
    result = configure(node, "--nproc", "4096", "--nofile")

    assert result.returncode == 2
    assert "--nofile needs a value" in result.stderr


@pytest.mark.parametrize("argument", ["--nofiles", "65536", "-n"])
def test_fails_on_an_unknown_argument(node: Node, argument: str) -> None:
    result = configure(node, argument)

    assert result.returncode == 2
    assert f"unknown argument '{argument}'" in result.stderr
    assert "Usage: configure-node.sh [--nofile N] [--nproc N]" in result.stderr


def test_help_prints_usage_and_succeeds(node: Node) -> None:
    result = configure(node, "-h")

    assert result.returncode == 0
    assert result.stdout.startswith("Usage: configure-node.sh [--nofile N] [--nproc N]")
    assert node.calls("sudo") == []


def test_fails_when_journald_restart_fails(node: Node) -> None:
    result = configure(node, SYSTEMCTL_STUB_EXIT="1")

    assert result.returncode == 1
    assert "systemctl restart systemd-journald failed" in result.stderr
    assert "done" not in result.stdout.splitlines()[-1]


def test_fails_without_passwordless_sudo(node: Node) -> None:
    result = configure(node, SUDO_STUB_EXIT="1")

    assert result.returncode == 1
    assert "passwordless sudo is required" in result.stderr
    assert not node.limits_file.exists()


def test_unexpected_failure_reports_the_line_and_command(node: Node) -> None:
    broken = node.stubs / "mktemp"
    broken.write_text("#!/usr/bin/env bash\necho 'mktemp: No space left on device' >&2\nexit 1\n")
    broken.chmod(0o755)

    result = configure(node)

    assert result.returncode == 1
    assert re.search(r"unexpected failure at line \d+ of configure-node\.sh \(exit 1\)", result.stderr)
    assert "mktemp" in result.stderr
    assert not node.limits_file.exists()


def test_fails_on_a_relative_root(node: Node) -> None:
    result = configure(node, EMR_CONSTRUCTS_ROOT="relative/root")

    assert result.returncode == 2
    assert "EMR_CONSTRUCTS_ROOT must be an absolute path" in result.stderr
    assert node.calls("sudo") == []
