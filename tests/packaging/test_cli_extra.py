"""The AWS subcommands name the ``cli`` extra when boto3 or cryptography is missing (simulated in process here;
``test_installed_wheel.py`` proves it in a venv without them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from emr_constructs.cli import main

HINT = "error: this command needs the cli extra: pip install 'emr-constructs[cli]'"
CONFIG = str(Path(__file__).parents[2] / "config" / "dev.yaml")


def _without(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``modules`` look uninstalled: ``find_spec`` returns None and ``import`` raises ModuleNotFoundError."""
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize(
    ("argv", "missing"),
    [
        (["certs", "--domain", "ec2.internal", "--out", "never-written.zip"], "cryptography"),
        (["certs", "--domain", "ec2.internal", "--upload", "s3://bucket-x/c.zip", "--kms-key-id", "k"], "boto3"),
        (["submit", "--cluster-id", "j-ABCDEFGHIJKL", "--spark", "s3://bucket-x/job.py"], "boto3"),
        (["status", "--cluster-id", "j-ABCDEFGHIJKL"], "boto3"),
        (["cost", CONFIG, "--refresh", "--prices", "never-written.json"], "boto3"),
    ],
)
def test_aws_commands_name_the_extra(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    missing: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    _without(monkeypatch, missing)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.startswith(HINT), err
    assert f"({missing} not installed)" in err
    assert out == ""
    assert list(tmp_path.iterdir()) == [], "nothing written before the extra was found missing"


def test_certs_without_upload_needs_no_boto3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _without(monkeypatch, "boto3")
    out = tmp_path / "certs.zip"
    assert main(["certs", "--domain", "ec2.internal", "--out", str(out)]) == 0
    assert out.stat().st_size > 0


def test_an_unforeseen_import_still_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing extra module met past the up-front checks ends in the same message, not a traceback."""

    def run(arguments: object) -> int:
        import boto3  # noqa: F401 - the import is the point

        return 0

    _without(monkeypatch, "boto3")
    monkeypatch.setattr("emr_constructs.cli.run_status", run)
    monkeypatch.setattr("emr_constructs.cli._cli_extra_missing", lambda *modules: False)
    assert main(["status", "--cluster-id", "j-ABCDEFGHIJKL"]) == 2
    assert capsys.readouterr().err.startswith(HINT)


def test_other_missing_modules_are_not_blamed_on_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    def run(arguments: object) -> int:
        import no_such_module_for_emr_constructs  # type: ignore[import-not-found]  # noqa: F401

        return 0

    monkeypatch.setattr("emr_constructs.cli.run_status", run)
    monkeypatch.setattr("emr_constructs.cli._cli_extra_missing", lambda *modules: False)
    with pytest.raises(ModuleNotFoundError):
        main(["status", "--cluster-id", "j-ABCDEFGHIJKL"])
