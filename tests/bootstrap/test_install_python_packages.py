"""bootstrap/install-python-packages.sh under bash, with stub aws/sudo/uname and a fake Python."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.bootstrap.harness import INSTALL_PYTHON_PACKAGES, Node, Result

URI = "s3://analytics-artifacts/bootstrap/requirements.txt"
PINNED = "requests==2.31.0\nnumpy==1.26.4\n"
PIP_ARGS = ["-m", "pip", "install", "--no-input", "--disable-pip-version-check", "-r"]
TIMESTAMPED = re.compile(r"^\[emr-constructs\] \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} install-python-packages\.sh: ")


def install(node: Node, *args: str, **env: str) -> Result:
    return node.run(INSTALL_PYTHON_PACKAGES, *args, **env)


def install_pinned(node: Node, requirements: str = PINNED, **env: str) -> Result:
    node.fixture.write_text(requirements)
    return install(node, URI, str(node.python), **env)


def marker(node: Node) -> str:
    (path,) = node.state_dir.glob("python-packages.*.sha256")
    return path.read_text()


# --- success path -------------------------------------------------------------------------------


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_installs_pinned_requirements(node: Node, arch: str) -> None:
    node.arch = arch
    result = install_pinned(node)

    assert result.returncode == 0, result.output
    assert f"architecture: {arch}" in result.stdout
    assert "done: installed 2 pinned requirements" in result.stdout
    ((s3, cp, *options, source, destination),) = node.calls("aws")
    assert (s3, cp, source) == ("s3", "cp", URI)
    assert options == ["--only-show-errors"]
    ((*pip_args, requirements_file),) = node.pip_installs()
    assert pip_args == PIP_ARGS
    assert requirements_file == destination
    assert any(call[1:] == [str(node.python), *PIP_ARGS, destination] for call in node.calls("sudo")), (
        "pip must run through sudo"
    )
    assert ["-n", str(node.python), *PIP_ARGS, destination] in node.calls("sudo"), "sudo must be non-interactive"
    sha256 = hashlib.sha256(PINNED.encode()).hexdigest()
    assert marker(node) == f"{sha256} {node.python}\n"
    assert node.leftover_tmp() == [], "the downloaded requirements must be cleaned up"


def test_logs_every_step_with_timestamp_to_stdout_and_log_file(node: Node) -> None:
    result = install_pinned(node)

    assert result.returncode == 0, result.output
    logged = [line for line in result.stdout.splitlines() if line.startswith("[emr-constructs]")]
    assert len(logged) >= 6
    assert all(TIMESTAMPED.match(line) for line in logged), logged
    log_file = node.log_file.read_text().splitlines()
    for line in logged:
        assert line in log_file
    assert "Successfully installed (stub)" in log_file, "pip's own output is kept in the log file"


def test_default_python_comes_from_the_environment(node: Node) -> None:
    node.fixture.write_text(PINNED)
    result = install(node, URI, EMR_CONSTRUCTS_PYTHON=str(node.python))

    assert result.returncode == 0, result.output
    assert len(node.pip_installs()) == 1


def test_the_real_default_python_is_usr_bin_python3() -> None:
    assert "${2:-${EMR_CONSTRUCTS_PYTHON:-/usr/bin/python3}}" in INSTALL_PYTHON_PACKAGES.read_text()


def test_accepts_extras_hashes_comments_continuations_and_crlf(node: Node) -> None:
    digest = "a" * 64
    requirements = (
        "# pip-compile --generate-hashes output\r\n"
        "\r\n"
        f"boto3[crt]==1.34.0 \\\r\n    --hash=sha256:{digest} \\\r\n    --hash=sha256:{'b' * 64}\r\n"
        "    # via -r requirements.in\r\n"
        "pyarrow == 15.0.2    # spaces around == are fine\r\n"
        "apache-airflow.providers_x[amazon, postgres]==2.9.0rc1\r\n"
        f"tzdata==2024.1 --hash=sha512:{'c' * 128}"  # no newline at the end of the file
    )
    result = install_pinned(node, requirements)

    assert result.returncode == 0, result.output
    assert "requirements: 4 pinned" in result.stdout


# --- idempotency --------------------------------------------------------------------------------


def test_second_run_installs_nothing_and_says_so(node: Node) -> None:
    assert install_pinned(node).returncode == 0
    first_marker = marker(node)

    again = install_pinned(node)

    assert again.returncode == 0, again.output
    assert "skipping pip install" in again.stdout
    assert "done: nothing to do" in again.stdout
    assert len(node.pip_installs()) == 1
    assert marker(node) == first_marker
    assert node.leftover_tmp() == []


def test_changed_requirements_are_reinstalled(node: Node) -> None:
    assert install_pinned(node).returncode == 0

    changed = PINNED.replace("2.31.0", "2.32.3")
    again = install_pinned(node, changed)

    assert again.returncode == 0, again.output
    assert "requirements changed since the last install" in again.stdout
    assert len(node.pip_installs()) == 2
    assert marker(node).startswith(hashlib.sha256(changed.encode()).hexdigest())


def test_another_interpreter_gets_its_own_install(node: Node) -> None:
    assert install_pinned(node).returncode == 0
    other = node.stubs / "python3.11"
    other.write_bytes(node.python.read_bytes())
    other.chmod(0o755)

    result = install(node, URI, str(other))

    assert result.returncode == 0, result.output
    assert len(node.pip_installs()) == 2
    assert len(list(node.state_dir.glob("python-packages.*.sha256"))) == 2


# --- failures -----------------------------------------------------------------------------------


def test_fails_on_unsupported_architecture(node: Node) -> None:
    node.arch = "ppc64le"
    result = install_pinned(node)

    assert result.returncode == 1
    assert "unsupported architecture 'ppc64le'" in result.stderr
    assert "x86_64 or aarch64 (Graviton)" in result.stderr
    assert node.calls("aws") == []
    assert node.pip_installs() == []
    assert "unsupported architecture 'ppc64le'" in node.log_file.read_text()


def test_fails_on_unpinned_requirements_and_lists_them(node: Node) -> None:
    requirements = "requests==2.31.0\nnumpy\npandas>=2\n# fine\nscipy==1.*\n-r other.txt\nboto3~=1.34\n"
    result = install_pinned(node, requirements)

    assert result.returncode == 1
    assert "refusing unpinned requirements" in result.stderr
    for offending in ("line 2: numpy", "line 3: pandas>=2", "line 5: scipy==1.*", "line 6: -r other.txt"):
        assert offending in result.stderr
    assert "line 7: boto3~=1.34" in result.stderr
    assert "line 1:" not in result.stderr
    assert node.pip_installs() == []
    assert not node.state_dir.exists()


@pytest.mark.parametrize(
    "line",
    [
        "requests",
        "requests>=2.31.0",
        "requests===2.31.0",
        "requests==2.31.*",
        "requests==",
        "requests==2.31.0; python_version>'3.8'",
        "git+https://github.com/psf/requests@v2.31.0#egg=requests",
        "./local-package",
        "--index-url https://example.com/simple",
        "requests==2.31.0 --hash=md5:abcd",
    ],
)
def test_fails_on_each_unpinned_form(node: Node, line: str) -> None:
    result = install_pinned(node, f"numpy==1.26.4\n{line}\n")

    assert result.returncode == 1, result.output
    assert "refusing unpinned requirements" in result.stderr
    assert "line 2: " in result.stderr
    assert node.pip_installs() == []


def test_fails_on_a_file_without_requirements(node: Node) -> None:
    result = install_pinned(node, "# nothing yet\n\n")

    assert result.returncode == 1
    assert "contains no requirements" in result.stderr
    assert node.pip_installs() == []


@pytest.mark.parametrize("args", [(), ("s3://a-bucket/r.txt", "/usr/bin/python3", "extra")], ids=["none", "three"])
def test_fails_on_wrong_argument_count_with_usage(node: Node, args: tuple[str, ...]) -> None:
    result = install(node, *args)

    assert result.returncode == 2
    assert "expected 1 or 2 arguments" in result.stderr
    assert "Usage: install-python-packages.sh REQUIREMENTS_S3_URI [PYTHON]" in result.stderr
    assert node.calls("aws") == []
    assert node.calls("sudo") == [], "nothing touches the node before the arguments are valid"


@pytest.mark.parametrize("uri", ["requirements.txt", "https://bucket/r.txt", "s3://bucket-only", "s3://bucket/dir/"])
def test_fails_on_a_uri_that_is_not_an_s3_object(node: Node, uri: str) -> None:
    result = install(node, uri)

    assert result.returncode == 2
    assert "REQUIREMENTS_S3_URI must look like s3://bucket/path/requirements.txt" in result.stderr


def test_help_prints_usage_and_succeeds(node: Node) -> None:
    result = install(node, "--help")

    assert result.returncode == 0
    assert result.stdout.startswith("Usage: install-python-packages.sh REQUIREMENTS_S3_URI [PYTHON]")


def test_fails_when_the_s3_copy_fails(node: Node) -> None:
    result = install_pinned(node, AWS_STUB_EXIT="1")

    assert result.returncode == 1
    assert f"could not copy {URI} (aws s3 cp failed)" in result.stderr
    assert "403" in result.stderr, "the AWS CLI's own message is passed through"
    assert node.pip_installs() == []
    assert not node.state_dir.exists()
    assert node.leftover_tmp() == []


def test_fails_when_pip_fails_and_retries_on_the_next_run(node: Node) -> None:
    failed = install_pinned(node, PIP_STUB_EXIT="1")

    assert failed.returncode == 1
    assert "pip install into" in failed.stderr and "failed" in failed.stderr
    assert not node.state_dir.exists(), "no marker after a failed install"

    retried = install_pinned(node)
    assert retried.returncode == 0, retried.output
    assert len(node.pip_installs()) == 2


def test_fails_without_passwordless_sudo(node: Node) -> None:
    result = install_pinned(node, SUDO_STUB_EXIT="1")

    assert result.returncode == 1
    assert "passwordless sudo is required" in result.stderr
    assert node.calls("aws") == []


def test_fails_when_the_python_does_not_exist(node: Node) -> None:
    node.fixture.write_text(PINNED)
    result = install(node, URI, str(node.base / "no-such-python"))

    assert result.returncode == 1
    assert "no-such-python' not found or not executable" in result.stderr


def test_unexpected_failure_reports_the_line_and_command(node: Node) -> None:
    broken = node.stubs / "sha256sum"
    broken.write_text("#!/usr/bin/env bash\necho 'sha256sum: I/O error' >&2\nexit 3\n")
    broken.chmod(0o755)

    result = install_pinned(node)

    assert result.returncode == 3
    assert re.search(r"unexpected failure at line \d+ of install-python-packages\.sh \(exit 3\)", result.stderr)
    assert "sha256sum" in result.stderr
    assert "the cluster will not start" in result.stderr
    assert node.pip_installs() == []


def test_fails_on_a_relative_root(node: Node) -> None:
    result = install_pinned(node, EMR_CONSTRUCTS_ROOT="relative/root")

    assert result.returncode == 2
    assert "EMR_CONSTRUCTS_ROOT must be an absolute path" in result.stderr
