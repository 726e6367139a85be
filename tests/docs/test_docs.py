"""The API reference (``make docs``): built with the Makefile's command, warning-free, with the key pages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_docs.py"

#: Public names and the subpackage page that documents each (the package page documents them all).
KEY_NAMES = {
    "EmrCluster": "emr_constructs/cluster.html",
    "ClusterSpec": "emr_constructs/spec.html",
    "TransientJobFlow": "emr_constructs/jobflow.html",
    "EmrMonitoring": "emr_constructs/monitoring.html",
    "EmrChecks": "emr_constructs/policy/nag_pack.html",
}

#: Pages whose docstrings state every optional constructor parameter's default on a ``Default:`` line.
DEFAULTS_STATED = (
    "emr_constructs/logging.html",
    "emr_constructs/monitoring.html",
    "emr_constructs/network.html",
    "emr_constructs/catalog.html",
    "emr_constructs/security.html",
    "emr_constructs/storage.html",
    "emr_constructs/jobs.html",
    "emr_constructs/cluster.html",
    "emr_constructs/jobflow.html",
    "emr_constructs/iam.html",
    "emr_constructs/baseline.html",
)


class Built:
    def __init__(self, output: Path, done: subprocess.CompletedProcess[str]) -> None:
        self.output = output
        self.done = done

    def page(self, relative: str) -> str:
        return (self.output / relative).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One build for the module, with the Makefile's command (``$(PY) scripts/build_docs.py --output ...``)."""
    output = tmp_path_factory.mktemp("docs") / "site"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Built(output, done)


def test_builds_without_warnings(built: Built) -> None:
    assert built.done.returncode == 0, built.done.stdout + built.done.stderr
    warnings = [line for line in built.done.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == []
    assert "API reference:" in built.done.stdout


def test_documents_only_public_modules(built: Built) -> None:
    pages = {path.relative_to(built.output).as_posix() for path in built.output.rglob("*.html")}
    assert {"index.html", "emr_constructs.html", *KEY_NAMES.values()} <= pages
    # Implementation modules and the command line stay out of the reference.
    assert "emr_constructs/cluster/cluster.html" not in pages
    assert "emr_constructs/cli.html" not in pages
    assert not any(page.startswith("emr_constructs/spec/") for page in pages)


@pytest.mark.parametrize("name", sorted(KEY_NAMES))
def test_key_names_have_pages(built: Built, name: str) -> None:
    # The package page documents every name ``from emr_constructs import ...`` offers (lazy re-exports included),
    # and the subpackage page documents it where it lives.
    assert f'id="{name}"' in built.page("emr_constructs.html")
    assert f'id="{name}"' in built.page(KEY_NAMES[name])


def test_defaults_from_docstrings_appear(built: Built) -> None:
    page = built.page("emr_constructs/network.html")
    assert "Default: <code>logs.RetentionDays.ONE_YEAR</code>" in page
    for relative in DEFAULTS_STATED:
        assert "Default: " in built.page(relative), relative


@pytest.mark.parametrize("relative", DEFAULTS_STATED)
def test_parameter_lists_render(built: Built, relative: str) -> None:
    # pdoc reads ``:param name: text`` up to the last colon of its first line as the name, so a colon there
    # (``Default: ...``, ``s3://``) turns the whole line into a bold "name". Put such text on the next line.
    misread = re.findall(r"<li><strong>((?:(?!</strong>).)*?:(?:(?!</strong>).)*)</strong>", built.page(relative))
    assert misread == []


def test_warnings_fail_the_build(tmp_path: Path) -> None:
    """A name in ``__all__`` that does not resolve is a warning, and the script turns it into exit 1."""
    package = tmp_path / "docs_fixture_pkg"
    package.mkdir()
    (package / "__init__.py").write_text('"""__all__ names something missing."""\n\n__all__ = ["Gone"]\n')
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
            "import build_docs; problems = build_docs.build(__import__('pathlib').Path(sys.argv[3]),"
            " ('docs_fixture_pkg',)); print(problems); sys.exit(1 if problems else 0)",
            str(tmp_path),
            str(SCRIPT.parent),
            str(tmp_path / "out"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "'Gone'" in done.stdout


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"(?m)^#{1,6} (.+)$", re.sub(r"(?ms)^```.*?^```", "", markdown))
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def _read(file: Path) -> str:
    return file.read_text(encoding="utf-8") if file.exists() else ""


MARKDOWN = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda path: path.relative_to(REPO).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        missing_anchor = bool(anchor) and file.suffix == ".md" and anchor not in _anchors(_read(file))
        if not file.exists() or missing_anchor:
            broken.append(target)
    assert broken == []


def test_readme_keeps_the_essentials() -> None:
    """The README stays short and names the commands and the requirements; the rest lives in docs/."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for needed in ("make synth", "make test", "make lint", "make docs", "Python 3.11", "Node 22", "Node 20"):
        assert needed in readme, needed
    assert 'pip install "emr-constructs[cli]"' in readme
    assert "emr-constructs check" in readme
    assert len(readme) < 8000
